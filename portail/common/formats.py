"""French presentation of dates, times and amounts (Babel), in one place.

27/11/2026 in tables and fields, « 15 janvier 2027 » in running sentences (``french_long_date``),
14 h 05, 1 234,56 € (with the narrow no-break space Babel uses for fr_FR).
"""

import datetime
import functools
from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from django.utils import timezone

LOCALE = "fr_FR"


def french_date(value: datetime.date | datetime.datetime | None) -> str:
    """27/11/2026; an aware datetime is first put in the agency's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.strftime("%d/%m/%Y")


def french_time(value: datetime.datetime | None) -> str:
    """14 h 05, in the agency's time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.hour} h {local.minute:02d}"


def french_datetime(value: datetime.datetime | None) -> str:
    """27/11/2026 à 14 h 05."""
    if value is None:
        return ""
    return f"{french_date(value)} à {french_time(value)}"


MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_long_date(value: datetime.date | datetime.datetime | None) -> str:
    """15 janvier 2027, 1er juillet 2026: the date of a running sentence (never in a table)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def french_long_datetime(value: datetime.datetime | None) -> str:
    """27 novembre 2026 à 14 h 05, for a running sentence."""
    if value is None:
        return ""
    return f"{french_long_date(value)} à {french_time(value)}"


def french_amount(value: Decimal | int | None) -> str:
    """1 234,56 € (always two decimals)."""
    if value is None:
        return ""
    return _amount(Decimal(value))


@functools.lru_cache(maxsize=4096)
def _amount(value: Decimal) -> str:
    # Babel re-reads its locale data on every call; a list page shows up to 100 amounts, most
    # of them recurring. Equal decimals (500, 500.0, 500.00) format alike: two decimals always.
    return format_currency(value, "EUR", locale=LOCALE)


def french_number(value: Decimal | int | None) -> str:
    """1 234 or 1 234,5: a plain French number, without currency."""
    if value is None:
        return ""
    return format_decimal(value, locale=LOCALE)


def french_plural(count: int | None, suffix: str = "s") -> str:
    """The plural ending for `count` things, the French way: none for 0 and 1 ("0 erreur",
    "1 locataire"), `suffix` from 2 on (Django's pluralize follows the English rule)."""
    return suffix if count is not None and abs(count) >= 2 else ""
