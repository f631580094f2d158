"""Public pages and sign-in, walked in a real browser with axe checks."""

import re

from playwright.sync_api import expect

from .conftest import assert_accessible, sign_in


def test_home_page_is_french_accessible_and_leads_to_sign_in(page):
    page.goto("/")
    expect(page).to_have_title(re.compile(r"^Accueil – Espace bailleur – "))
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    page.get_by_role("link", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Se connecter")
    assert_accessible(page)


def test_skip_link_moves_to_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()


def test_help_accessibility_and_contact_pages_have_no_violation(page):
    for path, heading in [
        ("/conseils/", "Conseils"),
        ("/conseils/accessibilite/", "Déclaration d'accessibilité"),
        ("/conseils/contact/", "Contacter votre Caf"),
    ]:
        page.goto(path)
        expect(page.locator("h1")).to_have_text(heading)
        assert_accessible(page)
    page.goto("/conseils/")
    expect(page.locator("#difficulte-11")).to_contain_text("plusieurs parcs")


def test_sign_in_refusal_is_summarised_linked_and_keeps_identifier(page, demo_accounts):
    sign_in(page, "log 100001 k", "mauvais mot de passe")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Il y a 1 erreur")
    expect(summary).to_contain_text("Identifiant ou mot de passe incorrect")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Identifiant")).to_have_value("log 100001 k")
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")
    assert_accessible(page)


def test_identifier_typo_is_reported_at_the_field(page, demo_accounts):
    sign_in(page, "LOG100001B", "peu importe")
    field = page.get_by_label("Identifiant")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_identifier_error")).to_contain_text("faute de frappe")
    assert_accessible(page)


def test_demo_landlord_signs_in_with_letter_o_and_sees_tenants(page, demo_accounts):
    account = demo_accounts["DEMO-P1"]
    sign_in(page, account.identifier.replace("0", "O").lower(), account.password)
    expect(page.locator("h1")).to_contain_text("Liste de vos locataires")
    expect(page.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("h1")).to_have_text("Espace bailleur")


def test_legal_landlord_switches_portfolio_in_one_click(page, demo_accounts):
    account = demo_accounts["DEMO-M1"]
    sign_in(page, account.identifier, account.password)
    expect(page.locator("h1")).to_have_text("Mes parcs")
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Résidence Les Tilleuls", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Résidence Les Tilleuls")
    assert_accessible(page)
    page.get_by_role("navigation", name="Changer de parc").get_by_role(
        "link", name="Centre-ville Avignon"
    ).click()
    expect(page.locator("h1")).to_contain_text("Centre-ville Avignon")
    expect(page.get_by_text("120 locataires")).to_be_visible()
