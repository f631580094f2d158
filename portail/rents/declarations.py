"""Declaring a July rent on screen (declare_rent), and what every way of recording a rent
shares: the refusals, the campaign and right checks, the current rent and its history."""

import logging
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    CharField,
    Exists,
    OuterRef,
    PositiveSmallIntegerField,
    QuerySet,
    Subquery,
    UUIDField,
)

from portail.common import clock
from portail.common.formats import french_amount, french_long_date
from portail.common.prepared import Param, compiled, insert
from portail.help.difficulties import Difficulty
from portail.portfolios.models import Portfolio, Tenancy
from portail.portfolios.selectors import may_declare

from . import campaign_state, events, rules, selectors
from .models import JulyRent, RentDeclaration, RentSubmission
from .tenant_list import with_rents

log = logging.getLogger(__name__)


class DeclarationRefused(Exception):
    """A declaration that cannot be recorded; ``message`` says why and what to do, in French;
    ``field``: the form field it is about, when one is (a file's limits: "file")."""

    def __init__(
        self, message: str, *, help_entry: Difficulty | None = None, field: str | None = None
    ):
        self.message = message
        self.help_entry = help_entry
        self.field = field
        super().__init__(message)


class TenancyNotFound(DeclarationRefused):
    """The tenancy named is not in this portfolio (the API answers 404)."""

    def __init__(self):
        super().__init__("Ce locataire n'est pas dans ce parc.")


def check_campaign_open(year: int) -> None:
    """Refuse when the campaign of year N is not open today."""
    campaign = selectors.campaign_of_year(year)
    if not campaign.is_open_on(clock.today()):
        raise DeclarationRefused(
            f"La déclaration des loyers de juillet {year} est fermée : la période de "
            f"déclaration va du {french_long_date(campaign.opens_on)} au "
            f"{french_long_date(campaign.closes_on)}. "
            "Pour signaler un changement de loyer, contactez votre Caf."
        )


def check_may_declare(user, portfolio: Portfolio) -> None:
    """403 for a user who may consult this portfolio but not declare in it."""
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


def _tenancy_for_declaration(
    portfolio: Portfolio,
    tenancy_id: int | None,
    recipient_number: str | None,
    year: int,
    token: uuid.UUID,
) -> Tenancy | None:
    """The tenancy (by its id, or else its recipient number), locked, with its rents and
    status, whether a July N version of it was ever superseded (``has_history``) and the
    submission already sent with this token (``replayed_id``): one query, compiled once per
    year."""
    by_number = tenancy_id is None
    return _tenancy_for_declaration_query(year, by_number).first(
        portfolio=portfolio.pk, tenancy=recipient_number if by_number else tenancy_id, token=token
    )


@compiled
def _tenancy_for_declaration_query(year: int, by_number: bool) -> QuerySet[Tenancy]:
    if by_number:
        which = {"recipient_number": Param("tenancy", CharField())}
    else:
        which = {"pk": Param("tenancy", BigIntegerField())}
    return (
        with_rents(
            Tenancy.objects.select_for_update(of=("self",)).filter(
                portfolio_id=Param("portfolio", BigIntegerField()), **which
            ),
            year=year,
        )
        .annotate(
            has_history=Exists(RentDeclaration.objects.filter(tenancy=OuterRef("pk"), year=year)),
            replayed_id=Subquery(
                RentSubmission.objects.filter(token=Param("token", UUIDField())).values("pk")[:1]
            ),
        )
        .order_by("pk")[:1]
    )


def _check_declarable(tenancy: Tenancy | None, year: int) -> None:
    if tenancy is None:
        raise TenancyNotFound
    if tenancy.status == rules.Status.NOT_REQUIRED:
        raise DeclarationRefused(
            f"{tenancy.tenant_name} n'était pas locataire de ce logement en juillet {year} : "
            "aucun loyer n'est demandé."
        )
    if tenancy.status == rules.Status.RECEIPT:
        raise DeclarationRefused(
            f"La Caf ne connaît pas le loyer de juillet {year - 1} de {tenancy.tenant_name} : "
            f"envoyez d'abord la quittance de juillet {year - 1}.",
            help_entry=Difficulty.JULY_RENT_BLOCKED,
        )


def _latest_declared(tenancy: Tenancy, current: JulyRent | None, *, year: int):
    """selectors.latest_declaration, from the current rent already read (and locked): the
    superseded versions are read only when there are some and the current rent is not a
    landlord's declaration."""
    if current is not None and current.submission_id is not None:
        return current
    if not tenancy.has_history:
        return None
    return selectors.latest_declaration(tenancy, year=year)


def declare_rent(
    *,
    user,
    portfolio: Portfolio,
    tenancy_id: int | None = None,
    recipient_number: str | None = None,
    year: int,
    amount: Decimal,
    token: uuid.UUID,
    expected_version: int | None,
    confirmed: bool,
) -> RentSubmission:
    """Declare (or correct) the July N rent of one tenancy (by its id, or its recipient
    number: the API's); submitting twice records it once (difficulty 10 for the amount, 9 for
    the missing July N-1 rent). ``expected_version``: the version the correction is based on
    (0: none), a later one recorded meanwhile refusing it; None: the current one, read under
    lock (the API's default). TenancyNotFound when the tenancy is not in the portfolio.

    A new declaration's submission carries ``recorded_rent``: the current July N rent it
    made (its amount and version), so that callers need not read it back.

    Atomic, in the caller's transaction when there is one (the API's, which records the
    Idempotency-Key's answer with it) without a savepoint: every refusal is decided before
    anything is written (a concurrent twin's is met by ON CONFLICT DO NOTHING, nothing of it
    left written: _record_declaration), so the block ends normally and the refusal is raised
    after it, leaving the caller's transaction usable, as a savepoint would, for four
    statements fewer."""
    check_may_declare(user, portfolio)
    with transaction.atomic(savepoint=False):
        try:
            return _declare_rent(
                user=user,
                portfolio=portfolio,
                tenancy_id=tenancy_id,
                recipient_number=recipient_number,
                year=year,
                amount=amount,
                token=token,
                expected_version=expected_version,
                confirmed=confirmed,
            )
        except DeclarationRefused as refusal:
            refused = refusal
    raise refused


def _declare_rent(
    *,
    user,
    portfolio,
    tenancy_id,
    recipient_number,
    year,
    amount,
    token,
    expected_version,
    confirmed,
) -> RentSubmission:
    tenancy = _tenancy_for_declaration(portfolio, tenancy_id, recipient_number, year, token)
    if tenancy is not None and tenancy.replayed_id is not None:
        return RentSubmission.objects.get(pk=tenancy.replayed_id)
    check_campaign_open(year)
    _check_declarable(tenancy, year)
    if amount_warnings_for(tenancy, amount=amount, year=year) and not confirmed:
        raise DeclarationRefused(
            "Confirmez ce montant inhabituel avant de l'envoyer.",
            help_entry=Difficulty.AMOUNT_NOT_ACCEPTED,
        )
    # The current rent row is locked before its version is read: a concurrent correction
    # (screen or file) waits, then reads the version this one wrote.
    current = _current_rent_locked().first(tenancy=tenancy.pk, year=year)
    latest = _latest_declared(tenancy, current, year=year)
    current_version = latest.version if latest else 0
    if expected_version is not None and current_version != expected_version:
        return _answer_to_outdated_form(latest, amount=amount)
    submission = _record_declaration(
        user=user,
        portfolio=portfolio,
        tenancy=tenancy,
        current=current,
        year=year,
        amount=amount,
        token=token,
        version=current_version + 1,
    )
    if submission is None:
        return _answer_to_concurrent_twin(tenancy, year=year, amount=amount, token=token)
    events.acknowledgement_ready(submission, lines=1)
    log.info("rent_declared tenancy=%s year=%s version=%s", tenancy.pk, year, current_version + 1)
    return submission


@compiled
def _current_rent_locked() -> QuerySet[JulyRent]:
    """The July rent of a tenancy and year, locked (compiled once)."""
    return (
        JulyRent.objects.select_for_update()
        .filter(
            tenancy_id=Param("tenancy", BigIntegerField()),
            year=Param("year", PositiveSmallIntegerField()),
        )
        .order_by("pk")[:1]
    )


def _answer_to_outdated_form(latest, *, amount: Decimal) -> RentSubmission:
    """Another tab or the back button sent a form based on an older version: the same amount
    is the same declaration (its submission), another one is refused and explained."""
    if latest is not None and latest.amount == amount:
        return latest.submission
    recorded = f" ({french_amount(latest.amount)})" if latest is not None else ""
    raise DeclarationRefused(
        f"Une autre déclaration de ce loyer a été enregistrée entre-temps{recorded} : "
        "vérifiez-la, puis corrigez-la si besoin."
    )


def _record_declaration(
    *,
    user,
    portfolio,
    tenancy,
    current: JulyRent | None,
    year: int,
    amount: Decimal,
    token: uuid.UUID,
    version: int,
) -> RentSubmission | None:
    """The submission and the new current rent, by compiled inserts without a savepoint: a
    concurrent twin (this token's submission, or a July rent written meanwhile by a writer
    that does not lock the tenancy) is met by ON CONFLICT DO NOTHING, and None is answered
    with nothing of this one left written. A correction replaces the rent it read under lock
    (no twin can meet it there)."""
    now = clock.now()
    submission = RentSubmission(
        portfolio=portfolio,
        year=year,
        channel=RentSubmission.Channel.ONLINE,
        token=token,
        submitted_by=user,
        submitted_at=now,
    )
    if not insert(submission, skip_conflict=True):
        return None
    rent = _replace_current_rent(
        current,
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
        skip_conflict=True,
    )
    if rent is None:
        RentSubmission.objects.filter(pk=submission.pk).delete()
        return None
    submission.recorded_rent = rent
    return submission


def _answer_to_concurrent_twin(
    tenancy: Tenancy, *, year: int, amount: Decimal, token: uuid.UUID
) -> RentSubmission:
    """A concurrent twin won the race; answer with what it recorded."""
    twin = RentSubmission.objects.filter(token=token).first()
    if twin is not None:
        return twin
    latest = selectors.latest_declaration(tenancy, year=year)
    if latest is not None and latest.amount == amount:
        return latest.submission
    raise DeclarationRefused(
        "Une autre déclaration de ce loyer vient d'être enregistrée : vérifiez-la."
    ) from None


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
            f"INSERT INTO {RentDeclaration._meta.db_table} (submission_id, tenancy_id, year, "  # noqa: S608
            f"version, amount, declared_by_id, declared_at) {sql}",
            params,
        )
        return cursor.rowcount


def record_current_rent(*, tenancy_id: int, year: int, values: dict) -> JulyRent:
    """Make these values the July rent of the year, the one it replaces going to the history
    when a landlord had declared it. Declared values carry ``submission`` and ``version``;
    others (feed, receipt) carry neither."""
    current = _current_rent_locked().first(tenancy=tenancy_id, year=year)
    return _replace_current_rent(current, tenancy_id=tenancy_id, year=year, values=values)


def _replace_current_rent(
    current: JulyRent | None,
    *,
    tenancy_id: int,
    year: int,
    values: dict,
    skip_conflict: bool = False,
) -> JulyRent | None:
    """record_current_rent with the current rent already read under its lock. A new rent is
    inserted by a compiled insert, its campaign states refreshed as its save's signal would;
    ``skip_conflict``: None, nothing written, when a July rent of the year was written
    meanwhile (else IntegrityError, as a save)."""
    values = {"submission": None, "version": None, **values}
    if current is None:
        rent = JulyRent(tenancy_id=tenancy_id, year=year, **values)
        if not insert(rent, skip_conflict=skip_conflict):
            return None
        campaign_state.rent_written(rent)
        return rent
    if current.submission_id is not None:
        keep_superseded_versions(JulyRent.objects.filter(pk=current.pk))
    for field, value in values.items():
        setattr(current, field, value)
    current.save(update_fields=list(values))
    return current
