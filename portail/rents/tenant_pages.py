"""One page of the tenant list, found on an index whatever the filter and the order.

Orders that need no rent nor status read the tenancies' own indexes; a status filter or an
order by a rent or the status reads the campaign's kept states (TenancyCampaignState, indexed
by portfolio, year, status or rent, then the tenant). "Page suivante" and "Page précédente"
carry an opaque cursor, the sort values of the page's last (first) row, and the next page is
the rows after it in the index (keyset): page 1,000 costs what page 2 does. A page number alone
(an address typed or kept) still works, by OFFSET. A year whose states are not built yet (the
hours before the turn of year's command) is served by the ORM's computed list, more slowly."""

import base64
import binascii
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from portail.portfolios.models import Portfolio, Tenancy
from portail.portfolios.selectors import tenancy_count

from . import rules
from .state_models import CampaignStateYear, CampaignStatusCount, TenancyCampaignState
from .tenant_list import PLAIN_SORTS, SORTS, rows_of_page, searched, tenant_list

# The state columns each order reads (tenancy columns through the join are "tenancy__...").
STATE_SORTS = {
    "nom": ("tenant_name", "recipient_number"),
    "numero": ("recipient_number",),
    "logement": ("tenancy__dwelling_address", "recipient_number"),
    "loyer_precedent": ("rent_previous_key", "recipient_number"),
    "loyer": ("rent_current_key", "recipient_number"),
    "statut": ("status", "tenant_name", "recipient_number"),
}
AMOUNT_COLUMNS = {"rent_previous_key", "rent_current_key"}
CURSOR_MAX_LENGTH = 1200
BAD_CURSOR = "Ce lien de page n'est plus valable : voici la première page de la liste."
YEAR_CACHE_SECONDS = 60


@dataclass
class ListPage:
    """What the template shows of a page: its rows, where it is, the links around it."""

    object_list: list
    number: int
    count: int
    num_pages: int
    previous_query: dict | None = None
    next_query: dict | None = None
    notice: str = ""
    extra: dict = field(default_factory=dict)

    def previous_link(self, query: str) -> str:
        return _link(query, self.previous_query)

    def next_link(self, query: str) -> str:
        return _link(query, self.next_query)


def _link(query: str, position: dict | None) -> str:
    if position is None:
        return ""
    return "?" + "&".join(part for part in (query, urlencode(position)) if part)


def states_built(year: int) -> bool:
    """Whether the states of year N are kept (cached a minute: built once a year)."""
    key = f"rents:states-built:{year}"
    built = cache.get(key)
    if built is None:
        built = CampaignStateYear.objects.filter(year=year).exists()
        cache.set(key, built, YEAR_CACHE_SECONDS)
    return built


def tenant_page(
    portfolio: Portfolio,
    *,
    year: int,
    number,
    per_page: int,
    search: str = "",
    status: str = "",
    sort: str = "nom",
    after: str = "",
    before: str = "",
) -> ListPage:
    """One page of the tenant list: ``after``/``before`` a cursor of the same order, else the
    page ``number``. Without a search the total is read, not counted: the cached tenancy_count,
    or the kept count of the status filtered."""
    filtered = status in rules.Status.LABELS
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key not in SORTS:
        key, descending = "nom", False
    plain = not filtered and key in PLAIN_SORTS
    if not plain and not states_built(year):
        return _computed_page(
            portfolio,
            year=year,
            number=number,
            per_page=per_page,
            search=search,
            status=status,
            sort=sort,
        )
    if plain:
        base = searched(Tenancy.objects.filter(portfolio=portfolio), search)
        columns, id_field, table = list(SORTS[key]), "pk", Tenancy._meta.db_table
    else:
        base = TenancyCampaignState.objects.filter(portfolio=portfolio, year=year)
        if filtered:
            base = base.filter(status=status)
        base = searched(base, search)
        columns, id_field = list(STATE_SORTS[key]), "tenancy_id"
        table = TenancyCampaignState._meta.db_table
    if (search or "").strip():
        count = base.count()
    elif filtered:  # the kept count of the status, not a COUNT of its states
        count = (
            CampaignStatusCount.objects.filter(portfolio=portfolio, year=year, status=status)
            .values_list("tenancies", flat=True)
            .first()
        ) or 0
    else:
        count = tenancy_count(portfolio)
    num_pages = max(1, -(-count // per_page))
    number = _page_number(number, num_pages)
    order = [f"-{c}" if descending else c for c in columns]
    reverse = [c[1:] if c.startswith("-") else f"-{c}" for c in order]
    cursor_text, going_back = (before, True) if before else (after, False)
    values = _decoded(cursor_text, sort=sort, columns=columns) if cursor_text else None
    notice = BAD_CURSOR if cursor_text and values is None else ""
    if values is None:
        number = 1 if notice else number
        offset = (number - 1) * per_page
        ids = base.order_by(*order).values(id_field)[offset : offset + per_page + 1]
    else:
        newer = going_back == descending  # rows after the cursor in ascending terms
        condition = _row_comparison(columns, values, table=table, greater=newer)
        ids = base.filter(condition).order_by(*(reverse if going_back else order))
        ids = ids.values(id_field)[: per_page + 1]
    rows = rows_of_page(
        ids, order=_outer_order(order, plain=plain), year=year, state_year=None if plain else year
    )
    more = len(rows) > per_page
    if values is not None and going_back:
        rows = rows[1:] if more else rows
        has_previous, has_next = more, True
    else:
        rows = rows[:per_page]
        has_previous, has_next = values is not None or number > 1, more
    if values is not None and going_back and not has_previous:
        number = 1
    page = ListPage(rows, number, count, max(num_pages, number), notice=notice)
    if has_next and rows:
        page.next_query = {"apres": _encoded(sort, rows[-1], columns), "page": number + 1}
    if has_previous and rows:
        page.previous_query = (
            {"page": 1}
            if number <= 2
            else {"avant": _encoded(sort, rows[0], columns), "page": number - 1}
        )
    return page


def _computed_page(portfolio, *, year, number, per_page, search, status, sort) -> ListPage:
    """The ORM's computed list by page number: a year whose states are not built yet."""
    paginator = Paginator(
        tenant_list(portfolio, year=year, search=search, status=status, sort=sort), per_page
    )
    page = paginator.get_page(number)
    result = ListPage(list(page.object_list), page.number, paginator.count, paginator.num_pages)
    if page.has_previous():
        result.previous_query = {"page": page.previous_page_number()}
    if page.has_next():
        result.next_query = {"page": page.next_page_number()}
    return result


def _page_number(number, num_pages: int) -> int:
    try:
        value = int(str(number))
    except (TypeError, ValueError):
        return 1
    return min(max(value, 1), num_pages)


def _outer_order(order: list[str], *, plain: bool) -> list[str]:
    """The page's order in rows_of_page's SQL: tenancy columns as t.x, state columns as s.x."""
    names = []
    for name in order:
        sign, column = ("-", name[1:]) if name.startswith("-") else ("", name)
        if column.startswith("tenancy__"):
            names.append(f"{sign}t.{column.removeprefix('tenancy__')}")
        else:
            names.append(f"{sign}{'t' if plain else 's'}.{column}")
    return names


def _row_comparison(columns: list[str], values: list, *, table: str, greater: bool) -> RawSQL:
    """(a, b) > (x, y) on the index's columns: one range of the index on both engines. Column
    and table names come from STATE_SORTS, SORTS and the models; values are parameters."""
    tenancies = Tenancy._meta.db_table
    names = ", ".join(
        f'"{tenancies}"."{c.removeprefix("tenancy__")}"'
        if c.startswith("tenancy__")
        else f'"{table}"."{c}"'
        for c in columns
    )
    marks = ", ".join(["%s"] * len(values))
    operator = ">" if greater else "<"
    return RawSQL(f"({names}) {operator} ({marks})", values, output_field=BooleanField())  # noqa: S611


def _row_value(row, column: str):
    name = column.removeprefix("tenancy__")
    if name in AMOUNT_COLUMNS:
        amount = getattr(row, name.removesuffix("_key"))
        return str(amount if amount is not None else Decimal("-1.00"))
    return getattr(row, name)


def _encoded(sort: str, row, columns: list[str]) -> str:
    return encode_cursor(sort, [_row_value(row, c) for c in columns])


def encode_cursor(sort: str, values: list[str]) -> str:
    """The opaque cursor of a row in this order: its sort values (the order's columns)."""
    text = json.dumps([sort, *values], ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decoded(text: str, *, sort: str, columns: list[str]) -> list | None:
    """The cursor's values for this order, or None when it is not one of ours."""
    if len(text) > CURSOR_MAX_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not (isinstance(values, list) and len(values) == len(columns) + 1 and values[0] == sort):
        return None
    values = values[1:]
    if not all(isinstance(v, str) and "\x00" not in v for v in values):
        return None
    for index, column in enumerate(columns):
        if column in AMOUNT_COLUMNS:
            try:
                amount = Decimal(values[index])
            except InvalidOperation:
                return None
            if not amount.is_finite() or abs(amount) > rules.MAX_AMOUNT:
                return None
            values[index] = amount.quantize(rules.CENT)
    return values
