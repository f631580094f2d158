"""Writes of the rents app: declare a July rent, send a receipt, validate it, deposit a file."""

import csv
import io
import logging
import time
import uuid
from decimal import Decimal

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, QuerySet

from portail.common import clock
from portail.portfolios.models import Portfolio, Tenancy
from portail.portfolios.selectors import may_declare

from . import rules, selectors
from .models import BulkImport, JulyRent, Receipt, RentDeclaration, RentSubmission
from .tenant_list import with_rents

log = logging.getLogger(__name__)

RECEIPT_MAX_BYTES = 10 * 1024 * 1024
RECEIPT_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
PROGRESS_SECONDS = 0.5  # the progress bar is written at most this often


class DeclarationRefused(Exception):
    """A declaration that cannot be recorded; ``message`` says why and what to do, in French."""

    def __init__(self, message: str, *, help_entry: int | None = None):
        self.message = message
        self.help_entry = help_entry
        super().__init__(message)


def _check_campaign_open(year: int) -> None:
    campaign = selectors.campaign_of_year(year)
    if not campaign.is_open_on(clock.today()):
        raise DeclarationRefused(
            f"La campagne des loyers de juillet {year} n'est pas ouverte "
            f"(du {campaign.opens_on:%d/%m/%Y} au {campaign.closes_on:%d/%m/%Y})."
        )


def _check_may_declare(user, portfolio: Portfolio) -> None:
    if not may_declare(user, portfolio):
        raise PermissionDenied("Vous pouvez consulter ce parc mais pas y déclarer de loyer.")


def amount_warnings_for(tenancy: Tenancy, *, amount: Decimal, year: int) -> list[str]:
    """The reasons to confirm this amount for this tenancy (above the ceiling, above the IRL)."""
    return rules.amount_warnings(
        amount=amount,
        previous=getattr(tenancy, "rent_previous", None),
        ratio=selectors.irl_ratio(year),
        ceiling=selectors.confirmation_ceiling(),
        year=year,
    )


def _declarable_tenancy(portfolio: Portfolio, tenancy_id: int, year: int) -> Tenancy:
    tenancy = with_rents(
        Tenancy.objects.select_for_update(of=("self",)).filter(portfolio=portfolio, pk=tenancy_id),
        year=year,
    ).first()
    if tenancy is None:
        raise DeclarationRefused("Ce locataire n'est pas dans ce parc.")
    if tenancy.status == rules.Status.NOT_REQUIRED:
        raise DeclarationRefused(
            f"{tenancy.tenant_name} n'était pas locataire de ce logement en juillet {year} : "
            "aucun loyer n'est demandé."
        )
    if tenancy.status == rules.Status.RECEIPT:
        raise DeclarationRefused(
            f"La Caf ne connaît pas le loyer de juillet {year - 1} de {tenancy.tenant_name} : "
            f"envoyez d'abord la quittance de juillet {year - 1}.",
            help_entry=9,
        )
    return tenancy


@transaction.atomic
def declare_rent(
    *,
    user,
    portfolio: Portfolio,
    tenancy_id: int,
    year: int,
    amount: Decimal,
    token: uuid.UUID,
    expected_version: int,
    confirmed: bool,
) -> RentSubmission:
    """Declare (or correct) the July N rent of one tenancy; submitting twice records it once
    (difficulty 10 for the amount, 9 for the missing July N-1 rent)."""
    _check_may_declare(user, portfolio)
    replay = RentSubmission.objects.filter(token=token).first()
    if replay is not None:
        return replay
    _check_campaign_open(year)
    tenancy = _declarable_tenancy(portfolio, tenancy_id, year)
    if amount_warnings_for(tenancy, amount=amount, year=year) and not confirmed:
        raise DeclarationRefused(
            "Confirmez ce montant inhabituel avant de l'envoyer.", help_entry=10
        )
    # The current rent row is locked before its version is read: a concurrent correction
    # (screen or file) waits, then reads the version this one wrote.
    JulyRent.objects.select_for_update().filter(tenancy=tenancy, year=year).first()
    latest = selectors.latest_declaration(tenancy, year=year)
    current_version = latest.version if latest else 0
    if current_version != expected_version:
        # Another tab or the back button: the same amount is the same declaration.
        if latest is not None and latest.amount == amount:
            return latest.submission
        raise DeclarationRefused(
            "Une autre déclaration de ce loyer a été enregistrée entre-temps "
            f"({latest.amount if latest else ''} €) : vérifiez-la, puis corrigez-la si besoin."
        )
    now = clock.now()
    version = current_version + 1
    try:
        with transaction.atomic():
            submission = RentSubmission.objects.create(
                portfolio=portfolio,
                year=year,
                channel=RentSubmission.Channel.ONLINE,
                token=token,
                submitted_by=user,
                submitted_at=now,
            )
            _record_current_rent(
                tenancy_id=tenancy.pk,
                year=year,
                values={
                    "amount": amount,
                    "source": JulyRent.Source.ONLINE,
                    "recorded_at": now,
                    "recorded_by": user,
                    "submission": submission,
                    "version": version,
                },
            )
    except IntegrityError:
        # A concurrent twin won the race; answer with what it recorded.
        twin = RentSubmission.objects.filter(token=token).first()
        if twin is not None:
            return twin
        latest = selectors.latest_declaration(tenancy, year=year)
        if latest is not None and latest.amount == amount:
            return latest.submission
        raise DeclarationRefused(
            "Une autre déclaration de ce loyer vient d'être enregistrée : vérifiez-la."
        ) from None
    log.info("rent_declared tenancy=%s year=%s version=%s", tenancy.pk, year, version)
    return submission


def keep_superseded_versions(rents: QuerySet[JulyRent]) -> int:
    """Copy the declared current versions among these rents into the history of superseded
    versions, as they were sent (who and when included), before they are replaced: a version
    is never lost. One INSERT ... SELECT; the caller's transaction covers the replacement."""
    declared = rents.filter(submission__isnull=False).values_list(
        "submission_id", "tenancy_id", "year", "version", "amount", "recorded_by_id", "recorded_at"
    )
    sql, params = declared.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO rents_rentdeclaration (submission_id, tenancy_id, year, version, amount, "
            f"declared_by_id, declared_at) {sql}",
            params,
        )
        return cursor.rowcount


def _record_current_rent(*, tenancy_id: int, year: int, values: dict) -> JulyRent:
    """Make these values the July rent of the year, the one it replaces going to the history
    when a landlord had declared it. Declared values carry ``submission`` and ``version``;
    others (feed, receipt) carry neither."""
    values = {"submission": None, "version": None, **values}
    rents = JulyRent.objects.filter(tenancy_id=tenancy_id, year=year)
    current = rents.select_for_update().first()
    if current is None:
        return JulyRent.objects.create(tenancy_id=tenancy_id, year=year, **values)
    keep_superseded_versions(rents)
    for field, value in values.items():
        setattr(current, field, value)
    current.save(update_fields=list(values))
    return current


# --- Receipts (difficulty 9) -----------------------------------------------------------------


def receipt_content_type(head: bytes) -> str | None:
    """The file's type read from its content (PDF, JPEG or PNG), whatever its name says."""
    kind = filetype.guess(head)
    return kind.mime if kind is not None and kind.mime in RECEIPT_TYPES else None


@transaction.atomic
def submit_receipt(
    *, user, portfolio: Portfolio, tenancy: Tenancy, amount: Decimal, upload
) -> Receipt:
    """Send the July N-1 receipt of a tenant whose N-1 rent the agency lacks (difficulty 9)."""
    _check_may_declare(user, portfolio)
    if tenancy.portfolio_id != portfolio.pk:
        raise DeclarationRefused("Ce locataire n'est pas dans ce parc.")
    year = rules.campaign_year(clock.today()) - 1
    status = (
        with_rents(Tenancy.objects.filter(pk=tenancy.pk), year=year + 1)
        .values_list("status", flat=True)
        .first()
    )
    if status != rules.Status.RECEIPT:
        raise DeclarationRefused(
            f"La Caf connaît déjà le loyer de juillet {year} de ce locataire, ou ne le demande "
            "pas : aucune quittance n'est à envoyer."
        )
    if upload.size > RECEIPT_MAX_BYTES:
        raise DeclarationRefused("Le fichier dépasse 10 Mo : envoyez une photo moins lourde.")
    upload.seek(0)
    content_type = receipt_content_type(upload.read(2048))
    upload.seek(0)
    if content_type is None:
        raise DeclarationRefused(
            "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : envoyez la quittance "
            "dans l'un de ces formats."
        )
    if Receipt.objects.filter(tenancy=tenancy, year=year, status=Receipt.Status.PENDING).exists():
        raise DeclarationRefused(
            f"Une quittance de juillet {year} est déjà en cours de vérification pour ce locataire."
        )
    receipt = Receipt(
        tenancy=tenancy, year=year, amount=amount, content_type=content_type, submitted_by=user
    )
    receipt.file.save("quittance", upload, save=False)
    receipt.save()
    log.info("receipt_submitted tenancy=%s year=%s", tenancy.pk, year)
    return receipt


def _queue_receipt_validated(receipt: Receipt) -> None:
    """Tell the landlord's user who sent the receipt that July N can now be declared."""
    from django.urls import reverse

    from portail.common.formats import french_amount
    from portail.correspondence.services import queue_message

    user = receipt.submitted_by
    has_email = bool(user.email or (user.landlord_id and user.landlord.email))
    tenancy = receipt.tenancy
    queue_message(
        user=user,
        kind="receipt_validated",
        channel="email" if has_email else "letter",
        template="rents/messages/receipt_validated",
        context={
            "tenant_name": tenancy.tenant_name,
            "recipient_number": tenancy.recipient_number,
            "year": receipt.year,
            "next_year": receipt.year + 1,
            "amount_fr": french_amount(receipt.amount),
            "link_path": reverse(
                "rents:declare",
                kwargs={"portfolio_id": tenancy.portfolio_id, "tenancy_id": tenancy.pk},
            ),
        },
    )


@transaction.atomic
def validate_receipt(*, receipt: Receipt, staff_user) -> Receipt:
    """An agent validates a receipt: the July N-1 rent is known, the landlord is told by e-mail
    that July N can now be declared (difficulty 9)."""
    receipt = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("tenancy", "submitted_by__landlord")
        .get(pk=receipt.pk)
    )
    if receipt.status != Receipt.Status.PENDING:
        return receipt
    now = clock.now()
    receipt.status = Receipt.Status.VALIDATED
    receipt.reviewed_by = staff_user
    receipt.reviewed_at = now
    receipt.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    _record_current_rent(
        tenancy_id=receipt.tenancy_id,
        year=receipt.year,
        values={
            "amount": receipt.amount,
            "source": JulyRent.Source.RECEIPT,
            "recorded_at": now,
            "recorded_by": staff_user,
        },
    )
    _queue_receipt_validated(receipt)
    log.info("receipt_validated receipt=%s", receipt.pk)
    return receipt


@transaction.atomic
def reject_receipt(*, receipt: Receipt, staff_user, reason: str) -> Receipt:
    """An agent refuses a receipt (unreadable, wrong month): the landlord may send another."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.status != Receipt.Status.PENDING:
        return receipt
    receipt.status = Receipt.Status.REJECTED
    receipt.reviewed_by = staff_user
    receipt.reviewed_at = clock.now()
    receipt.rejection_reason = reason
    receipt.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason"])
    return receipt


# --- Files of rents (bulk declaration) --------------------------------------------------------


def _read_rows(data: bytes) -> list[tuple[int, str, str]]:
    """(line number, recipient number, amount text) of a CSV or XLSX file; header skipped."""
    kind = filetype.guess(data[:2048])
    if kind is not None and kind.extension in ("xlsx", "zip"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        rows = (
            (number, [_cell_text(v) for v in values[:2]])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
    else:
        text = data.decode("utf-8-sig", errors="replace")
        delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
        rows = enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)
    result = []
    for number, values in rows:
        if len(values) == 2:  # the usual line, read without the general case's lists
            first, second = values[0].strip(), values[1].strip()
            if (first or second) and (number > 1 or first.replace(" ", "").isdigit()):
                result.append((number, first, second))
            continue
        cells = [v.strip() for v in values]
        if not any(cells):
            continue
        if number == 1 and not cells[0].replace(" ", "").isdigit():
            continue  # header line
        if len(cells) < 2:
            cells.append("")
        if len(cells) > 2 and delimiter_split_amount(cells):
            cells = [cells[0], ",".join(cells[1:])]
        result.append((number, cells[0], cells[1]))
    return result


def delimiter_split_amount(cells: list[str]) -> bool:
    """650,50 unquoted in a comma-separated file splits in two cells: 650 and 50."""
    return len(cells) == 3 and cells[1].isdigit() and cells[2].isdigit() and len(cells[2]) <= 2


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def check_bulk_import(*, bulk_import_id: int) -> BulkImport:
    """Check every line of a file of rents with the screen's rules, noting each error with its
    line number (difficulty 10); nothing is recorded."""
    bulk = BulkImport.objects.select_related("portfolio").get(pk=bulk_import_id)
    try:
        with bulk.file.open("rb") as handle:
            rows = _read_rows(handle.read())
    except Exception:  # noqa: BLE001 - any unreadable file gets the same answer
        log.info("bulk_import_unreadable id=%s", bulk.pk)
        bulk.status = BulkImport.Status.FAILED
        bulk.save(update_fields=["status"])
        return bulk
    bulk.total_lines = len(rows)
    bulk.save(update_fields=["total_lines"])
    year = bulk.year
    tenancies = {
        number: (pk, status, previous)
        for pk, number, status, previous in with_rents(
            Tenancy.objects.filter(portfolio=bulk.portfolio), year=year
        ).values_list("pk", "recipient_number", "status", "rent_previous")
    }
    ratio = selectors.irl_ratio(year)
    ceiling = selectors.confirmation_ceiling()
    errors, valid, warnings, seen = [], [], [], {}
    last_progress = time.monotonic()
    for index, (line, number, amount_text) in enumerate(rows, start=1):
        number = number.replace(" ", "")
        tenancy = tenancies.get(number)
        if tenancy is None:
            errors.append([line, number, "Ce numéro allocataire n'est pas dans ce parc."])
        elif number in seen:
            errors.append([line, number, f"Ce locataire figure déjà ligne {seen[number]}."])
        elif tenancy[1] == rules.Status.NOT_REQUIRED:
            errors.append([line, number, f"Aucun loyer de juillet {year} n'est demandé."])
        elif tenancy[1] == rules.Status.RECEIPT:
            errors.append(
                [
                    line,
                    number,
                    f"Loyer de juillet {year - 1} inconnu : envoyez d'abord sa quittance.",
                ]
            )
        else:
            try:
                amount = rules.parse_amount(amount_text)
            except rules.AmountError as error:
                errors.append([line, number, error.message])
            else:
                reasons = rules.amount_warnings(
                    amount=amount,
                    previous=tenancy[2],
                    ratio=ratio,
                    ceiling=ceiling,
                    year=year,
                )
                if reasons:
                    warnings.append([line, " ".join(reasons)])
                valid.append(f"{line}\t{tenancy[0]}\t{amount}")
        seen.setdefault(number, line)
        if index % 1000 == 0 and time.monotonic() - last_progress > PROGRESS_SECONDS:
            BulkImport.objects.filter(pk=bulk.pk).update(processed_lines=index)
            last_progress = time.monotonic()
    bulk.errors = errors
    bulk.valid_lines = "\n".join(valid)
    bulk.valid_count = len(valid)
    bulk.warnings = warnings
    bulk.processed_lines = len(rows)
    bulk.status = BulkImport.Status.CHECKED
    bulk.save(
        update_fields=[
            "errors",
            "valid_lines",
            "valid_count",
            "warnings",
            "processed_lines",
            "status",
        ]
    )
    return bulk


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
        _check_may_declare(user, bulk.portfolio)
        _check_campaign_open(bulk.year)
        if bulk.status not in (BulkImport.Status.CHECKED, BulkImport.Status.RECORDING):
            raise DeclarationRefused("Ce fichier n'a pas encore été vérifié.")
        if bulk.errors and not valid_only:
            raise DeclarationRefused(
                "Ce fichier contient des erreurs : corrigez-les et déposez-le à nouveau, ou "
                "choisissez d'enregistrer seulement les lignes valides.",
                help_entry=10,
            )
        if bulk.warning_count and not confirmed:
            raise DeclarationRefused(
                "Confirmez les montants inhabituels signalés avant d'enregistrer.", help_entry=10
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
            _copy_rents(lines, submission=submission, user=user, year=bulk.year, now=now)
        else:
            _create_rents(lines, submission=submission, user=user, year=bulk.year, now=now)
        bulk.submission = submission
        bulk.status = BulkImport.Status.RECORDED
        bulk.processed_lines = bulk.total_lines
        bulk.save(update_fields=["submission", "status", "processed_lines"])
    log.info("bulk_import_recorded id=%s lines=%s", bulk.pk, bulk.valid_count)
    return bulk


def _create_rents(lines: list, *, submission, user, year: int, now) -> None:
    """SQLite (and any engine without COPY): the superseded versions to the history, then the
    current rents by bulk INSERT ... ON CONFLICT, each with its next version number."""
    incoming = {tenancy_id for tenancy_id, _amount in lines}
    RentDeclaration.objects.bulk_create(
        [
            RentDeclaration(
                submission_id=submission_id,
                tenancy_id=tenancy_id,
                year=year,
                version=version,
                amount=amount,
                declared_by_id=declared_by_id,
                declared_at=declared_at,
            )
            for submission_id, tenancy_id, version, amount, declared_by_id, declared_at in (
                JulyRent.objects.filter(
                    tenancy__portfolio_id=submission.portfolio_id,
                    year=year,
                    submission__isnull=False,
                ).values_list(
                    "submission_id",
                    "tenancy_id",
                    "version",
                    "amount",
                    "recorded_by_id",
                    "recorded_at",
                )
            )
            if tenancy_id in incoming
        ],
        batch_size=5000,
    )
    versions = dict(
        RentDeclaration.objects.filter(tenancy__portfolio_id=submission.portfolio_id, year=year)
        .values("tenancy_id")
        .annotate(v=Max("version"))
        .values_list("tenancy_id", "v")
    )
    JulyRent.objects.bulk_create(
        [
            JulyRent(
                tenancy_id=tenancy_id,
                year=year,
                amount=Decimal(amount),
                source=JulyRent.Source.IMPORT,
                recorded_at=now,
                recorded_by=user,
                submission=submission,
                version=versions.get(tenancy_id, 0) + 1,
            )
            for tenancy_id, amount in lines
        ],
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["tenancy", "year"],
        update_fields=["amount", "source", "recorded_at", "recorded_by", "submission", "version"],
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


def _copy_rents(lines: list, *, submission, user, year: int, now) -> None:
    """PostgreSQL: the current rents by COPY straight into their table when the portfolio has
    no rent nor declaration for the year yet (the usual first declaration); else through a
    temporary table: the rows to replace are locked, the declared ones copied into the history,
    then one INSERT ... ON CONFLICT writes each line with its next version. The table's
    constraints apply either way."""
    portfolio_id = submission.portfolio_id
    fixed = (year, str(JulyRent.Source.IMPORT), now, user.pk, submission.pk)
    with connection.cursor() as cursor:
        if not (
            JulyRent.objects.filter(tenancy__portfolio_id=portfolio_id, year=year).exists()
            or RentDeclaration.objects.filter(
                tenancy__portfolio_id=portfolio_id, year=year
            ).exists()
        ):
            try:
                with (
                    transaction.atomic(),
                    cursor.copy(
                        "COPY rents_julyrent (tenancy_id, amount, year, source, recorded_at, "
                        "recorded_by_id, submission_id, version) FROM STDIN"
                    ) as copy,
                ):
                    for tenancy_id, amount in lines:
                        copy.write_row((tenancy_id, amount, *fixed, 1))
                return
            except IntegrityError:
                pass  # a rent declared on screen meanwhile: upsert below
        cursor.execute(
            "CREATE TEMPORARY TABLE rents_incoming (tenancy_id bigint, amount numeric(9, 2)) "
            "ON COMMIT DROP"
        )
        with cursor.copy("COPY rents_incoming (tenancy_id, amount) FROM STDIN") as copy:
            for line in lines:
                copy.write_row(line)
        cursor.execute("ANALYZE rents_incoming")
        cursor.execute(
            "SELECT 1 FROM rents_julyrent r JOIN rents_incoming i ON i.tenancy_id = r.tenancy_id "
            "WHERE r.year = %s FOR UPDATE OF r",
            [year],
        )
        cursor.execute(
            "INSERT INTO rents_rentdeclaration (submission_id, tenancy_id, year, version, amount, "
            "declared_by_id, declared_at) SELECT r.submission_id, r.tenancy_id, r.year, "
            "r.version, r.amount, r.recorded_by_id, r.recorded_at FROM rents_julyrent r "
            "JOIN rents_incoming i ON i.tenancy_id = r.tenancy_id "
            "WHERE r.year = %s AND r.submission_id IS NOT NULL",
            [year],
        )
        cursor.execute(
            "INSERT INTO rents_julyrent (tenancy_id, amount, year, source, recorded_at, "
            "recorded_by_id, submission_id, version) "
            "SELECT i.tenancy_id, i.amount, %s, %s, %s, %s, %s, 1 + COALESCE(("
            "SELECT MAX(h.version) FROM rents_rentdeclaration h "
            "WHERE h.tenancy_id = i.tenancy_id AND h.year = %s), 0) FROM rents_incoming i "
            "ON CONFLICT (tenancy_id, year) DO UPDATE SET amount = EXCLUDED.amount, "
            "source = EXCLUDED.source, recorded_at = EXCLUDED.recorded_at, "
            "recorded_by_id = EXCLUDED.recorded_by_id, submission_id = EXCLUDED.submission_id, "
            "version = EXCLUDED.version",
            [*fixed, year],
        )


@transaction.atomic
def deposit_bulk_import(*, user, portfolio: Portfolio, upload) -> BulkImport:
    """Keep a deposited file of rents for checking; nothing is declared yet."""
    _check_may_declare(user, portfolio)
    year = rules.campaign_year(clock.today())
    _check_campaign_open(year)
    bulk = BulkImport(
        portfolio=portfolio,
        year=year,
        filename=(upload.name or "fichier")[:200],
        status=BulkImport.Status.CHECKING,
        uploaded_by=user,
    )
    bulk.file.save("depot", upload, save=False)
    bulk.save()
    return bulk
