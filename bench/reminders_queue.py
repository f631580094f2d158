"""Benchmark: campaign reminders queued in set-based writes, against COPY into the same table.

    .venv/bin/python bench/reminders_queue.py [--landlords 200000]
        [--database-url postgres://postgres@127.0.0.1:5432/test_outbox]

A fresh database (PostgreSQL: dropped and created again; default: a new SQLite file) gets N
landlords, each with one user holding an e-mail address and one tenancy whose July 2026 rent is
not declared, loaded with COPY (executemany on SQLite). Then, in the same run:

- reference: N ready-made outbox rows (the reminder as the outbox stores it) written into the
  outbox table by COPY (PostgreSQL) or one prepared executemany (SQLite), then removed;
- the real path: ``backoffice.services.send_reminders`` (what the back office's "Relancer ces
  bailleurs" runs): reads the landlords to remind chunk by chunk, picks each one's recipient,
  writes the outbox rows by COPY and the reminders by one INSERT per chunk, and records the
  action in the journal.

It prints both rates, their ratio, and the time 1.3 million landlords would take at this rate
(target: under 10 minutes). A second run of ``send_reminders`` the same day must queue nothing.
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NATIONAL = 1_300_000
TARGET_SECONDS = 600
# Ids of the loaded rows start here: above anything the ORM creates in this run.
FIRST_ID = 10_000_000


def setup(database_url: str | None) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    if database_url and database_url.startswith("postgres"):
        import psycopg

        base, _, name = database_url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        DATABASE_URL=database_url or f"sqlite:///{work / 'bench.sqlite3'}",
        DEBUG="false",
        SECRET_KEY="bench-" + os.urandom(16).hex(),
        ALLOWED_HOSTS="localhost",
        LOG_LEVEL="WARNING",
        MEDIA_ROOT=str(work / "media"),
        LETTER_SPOOL_DIR=str(work / "spool"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load(model, rows) -> None:
    """Rows (dicts with their id) into a model's table: COPY, or executemany on SQLite."""
    from django.db import connection

    from portail.feed.bulk import insert_prepared

    fields = model._meta.concrete_fields
    defaults = {field.attname: field.get_default() for field in fields}
    insert_prepared(
        model,
        [field.column for field in fields],
        (
            [
                field.get_db_prep_save(row.get(field.attname, defaults[field.attname]), connection)
                for field in fields
            ]
            for row in rows
        ),
    )


def load_landlords(count: int) -> None:
    """N landlords, each with one user (an e-mail address) and one undeclared tenancy."""
    from django.db import connection, transaction

    from portail.accounts import rules
    from portail.accounts.models import Landlord, User
    from portail.portfolios.models import Portfolio, Tenancy

    now = datetime.datetime.now(tz=datetime.UTC)
    ids = range(FIRST_ID, FIRST_ID + count)
    with transaction.atomic():
        load(
            Landlord,
            (
                {
                    "id": i,
                    "ref": f"R{i}",
                    "kind": "natural",
                    "name": f"Bailleur {i}",
                    "address_line1": f"{i % 200} rue des Lilas",
                    "postcode": "13001",
                    "city": "Marseille",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in ids
            ),
        )
        load(
            User,
            (
                {
                    "id": i,
                    "password": "!",
                    "identifier": f"LOGB{i}",
                    "user_number": rules.format_user_number(i),
                    "landlord_id": i,
                    "full_name": f"Prénom{i} NOM",
                    "email": f"bailleur{i}@example.org",
                    "is_landlord_admin": True,
                    "date_joined": now,
                }
                for i in ids
            ),
        )
        load(Portfolio, ({"id": i, "ref": f"P{i}", "landlord_id": i, "name": "Parc"} for i in ids))
        load(
            Tenancy,
            (
                {
                    "id": i,
                    "recipient_number": str(i),
                    "portfolio_id": i,
                    "tenant_name": f"LOCATAIRE {i}",
                    "dwelling_address": "1 rue du Banc, 13001 Marseille",
                    "start_date": datetime.date(2020, 1, 1),
                }
                for i in ids
            ),
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def reference_rate(count: int) -> float:
    """Rows/s of the plain bulk write of N ready reminder rows into the outbox table."""
    from django.db import transaction

    from portail.accounts.models import User
    from portail.backoffice.services import NOTICE, reminder_context, reminder_subject
    from portail.common import clock
    from portail.correspondence import bulk
    from portail.correspondence.models import Message

    user = User.objects.select_related("landlord").get(pk=FIRST_ID)
    row = bulk.row_for(
        user=user,
        channel=Message.Channel.EMAIL,
        template=NOTICE,
        context=reminder_context(2026),
        subject=reminder_subject(2026),
    )
    now = clock.now()
    fixed = Message(kind="campaign_reminder", channel="email", template=NOTICE, next_attempt_at=now)
    fixed.created_at = fixed.queued_at = now
    ids = list(range(FIRST_ID, FIRST_ID + count))
    rows = list(bulk.prepared_rows(fixed, ids, [row] * count))
    start = time.perf_counter()
    with transaction.atomic():
        bulk.insert_rows(rows)
    elapsed = time.perf_counter() - start
    Message.objects.all()._raw_delete(Message.objects.db)  # nothing refers to them yet
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landlords", type=int, default=200_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    setup(args.database_url)
    from django.db import connection

    from portail.accounts.models import User
    from portail.backoffice.models import Reminder
    from portail.backoffice.services import send_reminders
    from portail.correspondence.models import Message

    print(f"database: {connection.vendor}, {os.cpu_count()} CPU(s), {args.landlords} landlords")
    start = time.perf_counter()
    load_landlords(args.landlords)
    print(f"loaded in {time.perf_counter() - start:.0f} s")
    agent = User.objects.create_user("agent.bench", "Agent-du-banc-2026", is_staff=True)

    reference = reference_rate(args.landlords)
    name = "COPY" if connection.vendor == "postgresql" else "executemany"
    print(f"reference, {name} of ready rows into the outbox : {reference:10,.0f} rows/s")

    start = time.perf_counter()
    counts = send_reminders(year=2026, agent=agent, ip=None)
    elapsed = time.perf_counter() - start
    rate = counts.sent / elapsed
    national = NATIONAL / rate
    print(
        f"send_reminders (set-based, chunks)         : {rate:10,.0f} rows/s"
        f"  = {rate / reference:.3f} x {name}  ({counts.sent:,} in {elapsed:.1f} s)"
    )
    verdict = "met" if national < TARGET_SECONDS else "MISSED"
    print(
        f"1.3 million landlords at this rate         : {national / 60:10.1f} min"
        f"  (target < {TARGET_SECONDS // 60} min: {verdict})"
    )
    assert counts.sent == args.landlords == Message.objects.count() == Reminder.objects.count()
    again = send_reminders(year=2026, agent=agent, ip=None)
    assert (again.sent, again.already_today) == (0, args.landlords), again
    print(f"second run the same day                    : 0 queued, {again.already_today:,} already")


if __name__ == "__main__":
    main()
