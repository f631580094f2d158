"""Every branch of a sign-in does the same hashing work: one Argon2id verification of the
portal's cost, so the answer's time tells nothing about which identifiers exist (issue 11,
finding 2). Counted by a hasher that records each Argon2 computation it is asked for."""

import datetime
import threading

import pytest
from django.urls import reverse

from portail.accounts import rules
from portail.accounts.hashers import PortalArgon2PasswordHasher
from portail.accounts.models import SignInThrottle
from portail.accounts.temporary_passwords import display, issue_temporary_password
from portail.common import clock
from tests.backoffice.conftest import STAFF_PASSWORD, make_staff
from tests.factories import PASSWORD, LandlordFactory, UserFactory

pytestmark = pytest.mark.django_db
SIGN_IN = "/compte/connexion/"
STAFF_SIGN_IN = "/agence/connexion/"
PORTAL_COST = {
    "memory_cost": PortalArgon2PasswordHasher.memory_cost,
    "time_cost": PortalArgon2PasswordHasher.time_cost,
    "parallelism": PortalArgon2PasswordHasher.parallelism,
}
# 16 characters of the temporary passwords' alphabet: a sign-in may take it for one.
TEMPORARY_SHAPED = "ABCD EFGH JKMN PQRS"


class CountingHasher(PortalArgon2PasswordHasher):
    """The portal's hasher, recording each Argon2 computation: its kind and its cost."""

    calls: list[tuple[str, dict]] = []
    lock = threading.Lock()

    def _cost(self, encoded: str) -> dict:
        decoded = self.decode(encoded)
        return {name: decoded[name] for name in PORTAL_COST}

    def verify(self, password, encoded):
        with self.lock:
            self.calls.append(("verify", self._cost(encoded)))
        return super().verify(password, encoded)

    def encode(self, password, salt):
        encoded = super().encode(password, salt)
        with self.lock:
            self.calls.append(("encode", self._cost(encoded)))
        return encoded


@pytest.fixture
def hashing(settings):
    """The Argon2 computations done while the block under test runs."""
    settings.PASSWORD_HASHERS = ["tests.accounts.test_sign_in_work.CountingHasher"]

    class Recorder:
        def __enter__(self):
            CountingHasher.calls.clear()
            return self

        def __exit__(self, *exc):
            self.calls = list(CountingHasher.calls)

    return Recorder


ONE_VERIFICATION = [("verify", PORTAL_COST)]


def never_signed_in():
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    return user


def landlord_branches():
    """Each way a landlord's sign-in can go: (name, identifier, password, expected page)."""
    user = UserFactory()
    fresh = never_signed_in()
    waiting = never_signed_in()
    temporary = issue_temporary_password(user=waiting, channel="email")
    expired_user = never_signed_in()
    expired = issue_temporary_password(
        user=expired_user, channel="email", valid_for=datetime.timedelta(seconds=-1)
    )
    replaced_user = never_signed_in()
    replaced = issue_temporary_password(user=replaced_user, channel="email")
    issue_temporary_password(user=replaced_user, channel="email")
    locked = UserFactory()
    SignInThrottle.objects.create(
        scope=SignInThrottle.Scope.IDENTIFIER,
        key=locked.identifier,
        lockouts=1,
        locked_until=clock.now() + datetime.timedelta(minutes=5),
    )
    demo = UserFactory(landlord=LandlordFactory(ref="DEMO-P1"))
    demo.set_password(rules.DEMO_PASSWORD)
    demo.save()
    unknown = rules.format_identifier(999998)
    return [
        ("unknown identifier", unknown, "pas le bon mot de passe", "incorrect"),
        ("unknown identifier, temporary-shaped", unknown, TEMPORARY_SHAPED, "incorrect"),
        ("no usable password", fresh.identifier, "pas le bon mot de passe", "incorrect"),
        ("no usable password, temporary-shaped", fresh.identifier, TEMPORARY_SHAPED, "incorrect"),
        ("wrong temporary password", waiting.identifier, TEMPORARY_SHAPED, "incorrect"),
        ("wrong password", user.identifier, "pas le bon mot de passe", "incorrect"),
        ("wrong, temporary-shaped", user.identifier, TEMPORARY_SHAPED, "incorrect"),
        ("right password", user.identifier, PASSWORD, 302),
        ("right temporary password", waiting.identifier, display(temporary), 302),
        ("expired temporary password", expired_user.identifier, expired, "a expiré"),
        ("replaced temporary password", replaced_user.identifier, replaced, "remplacé"),
        ("locked, right password", locked.identifier, PASSWORD, "bloquée"),
        ("demo account (DEBUG off)", demo.identifier, rules.DEMO_PASSWORD, "incorrect"),
    ]


def test_every_landlord_sign_in_branch_costs_one_argon2_verification(client, hashing):
    work, answers = {}, {}
    for name, identifier, password, expected in landlord_branches():
        client.logout()
        with hashing() as done:
            response = client.post(SIGN_IN, {"identifier": identifier, "password": password})
        work[name] = done.calls
        answers[name] = (
            response.status_code == 302
            if expected == 302
            else expected in response.content.decode()
        )
    assert work == {name: ONE_VERIFICATION for name in work}
    assert answers == {name: True for name in answers}


def test_every_staff_sign_in_branch_costs_one_argon2_verification(client, hashing):
    agent = make_staff("agent")
    no_password = make_staff("agent", "agent.sans.mot.de.passe")
    no_password.set_unusable_password()
    no_password.save()
    locked = make_staff("agent", "agent.bloque")
    SignInThrottle.objects.create(
        scope=SignInThrottle.Scope.IDENTIFIER,
        key=f"staff:{locked.identifier}",
        lockouts=1,
        locked_until=clock.now() + datetime.timedelta(minutes=5),
    )
    branches = [
        ("unknown agent", "agent.inconnu", STAFF_PASSWORD),
        ("no usable password", no_password.identifier, STAFF_PASSWORD),
        ("wrong password", agent.identifier, "pas le bon"),
        ("right password", agent.identifier, STAFF_PASSWORD),
        ("locked, right password", locked.identifier, STAFF_PASSWORD),
    ]
    work = {}
    for name, identifier, password in branches:
        client.logout()
        with hashing() as done:
            response = client.post(STAFF_SIGN_IN, {"identifier": identifier, "password": password})
        assert response.status_code in (200, 302), name
        work[name] = done.calls
    assert work == {name: ONE_VERIFICATION for name in work}
    assert reverse("backoffice:code") in client.post(
        STAFF_SIGN_IN, {"identifier": agent.identifier, "password": STAFF_PASSWORD}
    ).get("Location", "")
