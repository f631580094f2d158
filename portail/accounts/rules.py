"""Formats of the login identifier and of the user number: the one module that parses them.

Login identifier: ``LOG`` + 6 digits + 1 check letter computed from the digits (help sheet,
difficulty 5). Typing is forgiven: case, spaces and dashes are ignored, and a letter O typed
where a digit belongs is read as 0. A wrong check letter is reported as a probable typo.

User number: 8 digits + a 2-digit key (97 minus the number modulo 97), printed ``1234 5678 90``
on every letter and e-mail (difficulty 4).
"""

import datetime
import hmac
import re

from portail.common.text import is_ascii_digits

IDENTIFIER_PREFIX = "LOG"
# No I and no O: a check letter never looks like a digit.
CHECK_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_CHECK_WEIGHTS = (2, 3, 4, 5, 6, 7)
_CHECK_MODULUS = 23  # prime, > 9: every single-digit error and adjacent swap changes the letter


class IdentifierError(ValueError):
    """A typed identifier that cannot be read; ``message`` says in French what to do."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def identifier_check_letter(digits: str) -> str:
    """The check letter of the six digits of a login identifier."""
    total = sum(int(d) * w for d, w in zip(digits, _CHECK_WEIGHTS, strict=True))
    return CHECK_LETTERS[total % _CHECK_MODULUS]


def format_identifier(number: int) -> str:
    """LOG012345K from 12345."""
    digits = f"{number:06d}"
    return f"{IDENTIFIER_PREFIX}{digits}{identifier_check_letter(digits)}"


def _compact(text: str) -> str:
    return re.sub(r"[\s\-._]", "", text).upper()


def parse_identifier(text: str) -> str:
    """The canonical identifier typed by a person, or IdentifierError saying what to fix."""
    compact = _compact(text or "")
    if not compact:
        raise IdentifierError("empty", "Saisissez votre identifiant, par exemple LOG012345K.")
    # The prefix may be typed with a zero for the O, or left out.
    body = compact[3:] if compact[:3] in ("LOG", "L0G") else compact
    if len(body) != 7:
        raise IdentifierError(
            "length",
            "L'identifiant compte LOG, puis 6 chiffres, puis 1 lettre, par exemple LOG012345K. "
            "Vérifiez qu'il ne manque pas de chiffre.",
        )
    digits = body[:6].replace("O", "0")
    letter = body[6]
    if not is_ascii_digits(digits) or not letter.isalpha() or not letter.isascii():
        raise IdentifierError(
            "format",
            "Après LOG, l'identifiant compte 6 chiffres puis 1 lettre, par exemple LOG012345K.",
        )
    if identifier_check_letter(digits) != letter:
        raise IdentifierError(
            "check_letter",
            "Cet identifiant contient probablement une faute de frappe : vérifiez les chiffres "
            "et la dernière lettre sur le courrier ou le mail reçu.",
        )
    return f"{IDENTIFIER_PREFIX}{digits}{letter}"


def looks_like_identifier(text: str) -> bool:
    """True when the text reads as a valid login identifier."""
    try:
        parse_identifier(text)
    except IdentifierError:
        return False
    return True


def user_number_key(number: int) -> int:
    """The 2-digit key of a user number: 97 minus the number modulo 97."""
    return 97 - number % 97


def format_user_number(number: int) -> str:
    """The canonical 10-digit user number of an 8-digit sequence number."""
    return f"{number:08d}{user_number_key(number):02d}"


def display_user_number(user_number: str) -> str:
    """1234 5678 90, as printed on letters and e-mails."""
    return f"{user_number[:4]} {user_number[4:8]} {user_number[8:]}"


class UserNumberError(ValueError):
    """A typed user number that cannot be read; ``message`` says in French what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_user_number(text: str) -> str:
    """The canonical user number typed by a person, or UserNumberError saying what to fix."""
    compact = _compact(text or "").replace("O", "0")
    if not is_ascii_digits(compact) or len(compact) != 10:
        raise UserNumberError(
            "Le numéro utilisateur compte 10 chiffres, par exemple 1234 5678 90. "
            "Il figure en haut de chaque courrier et de chaque mail de votre Caf."
        )
    if user_number_key(int(compact[:8])) != int(compact[8:]):
        raise UserNumberError(
            "Ce numéro utilisateur contient probablement une faute de frappe : vérifiez-le sur "
            "un courrier ou un mail de votre Caf."
        )
    return compact


# --- Lock-outs (growing, never permanent) --------------------------------------------------

# Failures before a lock, per identifier (known or not) and per IP address.
IDENTIFIER_LOCK_THRESHOLD = 5
IP_LOCK_THRESHOLD = 30
_FIRST_LOCK_MINUTES = 5
_LOCK_GROWTH = 3
_LONGEST_LOCK_MINUTES = 24 * 60
# A lock count older than this without any failure is forgotten.
LOCK_MEMORY_HOURS = 24


def lockout_minutes(lockouts: int) -> int:
    """Length of the n-th lock in a row: 5, 15, 45, 135... minutes, never more than 24 hours."""
    return min(_FIRST_LOCK_MINUTES * _LOCK_GROWTH ** max(lockouts - 1, 0), _LONGEST_LOCK_MINUTES)


# --- The demo ----------------------------------------------------------------------------------

# The demo's landlords (feed/demo.py, demo/feed/) and the password `make run` shows: a demo
# account signs in only in development, whatever database it was loaded into.
DEMO_PASSWORD = "Bailleur-demo-2026"  # noqa: S105
DEMO_LANDLORD_REF_PREFIX = "DEMO-"


def demo_sign_in_refused(*, debug: bool, landlord_ref: str | None, password: str) -> bool:
    """Outside DEBUG, no sign-in into a demo landlord's account and none with the demo
    password (an account given it by hand, a copied demo database)."""
    if debug:
        return False
    is_demo_account = (landlord_ref or "").startswith(DEMO_LANDLORD_REF_PREFIX)
    return is_demo_account or hmac.compare_digest(password.encode(), DEMO_PASSWORD.encode())


# --- Chosen passwords (CNIL deliberation 2022-100) -------------------------------------------

CNIL_LONG_LENGTH = 14
CNIL_SHORT_LENGTH = 12
CNIL_KINDS_FOR_SHORT = 4
PASSWORD_MAX_LENGTH = 128


def password_kinds(password: str) -> int:
    """How many kinds of characters (lower case, upper case, digits, others) a password has."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def password_strong_enough(password: str) -> bool:
    """CNIL: at least 14 characters of any kind, or at least 12 with all four kinds."""
    if len(password) >= CNIL_LONG_LENGTH:
        return True
    return len(password) >= CNIL_SHORT_LENGTH and password_kinds(password) >= CNIL_KINDS_FOR_SHORT


def context_words(*texts: str) -> set[str]:
    """Words a password must not contain: parts of the identifier, names and e-mail (4+ letters)."""
    words = set()
    for text in texts:
        for word in re.split(r"[^0-9a-zA-ZÀ-ÿ]+", (text or "").lower()):
            if len(word) >= 4:
                words.add(word)
    return words


def password_context_word(password: str, words: set[str]) -> str | None:
    """The first context word found in the password (case ignored), if any."""
    lowered = password.lower()
    for word in sorted(words, key=len, reverse=True):
        if word in lowered:
            return word
    return None


# --- Letters (help sheet, difficulty 6) ------------------------------------------------------

RECENT_LETTER_DAYS = 10


def letter_is_recent(sent_at, now) -> bool:
    """A letter posted less than 10 days ago may still be on its way."""
    return sent_at is not None and now - sent_at < datetime.timedelta(days=RECENT_LETTER_DAYS)


# --- A user's state, as an agent sees it in the back office ---------------------------------

NEVER_SIGNED_IN = "never_signed_in"
ACTIVE = "active"
LOCKED = "locked"
TEMPORARY_PENDING = "temporary_pending"
DISABLED = "disabled"

STATE_LABELS = {
    NEVER_SIGNED_IN: "Jamais connecté",
    ACTIVE: "Actif",
    LOCKED: "Bloqué",
    TEMPORARY_PENDING: "Mot de passe provisoire en attente",
    DISABLED: "Désactivé",
}


def user_states(
    *,
    is_active: bool,
    last_login: datetime.datetime | None,
    locked_until: datetime.datetime | None,
    temporary_until: datetime.datetime | None,
    now: datetime.datetime,
) -> list[str]:
    """Every state that applies to a user, the most pressing first (a user may be several)."""
    if not is_active:
        return [DISABLED]
    states = []
    if locked_until is not None and locked_until > now:
        states.append(LOCKED)
    if temporary_until is not None and temporary_until > now:
        states.append(TEMPORARY_PENDING)
    states.append(NEVER_SIGNED_IN if last_login is None else ACTIVE)
    return states
