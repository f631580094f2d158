"""Values the sweeps type into forms: plausible ones, and the odd ones a careless or hostile
client sends (NUL, lone surrogates, right-to-left marks, over-long text, 100 KB)."""

import re

from django.core.validators import validate_email

from .traffic import Value
from .world import Role

BULK_FILE = b"numero_allocataire;montant\n5000001;650,50\n"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ENGLISH = re.compile(
    r"\b(the|this|ensure|enter|valid|characters?|field|please|must|not allowed|has at most)\b",
    re.IGNORECASE,
)
FRENCH = re.compile(
    r"\b(le|la|les|de|des|du|un|une|ce|cette|votre|vous|est|pas|au|aux|à|caractères?)\b",
    re.IGNORECASE,
)


def looks_french(message: str) -> bool:
    """A message a French reader understands: French words, no English Django default."""
    return bool(FRENCH.search(message)) and not ENGLISH.search(message)


def email_of_length(length: int) -> str:
    """A well-formed e-mail address of exactly ``length`` characters (at least 8)."""
    local = "a" * min(64, length - 7)
    remaining = length - len(local) - 1 - 3  # "@" and ".fr"
    labels = []
    while remaining > 0:
        size = min(63, remaining)
        if remaining - size == 1:  # never leave room for an empty label
            size -= 1
        labels.append("b" * size)
        remaining -= size + 1
    domain = ".".join(labels) + ".fr" if labels else "b.fr"
    address = f"{local}@{domain}"
    if len(address) != length:  # remaining ran one below zero: lengthen the local part
        address = "a" * (length - len(address)) + address
    assert len(address) == length, (length, len(address))
    if length <= 254:
        validate_email(address)
    return address


def plausible(field_name: str, kind: str, attrs: dict[str, str], *, role: Role, path: str) -> str:
    """What a person would type in this empty field of this page."""
    name = field_name.lower()
    if kind == "email" or "email" in name:
        return "paul.martin@exemple.fr"
    if kind == "password":
        return role.password
    if name == "identifier":
        return role.user.identifier if role.user else ("agent.agent" if "/agence/" in path else "")
    if attrs.get("inputmode") == "decimal" or "amount" in name:
        return "650,50"
    if name == "code":
        return "123456"
    if name == "user_number":
        return role.user.user_number if role.user and role.user.user_number else "1234 5678 90"
    if name == "postcode":
        return "13001"
    if name == "q":
        return "Alice"
    return "Texte ordinaire"


def shaped(kind: str, length: int) -> str:
    """A value of the field's shape with exactly ``length`` characters."""
    if kind == "email" and length >= 8:
        return email_of_length(length)
    return "a" * length


def file_for(attrs: dict[str, str]) -> tuple[str, bytes]:
    accept = attrs.get("accept", "")
    return ("loyers.csv", BULK_FILE) if ".csv" in accept else ("quittance.pdf", PDF)


def hostile_files(attrs: dict[str, str]) -> dict[str, Value]:
    """Odd uploads: file names a careless client sends, and junk of 100 KB."""
    name, content = file_for(attrs)
    return {
        "file name with NUL": ("lo\x00yers.csv", content),
        "file name of 300 characters": ("l" * 296 + ".csv", content),
        "file name with right-to-left mark": ("\u202evsc.sreyol", content),
        "file name with a lone surrogate": (b"loyers\xed\xa0\x80.csv", content),
        "file name that climbs": ("../../../etc/passwd", content),
        "100 KB of junk": (name, bytes(range(256)) * 400),
        "empty file": (name, b""),
    }


def hostile_values(kind: str, baseline: Value, max_length: int | None) -> dict[str, Value]:
    """The odd values to try in one field, by name; see ``EXPECTS_ERROR``."""
    base = baseline if isinstance(baseline, str) and baseline else "Texte"
    values: dict[str, Value] = {
        "nul": base[:1] + "\x00" + base[1:],
        "lone surrogate": base.encode() + b"\xed\xa0\x80",
        "overlong utf-8": b"\xc0\x80" + base.encode(),
        "right-to-left marks": "\u202e" + base + "\u200f\u202c",
        "astral": "\U0001f600" * 3 + base,
        "only spaces": "   ",
        "100 KB": "x" * 100_000,
    }
    if max_length:
        values["at max_length"] = shaped(kind, max_length)
        values["max_length + 1"] = shaped(kind, max_length + 1)
    return values


# The odd values sent into every text field of a form at once.
ODD_LABELS = [
    "nul",
    "lone surrogate",
    "overlong utf-8",
    "right-to-left marks",
    "astral",
    "only spaces",
    "100 KB",
    "max_length + 1",
]
# Those every text field must refuse with an error on that field, in French.
EXPECTS_ERROR = {"nul", "100 KB", "max_length + 1"}
