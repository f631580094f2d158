"""Reading the agency's feed files: one cleaning function per file, no database.

Each function takes one CSV row (a dict) and returns its clean values, or raises
``FeedLineError`` with the reason, in English, for the operator who runs the import.
"""

import datetime
import functools
import re
import sys
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum.fr import siret as siret_number

from portail.common.text import is_ascii_digits


class FeedLineError(ValueError):
    """A line of a feed file that cannot be imported; the message says why."""


LANDLORD_COLUMNS = (
    "landlord_ref",
    "kind",
    "name",
    "siret",
    "email",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
)
PORTFOLIO_COLUMNS = ("portfolio_ref", "landlord_ref", "name")
TENANCY_COLUMNS = (
    "recipient_number",
    "portfolio_ref",
    "tenant_name",
    "dwelling_address",
    "start_date",
    "end_date",
    "direct_payment",
)
RENT_COLUMNS = ("recipient_number", "year", "month", "amount")

KINDS = {"physique": "natural", "moral": "legal"}
BOOLEANS = {"1": True, "true": True, "oui": True, "0": False, "false": False, "non": False}
_REF = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_RECIPIENT_NUMBER = re.compile(r"^\d{7,13}$")
_POSTCODE = re.compile(r"^\d{5}$")
_FEED_AMOUNT = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


def _text(row: dict, column: str, *, max_length: int, required: bool = True) -> str:
    value = (row.get(column) or "").strip()
    if required and not value:
        raise FeedLineError(f"{column} is empty")
    if len(value) > max_length:
        raise FeedLineError(f"{column} is longer than {max_length} characters")
    return value


def _ref(row: dict, column: str) -> str:
    return _checked_ref(column, row.get(column) or "")


def _checked_ref(column: str, text: str) -> str:
    value = text.strip()
    if not _REF.match(value):
        raise FeedLineError(
            f"{column} {value!r} is not a reference (1 to 32 letters, digits, - or _)"
        )
    return value


def recipient_number(row: dict) -> str:
    value = (row.get("recipient_number") or "").strip()
    if not _RECIPIENT_NUMBER.match(value):
        raise FeedLineError(f"recipient_number {value!r} is not 7 to 13 digits")
    return value


def _date(row: dict, column: str, *, required: bool) -> datetime.date | None:
    value = (row.get(column) or "").strip()
    if not value:
        if required:
            raise FeedLineError(f"{column} is empty")
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise FeedLineError(f"{column} {value!r} is not a date (expected YYYY-MM-DD)") from None


def clean_landlord(row: dict) -> dict:
    kind_text = (row.get("kind") or "").strip().lower()
    if kind_text not in KINDS:
        raise FeedLineError(f"kind {kind_text!r} is neither 'physique' nor 'moral'")
    kind = KINDS[kind_text]
    siret = re.sub(r"\s", "", row.get("siret") or "")
    if siret and not siret_number.is_valid(siret):
        raise FeedLineError(f"siret {siret!r} is not a valid SIRET (14 digits, Luhn key)")
    if kind == "legal" and not siret:
        raise FeedLineError("siret is empty: a legal landlord (moral) needs one")
    email = (row.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise FeedLineError(f"email {email!r} is not an e-mail address") from None
    postcode = (row.get("postcode") or "").strip()
    if not _POSTCODE.match(postcode):
        raise FeedLineError(f"postcode {postcode!r} is not 5 digits")
    return {
        "kind": kind,
        "name": _text(row, "name", max_length=200),
        "siret": siret,
        "email": email,
        "address_line1": _text(row, "address_line1", max_length=200),
        "address_line2": _text(row, "address_line2", max_length=200, required=False),
        "postcode": postcode,
        "city": _text(row, "city", max_length=100),
    }


def landlord_key(row: dict) -> str:
    return _ref(row, "landlord_ref")


def clean_portfolio(row: dict) -> dict:
    return {"landlord_ref": _ref(row, "landlord_ref"), "name": _text(row, "name", max_length=200)}


def portfolio_key(row: dict) -> str:
    return _ref(row, "portfolio_ref")


def clean_tenancy(row: dict) -> dict:
    start = _date(row, "start_date", required=True)
    end = _date(row, "end_date", required=False)
    if end is not None and end < start:
        raise FeedLineError(f"end_date {end.isoformat()} is before start_date {start.isoformat()}")
    flag = (row.get("direct_payment") or "").strip().lower()
    if flag not in BOOLEANS:
        raise FeedLineError(f"direct_payment {flag!r} is not one of 1, 0, true, false, oui, non")
    return {
        "portfolio_ref": _ref(row, "portfolio_ref"),
        "tenant_name": _text(row, "tenant_name", max_length=200),
        "dwelling_address": _text(row, "dwelling_address", max_length=300),
        "start_date": start,
        "end_date": end,
        "direct_payment": BOOLEANS[flag],
    }


def tenancy_key(row: dict) -> str:
    return recipient_number(row)


def clean_rent(row: dict) -> dict:
    month = (row.get("month") or "").strip()
    if month not in ("7", "07"):
        raise FeedLineError(f"month {month!r} is not 7: the portal keeps July rents only")
    amount = (row.get("amount") or "").strip()
    if not _FEED_AMOUNT.match(amount):
        raise FeedLineError(f"amount {amount!r} is not a positive amount with a dot (e.g. 650.50)")
    return {
        "recipient_number": recipient_number(row),
        "amount": Decimal(amount).quantize(Decimal("0.01")),
    }


def rent_key(row: dict) -> tuple[str, int]:
    year = (row.get("year") or "").strip()
    if not (is_ascii_digits(year) and 1990 <= int(year) <= 2100):
        raise FeedLineError(f"year {year!r} is not a year between 1990 and 2100")
    return recipient_number(row), int(year)


PAYMENT_COLUMNS = ("recipient_number", "period", "amount", "paid_on", "reference")
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def clean_payment(row: dict) -> tuple[str, datetime.date, Decimal, datetime.date]:
    """(recipient number, first day of the month, amount, date paid) of a payments.csv line.

    A tuple of shared values, not a dict: a feed of 1.2 million payments is held in memory
    while it is checked, and its months, dates, amounts and numbers repeat."""
    return payment_values(
        row.get("recipient_number") or "",
        row.get("period") or "",
        row.get("amount") or "",
        row.get("paid_on") or "",
    )


def payment_values(
    number: str, period: str, amount: str, paid_on: str
) -> tuple[str, datetime.date, Decimal, datetime.date]:
    """clean_payment on the line's raw fields (feed.payment_import reads 1.2 million lines
    with csv.reader): each distinct text is checked and converted once, then found again."""
    month, value, paid = _month(period), _amount(amount), _iso_date("paid_on", paid_on)
    return _number(number), month, value, paid


def payment_reference(text: str) -> str:
    """The payment's reference (the key of payments.csv), checked."""
    return _checked_ref("reference", text)


@functools.lru_cache(maxsize=4096)
def _month(text: str) -> datetime.date:
    text = text.strip()
    match = _PERIOD.match(text)
    if not match or not (1990 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        raise FeedLineError(f"period {text!r} is not a month (expected YYYY-MM)")
    return datetime.date(int(match[1]), int(match[2]), 1)


@functools.lru_cache(maxsize=65536)
def _amount(text: str) -> Decimal:
    text = text.strip()
    if not _FEED_AMOUNT.match(text):
        raise FeedLineError(f"amount {text!r} is not a positive amount with a dot (e.g. 650.50)")
    return Decimal(text).quantize(Decimal("0.01"))


@functools.lru_cache(maxsize=4096)
def _iso_date(column: str, text: str) -> datetime.date:
    return _date({column: text}, column, required=True)


@functools.lru_cache(maxsize=262_144)
def _number(text: str) -> str:
    """A recipient number, interned: a year of payments repeats each one 12 times."""
    return sys.intern(recipient_number({"recipient_number": text}))


def payment_key(row: dict) -> str:
    return payment_reference(row.get("reference") or "")
