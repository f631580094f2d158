"""Password checks that cost the same whatever the answer: one Argon2id verification each.

Sign-in must not tell which identifiers exist, by its words or by its time. Every check here
does exactly one verification with the portal's parameters (hashers.py): against the temporary
password the typed text can be (found by its selector, no hashing), else the chosen password,
else a dummy hash made once per process with the same parameters: for an unknown identifier, an
account without a usable password, and a locked identifier (``burn``). Counted per branch by
``tests/accounts/test_sign_in_work.py``; timed per branch by ``bench/sign_in.py``.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password

from .models import TemporaryPassword, User
from .temporary_passwords import canonical, temporary_candidate

_DUMMY: dict[str, str] = {}


def prepare() -> None:
    """Make the dummy hash once per process, at start-up (AccountsConfig.ready)."""
    if "hash" not in _DUMMY:
        _DUMMY["hash"] = make_password(secrets.token_urlsafe(16))


def _dummy_hash() -> str:
    prepare()
    return _DUMMY["hash"]


def burn(password: str) -> None:
    """One verification that can only fail: the work of a check when there is nothing to
    check against (unknown identifier, no usable password, locked identifier)."""
    check_password(password, _dummy_hash())


@dataclass(frozen=True)
class Verified:
    """What one verification found: the chosen password, a temporary one (in any state: its
    validity is judged afterwards), or nothing."""

    chosen: bool = False
    temporary: TemporaryPassword | None = None

    @property
    def matched(self) -> bool:
        return self.chosen or self.temporary is not None


def verify_chosen_password(*, user: User | None, password: str) -> bool:
    """The user's chosen password, in exactly one verification (a dummy one without any)."""
    if user is None or not user.has_usable_password():
        burn(password)
        return False
    return user.check_password(password)


def verify_sign_in_password(*, user: User | None, password: str) -> Verified:
    """A landlord's sign-in password, chosen or temporary, in exactly one verification.

    A temporary password is the one whose selector the typed text has (so a chosen password
    that happens to look like one is still checked as chosen); anything else is checked
    against the chosen password.
    """
    candidate = temporary_candidate(user=user, typed=password) if user is not None else None
    if candidate is not None:
        if check_password(canonical(password), candidate.password_hash):
            return Verified(temporary=candidate)
        return Verified()
    return Verified(chosen=verify_chosen_password(user=user, password=password))
