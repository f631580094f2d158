"""The API's documents (Pydantic, through django-ninja): English names from the glossary,
ISO dates, amounts as decimal strings ("650.50"), never floats."""

import datetime
from decimal import Decimal
from typing import Annotated

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
