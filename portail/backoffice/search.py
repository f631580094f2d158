"""Finding a landlord from what an agent types: one exact lookup on an indexed column per key.

The kind of key is read from the text with the portal's own parsers (accounts.rules): a login
identifier (LOG…), a user number (10 digits with its key), a SIRET (14 digits, Luhn), a tenant's
recipient number (digits), an e-mail address (has "@"), the agency's landlord reference, or else
the start of a name. Names use an index on UPPER(name) (migration 0003): a LIKE 'PREFIX%' on
PostgreSQL (in the "C" collation, migration 0004), a range on SQLite; never a scan.
"""

import contextlib
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Collate, Lower, Upper
from stdnum.fr import siret as siret_number

from portail.accounts import rules
from portail.accounts.models import Landlord
from portail.common.text import is_ascii_digits

IDENTIFIER = "identifier"
USER_NUMBER = "user_number"
SIRET = "siret"
RECIPIENT_NUMBER = "recipient_number"
EMAIL = "email"
REF = "ref"
NAME = "name"

LABELS = {
    IDENTIFIER: "identifiant",
    USER_NUMBER: "numéro utilisateur",
    SIRET: "SIRET",
    RECIPIENT_NUMBER: "numéro allocataire d'un locataire",
    EMAIL: "adresse mail",
    REF: "référence Caf",
    NAME: "début du nom",
}
NAME_MIN_LENGTH = 2
LIMIT = 50


@dataclass(frozen=True)
class Key:
    kind: str
    value: str


def detect_keys(text: str) -> list[Key]:
    """What the typed text can be, most specific first (a 10-digit text may be two things)."""
    text = (text or "").strip()
    if not text:
        return []
    if "@" in text:
        return [Key(EMAIL, text.lower())]
    keys = []
    if rules.looks_like_identifier(text):
        keys.append(Key(IDENTIFIER, rules.parse_identifier(text)))
    compact = "".join(ch for ch in text if not ch.isspace() and ch not in "-.")
    if is_ascii_digits(compact):
        with contextlib.suppress(rules.UserNumberError):
            keys.append(Key(USER_NUMBER, rules.parse_user_number(compact)))
        if len(compact) == 14 and siret_number.is_valid(compact):
            keys.append(Key(SIRET, compact))
        if len(compact) <= 13:
            keys.append(Key(RECIPIENT_NUMBER, compact))
        return keys
    if keys:
        return keys
    keys.append(Key(REF, text.upper()))
    if len(text) >= NAME_MIN_LENGTH:
        keys.append(Key(NAME, text))
    return keys


def _sqlite_upper(text: str) -> str:
    """SQLite's UPPER() folds ASCII letters only: fold the prefix the same way."""
    return "".join(ch.upper() if ch.isascii() else ch for ch in text)


def name_prefix_filter(queryset: QuerySet[Landlord], prefix: str) -> QuerySet[Landlord]:
    """Landlords whose name starts with the prefix, case ignored, through the UPPER(name) index;
    ordered by ``name_upper`` and id, the index's own order."""
    if connection.vendor == "postgresql":
        # Byte order ("C" collation): LIKE 'X%' and ORDER BY both read the index (migration 0004).
        queryset = queryset.annotate(name_upper=Collate(Upper("name"), "C"))
        return queryset.filter(name_upper__startswith=prefix.upper())
    queryset = queryset.annotate(name_upper=Upper("name"))
    low = _sqlite_upper(prefix)
    return queryset.filter(name_upper__gte=low, name_upper__lt=low + "\U0010ffff")


def landlords_for_key(key: Key) -> QuerySet[Landlord]:
    """The landlords one key designates (an exact match, or a name prefix)."""
    landlords = Landlord.objects.all()
    if key.kind == IDENTIFIER:
        return landlords.filter(users__identifier=key.value)
    if key.kind == USER_NUMBER:
        return landlords.filter(users__user_number=key.value)
    if key.kind == SIRET:
        return landlords.filter(siret=key.value)
    if key.kind == RECIPIENT_NUMBER:
        return landlords.filter(portfolios__tenancies__recipient_number=key.value)
    if key.kind == EMAIL:
        by_landlord = Landlord.objects.annotate(email_lower=Lower("email")).filter(
            email_lower=key.value
        )
        from portail.accounts.models import User

        by_user = (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower=key.value, landlord__isnull=False)
            .values("landlord_id")
        )
        ids = set(by_landlord.values_list("pk", flat=True)) | {
            row["landlord_id"] for row in by_user
        }
        return landlords.filter(pk__in=ids)
    if key.kind == REF:
        return landlords.filter(ref=key.value)
    return name_prefix_filter(landlords, key.value)


@dataclass
class SearchResult:
    keys: list[Key]
    landlords: list[Landlord]

    @property
    def exact_single(self) -> Landlord | None:
        """The one landlord an exact key (not a name) designates: the agent goes straight to it."""
        exact = all(key.kind not in (NAME, REF) for key in self.keys)
        return self.landlords[0] if exact and len(self.landlords) == 1 else None

    @property
    def key_labels(self) -> str:
        return " ou ".join(LABELS[key.kind] for key in self.keys)


def find_landlords(text: str) -> SearchResult:
    """Up to 50 landlords matching what an agent typed, by name for a name, exact otherwise."""
    keys = detect_keys(text)
    found: dict[int, Landlord] = {}
    for key in keys:
        ordering = ("name_upper", "pk") if key.kind == NAME else ("name", "pk")
        for landlord in landlords_for_key(key).order_by(*ordering)[:LIMIT]:
            found.setdefault(landlord.pk, landlord)
    landlords = sorted(found.values(), key=lambda landlord: (landlord.name, landlord.pk))
    return SearchResult(keys=keys, landlords=landlords[:LIMIT])
