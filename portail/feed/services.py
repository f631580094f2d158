"""Import of the agency's data feed: idempotent, all-or-nothing, every bad line reported.

The files are read and checked in full (formats, duplicates, references between files and to
what the portal already holds) before anything is written; a single bad line anywhere means
nothing changes. Rows absent from a file are left as they are: a feed may be partial.
"""

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from portail.accounts.models import Landlord
from portail.common import clock
from portail.obligations.services import confirm_changes_closed_by_feed
from portail.payments.events import payments_posted
from portail.payments.services import follow_moved_tenancies, tenancies_of_numbers
from portail.portfolios.models import Portfolio, Tenancy
from portail.portfolios.selectors import forget_tenancy_counts
from portail.rents.campaign_state import refresh_states
from portail.rents.declarations import keep_superseded_versions
from portail.rents.models import JulyRent

from . import parsing, payment_import
from .bulk import chunks as _chunks
from .bulk import insert_rows as _insert_rows
from .bulk import large_page_cache

_BATCH = 1000


@dataclass(frozen=True)
class FeedError:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.reason}"


@dataclass
class FileCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class FeedReport:
    counts: dict[str, FileCounts] = field(default_factory=dict)
    errors: list[FeedError] = field(default_factory=list)
    created_landlord_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class FeedFileSpec:
    name: str
    columns: tuple[str, ...]
    key: Callable[[dict], object]
    clean: Callable[[dict], dict]


LANDLORDS = FeedFileSpec(
    "landlords.csv", parsing.LANDLORD_COLUMNS, parsing.landlord_key, parsing.clean_landlord
)
PORTFOLIOS = FeedFileSpec(
    "portfolios.csv", parsing.PORTFOLIO_COLUMNS, parsing.portfolio_key, parsing.clean_portfolio
)
TENANCIES = FeedFileSpec(
    "tenancies.csv", parsing.TENANCY_COLUMNS, parsing.tenancy_key, parsing.clean_tenancy
)
RENTS = FeedFileSpec("rents.csv", parsing.RENT_COLUMNS, parsing.rent_key, parsing.clean_rent)
PAYMENTS = FeedFileSpec(
    "payments.csv", parsing.PAYMENT_COLUMNS, parsing.payment_key, parsing.clean_payment
)
FEED_FILES = (LANDLORDS, PORTFOLIOS, TENANCIES, RENTS, PAYMENTS)


def _read_file(
    path: Path, spec: FeedFileSpec, errors: list[FeedError]
) -> dict[object, tuple[int, object]]:
    """key -> (line number, clean values) for every good line; bad lines go to ``errors``."""

    def error(line: int, reason: str) -> None:
        errors.append(FeedError(spec.name, line, reason))

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            if spec is PAYMENTS:  # up to 1.2 million lines: a loop of its own
                return payment_import.read_payments(handle, error)
            return _read_rows(handle, spec, error)
    except UnicodeDecodeError as problem:
        error(0, f"not UTF-8 text ({problem.reason})")
    except csv.Error as problem:
        error(0, f"not a readable CSV file ({problem})")
    return {}


def _read_rows(handle, spec: FeedFileSpec, error) -> dict[object, tuple[int, dict]]:
    rows: dict[object, tuple[int, dict]] = {}
    reader = csv.DictReader(handle)
    missing = [c for c in spec.columns if c not in (reader.fieldnames or [])]
    if missing:
        error(1, f"missing columns: {', '.join(missing)}")
        return rows
    for row in reader:
        line = reader.line_num
        if None in row or None in row.values():
            error(line, "wrong number of fields")
            continue
        try:
            key, values = spec.key(row), spec.clean(row)
        except parsing.FeedLineError as problem:
            error(line, str(problem))
            continue
        if key in rows:
            error(line, f"{key} already given on line {rows[key][0]}")
            continue
        rows[key] = (line, values)
    return rows


def _existing_ids(model, field_name: str, keys: Iterable) -> dict:
    """Map from key to primary key for the rows of ``model`` whose ``field_name`` is in keys."""
    found: dict = {}
    for chunk in _chunks(sorted(set(keys))):
        found.update(
            model.objects.filter(**{f"{field_name}__in": chunk}).values_list(field_name, "pk")
        )
    return found


def _check_references(
    rows: dict, spec: FeedFileSpec, column: str, known: set, target: str, errors: list[FeedError]
) -> None:
    for line, values in rows.values():
        if values[column] not in known:
            errors.append(
                FeedError(spec.name, line, f"{column} {values[column]!r} is unknown ({target})")
            )


def _upsert(
    model, key_field: str, rows: dict[object, dict], counts: FileCounts, *, stamp: str | None = None
) -> list:
    """Create missing rows, update those whose values differ; returns the created keys."""
    names = list(next(iter(rows.values()), {}))
    existing = {}
    for chunk in _chunks(list(rows)):
        for current in model.objects.filter(**{f"{key_field}__in": chunk}).values(
            "pk", key_field, *names
        ):
            existing[current[key_field]] = current
    to_create, to_update, changed_fields = [], [], set()
    for key, values in rows.items():
        current = existing.get(key)
        if current is None:
            to_create.append({key_field: key, **values})
            continue
        differing = {name: value for name, value in values.items() if current[name] != value}
        if not differing:
            counts.unchanged += 1
            continue
        if stamp:
            differing[stamp] = clock.now()
        changed_fields.update(differing)
        to_update.append(model(pk=current["pk"], **differing))
    _insert_rows(model, to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=_BATCH)
    counts.created += len(to_create)
    counts.updated += len(to_update)
    return [row[key_field] for row in to_create]


def _write_rents(rows: dict, tenancy_ids: dict, counts: FileCounts) -> None:
    by_tenancy_year = {
        (tenancy_ids[number], year): values for (number, year), values in rows.items()
    }
    existing = {}
    for chunk in _chunks(sorted({tid for tid, _ in by_tenancy_year})):
        for tenancy_id, year, pk, amount in JulyRent.objects.filter(
            tenancy_id__in=chunk
        ).values_list("tenancy_id", "year", "pk", "amount"):
            existing[(tenancy_id, year)] = (pk, amount)
    to_create, to_update = [], []
    now = clock.now()
    for (tenancy_id, year), values in by_tenancy_year.items():
        pk, amount = existing.get((tenancy_id, year), (None, None))
        if pk is None:
            to_create.append(
                {
                    "tenancy_id": tenancy_id,
                    "year": year,
                    "amount": values["amount"],
                    "source": JulyRent.Source.FEED,
                    "recorded_at": now,
                }
            )
        elif amount != values["amount"]:
            to_update.append(
                JulyRent(
                    pk=pk,
                    amount=values["amount"],
                    source=JulyRent.Source.FEED,
                    recorded_at=now,
                    recorded_by=None,
                    submission=None,
                    version=None,
                )
            )
        else:
            counts.unchanged += 1
    _insert_rows(JulyRent, to_create)
    # A landlord's declaration the agency's rent replaces is kept in the history of versions.
    for chunk in _chunks([rent.pk for rent in to_update]):
        keep_superseded_versions(JulyRent.objects.filter(pk__in=chunk))
    JulyRent.objects.bulk_update(
        to_update,
        ["amount", "source", "recorded_at", "recorded_by", "submission", "version"],
        batch_size=_BATCH,
    )
    counts.created += len(to_create)
    counts.updated += len(to_update)


def read_feed(directory: Path) -> tuple[dict[str, dict], list[FeedError]]:
    """Every feed file present in ``directory``, checked in full; nothing is written."""
    errors: list[FeedError] = []
    parsed = {
        spec.name: _read_file(directory / spec.name, spec, errors)
        for spec in FEED_FILES
        if (directory / spec.name).is_file()
    }
    landlords, portfolios = parsed.get(LANDLORDS.name, {}), parsed.get(PORTFOLIOS.name, {})
    tenancies, rents = parsed.get(TENANCIES.name, {}), parsed.get(RENTS.name, {})
    payments = parsed.get(PAYMENTS.name, {})
    if portfolios:
        known = set(landlords) | set(
            _existing_ids(Landlord, "ref", {v["landlord_ref"] for _, v in portfolios.values()})
        )
        _check_references(
            portfolios,
            PORTFOLIOS,
            "landlord_ref",
            known,
            "not in landlords.csv nor in the portal",
            errors,
        )
    if tenancies:
        known = set(portfolios) | set(
            _existing_ids(Portfolio, "ref", {v["portfolio_ref"] for _, v in tenancies.values()})
        )
        _check_references(
            tenancies,
            TENANCIES,
            "portfolio_ref",
            known,
            "not in portfolios.csv nor in the portal",
            errors,
        )
    if rents:
        numbers = {number for number, _ in rents}
        known = set(tenancies) | set(
            _existing_ids(Tenancy, "recipient_number", numbers - set(tenancies))
        )
        _check_references(
            rents,
            RENTS,
            "recipient_number",
            known,
            "not in tenancies.csv nor in the portal",
            errors,
        )
    if payments:
        numbers = {values[0] for _, values in payments.values()} - set(tenancies)
        known = set(tenancies) | set(tenancies_of_numbers(numbers))
        for line, values in payments.values():
            if values[0] not in known:
                errors.append(
                    FeedError(
                        PAYMENTS.name,
                        line,
                        f"recipient_number {values[0]!r} is unknown "
                        "(not in tenancies.csv nor in the portal)",
                    )
                )
    errors.sort(key=lambda e: ([s.name for s in FEED_FILES].index(e.file), e.line))
    return parsed, errors


def import_feed(*, directory: Path) -> FeedReport:
    """Bring the portal in line with the agency's feed; one bad line anywhere changes nothing."""
    with large_page_cache():
        return _import_feed(directory)


@transaction.atomic
def _import_feed(directory: Path) -> FeedReport:
    parsed, errors = read_feed(directory)
    report = FeedReport(errors=errors)
    if errors:
        return report

    def values_of(spec: FeedFileSpec) -> dict:
        return {key: values for key, (_line, values) in parsed.get(spec.name, {}).items()}

    landlords = values_of(LANDLORDS)
    if LANDLORDS.name in parsed:
        counts = report.counts[LANDLORDS.name] = FileCounts()
        created = _upsert(Landlord, "ref", landlords, counts, stamp="updated_at")
        report.created_landlord_ids = list(_existing_ids(Landlord, "ref", created).values())
    if PORTFOLIOS.name in parsed:
        rows = values_of(PORTFOLIOS)
        ids = _existing_ids(Landlord, "ref", {v["landlord_ref"] for v in rows.values()})
        rows = {
            k: {"landlord_id": ids[v["landlord_ref"]], "name": v["name"]} for k, v in rows.items()
        }
        _upsert(Portfolio, "ref", rows, report.counts.setdefault(PORTFOLIOS.name, FileCounts()))
    if TENANCIES.name in parsed:
        rows = values_of(TENANCIES)
        ids = _existing_ids(Portfolio, "ref", {v["portfolio_ref"] for v in rows.values()})
        for values in rows.values():
            values["portfolio_id"] = ids[values.pop("portfolio_ref")]
        _upsert(
            Tenancy,
            "recipient_number",
            rows,
            report.counts.setdefault(TENANCIES.name, FileCounts()),
            stamp="updated_at",
        )
        # The tenant lists' cached totals (a portfolio a tenancy left keeps its count for
        # the cache's 5 minutes at most).
        portfolio_ids = {values["portfolio_id"] for values in rows.values()}
        transaction.on_commit(lambda: forget_tenancy_counts(portfolio_ids))
        # A departure the landlord reported is confirmed once the feed closes the tenancy.
        confirm_changes_closed_by_feed()
        # A tenancy that moved takes its payments (and their monthly totals) along.
        follow_moved_tenancies(
            tenancy_ids=_existing_ids(Tenancy, "recipient_number", rows).values()
        )
    if RENTS.name in parsed:
        rows = values_of(RENTS)
        tenancy_ids = _existing_ids(Tenancy, "recipient_number", {number for number, _ in rows})
        _write_rents(rows, tenancy_ids, report.counts.setdefault(RENTS.name, FileCounts()))
    # The campaign states of the tenancies and rents written follow, in this transaction.
    refresh_states(
        _existing_ids(
            Tenancy, "recipient_number", {*values_of(TENANCIES), *(n for n, _ in values_of(RENTS))}
        ).values()
    )
    if PAYMENTS.name in parsed:
        months = payment_import.write_payments(
            parsed[PAYMENTS.name], report.counts.setdefault(PAYMENTS.name, FileCounts())
        )
        # One payment.posted event per portfolio listened to, with the payments (outbox).
        payments_posted(months=months)
    if report.created_landlord_ids:
        # Each new landlord gets its first user and its access, after this transaction commits.
        from portail.accounts.tasks import schedule_first_access

        schedule_first_access(landlord_ids=report.created_landlord_ids)
    return report
