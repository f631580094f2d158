"""The business events of rents (portail.events): a file checked or recorded, an
acknowledgement ready, a receipt validated or refused. Each is recorded in the transaction
of the change; landlords' software hears of them through the webhooks of the API layer."""

from portail.events.models import Kind
from portail.events.services import emit

from .models import BulkImport, Receipt, RentSubmission


def file_checked(bulk: BulkImport) -> None:
    emit(
        kind=Kind.FILE_CHECKED,
        landlord_id=bulk.portfolio.landlord_id,
        portfolio_id=bulk.portfolio_id,
        data={
            "file_id": bulk.pk,
            "status": bulk.status,
            "valid_lines": bulk.valid_count,
            "error_lines": len(bulk.errors),
            "warning_lines": len(bulk.warnings),
        },
    )


def file_recorded(bulk: BulkImport) -> None:
    emit(
        kind=Kind.FILE_RECORDED,
        landlord_id=bulk.portfolio.landlord_id,
        portfolio_id=bulk.portfolio_id,
        data={
            "file_id": bulk.pk,
            "acknowledgement_id": bulk.submission_id,
            "lines": bulk.valid_count,
        },
    )
    acknowledgement_ready(bulk.submission, lines=bulk.valid_count)


def acknowledgement_ready(submission: RentSubmission, *, lines: int) -> None:
    emit(
        kind=Kind.ACKNOWLEDGEMENT_READY,
        landlord_id=submission.portfolio.landlord_id,
        portfolio_id=submission.portfolio_id,
        data={"acknowledgement_id": submission.pk, "lines": lines},
    )


def receipt_decided(receipt: Receipt) -> None:
    """A receipt validated or refused (with the reason the landlord reads)."""
    tenancy = receipt.tenancy
    validated = receipt.status == Receipt.Status.VALIDATED
    data = {"recipient_number": tenancy.recipient_number, "year": receipt.year}
    if not validated:
        data["reason"] = receipt.rejection_reason
    emit(
        kind=Kind.RECEIPT_VALIDATED if validated else Kind.RECEIPT_REJECTED,
        landlord_id=tenancy.portfolio.landlord_id,
        portfolio_id=tenancy.portfolio_id,
        data=data,
    )
