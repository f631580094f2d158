"""Browser tests: Playwright drives Debian's Chromium; every page visited is checked with axe."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
_axe = Axe()


def pytest_collection_modifyitems(config, items):
    """Mark this folder's tests ``e2e`` (the hook sees the whole session's items)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


_warm_servers: set[str] = set()


def _warm_up(url: str) -> None:
    """The first request to a live server loads the URLconf and every view module (WeasyPrint,
    openpyxl...): on a loaded machine that alone can pass the 10 s navigation timeout."""
    import urllib.request

    if url not in _warm_servers:
        urllib.request.urlopen(f"{url}/compte/connexion/", timeout=120).read()  # noqa: S310
        _warm_servers.add(url)


@pytest.fixture
def page(browser, live_server):
    _warm_up(live_server.url)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assert_accessible(page) -> None:
    """Fail with axe's report when the current page has any accessibility violation."""
    results = _axe.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def sign_in(page, identifier: str, password: str) -> None:
    page.goto("/compte/connexion/")
    page.get_by_label("Identifiant").fill(identifier)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()


def choose_password(page, password: str) -> None:
    """The forced change after a temporary password, as a person fills it in."""
    expect(page.locator("h1")).to_have_text("Choisir votre mot de passe")
    assert_accessible(page)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(password)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(password)
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
