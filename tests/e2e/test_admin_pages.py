"""The Django admin (/gestion/, administrators only) is a page of the portal too: axe-checked."""

import pytest

from tests.backoffice.conftest import make_staff
from tests.factories import LegalLandlordFactory, UserFactory

from .conftest import assert_accessible
from .test_backoffice import staff_sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_index_lists_and_forms_have_no_violation(page):
    administrator = make_staff("administrator")
    landlord = LegalLandlordFactory(name="SCI Les Platanes")
    user = UserFactory(landlord=landlord)
    staff_sign_in(page, administrator)
    for path in (
        "/gestion/",
        "/gestion/accounts/user/",
        f"/gestion/accounts/user/{user.pk}/change/",
        "/gestion/audit/event/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page)
