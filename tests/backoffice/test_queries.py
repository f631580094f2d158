"""List pages read a fixed number of queries, whatever the number of rows."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

from .helpers import make_receipt
from .test_correspondence import failed_email

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [1, 12])
def test_list_pages_do_not_grow_with_their_rows(agent_client, django_assert_max_num_queries, rows):
    for _ in range(rows):
        make_receipt()
        failed_email(UserFactory())
    for name in ("receipts", "correspondence", "campaign"):
        with django_assert_max_num_queries(16):
            assert agent_client.get(reverse(f"backoffice:{name}")).status_code == 200
    with django_assert_max_num_queries(16):
        agent_client.get(reverse("backoffice:search") + "?q=Bailleur")
