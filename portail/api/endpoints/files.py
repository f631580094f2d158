"""Files of rents: deposit (202 and the file's URL), poll its state, read its report line by
line, record it: rents.bulk, the deposit page's services, inline or in the background by size
as there."""

from django.http import HttpResponse
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from portail.rents import bulk as bulk_files
from portail.rents import selectors
from portail.rents.declarations import DeclarationRefused
from portail.rents.models import BulkImport

from .. import pagination
from ..auth import require_declare
from ..problems import Problem
from ..queries import query_parameters
from ..schemas import FileOut, FileReport, ProblemOut, RecordIn
from ..selectors import portfolio_of_token
from .declarations import CANNOT_DECLARE

router = Router(tags=["files"])


def _declaring_portfolio(request, portfolio_id: int):
    require_declare(request)
    portfolio = portfolio_of_token(request.auth, portfolio_id)
    if not portfolio.may_declare:
        raise Problem(403, CANNOT_DECLARE, slug="forbidden")
    return portfolio


def file_out(bulk: BulkImport) -> dict:
    url = f"/api/v1/portfolios/{bulk.portfolio_id}/files/{bulk.pk}"
    return {
        "id": bulk.pk,
        "filename": bulk.filename,
        "year": bulk.year,
        "status": bulk.status,
        "total_lines": bulk.total_lines,
        "processed_lines": bulk.processed_lines,
        "valid_lines": bulk.valid_count,
        "error_lines": len(bulk.errors),
        "warning_lines": len(bulk.warnings),
        "refusal": bulk.refusal,
        "acknowledgement_id": bulk.submission_id,
        "uploaded_at": bulk.uploaded_at,
        "url": url,
        "report_url": f"{url}/report",
    }


@router.post(
    "/portfolios/{portfolio_id}/files",
    response={202: FileOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="deposit_file",
)
@query_parameters()
def deposit_file(
    request, response: HttpResponse, portfolio_id: int, file: UploadedFile = File(...)
):
    """Deposit a file of July rents (CSV with ; or , or XLSX: recipient_number, amount; a
    header line allowed). Small files are checked at once, large ones in the background: poll
    the file's URL (or wait for the file.checked event)."""
    portfolio = _declaring_portfolio(request, portfolio_id)
    try:
        bulk = bulk_files.deposit_and_check_bulk_import(
            user=request.user, portfolio=portfolio, upload=file
        )
    except DeclarationRefused as refusal:
        raise Problem(422, refusal.message, slug="declaration-refused") from None
    bulk.refresh_from_db()
    response["Location"] = file_out(bulk)["url"]
    return Status(202, file_out(bulk))


@router.get(
    "/portfolios/{portfolio_id}/files/{file_id}",
    response={200: FileOut, 403: ProblemOut, 404: ProblemOut},
    operation_id="get_file",
)
@query_parameters()
def get_file(request, portfolio_id: int, file_id: int):
    """A deposited file's state: checking, checked, recording, recorded or failed (unreadable),
    with its counts of lines."""
    portfolio = _declaring_portfolio(request, portfolio_id)
    return file_out(selectors.bulk_import_for_portfolio(portfolio, file_id))


@router.get(
    "/portfolios/{portfolio_id}/files/{file_id}/report",
    response={200: FileReport, 403: ProblemOut, 404: ProblemOut},
    operation_id="get_file_report",
)
@query_parameters("cursor", "limit")
def get_file_report(
    request,
    portfolio_id: int,
    file_id: int,
    cursor: str | None = None,
    limit: int = Query(pagination.LARGEST_LIMIT, ge=1, le=pagination.LARGEST_LIMIT),
):
    """The file's errors and the amounts to confirm, line by line, in line order, with the
    screen's French messages."""
    portfolio = _declaring_portfolio(request, portfolio_id)
    bulk = selectors.bulk_import_for_portfolio(portfolio, file_id)
    after = pagination.decode(cursor, int)
    first = after[0] if after else 0
    lines = sorted(
        [
            {"line": line, "kind": "error", "recipient_number": number, "detail": detail}
            for line, number, detail in bulk.errors
            if line > first
        ]
        + [
            {"line": line, "kind": "warning", "recipient_number": None, "detail": detail}
            for line, detail in bulk.warnings
            if line > first
        ],
        key=lambda item: (item["line"], item["kind"]),
    )
    page = lines[:limit]
    more = len(lines) > limit
    return {
        "items": page,
        "next_cursor": pagination.encode([page[-1]["line"]]) if more else None,
    }


@router.post(
    "/portfolios/{portfolio_id}/files/{file_id}/record",
    response={200: FileOut, 202: FileOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    operation_id="record_file",
)
@query_parameters()
def record_file(request, portfolio_id: int, file_id: int, choice: RecordIn):
    """Record a checked file as one submission with one acknowledgement: 200 when done, 202
    when large files go to the background (poll the file). A file with errors is recorded
    only with valid_lines_only; unusual amounts only with confirmed. Recording twice records
    once."""
    portfolio = _declaring_portfolio(request, portfolio_id)
    bulk = selectors.bulk_import_for_portfolio(portfolio, file_id)
    if bulk.status != BulkImport.Status.RECORDED:
        try:
            bulk = bulk_files.record_or_queue_bulk_import(
                bulk=bulk,
                user=request.user,
                valid_only=choice.valid_lines_only,
                confirmed=choice.confirmed,
            )
        except DeclarationRefused as refusal:
            raise Problem(
                422, refusal.message, slug="declaration-refused", help_entry=refusal.help_entry
            ) from None
    bulk = selectors.bulk_import_for_portfolio(portfolio, file_id)
    return Status(202 if bulk.status == BulkImport.Status.RECORDING else 200, file_out(bulk))
