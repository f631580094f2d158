"""Parallel guesses get no more tries than one after the other (issue 11, finding 5).

Each attempt runs in its own thread with its own database connection, released together; a
hasher records which hashes were verified and holds each verification 0.3 s, so the attempts
really overlap. On PostgreSQL this is the row locks' test; SQLite serialises writers anyway.
"""

import threading
import time

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connections

from portail.accounts import services
from portail.accounts.hashers import PortalArgon2PasswordHasher
from portail.accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
SIGN_IN = "/compte/connexion/"
ATTEMPTS = 30


class SlowRecordingHasher(PortalArgon2PasswordHasher):
    """The portal's hasher; records each hash verified, and takes 0.3 s more for each."""

    verified: list[str] = []
    lock = threading.Lock()

    def verify(self, password, encoded):
        with self.lock:
            self.verified.append(encoded)
        time.sleep(0.3)
        return super().verify(password, encoded)


@pytest.fixture
def recorder(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_parallel_attempts.SlowRecordingHasher"]
    SlowRecordingHasher.verified.clear()
    return SlowRecordingHasher


def in_parallel(calls):
    """Run the calls in threads released at once; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def sign_in_call(identifier, password, address):
    def call():
        from django.test import Client

        client = Client(REMOTE_ADDR=address)
        response = client.post(SIGN_IN, {"identifier": identifier, "password": password})
        return response.status_code, response.content.decode(), "_auth_user_id" in client.session

    return call


def test_thirty_parallel_guesses_evaluate_at_most_five_passwords(recorder):
    user = UserFactory()
    calls = [
        sign_in_call(user.identifier, f"mauvais-essai-{n}", f"10.0.0.{n}") for n in range(ATTEMPTS)
    ]
    answers = in_parallel(calls)
    evaluated = recorder.verified.count(User.objects.get(pk=user.pk).password)
    assert 1 <= evaluated <= 5
    assert len(recorder.verified) == ATTEMPTS  # the others still cost one (dummy) verification
    assert sum("bloquée" in body for _status, body, _signed in answers) >= ATTEMPTS - 4
    assert not any(signed for _status, _body, signed in answers)


def test_the_right_password_sent_among_them_is_refused_once_locked(recorder):
    user = UserFactory()
    password_hash = User.objects.get(pk=user.pk).password
    wrong = [sign_in_call(user.identifier, f"essai-{n}", f"10.0.1.{n}") for n in range(29)]
    right = sign_in_call(user.identifier, PASSWORD, "10.0.2.1")

    def right_after_five_guesses_are_being_checked():
        deadline = time.monotonic() + 30
        while recorder.verified.count(password_hash) < 5 and time.monotonic() < deadline:
            time.sleep(0.005)
        return right()

    answers = in_parallel([*wrong, right_after_five_guesses_are_being_checked])
    status, body, signed_in = answers[-1]
    assert status == 200 and "bloquée" in body
    assert not signed_in
    assert recorder.verified.count(password_hash) <= 5


def test_thirty_parallel_email_codes_evaluate_at_most_five(recorder):
    user = UserFactory()
    confirmation = services.request_email_confirmation(user=user, email="new@example.fr", ip=None)
    confirmation.code_hash = make_password("123456")  # as the outbox makes it at delivery
    confirmation.save(update_fields=["code_hash"])
    wrong = "111111"

    def attempt():
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client.post("/compte/mail/code/", {"code": wrong}).status_code

    in_parallel([attempt] * ATTEMPTS)
    assert recorder.verified.count(confirmation.code_hash) == 5
    confirmation.refresh_from_db()
    assert confirmation.attempts == 5 and confirmation.confirmed_at is None
