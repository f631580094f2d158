"""Data: the valid rows of deposited files, from JSON ([line, tenancy id, amount, warning]) to
plain text lines, their count and the few warnings. Reversible."""

from django.db import migrations


def rows_to_lines(apps, schema_editor):
    bulk_model = apps.get_model("rents", "BulkImport")
    for bulk in bulk_model.objects.exclude(valid_rows=[]).iterator(chunk_size=10):
        rows = bulk.valid_rows
        bulk.valid_lines = "\n".join(f"{line}\t{tenancy}\t{amount}" for line, tenancy, amount, _ in rows)
        bulk.valid_count = len(rows)
        bulk.warnings = [[line, warning] for line, _t, _a, warning in rows if warning]
        bulk.save(update_fields=["valid_lines", "valid_count", "warnings"])


def lines_to_rows(apps, schema_editor):
    bulk_model = apps.get_model("rents", "BulkImport")
    for bulk in bulk_model.objects.exclude(valid_lines="").iterator(chunk_size=10):
        warnings = dict(bulk.warnings)
        rows = []
        for text in bulk.valid_lines.splitlines():
            line, tenancy, amount = text.split("\t")
            rows.append([int(line), int(tenancy), amount, warnings.get(int(line), "")])
        bulk.valid_rows = rows
        bulk.save(update_fields=["valid_rows"])


class Migration(migrations.Migration):
    dependencies = [("rents", "0006_bulkimport_valid_lines")]

    operations = [migrations.RunPython(rows_to_lines, lines_to_rows)]
