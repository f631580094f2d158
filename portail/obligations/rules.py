"""Rules of the landlord's other duties that need no database: when an unpaid rent must be
reported and by when, and what a departure means for the aid.

The unpaid-rent rules themselves are dated rows staff keep (models.UnpaidRentRule); here they
are plain values (UnpaidRule) so that every computation is a pure function.

How a debt is followed month by month (the agency's reading, stated on the form):
- rent is due on the 1st of each month, so the k-th unpaid month falls due on the 1st of the
  month k - 1 after the first unpaid month;
- the debt grows evenly: after k of the n months due so far, it is (amount owed today) × k / n
  (exactly the monthly rent when the tenant pays nothing, an average when the tenant pays part);
- each month's debt is judged under the rule in force on that month's due date, so a debt that
  had not reached the 2026 threshold by December 2026 is judged under the 2027 rule from
  1 January 2027;
- a month counts as "missed" only when the tenant paid nothing for it: while the tenant still
  pays part, only the amount criterion applies;
- the report is due within the rule's number of months after the threshold is reached.
"""

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from portail.common.formats import french_amount

ARREARS_MULTIPLE = "arrears_multiple"
AMOUNT_OR_MISSED_MONTHS = "amount_or_months"
# How far ahead the portal projects a debt that has not reached its threshold yet.
PROJECTION_MONTHS = 120

FRENCH_MONTHS = [
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
]


@dataclass(frozen=True, slots=True)
class UnpaidRule:
    """One dated unpaid-rent rule, as staff entered it.

    ``arrears_multiple``: unpaid once the debt reaches ``months_of_rent`` × the monthly rent
    and charges (less the aid when it is paid to the landlord).
    ``amount_or_months``: unpaid once the debt exceeds ``amount``, or after ``missed_months``
    months without any payment.
    """

    valid_from: datetime.date
    kind: str
    months_of_rent: int | None = None
    amount: Decimal | None = None
    missed_months: int | None = None
    report_within_months: int = 2


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the portal tells the landlord about a debt, on a given day."""

    reportable: bool
    rule: UnpaidRule | None
    threshold: Decimal | None  # the amount criterion of the rule applied (None: none)
    reached_on: datetime.date | None  # when the debt became (or will become) an unpaid rent
    deadline: datetime.date | None  # the last day to report it
    late: bool  # reportable and the deadline is past
    reason: str  # in French, for the screen, the acknowledgement and the agent


def long_date(value: datetime.date) -> str:
    """« 1er janvier 2027 », « 15 janvier 2027 »: a date inside a French sentence."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {FRENCH_MONTHS[value.month - 1]} {value.year}"


def month_label(value: datetime.date) -> str:
    """« novembre 2026 »."""
    return f"{FRENCH_MONTHS[value.month - 1]} {value.year}"


def add_months(value: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(value.day, last))


def first_of_month(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


def rule_in_force(rules: Sequence[UnpaidRule], on: datetime.date) -> UnpaidRule | None:
    """The rule whose validity starts last on or before this day (None before the first)."""
    in_force = [rule for rule in rules if rule.valid_from <= on]
    return max(in_force, key=lambda rule: rule.valid_from) if in_force else None


def monthly_net_due(
    *, rent: Decimal, charges: Decimal, aid: Decimal | None, direct_payment: bool
) -> Decimal:
    """What the tenant owes each month: rent and charges, less the aid where it is paid to the
    landlord (tiers payant)."""
    return rent + charges - (aid or Decimal(0) if direct_payment else Decimal(0))


def unpaid_threshold(
    rule: UnpaidRule,
    *,
    rent: Decimal,
    charges: Decimal,
    aid: Decimal | None,
    direct_payment: bool,
) -> Decimal:
    """The debt that makes an unpaid rent under this rule: 2 × (280 + 20 − 50) = 500 € with
    direct payment, 2 × (280 + 20) = 600 € without (2026); 450 € from 2027."""
    if rule.kind == ARREARS_MULTIPLE:
        net = monthly_net_due(rent=rent, charges=charges, aid=aid, direct_payment=direct_payment)
        return rule.months_of_rent * net
    return rule.amount


def is_unpaid(
    rule: UnpaidRule,
    *,
    debt: Decimal,
    missed_months: int,
    rent: Decimal,
    charges: Decimal,
    aid: Decimal | None,
    direct_payment: bool,
) -> bool:
    """Whether a debt (and its months without any payment) makes an unpaid rent under a rule."""
    threshold = unpaid_threshold(
        rule, rent=rent, charges=charges, aid=aid, direct_payment=direct_payment
    )
    if rule.kind == ARREARS_MULTIPLE:
        return debt >= threshold
    return debt > threshold or missed_months >= rule.missed_months


def months_due(first_unpaid_month: datetime.date, today: datetime.date) -> int:
    """How many monthly rents have fallen due from the first unpaid month to today included."""
    first = first_of_month(first_unpaid_month)
    if today < first:
        return 0
    return (today.year - first.year) * 12 + today.month - first.month + 1


def report_deadline(rule: UnpaidRule, reached_on: datetime.date) -> datetime.date:
    """The last day to report: ``report_within_months`` (2) months after the threshold."""
    return add_months(reached_on, rule.report_within_months)


def rule_wording(rule: UnpaidRule, *, direct_payment: bool) -> str:
    """The rule in a French sentence, with its figures."""
    if rule.kind == ARREARS_MULTIPLE:
        if direct_payment:
            base = "le loyer et les charges, moins l'aide versée au bailleur"
        else:
            base = "le loyer et les charges"
        return f"la dette atteint {rule.months_of_rent} fois {base}"
    return (
        f"la dette dépasse {french_amount(rule.amount)} de loyers et charges, ou "
        f"{rule.missed_months} mois sont restés sans aucun paiement"
    )


def assess_unpaid_rent(
    *,
    rules: Sequence[UnpaidRule],
    first_unpaid_month: datetime.date,
    rent: Decimal,
    charges: Decimal,
    aid: Decimal | None,
    direct_payment: bool,
    owed: Decimal,
    tenant_pays_part: bool,
    today: datetime.date,
) -> Assessment:
    """Whether this debt is an unpaid rent to report today, since when and until when, under
    the rule in force on each month's due date (see the module's docstring)."""
    first = first_of_month(first_unpaid_month)
    due = months_due(first, today)
    if due == 0:
        return _not_reportable("Le premier mois impayé ne peut pas être un mois à venir.")
    for k in range(1, due + PROJECTION_MONTHS + 1):
        on = add_months(first, k - 1)
        rule = rule_in_force(rules, on)
        if rule is None:
            continue
        threshold = unpaid_threshold(
            rule, rent=rent, charges=charges, aid=aid, direct_payment=direct_payment
        )
        # The debt after k of the `due` months is owed × k / due: compared without dividing.
        if rule.kind == ARREARS_MULTIPLE:
            reached = owed * k >= threshold * due
        else:
            missed = 0 if tenant_pays_part else k
            reached = owed * k > threshold * due or missed >= rule.missed_months
        if reached:
            return _assessment(
                rule,
                threshold=threshold,
                reached_on=on,
                today=today,
                projected=k > due,
                direct_payment=direct_payment,
                owed=owed,
                first=first,
            )
    rule = rule_in_force(rules, today)
    if rule is None:
        return _not_reportable(
            "Aucune règle d'impayé n'est connue pour ces dates : appelez votre Caf."
        )
    threshold = unpaid_threshold(
        rule, rent=rent, charges=charges, aid=aid, direct_payment=direct_payment
    )
    return _not_reportable(
        f"La dette de {french_amount(owed)} n'est pas un impayé à signaler : selon la règle en "
        f"vigueur le {long_date(today)}, un impayé est constitué quand "
        f"{rule_wording(rule, direct_payment=direct_payment)} ({french_amount(threshold)}).",
        rule=rule,
        threshold=threshold,
    )


def _not_reportable(reason: str, *, rule=None, threshold=None) -> Assessment:
    return Assessment(
        reportable=False,
        rule=rule,
        threshold=threshold,
        reached_on=None,
        deadline=None,
        late=False,
        reason=reason,
    )


def _assessment(
    rule, *, threshold, reached_on, today, projected, direct_payment, owed, first
) -> Assessment:
    deadline = report_deadline(rule, reached_on)
    wording = (
        f"selon la règle en vigueur le {long_date(reached_on)}, un impayé est constitué quand "
        f"{rule_wording(rule, direct_payment=direct_payment)}"
    )
    if rule.kind == ARREARS_MULTIPLE:
        wording += f", soit {french_amount(threshold)}"
    if projected:
        return Assessment(
            reportable=False,
            rule=rule,
            threshold=threshold,
            reached_on=reached_on,
            deadline=deadline,
            late=False,
            reason=f"La dette de {french_amount(owed)} n'est pas encore un impayé à signaler : "
            f"{wording}. Au même rythme depuis {month_label(first)}, ce sera le cas le "
            f"{long_date(reached_on)} ; vous aurez alors jusqu'au {long_date(deadline)} pour le "
            "signaler.",
        )
    late = today > deadline
    reason = (
        f"Cet impayé est à signaler : {wording}. Votre locataire le doit depuis le "
        f"{long_date(reached_on)} ; "
    )
    if late:
        reason += (
            f"le délai de {rule.report_within_months} mois a pris fin le {long_date(deadline)} : "
            "signalez-le sans attendre."
        )
    else:
        reason += f"signalez-le au plus tard le {long_date(deadline)}."
    return Assessment(
        reportable=True,
        rule=rule,
        threshold=threshold,
        reached_on=reached_on,
        deadline=deadline,
        late=late,
        reason=reason,
    )


# --- Departures -------------------------------------------------------------------------------


def departure_month_rule(*, move_out: datetime.date, direct_payment: bool) -> list[str]:
    """What a departure means for the aid, in French: the aid of the month of departure is due
    only if that month's rent was paid in full; with direct payment, the aid received for the
    months after it is to be paid back to the Caf."""
    month = month_label(move_out)
    lines = [
        f"L'aide au logement de {month}, le mois du départ, n'est due que si le loyer de "
        f"{month} a été payé en entier."
    ]
    if direct_payment:
        lines.append(
            "Comme l'aide vous est versée directement (tiers payant), l'aide que vous recevriez "
            f"pour les mois après {month} est à rembourser à la Caf."
        )
    return lines


# --- What a reported change shows ---------------------------------------------------------------

ENDING_KINDS = ("departure", "end_of_management")


def change_state_label(*, status: str, kind: str, tenancy_end_date) -> str:
    """A departure or an end of management stays « déclaré, en attente de la Caf » until the
    agency's feed closes the tenancy (its end date); another change until an agent handles it."""
    if status == "withdrawn":
        return "retiré"
    if kind in ENDING_KINDS:
        if tenancy_end_date is not None:
            return "confirmé par la Caf"
        return "déclaré, en attente de la Caf"
    return "traité par la Caf" if status == "handled" else "déclaré, en attente de la Caf"
