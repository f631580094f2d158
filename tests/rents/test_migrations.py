"""The data migration that moved the current version of each declaration onto its JulyRent."""

import datetime
import importlib
import uuid
from decimal import Decimal

import pytest
from django.apps import apps

from portail.rents.models import JulyRent, RentDeclaration, RentSubmission

from .helpers import make_world

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "portail.rents.migrations.0005_current_declarations_onto_july_rents"
)


def when(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, 10, tzinfo=datetime.UTC)


def former_shape(world):
    """Versions 1..3 of the known tenant's July 2026 rent, all in RentDeclaration, and the
    JulyRent row holding the last amount, as the portal stored them before the change; a
    newcomer's version 1 whose rent the agency's feed replaced afterwards."""
    submissions = []
    for version, amount in ((1, "655.00"), (2, "652.00"), (3, "653.00")):
        submission = RentSubmission.objects.create(
            portfolio=world.portfolio,
            year=2026,
            channel="import" if version == 2 else "online",
            token=uuid.uuid4(),
            submitted_by=world.user,
            submitted_at=when(20 + version),
        )
        submissions.append(submission)
        RentDeclaration.objects.create(
            submission=submission,
            tenancy=world.known,
            year=2026,
            version=version,
            amount=Decimal(amount),
            declared_by=world.user,
            declared_at=when(20 + version),
        )
    JulyRent.objects.create(
        tenancy=world.known,
        year=2026,
        amount=Decimal("653.00"),
        source="online",
        recorded_at=when(23),
        recorded_by=world.user,
    )
    RentDeclaration.objects.create(
        submission=submissions[0],
        tenancy=world.newcomer,
        year=2026,
        version=1,
        amount=Decimal("700.00"),
        declared_by=world.user,
        declared_at=when(21),
    )
    JulyRent.objects.create(
        tenancy=world.newcomer,
        year=2026,
        amount=Decimal("710.00"),
        source="feed",
        recorded_at=when(25),
    )
    return submissions


def snapshot():
    return (
        sorted(
            RentDeclaration.objects.values_list(
                "submission_id",
                "tenancy_id",
                "year",
                "version",
                "amount",
                "declared_by_id",
                "declared_at",
            )
        ),
        sorted(
            JulyRent.objects.filter(year=2026).values_list(
                "tenancy_id", "amount", "source", "recorded_at", "submission_id", "version"
            )
        ),
    )


def test_the_current_version_moves_onto_the_july_rent_and_older_ones_stay():
    world = make_world()
    submissions = former_shape(world)
    before = snapshot()
    migration.current_onto_july_rents(apps, None)
    history = list(
        RentDeclaration.objects.filter(tenancy=world.known).values_list("version", "amount")
    )
    assert history == [(1, Decimal("655.00")), (2, Decimal("652.00"))]
    rent = JulyRent.objects.get(tenancy=world.known, year=2026)
    assert (rent.version, rent.submission, rent.amount, rent.recorded_by, rent.recorded_at) == (
        3,
        submissions[2],
        Decimal("653.00"),
        world.user,
        when(23),
    )
    # The feed replaced the newcomer's declaration afterwards: it stays in the history only.
    newcomer = JulyRent.objects.get(tenancy=world.newcomer, year=2026)
    assert (newcomer.source, newcomer.submission, newcomer.version) == ("feed", None, None)
    assert RentDeclaration.objects.filter(tenancy=world.newcomer).count() == 1
    # Back again: exactly the former shape.
    migration.current_back_into_declarations(apps, None)
    assert snapshot() == before


def test_a_declaration_whose_rent_row_was_lost_gets_one():
    world = make_world()
    submission = RentSubmission.objects.create(
        portfolio=world.portfolio,
        year=2026,
        channel="online",
        token=uuid.uuid4(),
        submitted_by=world.user,
        submitted_at=when(21),
    )
    RentDeclaration.objects.create(
        submission=submission,
        tenancy=world.newcomer,
        year=2026,
        version=1,
        amount=Decimal("700.00"),
        declared_by=world.user,
        declared_at=when(21),
    )
    migration.current_onto_july_rents(apps, None)
    rent = JulyRent.objects.get(tenancy=world.newcomer, year=2026)
    assert (rent.amount, rent.source, rent.version, rent.submission) == (
        Decimal("700.00"),
        "online",
        1,
        submission,
    )
    assert not RentDeclaration.objects.exists()
