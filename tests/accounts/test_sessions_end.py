"""Suspension, removal, disabling by staff and a password change end the user's sessions for
good: reactivating the account does not bring an old session back (issue 11, finding 6)."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from portail.accounts.models import User
from portail.portfolios.models import Grant
from tests.backoffice.conftest import make_staff, sign_in_client
from tests.factories import PASSWORD, LegalLandlordFactory, PortfolioFactory, UserFactory

pytestmark = pytest.mark.django_db
PORTAIL = Path(__file__).resolve().parents[2] / "portail"


@pytest.fixture
def team():
    """A company's administrator, and a colleague signed in on a parc in a browser of theirs."""
    landlord = LegalLandlordFactory()
    admin = UserFactory(landlord=landlord, is_landlord_admin=True)
    colleague = UserFactory(landlord=landlord, full_name="Paul")
    parc = PortfolioFactory(landlord=landlord)
    Grant.objects.create(user=colleague, portfolio=parc, right="declare")
    browser = Client()
    browser.post(
        reverse("accounts:sign_in"), {"identifier": colleague.identifier, "password": PASSWORD}
    )
    tenants = reverse("rents:tenants", args=[parc.pk])
    assert browser.get(tenants).status_code == 200
    return admin, colleague, browser, tenants


def reactivate_as_staff_would(user: User) -> None:
    """The account made active again, as the back office's admin screen saves it."""
    user = User.objects.get(pk=user.pk)
    user.is_active = True
    user.save()


def test_a_suspended_colleague_reactivated_does_not_get_the_old_session_back(client, team):
    admin, colleague, browser, tenants = team
    client.force_login(admin)
    client.post(reverse("team:suspend", args=[colleague.pk]))
    client.post(reverse("team:reactivate", args=[colleague.pk]))
    assert User.objects.get(pk=colleague.pk).is_active
    assert browser.get(tenants).status_code == 302
    assert "_auth_user_id" not in browser.session
    fresh = Client()
    fresh.force_login(User.objects.get(pk=colleague.pk))
    assert fresh.get(tenants).status_code == 200  # signing in again works


def test_a_removed_colleague_made_active_again_does_not_get_the_old_session_back(client, team):
    admin, colleague, browser, tenants = team
    client.force_login(admin)
    client.post(reverse("team:remove", args=[colleague.pk]))
    reactivate_as_staff_would(colleague)
    Grant.objects.create(
        user=colleague, portfolio_id=int(tenants.strip("/").split("/")[1]), right="declare"
    )
    assert browser.get(tenants).status_code == 302


def test_a_user_disabled_by_staff_and_enabled_again_does_not_get_the_old_session_back(client, team):
    _admin, colleague, browser, tenants = team
    sign_in_client(client, make_staff("supervisor"))
    landlord_id = colleague.landlord_id
    client.post(
        reverse("backoffice:disable", kwargs={"landlord_id": landlord_id, "user_id": colleague.pk}),
        {"reason": "Départ de la société"},
    )
    assert not User.objects.get(pk=colleague.pk).is_active
    reactivate_as_staff_would(colleague)
    assert browser.get(tenants).status_code == 302


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(team):
    _admin, colleague, browser, tenants = team
    other = Client()
    other.post(
        reverse("accounts:sign_in"), {"identifier": colleague.identifier, "password": PASSWORD}
    )
    new = "Tilleul-Printemps-Lavande"
    response = other.post(
        reverse("accounts:change_password"),
        {"current_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert browser.get(tenants).status_code == 302
    assert other.get(tenants).status_code == 200


def test_no_code_deactivates_users_behind_the_models_back():
    """A deactivation ends sessions because User.save() raises the session generation: a
    queryset update() of is_active would skip it, so none exists in the portal's code."""
    pattern = re.compile(r"\.update\([^)]*is_active", re.DOTALL)
    offenders = [
        str(path.relative_to(PORTAIL))
        for path in PORTAIL.rglob("*.py")
        if "migrations" not in path.parts and pattern.search(path.read_text())
    ]
    assert offenders == []
