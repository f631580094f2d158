"""The sign-in path's database work, pinned: what a successful sign-in and the first page after it
cost in statements (the load test's sign-in target depends on it, docs/performance.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portail.accounts.models import SignInThrottle
from tests.factories import PASSWORD, PortfolioFactory, UserFactory

pytestmark = pytest.mark.django_db
SIGN_IN = "/compte/connexion/"
TRANSACTION = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")


def statements(captured) -> list[str]:
    """The statements run, without the transaction control around them."""
    return [
        query["sql"].split()[0].upper()
        for query in captured.captured_queries
        if not query["sql"].upper().startswith(TRANSACTION)
    ]


def sign_in(client, user):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            SIGN_IN,
            {"identifier": user.identifier, "password": PASSWORD},
            REMOTE_ADDR="192.0.2.7",
        )
    assert response.status_code == 302
    return statements(captured)


def test_a_successful_sign_in_runs_seven_statements(client):
    user = UserFactory()
    assert user.last_login is None
    assert sign_in(client, user) == [
        "INSERT",  # both lock-out counters, made if missing, locked until the count is written
        "UPDATE",  # both counts, one statement
        "SELECT",  # the user
        "UPDATE",  # success: the identifier's counter zeroed, the address's count given back
        "INSERT",  # the audit event
        "UPDATE",  # last login
        "INSERT",  # the session, once, with its data
    ]
    user.refresh_from_db()
    assert user.last_login is not None


def test_the_success_writes_in_one_transaction_after_the_password_check(client):
    """The count commits before the password is checked (its rows stay locked no longer), and
    the success's four writes commit together: one transaction (here a savepoint, the test
    being a transaction itself)."""
    user = UserFactory()
    with CaptureQueriesContext(connection) as captured:
        client.post(
            SIGN_IN,
            {"identifier": user.identifier, "password": PASSWORD},
            REMOTE_ADDR="192.0.2.7",
        )
    words = [query["sql"].split()[0].upper() for query in captured.captured_queries]
    assert words == [
        "SAVEPOINT",
        "INSERT",
        "UPDATE",
        "RELEASE",
        "SELECT",
        "SAVEPOINT",
        "UPDATE",
        "INSERT",
        "UPDATE",
        "INSERT",
        "RELEASE",
    ]


def test_a_success_keeps_the_counters_zeroed_and_a_failure_after_it_still_counts(client):
    user = UserFactory()
    sign_in(client, user)
    counters = {row.scope: row for row in SignInThrottle.objects.all()}
    assert {
        scope: (row.failures, row.lockouts, row.locked_until) for scope, row in counters.items()
    } == {
        "identifier": (0, 0, None),
        "ip": (0, 0, None),
    }
    client.logout()
    client.post(
        SIGN_IN, {"identifier": user.identifier, "password": "pas le bon"}, REMOTE_ADDR="192.0.2.7"
    )
    assert SignInThrottle.objects.get(scope="identifier").failures == 1
    assert SignInThrottle.objects.get(scope="ip").failures == 1


def test_the_first_page_after_signing_in_writes_nothing(client):
    user = UserFactory()
    sign_in(client, user)
    with CaptureQueriesContext(connection) as captured:
        client.get("/parcs/")
    assert [s for s in statements(captured) if s != "SELECT"] == []


def test_a_signed_in_page_reads_the_session_and_the_user_once_and_writes_nothing(client):
    """Mes courriers: the session (one read here; from Redis in production, cached_db), the
    user with its landlord, the parcs, the messages. The idle clock's save happens at most
    once a minute, and not on the first page after signing in."""
    user = UserFactory()
    PortfolioFactory(landlord=user.landlord)
    sign_in(client, user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/courriers/").status_code == 200
    tables = [query["sql"].split(" FROM ")[1].split()[0] for query in captured.captured_queries]
    assert tables == [
        '"django_session"',
        '"accounts_user"',
        '"portfolios_portfolio"',
        '"correspondence_message"',
    ]
