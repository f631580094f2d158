"""Where the recording of a file of rents spends its time: a 100,000-line file checked once,
then recorded `--rounds` times, each in a transaction rolled back (the tables vacuumed
between rounds, each round from a CHECKPOINT, as bench/rents_bulk.py does), with the time of
each step and of each statement over 10 ms; the deferred foreign-key checks of the rents are
run before the rollback (SET CONSTRAINTS ALL IMMEDIATE), as the commit would.

    .venv/bin/python bench/rents_bulk_steps.py [--lines 100000] [--rounds 2] [--explain]
        [--database-url URL]

--explain (PostgreSQL): auto_explain's EXPLAIN (ANALYZE, BUFFERS, WAL) of every statement over
200 ms, printed after its round. The database is recreated.
"""

import argparse
import datetime
import functools
import time

from rents_common import DEFAULT_URL, make_portfolio, setup_django


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    setup_django(args.database_url)
    import time_machine
    from django.core.files.base import ContentFile
    from django.db import connection, transaction

    from portail.portfolios.selectors import portfolio_for_user
    from portail.rents import bulk, bulk_writes, events, file_states
    from portail.rents.models import BulkImport

    postgresql = connection.vendor == "postgresql"
    user, portfolio, ids = make_portfolio(args.lines)
    content = "numero_allocataire;montant\n" + "".join(
        f"{number};{500 + int(number) % 400},50\n" for _, number in ids
    )
    steps: dict = {}
    for name, owner, attribute in (
        ("lines read (valid_amounts)", BulkImport, "valid_amounts"),
        ("rents COPY (copy_rents)", bulk_writes, "copy_rents"),
        ("rents bulk INSERT (create_rents)", bulk_writes, "create_rents"),
        ("states (refresh_states_of_submission)", file_states, "refresh_states_of_submission"),
        ("counts (move_counts)", file_states, "move_counts"),
        ("events (file_recorded)", events, "file_recorded"),
    ):
        setattr(owner, attribute, _timed(steps, name, getattr(owner, attribute)))
    statements: list = []

    def timing(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - start, " ".join(sql.split())[:110]))

    notices: list = []
    moment = datetime.datetime(2026, 11, 27, 10, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=True):
        portfolio = portfolio_for_user(user, portfolio.pk)
        start = time.perf_counter()
        deposited = bulk.deposit_bulk_import(
            user=user, portfolio=portfolio, upload=ContentFile(content.encode(), name="l.csv")
        )
        checked = bulk.check_bulk_import(bulk_import_id=deposited.pk)
        print(f"{args.lines:,} lines; deposit and check: {time.perf_counter() - start:.2f} s")
        for round_number in range(args.rounds):
            steps.clear()
            statements.clear()
            if postgresql:
                _prepare_round(connection, notices if args.explain else None)
            start = time.perf_counter()
            try:
                with transaction.atomic(), connection.execute_wrapper(timing):
                    bulk.record_bulk_import(bulk_import_id=checked.pk, user=user)
                    if postgresql:
                        deferred = time.perf_counter()
                        with connection.cursor() as cursor:
                            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                        steps["deferred FK checks (commit)"] = time.perf_counter() - deferred
                    raise _Rollback
            except _Rollback:
                pass
            print(f"\nround {round_number + 1}: record {time.perf_counter() - start:.2f} s")
            for name, seconds in steps.items():
                print(f"  {name:40s} {seconds:6.2f} s")
            for seconds, sql in statements:
                if seconds > 0.01:
                    print(f"    {seconds:6.2f} s  {sql}")
            print("\n".join(notices))
            notices.clear()
            if postgresql:
                with connection.cursor() as cursor:
                    for table in ("rents_julyrent", "rents_tenancycampaignstate"):
                        cursor.execute(f"VACUUM ANALYZE {table}")


def _timed(steps: dict, name: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            steps[name] = steps.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def _prepare_round(connection, notices: list | None) -> None:
    """A CHECKPOINT; with ``notices``, auto_explain's plans sent to this client."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        if notices is None:
            return
        if not notices and not getattr(connection, "_bench_notices", False):
            connection.connection.add_notice_handler(
                lambda diagnostic: notices.append(diagnostic.message_primary)
            )
            connection._bench_notices = True
        cursor.execute("LOAD 'auto_explain'")
        for setting, value in (
            ("log_min_duration", "200"),
            ("log_analyze", "on"),
            ("log_buffers", "on"),
            ("log_wal", "on"),
            ("log_nested_statements", "on"),
            ("log_level", "notice"),
        ):
            cursor.execute(f"SET auto_explain.{setting} = '{value}'")


if __name__ == "__main__":
    main()
