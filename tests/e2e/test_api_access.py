"""Issue 15 in a browser: a natural landlord makes a token on « Accès pour vos logiciels », sees
it once, uses it, revokes it; the API's documentation page renders under the portal's CSP."""

import datetime
import json
import re
import urllib.error
import urllib.request

from playwright.sync_api import expect

from tests.factories import PASSWORD, PortfolioFactory, UserFactory

from .conftest import assert_accessible, sign_in


def test_a_landlord_makes_a_token_uses_it_and_revokes_it(page, live_server):
    page.set_default_timeout(30_000)  # the machine is shared: pages may take seconds
    user = UserFactory(email="gestion@exemple.fr")
    PortfolioFactory(landlord=user.landlord, name="Mes logements")
    sign_in(page, user.identifier, PASSWORD)
    page.get_by_role("link", name="Accès pour vos logiciels").click()
    expect(page.locator("h1")).to_have_text("Accès pour vos logiciels")
    assert_accessible(page)

    page.get_by_role("link", name="Créer un jeton d'accès").click()
    page.get_by_role("button", name="Créer le jeton").click()
    expect(page.locator(".error-summary")).to_contain_text("Donnez un nom au jeton")
    assert_accessible(page)
    page.get_by_label("Nom du jeton").fill("Logiciel de gestion")
    page.get_by_label("Consulter et déclarer les loyers").check()
    page.get_by_label("Mes logements").check()
    expiry = datetime.date.today() + datetime.timedelta(days=200)
    page.get_by_label("Date d'expiration").fill(expiry.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Créer le jeton").click()
    expect(page.locator("h1")).to_have_text("Jeton d'accès créé")
    assert_accessible(page)
    token = page.get_by_label(re.compile("Jeton « Logiciel de gestion »")).input_value()

    status, body = _get(f"{live_server.url}/api/v1/portfolios", token)
    assert status == 200 and [p["name"] for p in body["items"]] == ["Mes logements"]

    page.get_by_role("link", name="J'ai copié le jeton").click()
    expect(page.get_by_role("table")).to_contain_text("Logiciel de gestion")
    expect(page.get_by_role("table")).not_to_contain_text(token)
    page.get_by_role("button", name="Révoquer le jeton Logiciel de gestion").click()
    expect(page.get_by_role("table")).to_contain_text("Révoqué le")
    assert _get(f"{live_server.url}/api/v1/portfolios", token)[0] == 401


def _get(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_documentation_page_renders_offline_under_the_csp(page, live_server):
    page.set_default_timeout(30_000)
    violations = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto("/api/v1/docs", timeout=60_000)
    # Swagger UI's bundle is large: on a busy machine it renders in seconds, not at once.
    expect(page.get_by_text("/api/v1/portfolios/{portfolio_id}").first).to_be_visible(
        timeout=30_000
    )
    assert violations == [] and failed == []
