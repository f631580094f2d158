"""The list pages of portfolios and rents read a fixed number of queries, whatever their rows
(the tenant list has its own, finer test in test_tenant_list.py). Each query is named."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse

from portail.rents.models import BulkImport, RentSubmission
from tests.factories import JulyRentFactory, PortfolioFactory, TenancyFactory

from .helpers import make_world

pytestmark = pytest.mark.django_db

# Every signed-in page of a landlord starts with these.
SESSION_AND_USER = 2  # the session; the user with its landlord (accounts.backends)


def _submissions(world, count: int) -> list[RentSubmission]:
    submissions = []
    for _ in range(count):
        submission = RentSubmission.objects.create(
            portfolio=world.portfolio,
            year=2026,
            channel=RentSubmission.Channel.IMPORT,
            token=uuid.uuid4(),
            submitted_by=world.user,
            submitted_at=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC),
        )
        tenancy = TenancyFactory(portfolio=world.portfolio)
        JulyRentFactory(
            tenancy=tenancy, year=2026, amount=Decimal("600.00"), submission=submission, version=1
        )
        submissions.append(submission)
    return submissions


@pytest.mark.parametrize("rows", [1, 12])
def test_the_parcs_page(client, django_assert_num_queries, rows):
    world = make_world()
    for _ in range(rows):
        PortfolioFactory(landlord=world.user.landlord)
    client.force_login(world.user)
    client.get(reverse("portfolios:home"))  # the first request after signing in writes the session
    cache.clear()
    # session, user; the user's portfolios (the header's too); the latest kept campaign year;
    # the portfolios' kept counts (a few rows each, summed): no tenancy is counted
    with django_assert_num_queries(SESSION_AND_USER + 3) as queries:
        page = client.get(reverse("portfolios:home"))
    assert page.status_code == 200
    assert not [q for q in queries.captured_queries if "portfolios_tenancy" in q["sql"]]
    # then the counts are in the cache
    with django_assert_num_queries(SESSION_AND_USER + 1):
        assert client.get(reverse("portfolios:home")).status_code == 200


def test_the_parcs_page_of_one_portfolio_counts_nothing(client, django_assert_num_queries):
    world = make_world()
    client.force_login(world.user)
    client.get(reverse("portfolios:home"))
    cache.clear()
    # session, user; the user's portfolios: the one portfolio's list is where it leads
    with django_assert_num_queries(SESSION_AND_USER + 1):
        page = client.get(reverse("portfolios:home"))
    assert page.status_code == 302


@pytest.mark.parametrize("rows", [1, 12])
def test_the_acknowledgements_page(client, django_assert_num_queries, rows):
    world = make_world()
    _submissions(world, rows)
    client.force_login(world.user)
    url = reverse("rents:history", args=[world.portfolio.pk])
    client.get(url)  # the first request after signing in also writes the session
    # session, user; the user's portfolios (the check and the header); the acknowledgements
    # with who sent each
    with django_assert_num_queries(SESSION_AND_USER + 2):
        page = client.get(url).content.decode()
    assert page.count("/accuses/") >= rows


@pytest.mark.parametrize("rows", [1, 12])
def test_one_acknowledgement_with_its_lines(client, django_assert_num_queries, rows):
    world = make_world()
    submission = _submissions(world, 1)[0]
    for _ in range(rows - 1):
        JulyRentFactory(
            tenancy=TenancyFactory(portfolio=world.portfolio),
            year=2026,
            submission=submission,
            version=1,
        )
    client.force_login(world.user)
    url = reverse("rents:acknowledgement", args=[world.portfolio.pk, submission.pk])
    client.get(url)  # the first request after signing in also writes the session
    # session, user; the user's portfolios; the submission with who sent it; its lines
    # (current and superseded versions, one UNION; counted only beyond the 1,000 shown)
    with django_assert_num_queries(SESSION_AND_USER + 3):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 12])
def test_the_file_deposits_page(client, django_assert_num_queries, rows):
    world = make_world()
    for n in range(rows):
        bulk = BulkImport(
            portfolio=world.portfolio,
            year=2026,
            filename=f"loyers-{n}.csv",
            status=BulkImport.Status.CHECKED,
            uploaded_by=world.user,
        )
        bulk.file.save("depot", ContentFile(b"1;650\n"), save=False)
        bulk.save()
    client.force_login(world.user)
    url = reverse("rents:bulk_new", args=[world.portfolio.pk])
    client.get(url)  # the campaign's dates into the cache
    # session, user; the user's portfolios; the last files with who sent each
    with django_assert_num_queries(SESSION_AND_USER + 2):
        page = client.get(url).content.decode()
    assert page.count("loyers-") == rows


@pytest.mark.parametrize("rows", [1, 12])
def test_a_tenancy_page_with_its_receipts_and_versions(client, django_assert_num_queries, rows):
    from portail.rents.models import Receipt

    world = make_world()
    for _ in range(rows):
        receipt = Receipt(
            tenancy=world.missing,
            year=2025,
            amount=Decimal("640.00"),
            content_type="application/pdf",
            submitted_by=world.user,
            status=Receipt.Status.REJECTED,
        )
        receipt.file.save("quittance", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        receipt.save()
    client.force_login(world.user)
    url = reverse("rents:declare", args=[world.portfolio.pk, world.missing.pk])
    client.get(url)  # the campaign's dates into the cache
    # session, user; the user's portfolios; the tenancy with its rents and status; the
    # tenancy's receipts (the page shows no history of versions)
    with django_assert_num_queries(SESSION_AND_USER + 3):
        page = client.get(url).content.decode()
    assert "quittance" in page


@pytest.mark.parametrize("rows", [1, 60])
@pytest.mark.parametrize("view", ["statut=to_declare", "tri=-loyer_precedent", "tri=loyer"])
def test_the_tenant_list_filtered_or_sorted_by_a_rent_and_its_next_page(
    client, django_assert_num_queries, rows, view
):
    import html
    import re

    world = make_world()
    for _ in range(rows):
        JulyRentFactory(
            tenancy=TenancyFactory(portfolio=world.portfolio, start_date=datetime.date(2019, 1, 1)),
            year=2025,
        )
    client.force_login(world.user)
    url = reverse("rents:tenants", args=[world.portfolio.pk]) + "?" + view
    client.get(url)  # the tenancies' count, the campaign and whether its states are kept
    # session, user; the user's portfolios (the check and the header); the page's ids on the
    # kept states' index (status or rent, then the tenant) joined to their rents; the rows'
    # unpaid-rent reports; a filter's total is its kept count (one row), a sort's the cached
    # count of the portfolio
    expected = SESSION_AND_USER + 4 if view.startswith("statut") else SESSION_AND_USER + 3
    with django_assert_num_queries(expected):
        page = client.get(url).content.decode()
    found = re.search(r'href="(\?[^"]*apres=[^"]*)">Page suivante', page)
    assert (found is not None) == (rows > 50)
    if found:
        # "Page suivante": the rows after the cursor, the same queries
        next_url = url.split("?")[0] + html.unescape(found[1])
        with django_assert_num_queries(expected):
            assert client.get(next_url).status_code == 200


def test_the_declaration_form_and_its_summary(client, django_assert_num_queries):
    import re

    world = make_world()
    client.force_login(world.user)
    url = reverse("rents:declare", args=[world.portfolio.pk, world.known.pk])
    client.get(url)  # the first request after signing in also writes the session
    # session, user; the user's portfolios; the tenancy with its rents and status; the history
    # of versions, superseded then current (its last gives the form's version: no third read)
    with django_assert_num_queries(SESSION_AND_USER + 4):
        page = client.get(url).content.decode()
    data = {
        name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
        for name in ("token", "version")
    }
    client.post(url, {**data, "amount": "655,00", "action": "verifier"})  # the IRL into the cache
    # session, user; the user's portfolios; the tenancy with its rents and status; the summary
    # shows no history
    with django_assert_num_queries(SESSION_AND_USER + 2):
        page = client.post(url, {**data, "amount": "655,00", "action": "verifier"})
    assert page.status_code == 200 and "655,00" in page.content.decode()


def test_an_acknowledgement_longer_than_shown_counts_its_lines(
    client, django_assert_num_queries, monkeypatch
):
    from portail.rents import views

    monkeypatch.setattr(views, "ACKNOWLEDGEMENT_LINES_SHOWN", 5)
    world = make_world()
    submission = _submissions(world, 1)[0]
    for _ in range(11):
        JulyRentFactory(
            tenancy=TenancyFactory(portfolio=world.portfolio),
            year=2026,
            submission=submission,
            version=1,
        )
    client.force_login(world.user)
    url = reverse("rents:acknowledgement", args=[world.portfolio.pk, submission.pk])
    client.get(url)
    # as above, and the COUNT of its lines: there are more than shown
    with django_assert_num_queries(SESSION_AND_USER + 4):
        page = client.get(url).content.decode()
    assert "12\xa0loyers de juillet 2026" in page or "12 loyers de juillet 2026" in page
    assert page.count("première déclaration") == 5
