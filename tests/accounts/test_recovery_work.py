"""The recovery forms do the same work whether or not an account matches: the same database
statements and no hashing in the request; the sending is queued (issue 11, finding 2)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portail.accounts import rules
from tests.factories import UserFactory

from .conftest import captcha_answer
from .test_sign_in_work import CountingHasher

pytestmark = pytest.mark.django_db
FORMS = {
    "identifier": ("/compte/identifiant-perdu/", "user_number"),
    "password": ("/compte/mot-de-passe-perdu/", "email"),
}


def _shape(sql: str) -> str:
    """A statement without its values (nor its savepoint's name)."""
    sql = re.sub(r'"s\d+_x\d+"', '"savepoint"', sql)
    return re.sub(r"\b\d+(\.\d+)?\b", "?", re.sub(r"'(?:[^']|'')*'", "?", sql))


@pytest.mark.parametrize("form", sorted(FORMS))
def test_recovery_requests_do_the_same_work_for_existing_and_unknown_accounts(
    client, settings, form
):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_sign_in_work.CountingHasher"]
    user = UserFactory(email="marie@example.fr", email_confirmed=True)
    path, field = FORMS[form]
    values = {
        "identifier": (user.user_number, rules.format_user_number(99_999_999)),
        "password": (user.email, "personne@example.fr"),
    }[form]
    work = []
    for n, value in enumerate(values):
        data = {field: value, **captcha_answer(client.get(path).content.decode())}
        CountingHasher.calls.clear()
        with CaptureQueriesContext(connection) as queries:
            # From two addresses: each request finds its rate counters new, as the other did.
            response = client.post(path, data, REMOTE_ADDR=f"192.0.2.{n + 1}")
        assert response.status_code == 302
        work.append(([_shape(query["sql"]) for query in queries], list(CountingHasher.calls)))
    for known, unknown in zip(work[0][0], work[1][0], strict=False):
        assert known == unknown
    assert work[0] == work[1]
    assert work[0][1] == []  # no hashing in the request: the temporary password is made later
