"""Rent rules that need no database: the campaign year, French amounts, what a tenancy needs."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from portail.common.formats import french_amount
from portail.common.text import is_ascii_digits

CAMPAIGN_OPENING_MONTH = 7

# The one example every amount message shows (help sheet, difficulty 10).
AMOUNT_EXAMPLE = "Écrivez le montant avec une virgule avant les centimes, par exemple 650,50."
# Largest amount the database column holds (numeric(9, 2)).
MAX_AMOUNT = Decimal("9999999.99")
CENT = Decimal("0.01")


def campaign_year(today: datetime.date) -> int:
    """The year N whose July rent is being declared: N from 1 July N, N-1 before."""
    return today.year if today.month >= CAMPAIGN_OPENING_MONTH else today.year - 1


def default_campaign_dates(year: int) -> tuple[datetime.date, datetime.date]:
    """A campaign opens on 1 July N and closes on 15 January N+1 unless staff decide otherwise."""
    return datetime.date(year, 7, 1), datetime.date(year + 1, 1, 15)


# --- Amounts (difficulty 10) ---------------------------------------------------------------


class AmountError(ValueError):
    """An amount typed by a landlord that cannot be read; ``message`` is French, for the screen."""

    def __init__(self, reason: str):
        self.message = f"{reason} {AMOUNT_EXAMPLE}"
        super().__init__(self.message)


# Spaces a person or a spreadsheet puts between thousands: ordinary, no-break, narrow no-break,
# thin.
_SPACES = " \u00a0\u202f\u2009"
_CURRENCY = re.compile(r"\s*(€|eur|euro|euros)\s*$", re.IGNORECASE)
_GROUPED = re.compile(rf"[0-9]{{1,3}}(?:[{_SPACES}][0-9]{{3}})+")
_PLAIN = re.compile(r"[0-9]+")
_COMMA_CENTS = re.compile(r"[0-9]{1,2}")
# The form most lines of a file take (650 or 650,50, up to 7 digits): read in one match.
_SIMPLE = re.compile(r"([0-9]{1,7})(?:,([0-9]{1,2}))?")


def parse_amount(text: str) -> Decimal:
    """Read a euro amount written the French way (difficulty 10); raise AmountError otherwise.

    Read: 650,50 - 650 - 1 234,56 (any kind of space between thousands) - 650,50 € -
    650,50 euros - 650.50 (two decimals after a point cannot be thousands). Refused, with a
    message showing the expected form: 1.234 (ambiguous), 6 5 0, letters, negative amounts.
    """
    simple = _SIMPLE.fullmatch(text) if isinstance(text, str) else None
    if simple is not None:
        whole, cents = simple.groups()
        amount = Decimal(f"{whole}.{cents or '0'}").quantize(CENT)
        if amount:
            return amount
    return _parse_amount_in_full(text)


def _two_readings(whole: str, cents: str) -> str:
    """1.234: « Nous ne savons pas si vous voulez dire 1 234 € ou 1,23 €. »"""
    grouped = f"{int(whole):,}".replace(",", "\u202f") if is_ascii_digits(whole) else whole
    return (
        f"Nous ne savons pas si vous voulez dire {grouped}\u202f{cents}\u00a0€ ou "
        f"{whole},{cents[:2]}\u00a0€."
    )


def _parse_amount_in_full(text: str) -> Decimal:
    """parse_amount for any text: every form it reads, every reason it refuses."""
    if text is None:
        text = ""
    value = str(text).strip(_SPACES + "\t\n\r")
    value = _CURRENCY.sub("", value).strip(_SPACES)
    if not value:
        raise AmountError("Indiquez le montant du loyer.")
    if value.startswith("-") or value.startswith("\u2212"):
        raise AmountError("Le montant ne peut pas être négatif.")
    if value.startswith("+"):
        value = value[1:]
    if "," in value:
        whole, _, cents = value.rpartition(",")
        if not _COMMA_CENTS.fullmatch(cents):
            raise AmountError("Après la virgule, indiquez 1 ou 2 chiffres pour les centimes.")
    elif "." in value:
        whole, _, cents = value.rpartition(".")
        if len(cents) == 3 and is_ascii_digits(cents):
            raise AmountError(_two_readings(whole, cents))
        if not _COMMA_CENTS.fullmatch(cents):
            raise AmountError("Le montant contient un point.")
    else:
        whole, cents = value, ""
    if _GROUPED.fullmatch(whole):
        whole = re.sub(f"[{_SPACES}]", "", whole)
    elif not _PLAIN.fullmatch(whole):
        if any(c.isalpha() for c in whole):
            raise AmountError("Le montant ne doit contenir que des chiffres.")
        if "." in whole:
            raise AmountError(
                "Le montant contient un point. Pour les milliers, laissez une espace ou rien "
                "(1 234,56 ou 1234,56)."
            )
        if any(c in _SPACES for c in whole):
            raise AmountError("Les espaces ne sont permis qu'entre les milliers (1 234,56).")
        raise AmountError("Ce montant ne peut pas être lu.")
    amount = Decimal(f"{whole}.{cents or '0'}")
    if amount > MAX_AMOUNT:
        raise AmountError("Ce montant est trop élevé pour un loyer mensuel.")
    amount = amount.quantize(CENT)
    if amount == 0:
        raise AmountError("Le montant doit être supérieur à 0.")
    return amount


# --- What a tenancy needs in a campaign (difficulty 9) ----------------------------------------


def july_of(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of July of a year."""
    return datetime.date(year, 7, 1), datetime.date(year, 7, 31)


def is_active_in_july(*, start_date, end_date, year: int) -> bool:
    """A tenancy is concerned by the campaign of year N if it ran at some point in July N."""
    first, last = july_of(year)
    return start_date <= last and (end_date is None or end_date >= first)


def needs_previous_july_rent(*, start_date, year: int) -> bool:
    """The July N rent needs the July N-1 one when the tenancy already existed in July N-1."""
    return start_date <= july_of(year - 1)[1]


# --- Amounts that ask for a confirmation (difficulty 10) ---------------------------------------


def allowed_increase_ratio(irl_current: Decimal, irl_previous: Decimal) -> Decimal:
    """The largest yearly increase the reference rent index allows: IRL Q2 N / IRL Q2 N-1."""
    return irl_current / irl_previous


def largest_allowed_rent(previous: Decimal, ratio: Decimal) -> Decimal:
    """Last year's rent raised by the IRL, to the cent."""
    return (previous * ratio).quantize(CENT, rounding=ROUND_HALF_UP)


def amount_warnings(
    *,
    amount: Decimal,
    previous: Decimal | None,
    ratio: Decimal | None,
    ceiling: Decimal,
    year: int,
) -> list[str]:
    """Why an amount asks for a confirmation (empty when it does not); French, both figures."""
    warnings = []
    if amount > ceiling:
        warnings.append(
            f"Le montant de {french_amount(amount)} dépasse {french_amount(ceiling)}, "
            "ce qui est inhabituel pour un loyer mensuel."
        )
    if previous is not None and ratio is not None:
        limit = largest_allowed_rent(previous, ratio)
        if amount > limit:
            warnings.append(
                f"Le montant de {french_amount(amount)} augmente le loyer de juillet {year - 1} "
                f"({french_amount(previous)}) plus que ne le permet l'indice de référence des "
                "loyers (IRL, l'indice officiel qui limite chaque année la hausse d'un loyer) : "
                f"au plus {french_amount(limit)}."
            )
    return warnings


# --- The status of a tenancy in a campaign: the rule, then its database form -------------------


class Status:
    """Declaration status of a tenancy in the campaign of year N, as shown in the tenant list."""

    TO_DECLARE = "to_declare"
    DECLARED = "declared"
    RECEIPT = "receipt"
    NOT_REQUIRED = "not_required"
    LABELS = {
        TO_DECLARE: "À déclarer",
        DECLARED: "Déclaré",
        RECEIPT: "Quittance à envoyer ou en cours de vérification",
        NOT_REQUIRED: "Non demandé",
    }


def declaration_status(
    *, start_date, end_date, year: int, has_current: bool, has_previous: bool
) -> str:
    """Declared; not required (not a tenant in July N); waiting for the July N-1 receipt
    (difficulty 9); or to declare."""
    if has_current:
        return Status.DECLARED
    if not is_active_in_july(start_date=start_date, end_date=end_date, year=year):
        return Status.NOT_REQUIRED
    if needs_previous_july_rent(start_date=start_date, year=year) and not has_previous:
        return Status.RECEIPT
    return Status.TO_DECLARE


# --- The status in SQL: the same rule, for lists of 100,000 tenancies ---------------------------
# Side by side with declaration_status on purpose: a change to one is a change to the other, and
# tests/rents/test_status.py checks that the database computes what the Python rule says.


def active_in_july_q(year: int):
    """Database form of is_active_in_july."""
    from django.db.models import Q

    first, last = july_of(year)
    return Q(start_date__lte=last) & (Q(end_date__isnull=True) | Q(end_date__gte=first))


def needs_previous_july_rent_q(year: int):
    """Database form of needs_previous_july_rent."""
    from django.db.models import Q

    return Q(start_date__lte=july_of(year - 1)[1])


def declaration_status_sql(
    year: int, *, current: str = "rent_current", previous: str = "rent_previous"
):
    """Database form of declaration_status, on tenancies annotated with their July N rent
    (``current``) and July N-1 rent (``previous``)."""
    from django.db.models import Case, Q, Value, When

    return Case(
        When(**{f"{current}__isnull": False}, then=Value(Status.DECLARED)),
        When(~active_in_july_q(year), then=Value(Status.NOT_REQUIRED)),
        When(
            needs_previous_july_rent_q(year) & Q(**{f"{previous}__isnull": True}),
            then=Value(Status.RECEIPT),
        ),
        default=Value(Status.TO_DECLARE),
    )


def campaign_is_open(*, opens_on: datetime.date, closes_on: datetime.date, today) -> bool:
    """Declarations and corrections are taken from the opening day to the closing day included."""
    return opens_on <= today <= closes_on
