"""The API's documents (Pydantic, through django-ninja): English names from the glossary,
ISO dates, amounts as decimal strings ("650.50"), never floats."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

AMOUNT_PATTERN = r"^[0-9]+\.[0-9]{2}$"
Amount = Annotated[str, Field(pattern=AMOUNT_PATTERN, examples=["650.50"])]


def amount_text(value: Decimal | None) -> str | None:
    """An amount as the API writes it: "650.50"."""
    return None if value is None else f"{Decimal(value):.2f}"


class FieldError(Schema):
    field: str
    detail: str


class ProblemOut(Schema):
    """RFC 9457 problem details (application/problem+json)."""

    type: str = Field(examples=["urn:espace-bailleur:problem:declaration-refused"])
    title: str
    status: int
    detail: str = Field(description="What went wrong and what to do, in French.")
    instance: str
    errors: list[FieldError] | None = None
    help_entry: int | None = Field(
        None, description="Number of the matching entry of the help page (Conseils)."
    )
    warnings: list[str] | None = None


class PortfolioOut(Schema):
    id: int
    ref: str = Field(description="The agency's reference of the portfolio.")
    name: str
    may_declare: bool = Field(description="Whether this token may declare rents in it.")


class PortfolioList(Schema):
    items: list[PortfolioOut]


class MessageOut(Schema):
    """One e-mail or letter of "Mes courriers" (its subject, never its body)."""

    id: int
    kind: str
    channel: str = Field(description="email or letter")
    subject: str
    sent_at: datetime.datetime


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class TokenOut(Schema):
    name: str
    scopes: list[str] = Field(examples=[["read", "declare"]])
    expires_at: datetime.datetime


TenancyStatus = Literal["to_declare", "declared", "receipt", "not_required"]


class TenancyOut(Schema):
    """A tenancy in the campaign of ``year``: its July N-1 and N rents and its status
    (declared; to declare; receipt: the July N-1 receipt is needed first; not_required: not a
    tenant in July N)."""

    recipient_number: str
    tenant_name: str
    dwelling_address: str
    start_date: datetime.date
    end_date: datetime.date | None
    direct_payment: bool
    year: int
    status: TenancyStatus
    july_rent_previous: Amount | None
    july_rent: Amount | None
    receipt_pending: bool


class TenancyPage(Schema):
    items: list[TenancyOut]
    next_cursor: str | None


class VersionOut(Schema):
    """One declared version of a July rent (the superseded ones, then the current one)."""

    version: int
    amount: Amount
    declared_at: datetime.datetime
    acknowledgement_id: int


class JulyRentOut(Schema):
    year: int
    amount: Amount
    source: str = Field(description="feed, online, receipt or import")
    recorded_at: datetime.datetime


class TenancyDetail(TenancyOut):
    july_rents: list[JulyRentOut]
    versions: list[VersionOut] = Field(description="Versions of the July N declaration.")


class DeclarationIn(Schema):
    year: int = Field(ge=2000, le=2100, description="The campaign's year (July of that year).")
    amount: str = Field(
        max_length=30,
        description="The monthly rent, read as on the screen: 650.50, 650,50, 1 234,56.",
        examples=["650.50"],
    )
    confirmed: bool = Field(False, description="Confirms an unusual amount (see warnings).")
    based_on_version: int | None = Field(
        None,
        ge=0,
        description="The version this correction is based on (0: none); a later version "
        "recorded meanwhile refuses it. Default: the current version.",
    )


class DeclarationOut(Schema):
    recipient_number: str
    year: int
    amount: Amount
    version: int
    acknowledgement_id: int
    declared_at: datetime.datetime


FileStatus = Literal["checking", "checked", "recording", "recorded", "failed"]


class FileOut(Schema):
    id: int
    filename: str
    year: int
    status: FileStatus
    total_lines: int
    processed_lines: int
    valid_lines: int
    error_lines: int
    warning_lines: int
    refusal: str = Field(description="Why the last recording did not happen, in French.")
    acknowledgement_id: int | None
    uploaded_at: datetime.datetime
    url: str
    report_url: str


class ReportLine(Schema):
    line: int
    kind: Literal["error", "warning"]
    recipient_number: str | None
    detail: str


class FileReport(Schema):
    items: list[ReportLine]
    next_cursor: str | None


class RecordIn(Schema):
    valid_lines_only: bool = Field(False, description="Record the valid lines, leave the rest.")
    confirmed: bool = Field(False, description="Confirms the unusual amounts of the report.")


class AcknowledgementOut(Schema):
    id: int
    year: int
    channel: str = Field(description="online (one declaration) or import (a file)")
    submitted_at: datetime.datetime
    pdf_url: str


class AcknowledgementPage(Schema):
    items: list[AcknowledgementOut]
    next_cursor: str | None


class AcknowledgementLine(Schema):
    recipient_number: str
    tenant_name: str
    amount: Amount
    version: int | None


class AcknowledgementDetail(AcknowledgementOut):
    line_count: int
    lines: list[AcknowledgementLine]
    next_cursor: str | None
