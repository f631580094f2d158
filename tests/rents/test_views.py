"""The declaration screens: entry, summary with confirmation, acknowledgement and its PDF."""

import re
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from portail.portfolios.models import Grant
from portail.rents.models import JulyRent
from tests.factories import GrantFactory, LegalLandlordFactory, UserFactory

from .helpers import all_versions, make_world

pytestmark = pytest.mark.django_db


def declare_url(world, tenancy):
    return reverse(
        "rents:declare", kwargs={"portfolio_id": world.portfolio.pk, "tenancy_id": tenancy.pk}
    )


def hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_entry_summary_submit_acknowledgement_and_pdf(client):
    world = make_world()
    client.force_login(world.user)
    url = declare_url(world, world.known)
    page = client.get(url).content.decode()
    assert 'inputmode="decimal"' in page
    assert "Exemple : 650,50" in page
    token, version = hidden(page, "token"), hidden(page, "version")
    data = {"amount": "655,00 €", "token": token, "version": version}
    summary = client.post(url, {**data, "action": "verifier"}).content.decode()
    assert "Vérifiez votre déclaration" in summary
    assert "655,00\xa0€" in summary
    assert not JulyRent.objects.filter(year=2026).exists()
    response = client.post(url, {**data, "action": "envoyer"})
    assert response.status_code == 302
    again = client.post(url, {**data, "action": "envoyer"})  # back button, resubmitted
    assert again["Location"] == response["Location"]
    assert len(all_versions()) == 1
    ack = client.get(response["Location"]).content.decode()
    assert "Accusé de réception" in ack and "Alice ARNAUD" in ack and "27 novembre 2026" in ack
    pdf_url = re.search(r'href="([^"]+accuse\.pdf)"', ack).group(1)
    pdf = client.get(pdf_url)
    assert pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Alice ARNAUD" in text and "655,00" in text and "27 novembre 2026" in text


def test_a_refused_amount_is_explained_at_the_field_and_kept(client):
    world = make_world()
    client.force_login(world.user)
    url = declare_url(world, world.known)
    token = hidden(client.get(url).content.decode(), "token")
    page = client.post(
        url, {"amount": "1.234", "token": token, "version": "0", "action": "verifier"}
    ).content.decode()
    assert "Il y a 1 erreur" in page
    assert "par exemple 650,50" in page
    assert 'value="1.234"' in page
    assert "#difficulte-10" in page
    assert 'aria-invalid="true"' in page


def test_an_unusual_amount_shows_both_figures_and_asks_to_confirm(client):
    world = make_world()
    client.force_login(world.user)
    url = declare_url(world, world.known)
    token = hidden(client.get(url).content.decode(), "token")
    data = {"amount": "700", "token": token, "version": "0"}
    page = client.post(url, {**data, "action": "verifier"}).content.decode()
    assert "650,00\xa0€" in page and "700,00\xa0€" in page and "656,76\xa0€" in page
    page = client.post(url, {**data, "action": "envoyer"}).content.decode()
    assert "Cochez la case pour confirmer" in page
    assert not JulyRent.objects.filter(year=2026).exists()
    response = client.post(url, {**data, "action": "envoyer", "confirmed": "on"})
    assert response.status_code == 302
    assert JulyRent.objects.get(year=2026).amount == Decimal("700.00")


def test_missing_previous_rent_page_says_why_and_what_to_do(client):
    world = make_world()
    client.force_login(world.user)
    page = client.get(declare_url(world, world.missing)).content.decode()
    assert "ne connaît pas le loyer de ce mois-là" in page
    assert "par courrier" in page
    assert 'name="file"' in page
    assert 'name="token"' not in page


def test_consult_only_user_sees_no_button_and_a_forged_post_is_forbidden(client):
    landlord = LegalLandlordFactory()
    world = make_world(landlord=landlord, is_landlord_admin=True)
    reader = UserFactory(landlord=landlord)
    GrantFactory(user=reader, portfolio=world.portfolio, right=Grant.Right.CONSULT)
    client.force_login(reader)
    page = client.get(reverse("rents:tenants", args=[world.portfolio.pk])).content.decode()
    assert "Alice ARNAUD" in page
    assert "/loyer/" not in page and "/depots/" not in page
    url = declare_url(world, world.known)
    forged = {"amount": "655", "token": "5b0b4d16-7d6c-4bd4-9b53-0d5fb1f1e6a0", "version": "0"}
    assert client.post(url, {**forged, "action": "envoyer"}).status_code == 403
    assert client.get(url).status_code == 403
    assert not all_versions()


def pdf_text(response) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()


def test_the_acknowledgement_of_a_corrected_declaration_still_lists_its_line(client):
    world = make_world()
    client.force_login(world.user)
    url = declare_url(world, world.known)
    sent = []
    for amount in ("655,00", "652,00"):
        page = client.get(url).content.decode()
        data = {
            "amount": amount,
            "token": hidden(page, "token"),
            "version": hidden(page, "version"),
        }
        sent.append(client.post(url, {**data, "action": "envoyer"})["Location"])
    first, second = (client.get(location).content.decode() for location in sent)
    assert "655,00\xa0€" in first and "première déclaration" in first
    assert "652,00\xa0€" in second and "correction n° 1" in second
    assert "1 loyer de juillet 2026" in first
    first_pdf = pdf_text(client.get(re.search(r'href="([^"]+accuse\.pdf)"', first).group(1)))
    assert "Alice ARNAUD" in first_pdf and "655,00" in first_pdf and "652,00" not in first_pdf
    history = client.get(url).content.decode().split("Historique de la déclaration")[1]
    assert history.index("655,00") < history.index("652,00")


def test_an_acknowledgement_pdf_is_made_once_for_what_it_shows(client, monkeypatch):
    from portail.common.pdf import html_to_pdf
    from portail.rents import acknowledgements

    made = []

    def counted(html):
        made.append(html)
        return html_to_pdf(html)

    monkeypatch.setattr(acknowledgements, "html_to_pdf", counted)
    world = make_world()
    client.force_login(world.user)
    url = declare_url(world, world.known)
    pdfs = []
    for amount in ("655,00", "652,00"):
        page = client.get(url).content.decode()
        data = {
            "amount": amount,
            "token": hidden(page, "token"),
            "version": hidden(page, "version"),
        }
        pdfs.append(client.post(url, {**data, "action": "envoyer"})["Location"] + "accuse.pdf")
    first = client.get(pdfs[0])
    assert len(made) == 1 and "655,00" in pdf_text(first)
    again = client.get(pdfs[0])
    assert len(made) == 1 and again.content == first.content  # the same bytes, not made again
    assert again["Content-Type"] == "application/pdf"
    second = pdf_text(client.get(pdfs[1]))
    assert len(made) == 2 and "652,00" in second and "655,00" not in second
    # The correction did not change what the first sending's acknowledgement shows.
    assert client.get(pdfs[0]).content == first.content and len(made) == 2
    # Anything it shows that changes makes it again: here the tenant's name, from the feed.
    world.known.tenant_name = "Alice ARNAUD-BERT"
    world.known.save()
    renamed = pdf_text(client.get(pdfs[0]))
    assert len(made) == 3 and "ARNAUD-BERT" in renamed and "655,00" in renamed
