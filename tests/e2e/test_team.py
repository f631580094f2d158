"""Issue 7 in a browser: an administrator gives a colleague one parc of two; the colleague signs
in with the e-mailed credentials, sees exactly that parc, and cannot declare with "consult"."""

import re

from playwright.sync_api import expect

from portail.correspondence.services import deliver_due_messages
from tests.factories import (
    PASSWORD,
    LegalLandlordFactory,
    PortfolioFactory,
    TenancyFactory,
    UserFactory,
)

from .conftest import assert_accessible, choose_password, sign_in

IDENTIFIER = re.compile(r"LOG\d{6}[A-Z]")
TEMPORARY = re.compile(r"\b[A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4}\b")
CHOSEN = "Glycine-Automne-Basilic"


def test_administrator_gives_a_colleague_one_parc_to_consult(
    page,
    browser,
    live_server,
    smtp_server,
):
    landlord = LegalLandlordFactory(name="SCI Les Platanes")
    admin = UserFactory(landlord=landlord, is_landlord_admin=True, full_name="Anne ADMIN")
    north = PortfolioFactory(landlord=landlord, name="Parc Nord")
    south = PortfolioFactory(landlord=landlord, name="Parc Sud")
    tenancy = TenancyFactory(portfolio=north, tenant_name="Léa PETIT")
    TenancyFactory(portfolio=south, tenant_name="Hugo MOREL")

    sign_in(page, admin.identifier, PASSWORD)
    page.get_by_role("link", name="Utilisateurs").click()
    expect(page.locator("h1")).to_have_text("Utilisateurs du compte")
    assert_accessible(page)
    page.get_by_role("link", name="Ajouter un utilisateur").click()
    page.get_by_role(
        "button", name="Ajouter et lui envoyer son identifiant et son mot de passe provisoire"
    ).click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Il y a")
    assert_accessible(page)
    page.get_by_label("Prénom et nom").fill("Paul GESTION")
    page.get_by_label("Adresse mail").fill("paul@platanes.example")
    page.get_by_role("group", name="Parc « Parc Nord »").get_by_label(
        "Consulter", exact=True
    ).check()
    page.get_by_role(
        "button", name="Ajouter et lui envoyer son identifiant et son mot de passe provisoire"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Paul GESTION a été ajouté")
    expect(page.locator("tbody")).to_contain_text("Parc Nord : consulter")
    assert_accessible(page)
    page.get_by_role("link", name="journal du compte").click()
    expect(page.locator("tbody")).to_contain_text("Utilisateur ajouté")
    assert_accessible(page)

    deliver_due_messages()
    email = smtp_server.messages[-1]
    assert email["To"] == "paul@platanes.example"
    text = email.get_body(preferencelist=("plain",)).get_content()
    identifier = IDENTIFIER.search(text).group(0)
    temporary = TEMPORARY.search(text).group(0)

    colleague = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    sign_in(colleague, identifier, temporary)
    choose_password(colleague, CHOSEN)
    colleague.goto("/parcs/")
    expect(colleague.locator("h1")).to_contain_text("Parc Nord")
    expect(colleague.get_by_text("Léa PETIT")).to_be_visible()
    expect(colleague.get_by_text("Hugo MOREL")).to_have_count(0)
    expect(colleague.get_by_text("Changer de parc")).to_have_count(0)
    expect(colleague.get_by_role("link", name=re.compile("Déclarer"))).to_have_count(0)
    assert_accessible(colleague)
    assert colleague.goto(f"/parcs/{south.pk}/locataires/").status == 404
    # A forged POST to declare in the consult-only parc is refused.
    token = colleague.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    forged = colleague.request.post(
        f"/parcs/{north.pk}/locataires/{tenancy.pk}/loyer/",
        form={"amount": "650,50"},
        headers={"X-CSRFToken": csrf, "Referer": live_server.url},
    )
    assert forged.status == 403
    colleague.context.close()
