"""Reads of the back office: a landlord's page, the campaign dashboard, the outbox (the
receipts queue and the rents it exports are read by rents.selectors)."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from portail.accounts.models import Landlord, SignInThrottle, TemporaryPassword, User
from portail.audit.models import Event
from portail.common import clock
from portail.correspondence.letters import BATCH_FOLDER
from portail.correspondence.models import Message
from portail.portfolios.models import Tenancy
from portail.rents import rules as rent_rules
from portail.rents import selectors as rent_selectors

from . import rules
from .models import Reminder

HISTORY_LIMIT = 100


def landlord_for_staff(landlord_id: int) -> Landlord:
    return get_object_or_404(Landlord, pk=landlord_id)


def user_of_landlord(landlord: Landlord, user_id: int) -> User:
    """A user of this landlord; 404 for any other (staff accounts are never reached here)."""
    return get_object_or_404(User, pk=user_id, landlord=landlord)


@dataclass
class UserRow:
    user: User
    states: list[str]
    locked_until: object
    temporary_until: object
    temporary_channel: str

    @property
    def state_labels(self) -> list[str]:
        return [rules.STATE_LABELS[state] for state in self.states]


def users_with_state(landlord: Landlord) -> list[UserRow]:
    """The landlord's users, each with its state: never signed in, active, locked, disabled,
    temporary password pending (and until when)."""
    now = clock.now()
    users = list(landlord.users.order_by("-is_landlord_admin", "identifier"))
    locks = dict(
        SignInThrottle.objects.filter(
            scope=SignInThrottle.Scope.IDENTIFIER,
            key__in=[user.identifier for user in users],
            locked_until__gt=now,
        ).values_list("key", "locked_until")
    )
    pending = {}
    for temporary in TemporaryPassword.objects.filter(
        user__in=users, superseded_at__isnull=True, used_at__isnull=True, expires_at__gt=now
    ).order_by("issued_at"):
        pending[temporary.user_id] = temporary
    rows = []
    for user in users:
        temporary = pending.get(user.pk)
        rows.append(
            UserRow(
                user=user,
                states=rules.user_states(
                    is_active=user.is_active,
                    last_login=user.last_login,
                    locked_until=locks.get(user.identifier),
                    temporary_until=temporary.expires_at if temporary else None,
                    now=now,
                ),
                locked_until=locks.get(user.identifier),
                temporary_until=temporary.expires_at if temporary else None,
                temporary_channel=temporary.get_channel_display() if temporary else "",
            )
        )
    return rows


def correspondence_of_landlord(landlord: Landlord) -> QuerySet[Message]:
    """Every e-mail and letter to the landlord's users, newest first, whatever its state."""
    return (
        Message.objects.filter(recipient__landlord=landlord)
        .select_related("recipient")
        .defer("body_html", "body_text", "context")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )


def events_of_landlord(landlord: Landlord) -> QuerySet[Event]:
    """The audit events about the landlord or its users, newest first."""
    targets = {landlord.ref}
    for identifier, number, email in landlord.users.values_list(
        "identifier", "user_number", "email"
    ):
        targets.update(value for value in (identifier, number, email and email.lower()) if value)
    return (
        Event.objects.filter(target__in=targets)
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:HISTORY_LIMIT]
    )


def portfolios_of_landlord(landlord: Landlord):
    return landlord.portfolios.annotate(tenancy_count=Count("tenancies")).order_by("name")


# --- Campaign ---------------------------------------------------------------------------------


@dataclass
class Dashboard:
    year: int
    concerned: int
    declared: int
    days: list[dict]
    sizes: list[dict]
    chart: dict

    @property
    def share(self) -> float:
        return rules.share(self.declared, self.concerned)


def campaign_dashboard(year: int) -> Dashboard:
    """Share declared overall, per day (first declarations, with the running share) and per
    portfolio size."""
    tenancies = rent_selectors.concerned_tenancies(year)
    per_portfolio = tenancies.values("portfolio_id").annotate(
        total=Count("id"), declared=Count("id", filter=Q(is_declared=True))
    )
    buckets = {
        bucket: {"portfolios": 0, "total": 0, "declared": 0} for bucket in rules.SIZE_BUCKETS
    }
    for index, portfolios, total, declared in _per_size(per_portfolio):
        buckets[rules.SIZE_BUCKETS[index]] = {
            "portfolios": portfolios,
            "total": total,
            "declared": declared,
        }
    concerned = sum(values["total"] for values in buckets.values())
    declared = sum(values["declared"] for values in buckets.values())
    sizes = [
        {
            "label": rules.size_bucket_label(low, high),
            **values,
            "share": rules.share(values["declared"], values["total"]),
        }
        for (low, high), values in buckets.items()
    ]
    firsts = rent_selectors.first_declarations_per_day(year, tenancies)
    days, running = [], 0
    for row in firsts:
        running += row["count"]
        days.append(
            {"day": row["day"], "count": row["count"], "share": rules.share(running, concerned)}
        )
    chart = rules.bar_chart([(f"{row['day']:%d/%m}", row["count"]) for row in days])
    return Dashboard(year, concerned, declared, days, sizes, chart)


def _per_size(per_portfolio) -> list[tuple[int, int, int, int]]:
    """(bucket index, portfolios, tenancies, declared) summed in the database, not in Python."""
    sql, params = per_portfolio.query.sql_with_params()
    cases = " ".join(
        f"WHEN total <= {high} THEN {index}"
        for index, (_low, high) in enumerate(rules.SIZE_BUCKETS)
        if high is not None
    )
    bucket = f"CASE {cases} ELSE {len(rules.SIZE_BUCKETS) - 1} END"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {bucket} AS bucket, COUNT(*), SUM(total), SUM(declared) "  # noqa: S608
            f"FROM ({sql}) AS per_portfolio GROUP BY 1 ORDER BY 1",
            params,
        )
        return [(int(b), int(p), int(t), int(d)) for b, p, t, d in cursor.fetchall()]


def landlords_with_undeclared_rents(year: int) -> QuerySet[Landlord]:
    """Landlords with at least one tenancy concerned by year N whose rent is still unknown (to
    declare, or waiting for the July N-1 receipt), each flagged ``reminded_today``. A rent the
    agency had from its feed counts as known: no reminder asks for what the landlord's list
    already shows as done."""
    undeclared = Tenancy.objects.filter(
        rent_rules.active_in_july_q(year), portfolio__landlord=OuterRef("pk")
    ).exclude(rent_selectors.rent_known_in(year))
    reminded = Reminder.objects.filter(landlord=OuterRef("pk"), sent_on=clock.today())
    return (
        Landlord.objects.filter(Exists(undeclared))
        .annotate(reminded_today=Exists(reminded))
        .order_by("name", "pk")
    )


# --- Correspondence ---------------------------------------------------------------------------


def failed_emails() -> QuerySet[Message]:
    """E-mails the outbox gave up on, newest first, with their last error."""
    return (
        Message.objects.filter(status=Message.Status.FAILED, channel=Message.Channel.EMAIL)
        .select_related("recipient__landlord")
        .defer("body_html", "body_text", "context")
        .order_by("-created_at", "-pk")
    )


def letters_waiting() -> int:
    from portail.correspondence.selectors import letters_to_print

    return letters_to_print().count()


def letter_batches() -> list[Path]:
    """The printable batches already gathered, newest first."""
    folder = Path(settings.LETTER_SPOOL_DIR) / BATCH_FOLDER
    if not folder.is_dir():
        return []
    return sorted(folder.glob("lot-*.pdf"), reverse=True)


def letter_batch(name: str) -> Path:
    """One gathered batch by its file name; 404 for anything else."""
    for path in letter_batches():
        if path.name == name:
            return path
    raise Http404("Lot introuvable")
