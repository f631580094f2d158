"""No 500 anywhere: every URL pattern of the portal, as every role, on GET and POST.

First every pattern is requested by every role with real ids (a role's own and others'), which
tells which roles reach which views; then hypothesis explores each view a role reaches: ids
real, foreign or absurd (2**70, raw bytes in a text argument), query parameters the portal reads
(found in its source) with odd values, and POST bodies filling the page's own form fields (or
arbitrary ones) with odd values. Every request's writes are rolled back, so each meets the same
world. The Django admin is crawled for staff, a landlord and a visitor; the development pages
with DEBUG on, where they exist.

Bounded for CI: ``CRAWL_EXAMPLES`` (default 3) examples per reached (pattern, role); set it
higher to explore more (``CRAWL_EXAMPLES=50 make test PYTEST_ARGS=tests/sweeps/test_crawl.py``).
Examples are derandomized, so a run is reproducible.
"""

import os
import time

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .patterns import Pattern, path_for, query_parameter_names, url_patterns
from .traffic import forms_of, send

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("CRAWL_EXAMPLES", "3"))
# The admin asks one permission for all its pages: these roles show both sides of it.
ADMIN_ROLES = {"landlord", "administrator", "superuser"}
ODD_TEXT = [
    "-1",
    "0",
    "10000",
    "99999999999999999999",
    "١٢٣",
    "２０２６",
    "\x00",
    "a\x00b",
    "x" * 5000,
    "'",
    "%",
    "\u202e2026",
    "NaN",
    "1e309",
    " ",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "2026",
    "-nom",
    "loyer",
    "envoyer",
    "modifier",
    "validate",
    "reject",
    "on",
]
odd_values = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.binary(max_size=40),  # raw bytes: invalid UTF-8 reaches the server as sent
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
odd_ints = st.one_of(
    st.integers(min_value=0, max_value=2**70),
    st.sampled_from([0, 1, 2**31, 2**63, 10**20]),
)
odd_strings = st.one_of(
    st.sampled_from(["lot-2026-11-27.pdf", "..", "courrier-000000001.pdf", "a" * 300, "x.wav"]),
    st.binary(min_size=1, max_size=60),
)


SIGN_IN_PAGES = ("/compte/connexion/", "/agence/connexion/")


def _dev_only(pattern: Pattern) -> bool:
    return pattern.route.startswith("/dev/")


def _roles_for(pattern: Pattern, world):
    admin = pattern.name.startswith("admin:")
    return [r for name, r in world.roles.items() if not admin or name in ADMIN_ROLES]


def _reached(status: int) -> bool:
    return status in (200, 204, 405) or 300 <= status < 400


def _record(failures, role, method, path, outcome, detail=""):
    if outcome.status >= 500:
        failures.append(f"{role.name} {method} {path} {detail}: {outcome.error!r}"[:500])


def _first_pass(world, pattern, query_names, failures):
    """Every role on its own id sets and one of someone else's; the (role, id sets, form field
    names) of the roles the view lets in."""
    reached = []
    for role in _roles_for(pattern, world):
        if pattern.kwargs:
            own, foreign = world.ids_for(pattern.kwarg_names, role)
            id_sets = own + foreign[:1]  # its own data, and someone else's
        else:
            id_sets = [{}]
        mine, field_names = [], set()
        for ids in id_sets:
            path = path_for(pattern, ids)
            if path is None:
                continue
            outcome = send(role.client(), "get", path)
            _record(failures, role, "GET", path, outcome)
            if outcome.status == 200 and b"<form" in outcome.content[:200_000]:
                for form in forms_of(outcome.content.decode(errors="replace"), url=path):
                    field_names.update(f.name for f in form.fields)
            if _reached(outcome.status) and not _sign_in_redirect(outcome):
                mine.append(ids)
        if mine:
            reached.append((role, mine, sorted(field_names - {"csrfmiddlewaretoken"})))
    return reached


def _sign_in_redirect(outcome) -> bool:
    """Sent to a sign-in page: the view itself was not reached."""
    return outcome.status == 302 and outcome.location.startswith(SIGN_IN_PAGES)


def _explore(world, pattern, role, id_sets, field_names, query_names, failures):
    """Hypothesis: odd ids, query parameters and form values on one view a role reaches."""
    names = field_names or query_names

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def example(data):
        ids = dict(data.draw(st.sampled_from(id_sets), label="real ids"))
        for name, kind in pattern.kwargs:
            if data.draw(st.booleans(), label=f"odd {name}"):
                ids[name] = data.draw(odd_ints if kind == "int" else odd_strings, label=name)
        path = path_for(pattern, ids)
        if path is None:
            return
        query = data.draw(st.lists(st.tuples(st.sampled_from(query_names), odd_values), max_size=3))
        method = data.draw(st.sampled_from(["get", "post"]))
        body = data.draw(st.lists(st.tuples(st.sampled_from(names), odd_values), max_size=6))
        outcome = send(role.client(), method, path, query=query, data=body)
        _record(failures, role, method.upper(), path, outcome, f"query={query!r} body={body!r}")

    example()


@pytest.mark.timeout(900)  # about 45 s alone on 2 cores; shared machines are slower
def test_no_url_of_the_portal_answers_500_to_any_role(world):
    """The crawl (issue 11): GET and POST, every pattern, every role, odd ids and values."""
    started = time.monotonic()
    failures: list[str] = []
    query_names = query_parameter_names()
    patterns = url_patterns()
    reached_pairs = 0
    for pattern in patterns:
        with override_settings(DEBUG=_dev_only(pattern)):
            reached = _first_pass(world, pattern, query_names, failures)
            for role, id_sets, field_names in reached:
                reached_pairs += 1
                _explore(world, pattern, role, id_sets, field_names, query_names, failures)
    elapsed = time.monotonic() - started
    print(
        f"crawl: {len(patterns)} patterns, {reached_pairs} (pattern, role) reached, {elapsed:.0f} s"
    )
    assert len(patterns) > 150 and reached_pairs > 200
    assert failures == [], "\n".join(failures[:60])
