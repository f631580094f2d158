"""Queries of a hot path compiled by the ORM once per database connection, then run with new
values: where building and compiling a query cost more than running it (the API's declaration
spent half of its time compiling the same few queries, docs/performance.md).

A query is written with the ORM as usual, with ``Param(name, field)`` where a value changes
from one run to the next; ``compiled`` builds and compiles it once per connection (each thread
has its own) and key (what changes the SQL itself, e.g. a campaign year); ``PreparedQuery``
then runs the same SQL with the values bound, and gives the rows or the model instances the
ORM would give (the fields' database converters applied: a Decimal on SQLite too).

On PostgreSQL, ``statement_cursor`` runs such statements as server-side prepared statements
(psycopg names each at its first use on a connection): the server parses and plans them once
per connection, not at every run; planning was about half of the database's time in a
declaration. The ORM's own statements keep their client-side binding (never prepared), so the
plans of queries over skewed data (a portfolio of 5 or 100,000 tenancies) stay custom ones.

``insert`` writes a new model instance the same way: its INSERT compiled once per connection
and model, prepared on PostgreSQL (the ORM's save builds and compiles it at every call)."""

import functools
import itertools
import re
import weakref
from collections.abc import Callable, Mapping, Sequence

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression, Field, Model, QuerySet
from django.db.transaction import TransactionManagementError


class Param(Expression):
    """A value given at each run of a compiled query, by name; ``output_field`` adapts it for
    the database (a UUID on SQLite, a date)."""

    def __init__(self, name: str, output_field: Field):
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self) -> str:
        return f"Param({self.name!r})"

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def db_value(self, values: Mapping, connection):
        return self.output_field.get_db_prep_value(values[self.name], connection, prepared=False)


def bind(params: Sequence, values: Mapping, connection) -> list:
    """The parameters of compiled SQL, each Param replaced by its value in ``values``."""
    return [p.db_value(values, connection) if isinstance(p, Param) else p for p in params]


_compiled: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
NEVER_UNLESS_ASKED = 2**62


def compiled(build: Callable):
    """Decorator: ``build(*key)`` (a QuerySet with Params, or SQL and its parameters) is called
    once per database connection and key, its result kept with the connection; the key must
    say everything the SQL depends on (never today's date, never a user)."""

    @functools.wraps(build)
    def get(*key):
        connection = connections[DEFAULT_DB_ALIAS]
        kept = _compiled.setdefault(connection, {})
        try:
            return kept[(build, key)]
        except KeyError:
            result = build(*key)
            if isinstance(result, QuerySet):
                result = PreparedQuery(result, connection)
            kept[(build, key)] = result
            return result

    return get


class PreparedQuery:
    """A QuerySet compiled once: its SQL, its parameters (with Params) and what turns its rows
    into values and instances. Queries without select_related only."""

    def __init__(self, queryset: QuerySet, connection):
        compiler = queryset.query.get_compiler(connection=connection)
        self.sql, self.params = compiler.as_sql()
        self.connection = connection
        self.locks = queryset.query.select_for_update and connection.features.has_select_for_update
        self.model = queryset.model
        select = compiler.select[: compiler.col_count]
        self.converters = compiler.get_converters([column[0] for column in select])
        klass_info = compiler.klass_info
        if klass_info is not None:
            if klass_info.get("related_klass_infos"):
                raise ValueError("a prepared query reads one model (no select_related)")
            fields = klass_info["select_fields"]
            self.model_columns = slice(fields[0], fields[-1] + 1)
            self.attnames = [column[0].target.attname for column in select[self.model_columns]]
            self.annotations = dict(compiler.annotation_col_map)

    def rows(self, **values) -> list[list]:
        """The rows of a run, converted as the ORM converts them."""
        if self.locks and self.connection.get_autocommit():  # as the ORM refuses it
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with statement_cursor(self.connection) as cursor:
            cursor.execute(self.sql, bind(self.params, values, self.connection))
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows:
            for position, (converters, expression) in self.converters.items():
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, self.connection)
                row[position] = value
        return rows

    def instances(self, **values) -> list[Model]:
        """The model instances of a run, their annotations set, as QuerySet iteration makes."""
        found = []
        for row in self.rows(**values):
            instance = self.model.from_db(
                self.connection.alias, self.attnames, row[self.model_columns]
            )
            for name, position in self.annotations.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def first(self, **values) -> Model | None:
        found = self.instances(**values)
        return found[0] if found else None


def insert(instance: Model, *, skip_conflict: bool = False) -> bool:
    """Insert a new model instance as ``save()`` would (its defaults and ``pre_save`` values
    bound as the ORM binds them, the fields the database returns set on it), by an INSERT
    compiled once per connection and model: the ORM's save path builds and compiles it at
    every call. No signal is sent: the caller does what a receiver would.

    ``skip_conflict``: ON CONFLICT DO NOTHING (a unique value already taken, e.g. by a
    concurrent twin): nothing written and False, the transaction still usable without a
    savepoint. True when the row was written."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql, fields, returning = _insert_statement(type(instance), skip_conflict)
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, values)
        if returning:
            row = cursor.fetchone()
            if row is None:
                return False
            for field, value in zip(returning, row, strict=True):
                setattr(instance, field.attname, value)
        elif cursor.rowcount == 0:
            return False
    instance._state.adding = False
    instance._state.db = connection.alias
    return True


@compiled
def _insert_statement(model: type[Model], skip_conflict: bool) -> tuple[str, list, tuple]:
    """The INSERT of one row of ``model``: its SQL, the fields bound (those Model.save binds
    for a new instance without its primary key) and the fields it returns."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    returning = tuple(f for f in meta.local_concrete_fields if f.db_returning)
    name = connection.ops.quote_name
    sql = (
        f"INSERT INTO {name(meta.db_table)} ({', '.join(name(f.column) for f in fields)}) "  # noqa: S608 - a model's table
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if skip_conflict:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(name(f.column) for f in returning)}"
    return sql, fields, returning


def statement_cursor(connection):
    """A cursor of this connection for statements compiled once: on PostgreSQL each is prepared
    on the server at its first run on the connection (psycopg keeps the 100 last used, and
    forgets them all after a rollback); a usual cursor on other engines (SQLite caches its
    statements itself). Logged as Django's cursors are (the tests count its queries)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    if connection.connection.prepare_threshold is None:
        # Django turns psycopg's preparing off (None), which ignores a cursor's asking too. A
        # threshold no statement reaches: still only the statements asked for are prepared.
        connection.connection.prepare_threshold = NEVER_UNLESS_ASKED
    raw = _preparing_cursor_class()(connection.connection)
    if connection.queries_logged:
        raw.logged_for = connection
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import CursorMixin
    from psycopg import RawCursor

    class PreparingCursor(CursorMixin, RawCursor):
        """Binds on the server and asks psycopg to prepare every statement it runs. A raw
        cursor: the statement is sent with its placeholders already numbered (numbered()),
        not parsed for them at every run (psycopg caches that parsing for statements of at
        most 4 KB and 50 parameters only: the state refresh has 7 KB and 53)."""

        logged_for = None  # the connection whose query log shows the statements

        def execute(self, query, params=None, **options):
            super().execute(numbered(query), params, **{**options, "prepare": True})
            if self.logged_for is not None:
                # What Django's log reads (last_executed_query): a prepared run leaves it
                # unset; the statement as the ORM's are logged, its values in it.
                self._query = _Logged(self.logged_for.ops.compose_sql(query, params).encode())
            return self

    return PreparingCursor


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """SQL with the ORM's placeholders (``%s``; ``%%`` a percent sign) as PostgreSQL's own:
    ``$1``, ``$2``... in their order."""
    numbers = itertools.count(1)
    return re.sub(r"%([s%])", lambda m: f"${next(numbers)}" if m[1] == "s" else "%", sql)


class _Logged:
    def __init__(self, query: bytes):
        self.query = query
