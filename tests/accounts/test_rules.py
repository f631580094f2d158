"""Formats and rules of credentials: identifier, user number, temporary password, policies."""

import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from portail.accounts import rules
from portail.accounts.temporary_passwords import ALPHABET, LENGTH, canonical, display, generate

numbers = st.integers(min_value=0, max_value=999_999)


@given(numbers, st.sampled_from(["", " ", "-", "  "]), st.booleans())
def test_identifier_typed_with_spaces_case_or_letter_o_reads_back(number, sep, lower):
    identifier = rules.format_identifier(number)
    typed = sep.join([identifier[:3], identifier[3:6], identifier[6:]])
    typed = typed.replace("0", "O")
    typed = typed.lower() if lower else typed
    assert rules.parse_identifier(typed) == identifier


@given(numbers, st.integers(min_value=0, max_value=5), st.integers(min_value=1, max_value=9))
def test_one_wrong_digit_is_reported_as_a_typo(number, position, shift):
    identifier = rules.format_identifier(number)
    digits = list(identifier[3:9])
    digits[position] = str((int(digits[position]) + shift) % 10)
    typo = "LOG" + "".join(digits) + identifier[9]
    with pytest.raises(rules.IdentifierError) as caught:
        rules.parse_identifier(typo)
    assert caught.value.code == "check_letter"


@given(st.text(max_size=20))
@example("LOG12345²A")  # a Unicode digit that int() refuses
@example("LOG١٢٣٤٥٦A")
def test_identifier_parser_never_crashes(text):
    try:
        parsed = rules.parse_identifier(text)
    except rules.IdentifierError as error:
        assert error.message
    else:
        assert rules.looks_like_identifier(parsed)


@given(st.integers(min_value=0, max_value=99_999_999), st.sampled_from(["", " ", "-"]))
def test_user_number_round_trips_as_printed(number, sep):
    canonical_number = rules.format_user_number(number)
    printed = rules.display_user_number(canonical_number).replace(" ", sep)
    assert rules.parse_user_number(printed) == canonical_number


@given(st.text(max_size=14))
@example("123456789²")
@example("١٢٣٤٥٦٧٨٩٠")
def test_user_number_parser_never_crashes(text):
    try:
        parsed = rules.parse_user_number(text)
    except rules.UserNumberError as error:
        assert error.message
    else:
        assert len(parsed) == 10 and parsed.isascii()


def test_user_number_with_a_typo_is_refused_with_advice():
    with pytest.raises(rules.UserNumberError) as caught:
        rules.parse_user_number("1234 5678 00")
    assert "faute de frappe" in caught.value.message
    with pytest.raises(rules.UserNumberError):
        rules.parse_user_number("123")


@given(st.lists(st.sampled_from([" ", "-", ""]), min_size=LENGTH, max_size=LENGTH), st.booleans())
def test_temporary_password_typed_with_spaces_dashes_and_case_is_canonical(seps, lower):
    password = generate()
    assert len(password) == LENGTH and set(password) <= set(ALPHABET)
    typed = "".join(ch + sep for ch, sep in zip(password, seps, strict=True))
    typed = typed.lower() if lower else typed
    assert canonical(typed) == password
    assert canonical(display(password)) == password


def test_temporary_password_alphabet_has_no_look_alikes():
    assert not set("O0I1L") & set(ALPHABET)
    assert set(ALPHABET) <= set(string.ascii_uppercase + string.digits)


def test_lockouts_grow_and_are_never_permanent():
    minutes = [rules.lockout_minutes(n) for n in range(1, 10)]
    assert minutes[:3] == [5, 15, 45]
    assert minutes == sorted(minutes)
    assert max(minutes) == 24 * 60


@pytest.mark.parametrize(
    ("password", "strong"),
    [
        ("Abcdef12345!", True),  # 12 with four kinds
        ("abcdef12345!", False),  # 12 with three kinds
        ("tilleulprintemps", True),  # 14+ of any kind
        ("Court1!", False),
    ],
)
def test_cnil_length_rule(password, strong):
    assert rules.password_strong_enough(password) is strong


def test_context_word_is_found_whatever_the_case():
    words = rules.context_words("LOG012345K", "Marie MARTIN", "marie.martin@example.fr")
    assert rules.password_context_word("Soleil-MARTIN-2026", words) == "martin"
    assert rules.password_context_word("Tilleul-Printemps-Lavande", words) is None
