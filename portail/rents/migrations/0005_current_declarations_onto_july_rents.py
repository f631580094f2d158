"""Data: the current version of each declaration moves onto its JulyRent row; only the versions
it replaced stay in RentDeclaration. Reversible: going back copies every current version into
RentDeclaration again and clears the two new columns, which gives the former shape exactly."""

from django.db import migrations
from django.db.models import Exists, OuterRef

CHUNK = 2000
DECLARED_SOURCES = ("online", "import")


def current_onto_july_rents(apps, schema_editor):
    """For each tenancy and year, the latest declared version becomes the JulyRent row's, unless
    the agency recorded that rent otherwise (feed, receipt) after it: then every version stays
    history, as none is current. A missing JulyRent row (a declaration whose rent write was lost)
    is created from the declaration."""
    declaration_model = apps.get_model("rents", "RentDeclaration")
    rent_model = apps.get_model("rents", "JulyRent")
    latest = declaration_model.objects.filter(
        ~Exists(
            declaration_model.objects.filter(
                tenancy=OuterRef("tenancy"), year=OuterRef("year"), version__gt=OuterRef("version")
            )
        )
    ).order_by("pk")
    pks = list(latest.values_list("pk", flat=True))
    for start in range(0, len(pks), CHUNK):
        chunk = list(
            declaration_model.objects.filter(pk__in=pks[start : start + CHUNK]).select_related(
                "submission"
            )
        )
        rents = {
            (rent.tenancy_id, rent.year): rent
            for rent in rent_model.objects.filter(
                tenancy_id__in={d.tenancy_id for d in chunk}, year__in={d.year for d in chunk}
            )
        }
        moved = []
        for declaration in chunk:
            rent = rents.get((declaration.tenancy_id, declaration.year))
            if rent is None:
                rent = rent_model(tenancy_id=declaration.tenancy_id, year=declaration.year)
            elif rent.source not in DECLARED_SOURCES and rent.recorded_at > declaration.declared_at:
                continue
            rent.amount = declaration.amount
            rent.source = declaration.submission.channel
            rent.recorded_at = declaration.declared_at
            rent.recorded_by_id = declaration.declared_by_id
            rent.submission_id = declaration.submission_id
            rent.version = declaration.version
            rent.save()
            moved.append(declaration.pk)
        declaration_model.objects.filter(pk__in=moved).delete()


def current_back_into_declarations(apps, schema_editor):
    """Every current declared version is copied back into RentDeclaration (the former shape)."""
    declaration_model = apps.get_model("rents", "RentDeclaration")
    rent_model = apps.get_model("rents", "JulyRent")
    declared = rent_model.objects.filter(submission__isnull=False).select_related("submission")
    batch = []
    for rent in declared.iterator(chunk_size=CHUNK):
        batch.append(
            declaration_model(
                submission_id=rent.submission_id,
                tenancy_id=rent.tenancy_id,
                year=rent.year,
                version=rent.version,
                amount=rent.amount,
                declared_by_id=rent.recorded_by_id or rent.submission.submitted_by_id,
                declared_at=rent.recorded_at,
            )
        )
        if len(batch) >= CHUNK:
            declaration_model.objects.bulk_create(batch)
            batch = []
    declaration_model.objects.bulk_create(batch)
    declared.update(submission=None, version=None)


class Migration(migrations.Migration):
    dependencies = [("rents", "0004_julyrent_current_declaration")]

    operations = [migrations.RunPython(current_onto_july_rents, current_back_into_declarations)]
