"""Reporting a departure or another change: the rule for the month of departure, corrections
as versions, withdrawal, and the end of both once the agency handled the change."""

import html
import subprocess

import pytest
from django.urls import reverse

from portail.audit.models import Event
from portail.obligations.models import ChangeReport, ChangeVersion

from .conftest import make_landlord

pytestmark = pytest.mark.django_db


def declare_departure(client, world, tenancy=None, **data):
    tenancy = tenancy or world.direct
    values = {"move_out_date": "31/12/2026", "lease_end_date": "", "new_address": "", **data}
    return client.post(
        reverse("obligations:departure_new", args=[world.portfolio.pk, tenancy.pk]), values
    )


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def test_departure_shows_the_month_rule_and_the_repayment_for_direct_payment(client, landlord):
    client.force_login(landlord.user)
    form = client.get(
        reverse("obligations:departure_new", args=[landlord.portfolio.pk, landlord.direct.pk])
    )
    assert "payé en entier" in text_of(form) and "rembourser" in text_of(form)
    response = declare_departure(
        client, landlord, new_address="8 rue Neuve, 13002 Marseille", lease_end_date="31/12/2026"
    )
    change = ChangeReport.objects.get()
    assert response["Location"] == reverse(
        "obligations:change_report", args=[landlord.portfolio.pk, change.pk]
    )
    page = text_of(client.get(response["Location"]))
    assert "déclaré, en attente de la Caf" in page
    assert "L'aide au logement de décembre 2026" in page and "rembourser à la Caf" in page
    pdf = client.get(
        reverse("obligations:change_report_pdf", args=[landlord.portfolio.pk, change.pk])
    )
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "8 rue Neuve" in text and "31/12/2026" in text
    tenancy_page = text_of(
        client.get(reverse("obligations:tenancy", args=[landlord.portfolio.pk, landlord.direct.pk]))
    )
    assert "Déclaré, en attente de la Caf" in tenancy_page


def test_without_direct_payment_no_repayment_is_mentioned(client, landlord):
    client.force_login(landlord.user)
    declare_departure(client, landlord, tenancy=landlord.other)
    change = ChangeReport.objects.get()
    page = text_of(
        client.get(reverse("obligations:change_report", args=[landlord.portfolio.pk, change.pk]))
    )
    assert "payé en entier" in page and "rembourser" not in page


def test_dates_are_checked(client, landlord):
    client.force_login(landlord.user)
    page = text_of(declare_departure(client, landlord, move_out_date="2026-13-01"))
    assert "sous la forme 31/12/2026" in page
    page = text_of(declare_departure(client, landlord, move_out_date="01/01/2020"))
    assert "précède le début du bail" in page
    page = text_of(
        declare_departure(client, landlord, move_out_date="31/12/2026", lease_end_date="01/12/2026")
    )
    assert "ne peut pas précéder le départ" in page
    assert not ChangeReport.objects.exists()


def test_a_correction_is_a_new_version_the_former_kept_and_a_stale_one_refused(client, landlord):
    client.force_login(landlord.user)
    declare_departure(client, landlord)
    change = ChangeReport.objects.get()
    url = reverse("obligations:change_correct", args=[landlord.portfolio.pk, change.pk])
    assert 'value="31/12/2026"' in client.get(url).content.decode()
    client.post(url, {"move_out_date": "15/12/2026", "version": "1"})
    change.refresh_from_db()
    assert (change.version, str(change.move_out_date)) == (2, "2026-12-15")
    former = ChangeVersion.objects.get()
    assert (former.version, str(former.move_out_date)) == (1, "2026-12-31")
    stale = text_of(client.post(url, {"move_out_date": "20/12/2026", "version": "1"}))
    assert "corrigé entre-temps" in stale
    change.refresh_from_db()
    assert change.version == 2
    assert Event.objects.filter(action="change_corrected").count() == 1


def test_withdraw_then_a_new_report_is_possible(client, landlord):
    client.force_login(landlord.user)
    declare_departure(client, landlord)
    change = ChangeReport.objects.get()
    again = text_of(declare_departure(client, landlord))
    assert "déjà déclaré" in again
    client.post(reverse("obligations:change_withdraw", args=[landlord.portfolio.pk, change.pk]))
    change.refresh_from_db()
    assert change.status == "withdrawn" and change.version == 2
    declare_departure(client, landlord)
    assert ChangeReport.objects.filter(status="declared").count() == 1


def test_other_changes_co_tenants_and_end_of_management(client, landlord):
    client.force_login(landlord.user)
    pid, tid = landlord.portfolio.pk, landlord.other.pk
    page = text_of(
        client.post(reverse("obligations:co_tenants_new", args=[pid, tid]), {"change_date": ""})
    )
    assert "Indiquez le nombre de colocataires" in page
    client.post(
        reverse("obligations:co_tenants_new", args=[pid, tid]),
        {"co_tenant_count": "3", "change_date": "01/11/2026"},
    )
    client.post(
        reverse("obligations:end_of_management_new", args=[pid, tid]),
        {"end_reason": "sale", "change_date": "15/01/2027"},
    )
    kinds = dict(ChangeReport.objects.values_list("kind", "status"))
    assert kinds == {"co_tenants": "declared", "end_of_management": "declared"}
    listing = text_of(client.get(reverse("obligations:change_reports", args=[pid])))
    assert "Nombre de colocataires" in listing and "Fin de gestion du logement" in listing


def test_once_handled_it_can_no_longer_be_corrected_nor_withdrawn(client, landlord):
    from portail.obligations import services
    from tests.backoffice.conftest import make_staff

    client.force_login(landlord.user)
    declare_departure(client, landlord)
    change = ChangeReport.objects.get()
    services.handle_change(report_id=change.pk, agent=make_staff("agent"))
    page = text_of(
        client.post(
            reverse("obligations:change_correct", args=[landlord.portfolio.pk, change.pk]),
            {"move_out_date": "15/12/2026", "version": "2"},
        )
    )
    assert "ne peut plus être corrigé" in page
    client.post(reverse("obligations:change_withdraw", args=[landlord.portfolio.pk, change.pk]))
    change.refresh_from_db()
    assert change.status == "handled" and str(change.move_out_date) == "2026-12-31"


def test_change_list_pins_its_query_count(client, django_assert_num_queries):
    world = make_landlord()
    client.force_login(world.user)
    declare_departure(client, world)
    declare_departure(client, world, tenancy=world.other)
    url = reverse("obligations:change_reports", args=[world.portfolio.pk])
    # session, user + landlord, portfolios (header and access), the changes with tenancies
    with django_assert_num_queries(4):
        page = client.get(url).content.decode()
    assert page.count("changement n° ") == 2


def test_the_feed_closing_the_tenancy_confirms_the_departure(client, landlord, tmp_path):
    from portail.feed.services import import_feed

    client.force_login(landlord.user)
    declare_departure(client, landlord)
    change = ChangeReport.objects.get()
    tenancy = landlord.direct
    (tmp_path / "tenancies.csv").write_text(
        "recipient_number,portfolio_ref,tenant_name,dwelling_address,start_date,end_date,"
        f"direct_payment\n{tenancy.recipient_number},{landlord.portfolio.ref},"
        f'{tenancy.tenant_name},"{tenancy.dwelling_address}",2024-09-01,2026-12-31,oui\n',
        encoding="utf-8",
    )
    page_url = reverse("obligations:tenancy", args=[landlord.portfolio.pk, tenancy.pk])
    assert "Déclaré, en attente de la Caf" in text_of(client.get(page_url))
    assert import_feed(directory=tmp_path).ok
    change.refresh_from_db()
    assert change.status == "handled" and change.version == 2
    page = text_of(client.get(page_url))
    assert "Confirmé par la Caf" in page and "en attente de la Caf" not in page
    # Confirmed: no more corrections; a second import changes nothing.
    assert import_feed(directory=tmp_path).ok
    change.refresh_from_db()
    assert change.version == 2


def test_a_departure_before_july_asks_no_july_rent_until_withdrawn(client):
    """The reported end is kept on the tenancy (reported_end_date), where the rents status
    reads it: the tenant list and the declaration page no longer ask for July 2026."""
    from tests.rents.helpers import make_world

    world = make_world()
    client.force_login(world.user)
    tenants = reverse("rents:tenants", args=[world.portfolio.pk])
    row = "Alice ARNAUD</a>"
    assert "À déclarer" in _row(client, tenants, row)
    client.post(
        reverse("obligations:departure_new", args=[world.portfolio.pk, world.known.pk]),
        {"move_out_date": "30/06/2026"},
    )
    line = _row(client, tenants, row)
    assert "Non demandé" in line and "Fin déclarée le 30/06/2026, en attente de la Caf" in line
    declare = client.get(reverse("rents:declare", args=[world.portfolio.pk, world.known.pk]))
    assert "Déclarer le loyer" not in text_of(declare)
    change = ChangeReport.objects.get()
    client.post(reverse("obligations:change_withdraw", args=[world.portfolio.pk, change.pk]))
    line = _row(client, tenants, row)
    assert "À déclarer" in line and "Fin déclarée" not in line
    # A departure during July leaves July asked for.
    client.post(
        reverse("obligations:departure_new", args=[world.portfolio.pk, world.known.pk]),
        {"move_out_date": "15/07/2026"},
    )
    assert "À déclarer" in _row(client, tenants, row)


def _row(client, url, marker) -> str:
    page = text_of(client.get(url))
    start = page.rindex("<tr", 0, page.index(marker))
    return page[start : page.index("</tr>", start)]


def test_the_tenant_list_shows_an_unpaid_rent_reported_and_links_each_tenant(client, landlord):
    from .conftest import WORKED_EXAMPLE

    client.force_login(landlord.user)
    client.post(
        reverse("obligations:unpaid_new", args=[landlord.portfolio.pk, landlord.direct.pk]),
        {**WORKED_EXAMPLE, "action": "envoyer"},
    )
    tenants = reverse("rents:tenants", args=[landlord.portfolio.pk])
    page = text_of(client.get(tenants))
    tenancy_page = reverse("obligations:tenancy", args=[landlord.portfolio.pk, landlord.direct.pk])
    line = _row(client, tenants, f'href="{tenancy_page}"')
    assert "Alice ARNAUD" in line and "Impayé signalé le 27/11/2026 (reçu)" in line
    assert "Impayé signalé" not in _row(client, tenants, "Bruno BLANC</a>")
    assert "Signaler un impayé" in page and "Départs et changements déclarés" in page
