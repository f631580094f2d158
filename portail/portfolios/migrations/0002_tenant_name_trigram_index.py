"""PostgreSQL only: a trigram index so that searching a tenant by part of the name stays fast in
a 100,000-tenancy portfolio. Skipped (with a note) where the pg_trgm extension is unavailable;
SQLite needs nothing."""

from django.db import DatabaseError, migrations, transaction

INDEX_NAME = "tenancy_name_trigram"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("portfolios", "Tenancy")._meta.db_table
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON {table} "
                "USING gin ((upper(tenant_name::text)) gin_trgm_ops)"
            )
    except DatabaseError:
        print("\n  pg_trgm unavailable: tenant name search will scan the portfolio.")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("portfolios", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
