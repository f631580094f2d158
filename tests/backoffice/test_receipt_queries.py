"""The receipts queue (read by rents.selectors.receipt_queue) reads a fixed number of queries,
whatever the number of receipts waiting. Each query is named."""

import pytest
from django.urls import reverse

from .helpers import make_receipt

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [1, 12])
def test_the_receipts_queue(agent_client, django_assert_num_queries, rows):
    for _ in range(rows):
        make_receipt()
    url = reverse("backoffice:receipts")
    agent_client.get(url)
    # session; the agent; the agent's second factor (its TOTP device); the agent's own
    # permissions, then its groups' (the role check); the COUNT of pending receipts (pages);
    # the page's receipts with tenancy, portfolio and landlord
    with django_assert_num_queries(7):
        page = agent_client.get(url).content.decode()
    assert page.count("/agence/quittances/") >= rows
