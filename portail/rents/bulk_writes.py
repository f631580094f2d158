"""How the valid lines of a clean file of rents are written, in the recording's transaction:
with the ORM's bulk_create where the database has no COPY (SQLite), with COPY on PostgreSQL.
Both keep the superseded versions first, as every correction does."""

from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from .models import JulyRent, RentDeclaration


def create_rents(lines: list, *, submission, user, year: int, now) -> None:
    """SQLite (and any engine without COPY): the superseded versions to the history, then the
    current rents by bulk INSERT ... ON CONFLICT, each with its next version number."""
    incoming = {tenancy_id for tenancy_id, _amount in lines}
    RentDeclaration.objects.bulk_create(
        [
            RentDeclaration(
                submission_id=submission_id,
                tenancy_id=tenancy_id,
                year=year,
                version=version,
                amount=amount,
                declared_by_id=declared_by_id,
                declared_at=declared_at,
            )
            for submission_id, tenancy_id, version, amount, declared_by_id, declared_at in (
                JulyRent.objects.filter(
                    tenancy__portfolio_id=submission.portfolio_id,
                    year=year,
                    submission__isnull=False,
                ).values_list(
                    "submission_id",
                    "tenancy_id",
                    "version",
                    "amount",
                    "recorded_by_id",
                    "recorded_at",
                )
            )
            if tenancy_id in incoming
        ],
        batch_size=5000,
    )
    versions = dict(
        RentDeclaration.objects.filter(tenancy__portfolio_id=submission.portfolio_id, year=year)
        .values("tenancy_id")
        .annotate(v=Max("version"))
        .values_list("tenancy_id", "v")
    )
    JulyRent.objects.bulk_create(
        [
            JulyRent(
                tenancy_id=tenancy_id,
                year=year,
                amount=Decimal(amount),
                source=JulyRent.Source.IMPORT,
                recorded_at=now,
                recorded_by=user,
                submission=submission,
                version=versions.get(tenancy_id, 0) + 1,
            )
            for tenancy_id, amount in lines
        ],
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["tenancy", "year"],
        update_fields=["amount", "source", "recorded_at", "recorded_by", "submission", "version"],
    )


def copy_rents(lines: list, *, submission, user, year: int, now) -> None:
    """PostgreSQL: the current rents by COPY straight into their table when the portfolio has
    no rent nor declaration for the year yet (the usual first declaration); else through a
    temporary table: the rows to replace are locked, the declared ones copied into the history,
    then one INSERT ... ON CONFLICT writes each line with its next version. The table's
    constraints apply either way."""
    portfolio_id = submission.portfolio_id
    fixed = (year, str(JulyRent.Source.IMPORT), now, user.pk, submission.pk)
    # Table names come from the models; every value is a parameter or COPY data.
    rents, history = JulyRent._meta.db_table, RentDeclaration._meta.db_table
    with connection.cursor() as cursor:
        if not (
            JulyRent.objects.filter(tenancy__portfolio_id=portfolio_id, year=year).exists()
            or RentDeclaration.objects.filter(
                tenancy__portfolio_id=portfolio_id, year=year
            ).exists()
        ):
            try:
                # psycopg's own error from COPY becomes Django's IntegrityError here.
                with (
                    connection.wrap_database_errors,
                    transaction.atomic(),
                    cursor.copy(
                        f"COPY {rents} (tenancy_id, amount, year, source, recorded_at, "
                        "recorded_by_id, submission_id, version) FROM STDIN"
                    ) as copy,
                ):
                    for tenancy_id, amount in lines:
                        copy.write_row((tenancy_id, amount, *fixed, 1))
                return
            except IntegrityError:
                pass  # a rent declared on screen meanwhile: upsert below
        cursor.execute(
            "CREATE TEMPORARY TABLE rents_incoming (tenancy_id bigint, amount numeric(9, 2)) "
            "ON COMMIT DROP"
        )
        with cursor.copy("COPY rents_incoming (tenancy_id, amount) FROM STDIN") as copy:
            for line in lines:
                copy.write_row(line)
        cursor.execute("ANALYZE rents_incoming")
        cursor.execute(
            f"SELECT 1 FROM {rents} r JOIN rents_incoming i ON i.tenancy_id = r.tenancy_id "  # noqa: S608
            "WHERE r.year = %s FOR UPDATE OF r",
            [year],
        )
        cursor.execute(
            f"INSERT INTO {history} (submission_id, tenancy_id, year, version, amount, "  # noqa: S608
            "declared_by_id, declared_at) SELECT r.submission_id, r.tenancy_id, r.year, "
            f"r.version, r.amount, r.recorded_by_id, r.recorded_at FROM {rents} r "
            "JOIN rents_incoming i ON i.tenancy_id = r.tenancy_id "
            "WHERE r.year = %s AND r.submission_id IS NOT NULL",
            [year],
        )
        cursor.execute(
            f"INSERT INTO {rents} (tenancy_id, amount, year, source, recorded_at, "  # noqa: S608
            "recorded_by_id, submission_id, version) "
            "SELECT i.tenancy_id, i.amount, %s, %s, %s, %s, %s, 1 + COALESCE(("
            f"SELECT MAX(h.version) FROM {history} h "
            "WHERE h.tenancy_id = i.tenancy_id AND h.year = %s), 0) FROM rents_incoming i "
            "ON CONFLICT (tenancy_id, year) DO UPDATE SET amount = EXCLUDED.amount, "
            "source = EXCLUDED.source, recorded_at = EXCLUDED.recorded_at, "
            "recorded_by_id = EXCLUDED.recorded_by_id, submission_id = EXCLUDED.submission_id, "
            "version = EXCLUDED.version",
            [*fixed, year],
        )
