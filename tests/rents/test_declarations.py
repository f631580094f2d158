"""Declaring the July 2026 rent: rules, idempotency, versions, rights (difficulties 9 and 10)."""

import datetime
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import transaction

from portail.portfolios.models import Grant
from portail.portfolios.selectors import portfolio_for_user
from portail.rents import declarations, selectors
from portail.rents.models import (
    IrlQuarter,
    JulyRent,
    RentCampaign,
    RentDeclaration,
    RentSubmission,
)
from tests.factories import GrantFactory, LegalLandlordFactory, UserFactory

from .helpers import all_versions, make_world

pytestmark = pytest.mark.django_db


def declare(world, tenancy, amount, *, token=None, version=0, confirmed=False, user=None):
    user = user or world.user
    return declarations.declare_rent(
        user=user,
        portfolio=portfolio_for_user(user, world.portfolio.pk),
        tenancy_id=tenancy.pk,
        year=2026,
        amount=Decimal(amount),
        token=token or uuid.uuid4(),
        expected_version=version,
        confirmed=confirmed,
    )


def test_a_declaration_records_the_rent_online_with_its_first_version():
    world = make_world()
    submission = declare(world, world.known, "655.00")
    rent = JulyRent.objects.get(tenancy=world.known, year=2026)
    assert (rent.amount, rent.source, rent.recorded_by) == (
        Decimal("655.00"),
        JulyRent.Source.ONLINE,
        world.user,
    )
    assert (rent.submission, rent.version) == (submission, 1)
    assert not RentDeclaration.objects.exists()  # no version superseded yet


def test_submitting_twice_records_one_declaration():
    world = make_world()
    token = uuid.uuid4()
    first = declare(world, world.known, "655.00", token=token)
    again = declare(world, world.known, "655.00", token=token)  # double click / back button
    other_tab = declare(world, world.known, "655.00")  # second tab, same amount, stale version
    assert first.pk == again.pk == other_tab.pk
    assert len(all_versions()) == 1


def test_a_stale_tab_with_another_amount_is_refused_not_recorded():
    world = make_world()
    declare(world, world.known, "655.00")
    with pytest.raises(declarations.DeclarationRefused, match="entre-temps") as refusal:
        declare(world, world.known, "656.00", version=0)
    assert "(655,00\u00a0€)" in refusal.value.message  # the French amount, never 655.00 €
    assert JulyRent.objects.get(tenancy=world.known, year=2026).amount == Decimal("655.00")


def test_a_refusal_leaves_the_callers_transaction_usable_and_writes_nothing():
    """declare_rent has no savepoint of its own: a refusal is decided before any write."""
    world = make_world()
    with transaction.atomic():
        with pytest.raises(declarations.DeclarationRefused, match="inhabituel"):
            declare(world, world.known, "5000.01")  # above the IRL: to confirm
        with pytest.raises(declarations.DeclarationRefused, match="juillet 2025"):
            declare(world, world.missing, "600.00", confirmed=True)
        assert not JulyRent.objects.filter(year=2026).exists()  # the transaction still reads
        submission = declare(world, world.known, "655.00")
    assert JulyRent.objects.get(tenancy=world.known, year=2026).submission == submission


def test_a_correction_adds_a_version_and_keeps_the_first():
    world = make_world()
    declare(world, world.known, "655.00")
    declare(world, world.known, "652.00", version=1)
    versions = [(v, a) for _t, v, a in all_versions(world.known)]
    assert versions == [(1, Decimal("655.00")), (2, Decimal("652.00"))]
    assert JulyRent.objects.get(tenancy=world.known, year=2026).amount == Decimal("652.00")


def test_no_declaration_or_correction_once_the_campaign_is_closed():
    world = make_world()
    RentCampaign.objects.create(
        year=2026, opens_on=datetime.date(2026, 7, 1), closes_on=datetime.date(2026, 11, 26)
    )
    with pytest.raises(declarations.DeclarationRefused, match="est fermée"):
        declare(world, world.known, "655.00")


def test_new_campaign_dates_apply_at_once_though_the_campaign_is_cached():
    world = make_world()
    declare(world, world.known, "655.00")  # reads (and caches) the default dates: open
    RentCampaign.objects.update_or_create(
        year=2026,
        defaults={"opens_on": datetime.date(2026, 7, 1), "closes_on": datetime.date(2026, 11, 26)},
    )
    with pytest.raises(declarations.DeclarationRefused, match="est fermée"):
        declare(world, world.newcomer, "600.00")
    RentCampaign.objects.filter(year=2026).get().delete()  # back to the default dates
    declare(world, world.newcomer, "600.00")


def test_campaign_defaults_to_1_july_and_15_january():
    campaign = RentCampaign.objects.create(year=2026)
    assert (campaign.opens_on, campaign.closes_on) == (
        datetime.date(2026, 7, 1),
        datetime.date(2027, 1, 15),
    )


def test_missing_july_2025_rent_blocks_the_entry_but_not_for_a_newcomer():
    world = make_world()
    with pytest.raises(declarations.DeclarationRefused, match="quittance de juillet 2025") as error:
        declare(world, world.missing, "600.00")
    assert error.value.help_entry == 9
    declare(world, world.newcomer, "600.00")
    with pytest.raises(declarations.DeclarationRefused, match="pas locataire"):
        declare(world, world.gone, "600.00")


def test_an_increase_beyond_the_irl_needs_a_confirmation():
    world = make_world()
    # IRL Q2 2026 not yet in the table: the latest published pair applies (146.68 / 145.17).
    with pytest.raises(declarations.DeclarationRefused, match="Confirmez"):
        declare(world, world.known, "660.00")  # 650 x 146.68/145.17 = 656.76
    declare(world, world.known, "656.76")
    declare(world, world.known, "660.00", version=1, confirmed=True)
    IrlQuarter.objects.create(year=2026, quarter=2, value=Decimal("150.00"))
    # Staff add IRL Q2 2026: July 2025's 650 x 150 / 146.68 = 664.71 at most.
    declare(world, world.known, "664.71", version=2)
    with pytest.raises(declarations.DeclarationRefused, match="Confirmez"):
        declare(world, world.known, "664.72", version=3)
    assert len(all_versions(world.known)) == 3


def test_an_amount_above_the_ceiling_needs_a_confirmation(settings):
    settings.RENT_CONFIRMATION_CEILING = "1000"
    world = make_world()
    with pytest.raises(declarations.DeclarationRefused, match="Confirmez"):
        declare(world, world.newcomer, "1200.00")
    declare(world, world.newcomer, "1200.00", confirmed=True)


def test_a_consult_only_user_cannot_declare_but_a_declare_grant_can():
    landlord = LegalLandlordFactory()
    admin = UserFactory(landlord=landlord, is_landlord_admin=True)
    world = make_world(landlord=landlord)
    reader = UserFactory(landlord=landlord)
    GrantFactory(user=reader, portfolio=world.portfolio, right=Grant.Right.CONSULT)
    writer = UserFactory(landlord=landlord)
    GrantFactory(user=writer, portfolio=world.portfolio, right=Grant.Right.DECLARE)
    assert not portfolio_for_user(reader, world.portfolio.pk).may_declare
    with pytest.raises(PermissionDenied):
        declare(world, world.known, "655.00", user=reader)
    declare(world, world.known, "655.00", user=writer)
    declare(world, world.known, "655.00", user=admin, version=1)


def test_declarations_outside_the_campaign_dates_of_staff():
    world = make_world()
    with (
        time_machine.travel(datetime.date(2027, 1, 16)),
        pytest.raises(declarations.DeclarationRefused),
    ):
        declare(world, world.known, "655.00")


def test_a_correction_moves_the_replaced_version_into_the_history_with_who_and_when():
    landlord = LegalLandlordFactory()
    world = make_world(landlord=landlord, is_landlord_admin=True)
    colleague = UserFactory(landlord=landlord, is_landlord_admin=True)
    first = declare(world, world.known, "655.00")
    with time_machine.travel(
        datetime.datetime(2026, 11, 28, 9, 15, tzinfo=datetime.UTC), tick=False
    ):
        second = declare(world, world.known, "652.00", version=1, user=colleague)
    [old] = RentDeclaration.objects.filter(tenancy=world.known, year=2026)
    assert (old.version, old.amount, old.submission, old.declared_by) == (
        1,
        Decimal("655.00"),
        first,
        world.user,
    )
    assert old.declared_at.date() == datetime.date(2026, 11, 27)
    rent = JulyRent.objects.get(tenancy=world.known, year=2026)
    assert (rent.version, rent.amount, rent.submission, rent.recorded_by) == (
        2,
        Decimal("652.00"),
        second,
        colleague,
    )
    assert rent.recorded_at == datetime.datetime(2026, 11, 28, 9, 15, tzinfo=datetime.UTC)
    history = selectors.declaration_history(world.known, year=2026)
    assert [(v.version, v.amount, v.declared_by) for v in history] == [
        (1, Decimal("655.00"), world.user),
        (2, Decimal("652.00"), colleague),
    ]


def test_the_agency_replacing_a_declared_rent_keeps_the_declaration_in_the_history():
    world = make_world()
    first = declare(world, world.known, "655.00")
    declare(world, world.known, "652.00", version=1)
    rent = JulyRent.objects.get(tenancy=world.known, year=2026)
    declarations.record_current_rent(
        tenancy_id=world.known.pk,
        year=2026,
        values={"amount": Decimal("640.00"), "source": JulyRent.Source.FEED},
    )
    rent.refresh_from_db()
    assert (rent.amount, rent.submission, rent.version) == (Decimal("640.00"), None, None)
    assert [(v, a) for _t, v, a in all_versions(world.known)] == [
        (1, Decimal("655.00")),
        (2, Decimal("652.00")),
    ]
    # The landlord's next correction is version 3; version 1 still names its submission.
    declare(world, world.known, "653.00", version=2)
    assert JulyRent.objects.get(tenancy=world.known, year=2026).version == 3
    assert RentDeclaration.objects.get(tenancy=world.known, version=1).submission == first


def test_a_concurrent_twin_that_lost_the_race_answers_with_the_recorded_submission():
    world = make_world()
    token = uuid.uuid4()
    first = declare(world, world.known, "655.00", token=token)
    # The twin read version 0 before the first one committed: same amount, same submission.
    assert declare(world, world.known, "655.00", version=0) == first
    assert len(all_versions(world.known)) == 1


def test_a_token_already_used_for_another_tenancy_answers_its_submission_writing_nothing():
    """A twin met on the submission's token (ON CONFLICT DO NOTHING, no savepoint): the first
    submission is answered, nothing of the second written, the transaction still usable."""
    world = make_world()
    token = uuid.uuid4()
    with transaction.atomic():
        first = declare(world, world.known, "655.00", token=token)
        assert declare(world, world.newcomer, "600.00", token=token) == first
        assert not JulyRent.objects.filter(tenancy=world.newcomer, year=2026).exists()
    assert [v[0] for v in all_versions()] == [world.known.pk]


def test_a_rent_written_meanwhile_without_the_tenancys_lock_leaves_nothing_of_this_one(
    monkeypatch,
):
    """A July N rent written between the read of the current rent and the insert (by a writer
    that does not lock the tenancy): the insert meets it (ON CONFLICT DO NOTHING), the new
    submission is taken back and the concurrent twin's rule answers, the transaction usable."""
    world = make_world()
    JulyRent.objects.bulk_create(
        [JulyRent(tenancy=world.known, year=2026, amount=Decimal("640.00"), source="feed")]
    )

    class ReadBeforeTheOtherWrite:
        def first(self, **values):
            return None

    monkeypatch.setattr(declarations, "_current_rent_locked", ReadBeforeTheOtherWrite)
    with transaction.atomic():
        with pytest.raises(declarations.DeclarationRefused, match="vient d'être enregistrée"):
            declare(world, world.known, "655.00")
        assert not RentSubmission.objects.exists()  # the transaction still reads
    rent = JulyRent.objects.get(tenancy=world.known, year=2026)
    assert (rent.amount, rent.submission) == (Decimal("640.00"), None)
