"""Bulk writes of the feed import: new rows by COPY on PostgreSQL, by one prepared statement
elsewhere (the ORM's per-object SQL compilation cost more than the database's work)."""

import contextlib
from collections.abc import Iterator, Sequence

from django.db import DEFAULT_DB_ALIAS, connections

CHUNK = 500
BATCH = 1000


# A year of payments (1.2 million rows) fills about 250 MB of table and index pages.
LARGE_CACHE_KIB = 1024 * 1024


@contextlib.contextmanager
def large_page_cache():
    """On SQLite, a page cache of up to 1 GiB for this connection while a feed is imported and
    committed (the usual 64 MB after): the pages a big insert fills stay in memory until the
    commit instead of being spilled to the log again and again (a quarter fewer bytes written
    for a year of payments). Memory only, taken as pages are read: the transaction, its locks
    and its durability are unchanged."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "sqlite":
        yield
        return
    with db.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        usual = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{LARGE_CACHE_KIB}")
    try:
        yield
    finally:
        with db.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {usual}")


def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_rows(model, rows: list[dict]) -> None:
    """Insert new rows: COPY on PostgreSQL, one prepared statement elsewhere.

    For a feed of 100,000 lines the ORM's per-object SQL compilation in ``bulk_create`` costs
    more than the database's own work; values still go through each field's preparation.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs a lookup per use

    def prepared(row: dict) -> list:
        return [f.get_db_prep_save(row.get(f.attname, defaults[f.attname]), db) for f in fields]

    insert_prepared(model, [f.column for f in fields], (prepared(row) for row in rows))


def insert_prepared(model, columns: list[str], rows) -> None:
    """Insert rows whose values are already in the database's form, in ``columns`` order."""
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    # Table and column names come from our own models; values are parameters or COPY data.
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        # One call for every row: the driver steps one prepared statement through them all.
        cursor.executemany(sql, rows)
