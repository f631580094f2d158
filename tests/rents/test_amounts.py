"""The amount reader (difficulty 10): French forms read, ambiguous ones refused with the example."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portail.common.formats import french_amount
from portail.rents.rules import AMOUNT_EXAMPLE, AmountError, parse_amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("650,50", "650.50"),
        ("650", "650.00"),
        ("650,5", "650.50"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("650,50 €", "650.50"),
        ("650,50€", "650.50"),
        ("650,50 euros", "650.50"),
        ("650,50 EUR", "650.50"),
        ("  650,50  ", "650.50"),
        ("650.50", "650.50"),
        ("1 234.56", "1234.56"),
        ("1\u202f234,56\u00a0€", "1234.56"),
    ],
)
def test_french_forms_are_read(text, expected):
    value = parse_amount(text)
    assert value == Decimal(expected)
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.234", "1\u202f234\u00a0€ ou 1,23\u00a0€"),
        ("6 5 0", "milliers"),
        ("six cents", "chiffres"),
        ("650a", "chiffres"),
        ("-650", "négatif"),
        ("", "Indiquez"),
        ("0", "supérieur à 0"),
        ("650,505", "centimes"),
        ("1.234,56", "point"),
        ("99999999", "trop élevé"),
    ],
)
def test_ambiguous_or_wrong_forms_are_refused_with_the_example(text, reason):
    with pytest.raises(AmountError) as refusal:
        parse_amount(text)
    assert reason in refusal.value.message
    assert AMOUNT_EXAMPLE in refusal.value.message
    assert "650,50" in refusal.value.message


@given(st.text(max_size=30))
def test_any_text_is_read_or_refused_never_crashes(text):
    try:
        value = parse_amount(text)
    except AmountError:
        return
    assert isinstance(value, Decimal)
    assert value > 0
    assert value == value.quantize(Decimal("0.01"))


@given(st.text(alphabet="0123456789 ,.€\u00a0\u202f-euros", max_size=16))
def test_amount_like_text_never_crashes_and_round_trips(text):
    try:
        value = parse_amount(text)
    except AmountError:
        return
    assert not isinstance(value, float)
    assert parse_amount(french_amount(value)) == value


@given(st.decimals(min_value="0.01", max_value="9999999.99", places=2))
def test_every_amount_round_trips_through_the_french_formatter(value):
    assert parse_amount(french_amount(value)) == value
    assert parse_amount(str(value).replace(".", ",")) == value


@given(st.text(alphabet="0123456789,. \u00a0", max_size=12))
def test_the_quick_reading_of_plain_amounts_agrees_with_the_full_rule(text):
    from portail.rents.rules import _parse_amount_in_full

    def outcome(parse):
        try:
            return parse(text)
        except AmountError as error:
            return error.message

    assert outcome(parse_amount) == outcome(_parse_amount_in_full)
