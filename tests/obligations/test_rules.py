"""The unpaid-rent rule (both rule sets, the boundary days, the deadline, the worked example)
and the departure rule, as pure functions; the rules are the seeded rows' values."""

import datetime
import importlib
from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from portail.obligations import rules

SEED = importlib.import_module("portail.obligations.migrations.0002_seed_unpaid_rules").RULES
RULES = [
    rules.UnpaidRule(
        valid_from=row["valid_from"],
        kind=row["kind"],
        months_of_rent=row.get("months_of_rent"),
        amount=row.get("amount"),
        missed_months=row.get("missed_months"),
        report_within_months=row["report_within_months"],
    )
    for row in SEED
]
OLD, NEW = RULES
LAST_OLD_DAY = datetime.date(2026, 12, 31)
FIRST_NEW_DAY = datetime.date(2027, 1, 1)

cents = st.integers(min_value=1, max_value=300_000).map(lambda c: Decimal(c) / 100)
days = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2035, 12, 31))


def assess(**facts):
    values = {
        "rules": RULES,
        "first_unpaid_month": datetime.date(2026, 11, 1),
        "rent": Decimal("280"),
        "charges": Decimal("20"),
        "aid": Decimal("50"),
        "direct_payment": True,
        "owed": Decimal("500"),
        "tenant_pays_part": False,
        "today": datetime.date(2026, 12, 15),
    }
    values.update(facts)
    return rules.assess_unpaid_rent(**values)


# --- The worked example of the agency's page ---------------------------------------------------


def test_worked_example_threshold_is_500_with_direct_payment_and_600_without():
    example = {"rent": Decimal("280"), "charges": Decimal("20"), "aid": Decimal("50")}
    assert rules.unpaid_threshold(OLD, direct_payment=True, **example) == Decimal("500")
    assert rules.unpaid_threshold(OLD, direct_payment=False, **example) == Decimal("600")


def test_worked_example_500_is_reportable_from_the_second_month_with_its_deadline():
    result = assess()
    assert result.reportable
    assert result.threshold == Decimal("500")
    assert result.reached_on == datetime.date(2026, 12, 1)
    assert result.deadline == datetime.date(2027, 2, 1)
    assert "500,00" in result.reason and "1er février 2027" in result.reason


def test_worked_example_without_direct_payment_500_is_not_yet_reportable_600_is():
    spring = {"first_unpaid_month": datetime.date(2026, 3, 1), "today": datetime.date(2026, 4, 15)}
    below = assess(direct_payment=False, owed=Decimal("500"), tenant_pays_part=True, **spring)
    assert not below.reportable and below.threshold == Decimal("600")
    # 250 € a month: 750 € on 1 May, the first due date at or above 600 €.
    assert below.reached_on == datetime.date(2026, 5, 1) and "600,00" in below.reason
    # 600 owed over November and December: 2 × (280 + 20), reached on 1 December.
    reached = assess(direct_payment=False, owed=Decimal("600"))
    assert reached.reportable and reached.threshold == Decimal("600")
    assert reached.reached_on == datetime.date(2026, 12, 1)


# --- Which rule applies: the boundary days ----------------------------------------------------


def test_the_rule_in_force_changes_between_31_december_2026_and_1_january_2027():
    assert rules.rule_in_force(RULES, LAST_OLD_DAY) is OLD
    assert rules.rule_in_force(RULES, FIRST_NEW_DAY) is NEW
    assert rules.rule_in_force(RULES, datetime.date(1999, 12, 31)) is None


@given(day=days)
def test_the_rule_in_force_is_the_latest_started(day):
    rule = rules.rule_in_force(RULES, day)
    assert rule is (OLD if day <= LAST_OLD_DAY else NEW)


def test_on_31_december_2026_a_450_debt_is_judged_under_the_2026_rule():
    # 2 months of 300 € (no direct payment): threshold 600 €; 450 € owed is not enough yet.
    result = assess(
        direct_payment=False, owed=Decimal("450"), tenant_pays_part=True, today=LAST_OLD_DAY
    )
    assert not result.reportable
    # The same debt growing at the same rhythm crosses 450 € under the 2027 rule on 1 January.
    assert result.reached_on == FIRST_NEW_DAY and result.rule is NEW


def test_on_1_january_2027_a_debt_above_450_is_reportable_under_the_2027_rule():
    result = assess(
        first_unpaid_month=datetime.date(2027, 1, 1),
        direct_payment=False,
        owed=Decimal("450.01"),
        tenant_pays_part=True,
        today=FIRST_NEW_DAY,
    )
    assert result.reportable and result.rule is NEW
    assert result.reached_on == FIRST_NEW_DAY
    assert result.deadline == datetime.date(2027, 3, 1)
    exactly = assess(
        first_unpaid_month=datetime.date(2027, 1, 1),
        direct_payment=False,
        owed=Decimal("450.00"),
        tenant_pays_part=True,
        today=FIRST_NEW_DAY,
    )
    assert not exactly.reportable  # "exceeds 450 €": 450 € exactly is not yet


def test_2027_rule_three_months_without_any_payment():
    common = {
        "first_unpaid_month": datetime.date(2027, 1, 1),
        "direct_payment": True,
        "owed": Decimal("300"),  # 3 × 100 €, below 450 €
        "rent": Decimal("100"),
        "charges": Decimal("0"),
        "aid": Decimal("0"),
        "today": datetime.date(2027, 3, 10),
    }
    nothing_paid = assess(tenant_pays_part=False, **common)
    assert nothing_paid.reportable and nothing_paid.reached_on == datetime.date(2027, 3, 1)
    assert nothing_paid.deadline == datetime.date(2027, 5, 1)
    part_paid = assess(tenant_pays_part=True, **common)
    assert not part_paid.reportable


# --- Properties -------------------------------------------------------------------------------


@given(rent=cents, charges=cents, aid=cents)
def test_2026_threshold_is_twice_the_net_monthly_amount(rent, charges, aid):
    assume(aid < rent + charges)
    direct = rules.unpaid_threshold(OLD, rent=rent, charges=charges, aid=aid, direct_payment=True)
    other = rules.unpaid_threshold(OLD, rent=rent, charges=charges, aid=aid, direct_payment=False)
    assert direct == 2 * (rent + charges - aid)
    assert other == 2 * (rent + charges)
    assert direct < other


@given(rent=cents, charges=cents, aid=cents)
def test_2027_threshold_is_450_whatever_the_rent(rent, charges, aid):
    for direct in (True, False):
        value = rules.unpaid_threshold(
            NEW, rent=rent, charges=charges, aid=aid, direct_payment=direct
        )
        assert value == Decimal("450")


@given(
    first=st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2028, 12, 1)),
    rent=cents,
    charges=cents,
    aid=cents,
    owed=cents,
    direct=st.booleans(),
    pays_part=st.booleans(),
    later=st.integers(min_value=0, max_value=900),
)
def test_an_assessment_is_consistent(first, rent, charges, aid, owed, direct, pays_part, later):
    assume(aid < rent + charges)
    today = first + datetime.timedelta(days=later)
    result = rules.assess_unpaid_rent(
        rules=RULES,
        first_unpaid_month=first,
        rent=rent,
        charges=charges,
        aid=aid,
        direct_payment=direct,
        owed=owed,
        tenant_pays_part=pays_part,
        today=today,
    )
    assert result.reason
    if result.reached_on is None:
        assert not result.reportable
        return
    # Reached on a due date (the 1st), under the rule in force that day, never before the
    # first unpaid month; the deadline is 2 months later; reportable once the day has come.
    assert result.reached_on.day == 1
    assert result.reached_on >= first.replace(day=1)
    assert result.rule is rules.rule_in_force(RULES, result.reached_on)
    assert result.deadline == rules.add_months(result.reached_on, 2)
    assert result.reportable == (result.reached_on <= today)
    assert result.late == (result.reportable and today > result.deadline)
    # Independent of the implementation: the debt after k months (owed × k / months due,
    # exactly) meets the criterion on the day it is reached, and on no due date before.
    due = rules.months_due(first, today)
    reached_k = rules.months_due(first, result.reached_on)

    def meets(k):
        rule = rules.rule_in_force(RULES, rules.add_months(first.replace(day=1), k - 1))
        debt = Fraction(owed) * k / due
        if rule is OLD:
            net = rent + charges - (aid if direct else 0)
            return debt >= 2 * Fraction(net)
        return debt > 450 or (not pays_part and k >= 3)

    assert meets(reached_k)
    assert not any(meets(k) for k in range(1, reached_k))


@given(day=days, months=st.integers(min_value=1, max_value=24))
def test_the_deadline_is_the_same_day_months_later_or_the_months_last_day(day, months):
    deadline = rules.add_months(day, months)
    assert (deadline.year * 12 + deadline.month) - (day.year * 12 + day.month) == months
    assert deadline.day == day.day or deadline.day < day.day
    assert deadline > day


def test_long_dates_and_months_in_french():
    assert rules.long_date(datetime.date(2027, 1, 1)) == "1er janvier 2027"
    assert rules.long_date(datetime.date(2027, 1, 15)) == "15 janvier 2027"
    assert rules.month_label(datetime.date(2026, 8, 1)) == "août 2026"


def test_departure_rule_names_the_month_and_repayment_for_direct_payment():
    direct = rules.departure_month_rule(move_out=datetime.date(2027, 1, 20), direct_payment=True)
    assert "janvier 2027" in direct[0] and "payé en entier" in direct[0]
    assert "rembourser" in direct[1]
    other = rules.departure_month_rule(move_out=datetime.date(2027, 1, 20), direct_payment=False)
    assert len(other) == 1
