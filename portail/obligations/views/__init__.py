"""Landlord pages of the other duties, under /parcs/<id>/: a tenancy's page, report an unpaid
rent (with the live check of the rule in force), follow it, report a change, correct or
withdraw it. The portfolio comes from portfolio_for_request only (404); writes need the right to
declare (403). One module per family, as the services: ``tenancies`` (a tenancy's page),
``unpaid`` (unpaid-rent reports), ``changes`` (departures and other changes); ``common`` what
they share."""

from .changes import (
    change_correct,
    change_new,
    change_report,
    change_report_pdf,
    change_reports,
    change_withdraw,
)
from .tenancies import tenancy
from .unpaid import (
    unpaid_check,
    unpaid_new,
    unpaid_paid_off,
    unpaid_plan,
    unpaid_plan_file,
    unpaid_report,
    unpaid_report_pdf,
    unpaid_reports,
)

__all__ = [
    "change_correct",
    "change_new",
    "change_report",
    "change_report_pdf",
    "change_reports",
    "change_withdraw",
    "tenancy",
    "unpaid_check",
    "unpaid_new",
    "unpaid_paid_off",
    "unpaid_plan",
    "unpaid_plan_file",
    "unpaid_report",
    "unpaid_report_pdf",
    "unpaid_reports",
]
