"""Nothing scrolls sideways at 320 px, nor at 200 % text, on every page a landlord can reach.

The pages are found as a person finds them: from the sign-in page and from each demo
landlord's home, every link of the portal is followed (bounded), then each page is shown at
each size and `document.documentElement.scrollWidth <= clientWidth` must hold.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.rents.conftest import _campaign_day  # noqa: F401 - 27/11/2026, campaign open

from .conftest import assert_accessible, sign_in
from .test_rents import _published_irl  # noqa: F401 - the IRL the declarations compare with

# (viewport width, text size): a phone, and large text on a tablet and on a desktop.
SIZES = [(320, 100), (640, 200), (1280, 200)]
PUBLIC_PAGES = [
    "/",
    "/compte/connexion/",
    "/compte/identifiant-perdu/",
    "/compte/identifiant-perdu/envoye/",
    "/compte/mot-de-passe-perdu/",
    "/compte/mot-de-passe-perdu/envoye/",
    "/compte/mot-de-passe-perdu/courrier/",
    "/compte/mot-de-passe-perdu/courrier/envoye/",
    "/conseils/",
    "/conseils/accessibilite/",
    "/conseils/contact/",
]
# Not pages: files, the sign-out, staff screens, and the many sortings of one list.
SKIPPED = re.compile(r"/deconnexion/|/export|\.(csv|xlsx|pdf|wav)$|^/(agence|gestion|dev|static)/")
MAX_PAGES = 40


def landlord_pages(page) -> list[str]:
    """Every page of the portal reachable by links from the current page (bounded)."""
    start = urlsplit(page.url).path
    seen, queue = [], [start]
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        response = page.goto(path)
        if (
            response is None
            or response.status != 200
            or "text/html" not in (response.headers.get("content-type", ""))
        ):
            continue
        seen.append(path)
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            parts = urlsplit(href)
            if parts.netloc != urlsplit(page.url).netloc:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if SKIPPED.search(parts.path) or "tri=" in parts.query:
                continue
            if target not in seen and target not in queue:
                queue.append(target)
    return seen


def assert_no_sideways_scroll(page, paths: list[str]) -> None:
    problems = []
    for width, text in SIZES:
        page.set_viewport_size({"width": width, "height": 700})
        for path in paths:
            page.goto(path)
            if text != 100:
                # Text only, as the browser's text size setting does (the CSS sizes in rem).
                page.evaluate(f"() => {{ document.documentElement.style.fontSize = '{text}%'; }}")
            sizes = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if sizes[0] > sizes[1]:
                problems.append(f"{path} at {width} px, text {text} %: {sizes[0]} > {sizes[1]}")
    assert not problems, "\n".join(problems)


def _declare_and_correct(page) -> None:
    """A declaration and its correction: the declare page then shows its history table."""
    tenant_list = page.url
    for amount in ("650,50", "655"):
        page.goto(tenant_list)
        row = page.locator("tbody tr", has_text="Anh PETIT")
        row.get_by_role("link", name=re.compile("Déclarer|Corriger")).click()
        page.get_by_label("Loyer de juillet 2026 (hors charges)").fill(amount)
        page.get_by_role("button", name="Vérifier avant d'envoyer").click()
        page.get_by_role("button", name="Envoyer la déclaration").click()
        expect(page.locator("h1")).to_contain_text("Accusé de réception n°")


def test_public_pages_never_scroll_sideways(page):
    assert_no_sideways_scroll(page, PUBLIC_PAGES)


@pytest.mark.parametrize("landlord", ["DEMO-P1", "DEMO-M1"])
def test_every_signed_in_page_never_scrolls_sideways(page, demo_accounts, landlord):
    account = demo_accounts[landlord]
    sign_in(page, account.identifier, account.password)
    if landlord == "DEMO-P1":
        _declare_and_correct(page)
    page.goto("/parcs/")
    paths = landlord_pages(page)
    assert any("/locataires/" in path and path.endswith("/loyer/") for path in paths)
    if landlord == "DEMO-P1":
        assert any(re.search(r"/accuses/\d+/$", path) for path in paths)
    else:
        assert "/equipe/" in paths
    assert_no_sideways_scroll(page, paths)


def test_on_a_phone_the_row_s_main_action_is_on_screen(page, demo_accounts):
    account = demo_accounts["DEMO-P1"]
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, account.identifier, account.password)
    declare = page.get_by_role("link", name="Déclarer le loyer de Anh PETIT")
    # Scroll down only, as a thumb does: the table's own sideways scroll stays where it is.
    page.evaluate(
        "(el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 100)",
        declare.element_handle(),
    )
    box = declare.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    assert page.evaluate("() => window.scrollX") == 0
    assert page.evaluate("() => document.querySelector('.table-wrapper').scrollLeft") == 0
    # Its tenant's name is on screen with it.
    name = page.locator("tbody tr", has_text="Anh PETIT").get_by_text("Anh PETIT").first
    name_box = name.bounding_box()
    assert name_box["x"] >= 0 and name_box["x"] + name_box["width"] <= 320
    assert_accessible(page)
