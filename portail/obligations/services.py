"""Writes of the landlord's other duties: report an unpaid rent and follow it (landlord and
staff), report a change (departure, co-tenants, end of management), correct or withdraw it.

Every function is keyword-only and atomic, checks the right to declare on the portfolio (403),
records an audit event, and bumps the report's ``version`` and ``updated_at``.
"""

import datetime
import logging
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from portail.audit.services import record_event
from portail.common import clock
from portail.common.formats import french_amount, french_date
from portail.correspondence.services import queue_message
from portail.portfolios.models import Portfolio, Tenancy
from portail.portfolios.selectors import may_declare
from portail.rents.services import RECEIPT_MAX_BYTES, receipt_content_type

from . import rules, selectors
from .models import (
    ChangeReport,
    ChangeVersion,
    RepaymentPlan,
    UnpaidRentEvent,
    UnpaidRentReport,
)

log = logging.getLogger(__name__)

# A repayment plan is due within 6 months of the agency asking for it.
PLAN_DUE_MONTHS = 6
CHANGE_FIELDS = (
    "kind",
    "move_out_date",
    "lease_end_date",
    "new_address",
    "co_tenant_count",
    "change_date",
    "end_reason",
)


class ReportRefused(Exception):
    """A report that cannot be recorded; ``message`` says why and what to do, in French."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _check_may_declare(user, portfolio: Portfolio) -> None:
    if not may_declare(user, portfolio):
        raise PermissionDenied("Vous pouvez consulter ce parc mais pas y faire de déclaration.")


def _locked_tenancy(portfolio: Portfolio, tenancy_id: int) -> Tenancy:
    tenancy = Tenancy.objects.select_for_update().filter(portfolio=portfolio, pk=tenancy_id).first()
    if tenancy is None:
        raise ReportRefused("Ce locataire n'est pas dans ce parc.")
    return tenancy


def _contact_channel(user) -> str:
    """E-mail when the user or its landlord has an address, else a letter."""
    has_email = bool(user.email or (user.landlord_id and user.landlord.email))
    return "email" if has_email else "letter"


# --- Unpaid rent ------------------------------------------------------------------------------


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
    _check_may_declare(user, portfolio)
    replay = UnpaidRentReport.objects.filter(token=token, portfolio=portfolio).first()
    if replay is not None:
        return replay
    tenancy = _locked_tenancy(portfolio, tenancy_id)
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
    record_event(
        action="unpaid_rent_status_changed",
        actor=agent,
        target=report.tenancy.recipient_number,
        ip=ip,
        details={"report": report.pk, "status": status, "reason": reason[:200]},
    )
    return report


def _queue_unpaid_status(report: UnpaidRentReport, *, reason: str) -> None:
    user = report.reported_by
    tenancy = report.tenancy
    queue_message(
        user=user,
        kind="unpaid_rent_status",
        channel=_contact_channel(user),
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
    _check_may_declare(user, portfolio)
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


# --- Changes: departure, co-tenants, end of management --------------------------------------


def check_change(tenancy: Tenancy, content: dict) -> None:
    """A change's dates must fall within the tenancy, at most 3 months ahead."""
    kind = content["kind"]
    date = content.get("move_out_date") if kind == "departure" else content.get("change_date")
    if date is None:
        return
    if date < tenancy.start_date:
        raise ReportRefused(
            f"La date du {french_date(date)} précède le début du bail "
            f"({french_date(tenancy.start_date)}) : vérifiez-la."
        )
    if date > rules.add_months(clock.today(), 3):
        raise ReportRefused(
            "Déclarez ce changement au plus tôt 3 mois avant sa date : la date indiquée est "
            "trop lointaine."
        )


def _change_values(content: dict) -> dict:
    """The change's fields from a form's data; text fields are blank rather than null."""
    values = {field: content.get(field) for field in CHANGE_FIELDS}
    values["new_address"] = values["new_address"] or ""
    values["end_reason"] = values["end_reason"] or ""
    return values


@transaction.atomic
def report_change(
    *, user, portfolio: Portfolio, tenancy_id: int, content: dict, token: uuid.UUID, ip=None
) -> ChangeReport:
    """Report a tenant's departure or another change; sending twice records it once."""
    _check_may_declare(user, portfolio)
    replay = ChangeReport.objects.filter(token=token, portfolio=portfolio).first()
    if replay is not None:
        return replay
    tenancy = _locked_tenancy(portfolio, tenancy_id)
    pending = ChangeReport.objects.filter(
        tenancy=tenancy, kind=content["kind"], status=ChangeReport.Status.DECLARED
    ).first()
    if pending is not None:
        raise ReportRefused(
            f"Ce changement est déjà déclaré pour {tenancy.tenant_name} (n° {pending.pk}) et "
            "attend la Caf : corrigez-le plutôt que d'en déclarer un autre."
        )
    check_change(tenancy, content)
    now = clock.now()
    report = ChangeReport.objects.create(
        tenancy=tenancy, portfolio=portfolio, token=token, reported_by=user, reported_at=now,
        version_by=user, version_at=now, updated_at=now, **_change_values(content),
    )  # fmt: skip
    record_event(
        action="change_reported",
        actor=user,
        target=tenancy.recipient_number,
        ip=ip,
        details={"report": report.pk, "kind": report.kind},
    )
    return report


def _pending_change(user, portfolio: Portfolio, report_id: int) -> ChangeReport:
    _check_may_declare(user, portfolio)
    report = (
        ChangeReport.objects.select_for_update(of=("self",))
        .select_related("tenancy")
        .filter(pk=report_id, portfolio=portfolio)
        .first()
    )
    if report is None:
        raise ReportRefused("Ce changement n'est pas dans ce parc.")
    if report.status != ChangeReport.Status.DECLARED:
        raise ReportRefused(
            f"Ce changement est {report.get_status_display()} : il ne peut plus être corrigé ni "
            "retiré. Appelez votre Caf si besoin."
        )
    return report


@transaction.atomic
def correct_change(
    *, user, portfolio: Portfolio, report_id: int, content: dict, expected_version: int, ip=None
) -> ChangeReport:
    """Correct a change the agency has not handled yet; the former version is kept as sent."""
    report = _pending_change(user, portfolio, report_id)
    if report.version != expected_version:
        raise ReportRefused(
            "Ce changement a été corrigé entre-temps (dans un autre onglet ou par un collègue) : "
            "vérifiez sa version actuelle, puis corrigez-la si besoin."
        )
    content = {**content, "kind": report.kind}
    check_change(report.tenancy, content)
    ChangeVersion.objects.create(
        report=report, version=report.version, declared_by_id=report.version_by_id,
        declared_at=report.version_at, **{f: getattr(report, f) for f in CHANGE_FIELDS},
    )  # fmt: skip
    now = clock.now()
    for field, value in _change_values(content).items():
        setattr(report, field, value)
    report.version += 1
    report.version_by = user
    report.version_at = now
    report.updated_at = now
    report.save()
    record_event(
        action="change_corrected",
        actor=user,
        target=report.tenancy.recipient_number,
        ip=ip,
        details={"report": report.pk, "version": report.version},
    )
    return report


@transaction.atomic
def withdraw_change(*, user, portfolio: Portfolio, report_id: int, ip=None) -> ChangeReport:
    """Withdraw a change the agency has not handled yet (reported by mistake)."""
    report = _pending_change(user, portfolio, report_id)
    report.status = ChangeReport.Status.WITHDRAWN
    report.version += 1
    report.updated_at = clock.now()
    report.save(update_fields=["status", "version", "updated_at"])
    record_event(
        action="change_withdrawn",
        actor=user,
        target=report.tenancy.recipient_number,
        ip=ip,
        details={"report": report.pk},
    )
    return report


@transaction.atomic
def handle_change(*, report_id: int, agent, ip: str | None = None) -> ChangeReport:
    """An agent has taken the change into the agency's file: it can no longer be corrected;
    the landlord is told (e-mail, or letter where there is no address)."""
    report = (
        ChangeReport.objects.select_for_update(of=("self",))
        .select_related("tenancy", "reported_by__landlord")
        .get(pk=report_id)
    )
    if report.status != ChangeReport.Status.DECLARED:
        raise ReportRefused(f"Ce changement est déjà {report.get_status_display()}.")
    now = clock.now()
    report.status = ChangeReport.Status.HANDLED
    report.handled_by = agent
    report.handled_at = now
    report.version += 1
    report.updated_at = now
    report.save(update_fields=["status", "handled_by", "handled_at", "version", "updated_at"])
    queue_message(
        user=report.reported_by,
        kind="change_handled",
        channel=_contact_channel(report.reported_by),
        template="obligations/messages/change_handled",
        context={
            "report_id": report.pk,
            "kind_label": report.get_kind_display(),
            "tenant_name": report.tenancy.tenant_name,
            "recipient_number": report.tenancy.recipient_number,
            "reported_on": french_date(report.reported_at),
        },
    )
    record_event(
        action="change_handled",
        actor=agent,
        target=report.tenancy.recipient_number,
        ip=ip,
        details={"report": report.pk},
    )
    return report


def confirm_changes_closed_by_feed() -> int:
    """The agency's feed closed these tenancies (an end date): their pending departures and ends
    of management are confirmed, so the landlord no longer corrects them. One UPDATE over the
    pending changes only; called inside the feed's transaction."""
    now = clock.now()
    confirmed = ChangeReport.objects.filter(
        status=ChangeReport.Status.DECLARED,
        kind__in=rules.ENDING_KINDS,
        tenancy__end_date__isnull=False,
    ).update(
        status=ChangeReport.Status.HANDLED,
        handled_at=now,
        version=F("version") + 1,
        updated_at=now,
    )
    if confirmed:
        log.info("changes_confirmed_by_feed count=%s", confirmed)
    return confirmed
