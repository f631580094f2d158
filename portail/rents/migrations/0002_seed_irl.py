"""Seed the reference rent index (IRL) with values published by INSEE; staff add new ones."""

from decimal import Decimal

from django.db import migrations

PUBLISHED = [(2023, 2, "140.59"), (2024, 2, "145.17"), (2025, 2, "146.68")]


def seed(apps, schema_editor):
    IrlQuarter = apps.get_model("rents", "IrlQuarter")
    for year, quarter, value in PUBLISHED:
        IrlQuarter.objects.get_or_create(
            year=year, quarter=quarter, defaults={"value": Decimal(value)}
        )


def unseed(apps, schema_editor):
    IrlQuarter = apps.get_model("rents", "IrlQuarter")
    for year, quarter, _ in PUBLISHED:
        IrlQuarter.objects.filter(year=year, quarter=quarter).delete()


class Migration(migrations.Migration):
    dependencies = [("rents", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
