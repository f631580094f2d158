"""PostgreSQL only: a trigram index so that searching a tenant by part of the name stays fast in
a 100,000-tenancy portfolio. Skipped (with a note) where the pg_trgm extension is unavailable;
SQLite needs nothing."""

from django.db import DatabaseError, migrations, transaction

INDEX = (
    "CREATE INDEX IF NOT EXISTS tenancy_name_trigram ON portfolios_tenancy "
    "USING gin ((upper(tenant_name::text)) gin_trgm_ops)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(INDEX)
    except DatabaseError:
        print("\n  pg_trgm unavailable: tenant name search will scan the portfolio.")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS tenancy_name_trigram")


class Migration(migrations.Migration):
    dependencies = [("portfolios", "0003_remove_tenancy_portfolios__portfol_2c531a_idx_and_more")]
    operations = [migrations.RunPython(create, drop)]
