"""Writes of unpaid-rent reports: the landlord reports one (under the rule in force), sends
the repayment plan, declares the debt paid off; an agent moves it from state to state with a
reason the landlord is told. Keyword-only, atomic, audited; each step bumps ``version``."""

import datetime
import logging
import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse

from portail.audit.services import record_agent_action, record_event
from portail.common import clock
from portail.common.formats import french_amount, french_date
from portail.correspondence.rules import contact_channel
from portail.correspondence.services import queue_message
from portail.portfolios.models import Portfolio
from portail.rents.receipts import RECEIPT_MAX_BYTES, receipt_content_type

from .. import rules, selectors
from ..models import RepaymentPlan, UnpaidRentEvent, UnpaidRentReport
from .common import ReportRefused, check_may_declare, locked_tenancy

log = logging.getLogger(__name__)

# A repayment plan is due within 6 months of the agency asking for it.
PLAN_DUE_MONTHS = 6


@transaction.atomic
def report_unpaid_rent(
    *,
    user,
    portfolio: Portfolio,
    tenancy_id: int,
    first_unpaid_month: datetime.date,
    monthly_rent: Decimal,
    monthly_charges: Decimal,
    aid: Decimal | None,
    amount_owed: Decimal,
    tenant_pays_part: bool,
    token: uuid.UUID,
    ip: str | None = None,
) -> UnpaidRentReport:
    """Report an unpaid rent once the debt reaches the threshold of the rule in force, within
    2 months; sending the same form twice records it once."""
    check_may_declare(user, portfolio)
    replay = UnpaidRentReport.objects.filter(token=token, portfolio=portfolio).first()
    if replay is not None:
        return replay
    tenancy = locked_tenancy(portfolio, tenancy_id)
    existing = selectors.open_unpaid_report(tenancy)
    if existing is not None:
        raise ReportRefused(
            f"Un impayé est déjà signalé pour {tenancy.tenant_name} (n° {existing.pk}, le "
            f"{french_date(existing.reported_at)}, {existing.get_status_display()}) : "
            "suivez-le depuis sa page."
        )
    aid = aid if tenancy.direct_payment else None
    assessment = rules.assess_unpaid_rent(
        rules=[rule.as_rule() for rule in selectors.unpaid_rules()],
        first_unpaid_month=first_unpaid_month,
        rent=monthly_rent,
        charges=monthly_charges,
        aid=aid,
        direct_payment=tenancy.direct_payment,
        owed=amount_owed,
        tenant_pays_part=tenant_pays_part,
        today=clock.today(),
    )
    if not assessment.reportable:
        raise ReportRefused(assessment.reason)
    now = clock.now()
    try:
        with transaction.atomic():
            report = UnpaidRentReport.objects.create(
                tenancy=tenancy,
                portfolio=portfolio,
                first_unpaid_month=rules.first_of_month(first_unpaid_month),
                monthly_rent=monthly_rent,
                monthly_charges=monthly_charges,
                direct_payment=tenancy.direct_payment,
                aid=aid,
                amount_owed=amount_owed,
                tenant_pays_part=tenant_pays_part,
                rule=selectors.unpaid_rule_from(assessment.rule.valid_from),
                threshold=assessment.threshold,
                threshold_reached_on=assessment.reached_on,
                deadline=assessment.deadline,
                token=token,
                reported_by=user,
                reported_at=now,
                updated_at=now,
            )
    except IntegrityError:
        twin = UnpaidRentReport.objects.filter(token=token, portfolio=portfolio).first()
        if twin is not None:
            return twin
        raise ReportRefused(
            f"Un impayé vient d'être signalé pour {tenancy.tenant_name} : suivez-le depuis la "
            "page du locataire."
        ) from None
    UnpaidRentEvent.objects.create(
        report=report, kind=UnpaidRentEvent.Kind.REPORTED, status=report.status, actor=user,
        at=now, version=1, reason=assessment.reason[:500],
    )  # fmt: skip
    record_event(
        action="unpaid_rent_reported",
        actor=user,
        target=tenancy.recipient_number,
        ip=ip,
        details={"report": report.pk, "portfolio": portfolio.pk, "late": assessment.late},
    )
    log.info("unpaid_rent_reported report=%s tenancy=%s", report.pk, tenancy.pk)
    return report


def _next_version(report, *, kind, actor, reason: str = "", now=None) -> None:
    """Bump the report's version and write the event that says why (same transaction)."""
    now = now or clock.now()
    report.version += 1
    report.updated_at = now
    UnpaidRentEvent.objects.create(
        report=report, kind=kind, status=report.status, reason=reason[:500], actor=actor,
        at=now, version=report.version,
    )  # fmt: skip


def _locked_report(report_id: int) -> UnpaidRentReport:
    return (
        UnpaidRentReport.objects.select_for_update(of=("self",))
        .select_related("tenancy", "reported_by__landlord")
        .get(pk=report_id)
    )


@transaction.atomic
def set_unpaid_report_status(
    *, report_id: int, agent, status: str, reason: str, ip: str | None = None
) -> UnpaidRentReport:
    """An agent moves a report (reçu → en cours d'examen → plan d'apurement attendu → clos)
    with a reason; the landlord is told by e-mail, or by letter where there is no address."""
    report = _locked_report(report_id)
    if status not in UnpaidRentReport.Status.values:
        raise ReportRefused("Choisissez l'un des états proposés.")
    if report.status == UnpaidRentReport.Status.CLOSED:
        raise ReportRefused("Ce signalement est clos : son état ne change plus.")
    if status == report.status:
        raise ReportRefused(f"Ce signalement est déjà « {report.get_status_display()} ».")
    report.status = status
    if status == UnpaidRentReport.Status.PLAN_EXPECTED and report.plan_due_on is None:
        report.plan_due_on = rules.add_months(clock.today(), PLAN_DUE_MONTHS)
    _next_version(report, kind=UnpaidRentEvent.Kind.STATUS, actor=agent, reason=reason)
    report.save(update_fields=["status", "plan_due_on", "version", "updated_at"])
    _queue_unpaid_status(report, reason=reason)
    record_agent_action(
        action="unpaid_rent_status_changed",
        agent=agent,
        target=report.tenancy.recipient_number,
        reason=reason[:200],
        ip=ip,
        report=report.pk,
        status=status,
    )
    return report


def _queue_unpaid_status(report: UnpaidRentReport, *, reason: str) -> None:
    user = report.reported_by
    tenancy = report.tenancy
    queue_message(
        user=user,
        kind="unpaid_rent_status",
        channel=contact_channel(email=user.contact_email),
        template="obligations/messages/unpaid_status",
        context={
            "report_id": report.pk,
            "tenant_name": tenancy.tenant_name,
            "recipient_number": tenancy.recipient_number,
            "reported_on": french_date(report.reported_at),
            "status": report.status,
            "status_label": report.get_status_display(),
            "reason": reason,
            "plan_due_on": rules.long_date(report.plan_due_on) if report.plan_due_on else "",
            "amount_owed": french_amount(report.amount_owed),
            "link_path": reverse(
                "obligations:unpaid_report",
                kwargs={"portfolio_id": report.portfolio_id, "unpaid_id": report.pk},
            ),
        },
    )


def _landlord_report(user, portfolio: Portfolio, report_id: int) -> UnpaidRentReport:
    check_may_declare(user, portfolio)
    report = _locked_report(report_id)
    if report.portfolio_id != portfolio.pk:
        raise ReportRefused("Ce signalement n'est pas dans ce parc.")
    if report.status == UnpaidRentReport.Status.CLOSED:
        raise ReportRefused("Ce signalement est clos : appelez votre Caf si la situation change.")
    return report


@transaction.atomic
def send_repayment_plan(
    *, user, portfolio: Portfolio, report_id: int, upload, ip: str | None = None
) -> RepaymentPlan:
    """Send the signed repayment plan (plan d'apurement), due within 6 months: a PDF, JPEG or
    PNG read from its content, 10 MB at most (the receipts' checks)."""
    report = _landlord_report(user, portfolio, report_id)
    if upload.size > RECEIPT_MAX_BYTES:
        raise ReportRefused("Le fichier dépasse 10 Mo : envoyez un scan moins lourd.")
    upload.seek(0)
    content_type = receipt_content_type(upload.read(2048))
    upload.seek(0)
    if content_type is None:
        raise ReportRefused(
            "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : envoyez le plan dans l'un "
            "de ces formats."
        )
    plan = RepaymentPlan(report=report, content_type=content_type, uploaded_by=user)
    plan.file.save("plan", upload, save=False)
    plan.save()
    _next_version(report, kind=UnpaidRentEvent.Kind.PLAN, actor=user)
    report.save(update_fields=["version", "updated_at"])
    record_event(
        action="repayment_plan_sent",
        actor=user,
        target=report.tenancy.recipient_number,
        ip=ip,
        details={"report": report.pk, "plan": plan.pk},
    )
    return plan


@transaction.atomic
def declare_debt_paid_off(
    *, user, portfolio: Portfolio, report_id: int, paid_off_on: datetime.date, ip=None
) -> UnpaidRentReport:
    """The landlord declares the debt paid off; the agency then closes the report."""
    report = _landlord_report(user, portfolio, report_id)
    if report.paid_off_on is not None:
        raise ReportRefused(
            f"Vous avez déjà déclaré cette dette soldée le {french_date(report.paid_off_on)}."
        )
    if paid_off_on > clock.today() or paid_off_on < report.first_unpaid_month:
        raise ReportRefused(
            "La date du solde doit être passée et suivre le premier mois impayé "
            f"({rules.month_label(report.first_unpaid_month)})."
        )
    report.paid_off_on = paid_off_on
    _next_version(report, kind=UnpaidRentEvent.Kind.PAID_OFF, actor=user)
    report.save(update_fields=["paid_off_on", "version", "updated_at"])
    record_event(
        action="unpaid_rent_paid_off",
        actor=user,
        target=report.tenancy.recipient_number,
        ip=ip,
        details={"report": report.pk, "paid_off_on": paid_off_on.isoformat()},
    )
    return report


def repayment_plan_downloaded(*, user, plan: RepaymentPlan, ip: str | None = None) -> None:
    """A user of the portfolio took back a repayment plan sent for one of its reports:
    audited (who, which plan, from where)."""
    record_event(
        action="repayment_plan_downloaded",
        actor=user,
        target=plan.report.tenancy.recipient_number,
        ip=ip,
        details={"report": plan.report_id, "plan": plan.pk},
    )
