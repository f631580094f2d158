"""Writes of reported changes (departure, co-tenants, end of management): report, correct
(the former version kept as sent), withdraw until handled; an agent, or the feed closing the
tenancy, handles them. Keyword-only, atomic, audited; each step bumps ``version``."""

import logging
import uuid

from django.db import transaction
from django.db.models import F

from portail.audit.services import record_agent_action, record_event
from portail.common import clock
from portail.common.formats import french_date
from portail.correspondence.rules import contact_channel
from portail.correspondence.services import queue_message
from portail.portfolios.models import Portfolio, Tenancy
from portail.rents.campaign_state import refresh_states

from .. import rules
from ..models import ChangeReport, ChangeVersion
from .common import ReportRefused, check_may_declare, locked_tenancy

log = logging.getLogger(__name__)

CHANGE_FIELDS = (
    "kind",
    "move_out_date",
    "lease_end_date",
    "new_address",
    "co_tenant_count",
    "change_date",
    "end_reason",
)


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


def _refresh_reported_end(tenancy_id: int) -> None:
    """The tenancy's reported end (Tenancy.reported_end_date, which the rents status reads, so a
    departed tenant is asked for no July rent after leaving): the earliest departure or end of
    management reported and not withdrawn; none when there is none."""
    ends = [
        change.effective_date
        for change in ChangeReport.objects.filter(
            tenancy_id=tenancy_id, kind__in=rules.ENDING_KINDS
        )
        .exclude(status=ChangeReport.Status.WITHDRAWN)
        .only("kind", "move_out_date", "change_date")
    ]
    reported_end = min(ends, default=None)
    # Only when it moves: the write stamps the tenancy's updated_at (the API's updated_since).
    if (
        Tenancy.objects.filter(pk=tenancy_id)
        .exclude(reported_end_date=reported_end)
        .update(reported_end_date=reported_end)
    ):
        refresh_states([tenancy_id])  # the tenancy's campaign states read that end


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
    check_may_declare(user, portfolio)
    replay = ChangeReport.objects.filter(token=token, portfolio=portfolio).first()
    if replay is not None:
        return replay
    tenancy = locked_tenancy(portfolio, tenancy_id)
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
    _refresh_reported_end(tenancy.pk)
    record_event(
        action="change_reported",
        actor=user,
        target=tenancy.recipient_number,
        ip=ip,
        details={"report": report.pk, "kind": report.kind},
    )
    return report


def _pending_change(user, portfolio: Portfolio, report_id: int) -> ChangeReport:
    check_may_declare(user, portfolio)
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
    _refresh_reported_end(report.tenancy_id)
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
    _refresh_reported_end(report.tenancy_id)
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
        channel=contact_channel(email=report.reported_by.contact_email),
        template="obligations/messages/change_handled",
        context={
            "report_id": report.pk,
            "kind_label": report.get_kind_display(),
            "tenant_name": report.tenancy.tenant_name,
            "recipient_number": report.tenancy.recipient_number,
            "reported_on": french_date(report.reported_at),
        },
    )
    record_agent_action(
        action="change_handled",
        agent=agent,
        target=report.tenancy.recipient_number,
        reason="",
        ip=ip,
        report=report.pk,
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
