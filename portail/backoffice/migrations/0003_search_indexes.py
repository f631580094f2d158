"""Indexes for the landlord search on a million landlords (see portail/backoffice/search.py).

Expression indexes on other apps' tables, created here in raw SQL by database vendor so that
those apps' models keep their own Meta: UPPER(name) for name prefixes (text_pattern_ops on
PostgreSQL so LIKE 'X%' uses it; SQLite searches a range), LOWER(email) for e-mail addresses,
and the audit journal's target for a landlord's events.
"""

from django.db import migrations

INDEXES = [
    ("backoffice_landlord_name_upper", "accounts_landlord", "UPPER(name)", "text_pattern_ops"),
    ("backoffice_landlord_email_lower", "accounts_landlord", "LOWER(email)", ""),
    ("backoffice_user_email_lower", "accounts_user", "LOWER(email)", ""),
    ("backoffice_event_target", "audit_event", "target", ""),
]


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, table, expression, opclass in INDEXES:
        column = f"({expression}) {opclass}" if postgres and opclass else f"({expression})"
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})")


def drop(apps, schema_editor):
    for name, *_ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0002_roles"),
        ("accounts", "0003_user_credentials_letter_sent_at_user_email_confirmed_and_more"),
        ("audit", "0001_initial"),
    ]
    operations = [migrations.RunPython(create, drop)]
