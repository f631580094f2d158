"""Property tests: whatever a feed line holds, its reader answers a value or a reason."""

from hypothesis import given
from hypothesis import strategies as st

from portail.feed import parsing

LINES = st.fixed_dictionaries(
    {},
    optional={
        column: st.one_of(st.none(), st.text(max_size=40))
        for column in set(parsing.LANDLORD_COLUMNS + parsing.TENANCY_COLUMNS + parsing.RENT_COLUMNS)
    },
)
READERS = (
    parsing.clean_landlord,
    parsing.landlord_key,
    parsing.clean_portfolio,
    parsing.portfolio_key,
    parsing.clean_tenancy,
    parsing.tenancy_key,
    parsing.clean_rent,
    parsing.rent_key,
)


@given(LINES)
def test_readers_never_fail_other_than_with_a_reason(row):
    for read in READERS:
        try:
            read(row)
        except parsing.FeedLineError as error:
            assert str(error)


@given(st.decimals(min_value=0, max_value=9_999_999, places=2, allow_nan=False))
def test_feed_amounts_with_a_dot_are_read_exactly(amount):
    row = {"recipient_number": "1234567", "month": "7", "amount": f"{amount:.2f}"}
    assert parsing.clean_rent(row)["amount"] == amount
