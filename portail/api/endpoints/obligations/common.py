"""What the obligations' operations share: the right to declare, the tenant by recipient
number, a write run once per Idempotency-Key through the screen's form and the service
(``once``), the lists' pages newest first and their query parameters."""

import datetime
from collections.abc import Callable
from typing import TypeVar

from django.db.models import Q
from django.http import Http404
from ninja import Header, Query, Status

from portail.api import idempotency, pagination
from portail.api.auth import require_declare
from portail.api.problems import Problem
from portail.api.queries import INSTANT_PATTERN, instant
from portail.api.selectors import portfolio_of_token
from portail.obligations import selectors, services

NO_NUL = r"^[^\x00]*$"  # PostgreSQL cannot compare text holding NUL

T = TypeVar("T")
IDEMPOTENCY_KEY = Header(
    ...,
    alias="Idempotency-Key",
    min_length=1,
    max_length=idempotency.LONGEST_KEY,
    description="A new value (a UUID) for each step, the same for its retries.",
)
# Optional where v1 first served the operation without it (a new required header would break
# the software already calling it): with it, a retry gets the first answer.
OPTIONAL_IDEMPOTENCY_KEY = Header(
    None,
    alias="Idempotency-Key",
    min_length=1,
    max_length=idempotency.LONGEST_KEY,
    description="Optional: a new value (a UUID) for each report, the same for its retries, "
    "which then get the first answer instead of « déjà déclaré ».",
)


def declaring(request, portfolio_id: int):
    require_declare(request)
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    if not portfolio.may_declare:
        raise Problem(403, services.CANNOT_DECLARE, slug="forbidden")
    return portfolio


def recipient_tenancy(portfolio, recipient_number: str):
    tenancy = selectors.tenancy_by_number(portfolio, recipient_number)
    if tenancy is None:
        raise Http404("Locataire introuvable")
    return tenancy


def valid(form) -> None:
    """422 with the screen's form's own French messages, the first one as the detail."""
    if not form.is_valid():
        errors = [
            {"field": field if field != "__all__" else "", "detail": str(message)}
            for field, messages in form.errors.items()
            for message in messages
        ]
        raise Problem(422, errors[0]["detail"], slug="validation-error", errors=errors)


def _recorded(form, write: Callable[[], T], *, field: str = "") -> T:
    """What the service ``write`` returns once the screen's form (if any) is valid; 422 with
    the form's messages, or with the service's refusal (on ``field`` where the screen puts
    it)."""
    if form is not None:
        valid(form)
    try:
        return write()
    except services.ReportRefused as refusal:
        errors = [{"field": field, "detail": refusal.message}] if field else None
        raise Problem(422, refusal.message, slug="report-refused", errors=errors) from None


def once(
    request,
    *,
    key: str | None,
    form,
    write: Callable[[], T],
    status: int,
    out: Callable[[T], dict],
    field: str = "",
    body: bytes | None = None,
) -> Status:
    """A write of the obligations: the screen's form, then its service (``_recorded``), run
    once per Idempotency-Key, claimed before writing (idempotency.run_once): a retry or a
    parallel twin gets the first answer, ``status`` and ``out`` of what was recorded."""
    answered, answer = idempotency.run_once(
        request,
        key=key,
        write=lambda: (status, out(_recorded(form, write, field=field))),
        claim_first=True,
        body=body,
    )
    return Status(answered, answer)


def newest_first(queryset, *, cursor: str | None, limit: int, out: Callable[..., dict]) -> dict:
    """A page of reports newest first (reported_at, then id, descending), after the cursor's."""
    after = pagination.decode(cursor, str, int)
    if after is not None:
        try:
            when = datetime.datetime.fromisoformat(after[0])
            when = when.astimezone(datetime.UTC) if when.tzinfo else None
        except (ValueError, OverflowError):
            when = None
        if when is None:
            raise pagination.invalid()
        queryset = queryset.filter(Q(reported_at__lt=when) | Q(reported_at=when, id__lt=after[1]))
    page = list(queryset[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    last = page[-1] if more else None
    return {
        "items": [out(report) for report in page],
        "next_cursor": pagination.encode([last.reported_at.isoformat(), last.pk]) if last else None,
    }


def since(updated_since: str | None) -> datetime.datetime | None:
    return None if updated_since is None else instant(updated_since)


CURSOR = Query(None, max_length=200, description="next_cursor of the previous page")
LIMIT = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.LARGEST_LIMIT)
RECIPIENT = Query(None, max_length=13, pattern=NO_NUL, description="One tenant's reports")
UPDATED_SINCE = Query(
    None,
    pattern=INSTANT_PATTERN,
    description="Reports changed (reported, corrected, a new state or step) since this "
    "instant: ISO 8601 with its offset, e.g. 2026-09-01T00:00:00Z",
)
