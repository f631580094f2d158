"""Files of rents (bulk declaration): deposit, check every line with the screen's rules, then
record the valid lines as one submission, inline or in the background by size."""

import logging
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from portail.common import clock
from portail.help.difficulties import Difficulty
from portail.portfolios.models import Portfolio, Tenancy

from . import bulk_writes, events, file_states, rules, selectors
from .declarations import DeclarationRefused, check_campaign_open, check_may_declare
from .models import BulkImport, RentSubmission
from .parsing import FileRefused, RentFile, check_file_limits, read_rent_lines
from .tenant_list import with_rents

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 0.5  # the progress bar is written at most this often
# A file's errors are stored bounded: the first ones in full, the others only counted.
ERRORS_KEPT = 1000
MAX_SHOWN_CHARACTERS = 40  # of a recipient number as typed in a refused line
FEW_LINES = 1000  # a file of up to this many lines reads only the tenancies it names


def check_bulk_import(*, bulk_import_id: int) -> BulkImport:
    """Check every line of a file of rents with the screen's rules, noting each error with its
    line number (difficulty 10); nothing is recorded."""
    bulk = BulkImport.objects.select_related("portfolio").get(pk=bulk_import_id)
    read = _lines_of_file(bulk)
    if read is not None:
        bulk.total_lines = len(read.lines)
        bulk.notes = read.notes
        bulk.save(update_fields=["total_lines", "notes"])
        outcome = _check_lines(bulk, read.lines)
    with transaction.atomic():  # the file's outcome and its event (a webhook) together
        if read is None:
            bulk.save(update_fields=["status"])
        else:
            _save_outcome(bulk, outcome)
        events.file_checked(bulk)
    return bulk


def _lines_of_file(bulk: BulkImport) -> RentFile | None:
    """The file's lines; None, and the file marked failed, when it cannot be read at all (its
    size was checked on upload: parsing.check_file_limits)."""
    try:
        with bulk.file.open("rb") as handle:
            return read_rent_lines(handle.read())
    except Exception:  # noqa: BLE001 - any unreadable file gets the same answer
        log.info("bulk_import_unreadable id=%s", bulk.pk)
        bulk.status = BulkImport.Status.FAILED
        return None


@dataclass
class _Outcome:
    """What the check found: errors [line, number, reason], valid lines "line\ttenancy\tamount",
    warnings [line, reasons] (amounts to confirm)."""

    errors: list = field(default_factory=list)
    error_count: int = 0
    valid: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def add_error(self, error: list) -> None:
        """Keep the first ERRORS_KEPT errors in full; count the others."""
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(error)


def _check_lines(bulk: BulkImport, rows: list[tuple[int, str, str]]) -> _Outcome:
    """Each line against the portfolio's tenancies (one query) and the amount rules; the
    progress is written now and then for the progress page."""
    year = bulk.year
    tenancies = {
        number: (pk, status, previous)
        for pk, number, status, previous in with_rents(
            _tenancies_named(bulk.portfolio, rows), year=year
        ).values_list("pk", "recipient_number", "status", "rent_previous")
    }
    ratio = selectors.irl_ratio(year)
    ceiling = selectors.confirmation_ceiling()
    outcome, seen = _Outcome(), {}
    last_progress = time.monotonic()
    for index, (line, number, amount_text) in enumerate(rows, start=1):
        number = number.replace(" ", "")
        tenancy = tenancies.get(number)
        refusal = _tenancy_refusal(tenancy, first_line=seen.get(number), year=year)
        if refusal is not None:
            outcome.add_error([line, number[:MAX_SHOWN_CHARACTERS], refusal])
        else:
            try:
                amount = rules.parse_amount(amount_text)
            except rules.AmountError as error:
                outcome.add_error([line, number[:MAX_SHOWN_CHARACTERS], error.message])
            else:
                reasons = rules.amount_warnings(
                    amount=amount, previous=tenancy[2], ratio=ratio, ceiling=ceiling, year=year
                )
                if reasons:
                    outcome.warnings.append([line, " ".join(reasons)])
                outcome.valid.append(f"{line}\t{tenancy[0]}\t{amount}")
        seen.setdefault(number, line)
        if index % 1000 == 0 and time.monotonic() - last_progress > PROGRESS_SECONDS:
            BulkImport.objects.filter(pk=bulk.pk).update(processed_lines=index)
            last_progress = time.monotonic()
    return outcome


def _tenancies_named(portfolio: Portfolio, rows: list[tuple[int, str, str]]):
    """The portfolio's tenancies a file's lines may name: for a file of up to FEW_LINES lines,
    those of its numbers only (a 50-line file of a 10,000-tenancy portfolio read and computed
    all 10,000, a second of the request); for a bigger one, the whole portfolio in one query
    rather than a list of numbers as long as the file."""
    tenancies = Tenancy.objects.filter(portfolio=portfolio)
    if len(rows) > FEW_LINES:
        return tenancies
    return tenancies.filter(recipient_number__in={number.replace(" ", "") for _, number, _ in rows})


def _tenancy_refusal(tenancy: tuple | None, *, first_line: int | None, year: int) -> str | None:
    """Why a line's tenancy (id, status, July N-1 rent) takes no rent, as the screen would say;
    None when it does."""
    if tenancy is None:
        return "Ce numéro allocataire n'est pas dans ce parc."
    if first_line is not None:
        return f"Ce locataire figure déjà ligne {first_line}."
    if tenancy[1] == rules.Status.NOT_REQUIRED:
        return f"Aucun loyer de juillet {year} n'est demandé."
    if tenancy[1] == rules.Status.RECEIPT:
        return f"Loyer de juillet {year - 1} inconnu : envoyez d'abord sa quittance."
    return None


def _save_outcome(bulk: BulkImport, outcome: _Outcome) -> None:
    bulk.errors = outcome.errors
    bulk.error_count = outcome.error_count
    bulk.valid_lines = "\n".join(outcome.valid)
    bulk.valid_count = len(outcome.valid)
    bulk.warnings = outcome.warnings
    bulk.processed_lines = bulk.total_lines
    bulk.status = BulkImport.Status.CHECKED
    bulk.save(
        update_fields=[
            "errors",
            "error_count",
            "valid_lines",
            "valid_count",
            "warnings",
            "processed_lines",
            "status",
        ]
    )


def record_bulk_import(
    *, bulk_import_id: int, user, valid_only: bool = False, confirmed: bool = False
) -> BulkImport:
    """Record the lines of a checked file as one submission with one acknowledgement; a file
    with errors only when the landlord chose to record its valid lines (difficulty 10)."""
    with transaction.atomic():
        bulk = (
            BulkImport.objects.select_for_update(of=("self",))
            .select_related("portfolio__landlord")
            .get(pk=bulk_import_id)
        )
        if bulk.status == BulkImport.Status.RECORDED:
            return bulk
        _one_file_at_a_time(bulk.portfolio_id)
        check_may_declare(user, bulk.portfolio)
        check_campaign_open(bulk.year)
        if bulk.status not in (BulkImport.Status.CHECKED, BulkImport.Status.RECORDING):
            raise DeclarationRefused("Ce fichier n'a pas encore été vérifié.")
        if bulk.errors and not valid_only:
            raise DeclarationRefused(
                "Ce fichier contient des erreurs : corrigez-les et déposez-le à nouveau, ou "
                "choisissez d'enregistrer seulement les lignes valides.",
                help_entry=Difficulty.AMOUNT_NOT_ACCEPTED,
            )
        if bulk.warning_count and not confirmed:
            raise DeclarationRefused(
                "Confirmez les montants inhabituels signalés avant d'enregistrer.",
                help_entry=Difficulty.AMOUNT_NOT_ACCEPTED,
            )
        now = clock.now()
        submission = RentSubmission.objects.create(
            portfolio=bulk.portfolio,
            year=bulk.year,
            channel=RentSubmission.Channel.IMPORT,
            token=uuid.uuid4(),
            submitted_by=user,
            submitted_at=now,
        )
        # (tenancy id, amount) of each line: plain tuples, 100,000 of them at most.
        lines = bulk.valid_amounts()
        if connection.vendor == "postgresql":
            bulk_writes.copy_rents(lines, submission=submission, user=user, year=bulk.year, now=now)
        else:
            bulk_writes.create_rents(
                lines, submission=submission, user=user, year=bulk.year, now=now
            )
        # The written tenancies' states (status, rents) follow, in this transaction, set-based.
        file_states.refresh_states_of_submission(submission, year=bulk.year, lines=len(lines))
        bulk.submission = submission
        bulk.status = BulkImport.Status.RECORDED
        bulk.processed_lines = bulk.total_lines
        bulk.save(update_fields=["submission", "status", "processed_lines"])
        events.file_recorded(bulk)
    log.info("bulk_import_recorded id=%s lines=%s", bulk.pk, bulk.valid_count)
    return bulk


def _one_file_at_a_time(portfolio_id: int) -> None:
    """Files of one portfolio are recorded one after the other: their set writes lock many rows
    in their lines' order, so two at once could deadlock, or both take the first declaration's
    COPY and one fail on the other's rows. The portfolio's row is locked FOR NO KEY UPDATE,
    which single declarations (they lock their tenancy, and only reference the portfolio) never
    wait for. SQLite has one writer at a time anyway."""
    list(
        Portfolio.objects.select_for_update(no_key=True)
        .filter(pk=portfolio_id)
        .values_list("pk", flat=True)
    )


def record_bulk_import_in_background(
    *, bulk_import_id: int, user, valid_only: bool, confirmed: bool
) -> None:
    """record_bulk_import run by the worker. When it is refused (the campaign closed, the
    right was withdrawn meanwhile) or fails, nothing is recorded and the file goes back to
    "checked" with the reason, so the landlord's progress page stops waiting and says what
    to do instead of turning forever."""
    try:
        record_bulk_import(
            bulk_import_id=bulk_import_id, user=user, valid_only=valid_only, confirmed=confirmed
        )
    except DeclarationRefused as refusal:
        _bulk_recording_stopped(bulk_import_id, refusal.message)
    except PermissionDenied as refusal:
        _bulk_recording_stopped(bulk_import_id, str(refusal))
    except Exception:
        _bulk_recording_stopped(
            bulk_import_id,
            "L'enregistrement n'a pas pu se faire et rien n'a été enregistré : cliquez à "
            "nouveau sur « Enregistrer ». Si cela se reproduit, appelez votre Caf au "
            f"{settings.AGENCY_PHONE}.",
        )
        raise


def _bulk_recording_stopped(bulk_import_id: int, reason: str) -> None:
    BulkImport.objects.filter(pk=bulk_import_id, status=BulkImport.Status.RECORDING).update(
        status=BulkImport.Status.CHECKED, refusal=reason[:300]
    )
    log.info("bulk_import_not_recorded id=%s", bulk_import_id)


@transaction.atomic
def deposit_bulk_import(*, user, portfolio: Portfolio, upload) -> BulkImport:
    """Keep a deposited file of rents for checking; nothing is declared yet. Whoever deposits
    (the page, the API), the file's limits are checked here first (parsing.check_file_limits)."""
    check_may_declare(user, portfolio)
    year = rules.campaign_year(clock.today())
    check_campaign_open(year)
    try:
        check_file_limits(upload)
    except FileRefused as refusal:
        raise DeclarationRefused(refusal.message, field="file") from None
    bulk = BulkImport(
        portfolio=portfolio,
        year=year,
        filename=(upload.name or "").replace("\x00", "")[:200] or "fichier",
        status=BulkImport.Status.CHECKING,
        uploaded_by=user,
    )
    bulk.file.save("depot", upload, save=False)
    bulk.save()
    return bulk


# --- Inline or in the background: the file's size decides ---------------------------------------
# The tasks (tasks.py) call back into this module, hence the imports inside the functions.


def deposit_and_check_bulk_import(*, user, portfolio: Portfolio, upload) -> BulkImport:
    """Keep a deposited file of rents and check it: at once when it is small (fewer than about
    RENT_BULK_BACKGROUND_LINES lines of 40 bytes), else in the background."""
    from . import tasks

    bulk = deposit_bulk_import(user=user, portfolio=portfolio, upload=upload)
    if upload.size < settings.RENT_BULK_BACKGROUND_LINES * 40:
        check_bulk_import(bulk_import_id=bulk.pk)
    else:
        tasks.check_bulk_import.enqueue(bulk.pk)
    return bulk


def record_or_queue_bulk_import(
    *, bulk: BulkImport, user, valid_only: bool, confirmed: bool
) -> BulkImport:
    """Record a checked file at once when it has at most RENT_BULK_BACKGROUND_LINES valid
    lines; else mark it "recording" and leave it to the worker (record_bulk_import_in_background).
    The file comes back recorded, or with the status RECORDING when queued."""
    from . import tasks

    if bulk.valid_count <= settings.RENT_BULK_BACKGROUND_LINES:
        return record_bulk_import(
            bulk_import_id=bulk.pk, user=user, valid_only=valid_only, confirmed=confirmed
        )
    if bulk.errors and not valid_only:
        raise DeclarationRefused("Ce fichier contient des erreurs.")
    BulkImport.objects.filter(pk=bulk.pk, status=BulkImport.Status.CHECKED).update(
        status=BulkImport.Status.RECORDING, processed_lines=0, refusal=""
    )
    tasks.record_bulk_import.enqueue(bulk.pk, user.pk, valid_only, confirmed)
    bulk.status = BulkImport.Status.RECORDING
    return bulk
