"""Writing many demo rows fast (issue #18: the national demo in seconds, not minutes).

`write_rows` sends prepared rows with PostgreSQL's `COPY … FROM STDIN` (psycopg 3), several times
faster than INSERT for the 100,000s of approvals, activities and audit events of a national demo;
on SQLite one `executemany` per batch. For rows whose ids the caller does not need back (the
ORM's `bulk_create` returns ids; COPY does not).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.transaction import TransactionManagementError

BATCH = 5000


@contextmanager
def keys_checked_at_end(*models, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Fill these models' tables with their foreign keys checked once at the end, on PostgreSQL.

    Django's foreign keys are deferred: PostgreSQL checks each inserted row with one lookup per
    key at commit, about 5 s for the ~200,000 learning goals and activities of a national demo.
    As PostgreSQL's manual advises for populating a database, the keys of these tables are
    dropped while they are filled and added back at the end, which checks every row in one
    query per key; a row that breaks a key fails the whole load, as before. Inside the caller's
    transaction (a failure rolls the keys back too). Pending checks of earlier writes run first
    (`SET CONSTRAINTS ALL IMMEDIATE`): PostgreSQL does not alter a table with checks pending.
    Elsewhere (SQLite) it does nothing."""
    conn = connections[using]
    if conn.vendor != "postgresql":
        yield
        return
    if not conn.in_atomic_block:  # the keys must come back if the load fails
        raise TransactionManagementError("keys_checked_at_end runs inside a transaction")
    quote = conn.ops.quote_name
    keys = []
    with conn.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = %s::regclass ORDER BY conname",
                [quote(table)],
            )
            keys += [(table, name, definition) for name, definition in cursor.fetchall()]
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    yield
    with conn.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
        for table, name, definition in keys:
            # the definition is PostgreSQL's own text of the key it just dropped
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


def write_rows(table: str, columns: list[str], rows, using: str = DEFAULT_DB_ALIAS) -> int:
    """Insert `rows` (sequences of values in `columns` order, already in the driver's types)
    into `table`; returns the count. Runs in the caller's transaction."""
    conn = connections[using]
    ops = conn.ops
    quoted = ", ".join(ops.quote_name(c) for c in columns)
    name = ops.quote_name(table)
    n = 0
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            return n
        # Identifiers quoted by the backend; every value goes as a parameter.
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {name} ({quoted}) VALUES ({marks})"  # nosec B608
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            n += len(batch)
    return n


def insert_objects(objs: list, batch_size: int = 1000) -> None:
    """Insert unsaved model instances of one model, setting their primary keys, like
    `bulk_create` — on PostgreSQL with the ids drawn from the table's sequence in one query and
    the rows sent with COPY (`write_rows`): `bulk_create` there spent most of its time
    preparing each value and dumping the UNNEST arrays. Elsewhere `bulk_create`. Values go
    through each field's `get_db_prep_save` unless they are plain (numbers, text, ids);
    `auto_now(_add)` fields left empty get the current time. No signals, like `bulk_create`."""
    from django.db import models
    from django.utils import timezone

    if not objs:
        return
    model = type(objs[0])
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    meta = model._meta
    pk = meta.pk
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = value
    now = timezone.now()
    fields = list(meta.concrete_fields)
    for f in fields:
        if f.is_relation:  # a related object saved after it was assigned: take its id now
            for obj in objs:
                if obj.__dict__.get(f.attname) is None and f.is_cached(obj):
                    related = f.get_cached_value(obj)
                    if related is not None:
                        obj.__dict__[f.attname] = related.pk
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                if getattr(obj, f.attname) is None:
                    setattr(obj, f.attname, now)
    plain = (
        models.IntegerField,
        models.CharField,
        models.TextField,
        models.BooleanField,
        models.ForeignKey,
        models.DateField,  # dates and date-times: psycopg takes them as they are
    )
    steps = [(f.attname, None if isinstance(f, plain) else f.get_db_prep_save) for f in fields]
    write_rows(
        meta.db_table,
        [f.column for f in fields],
        (
            [obj.__dict__[a] if prep is None else prep(obj.__dict__[a], conn) for a, prep in steps]
            for obj in objs
        ),
    )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS


def analyze_all(using: str = DEFAULT_DB_ALIAS, tables: list[str] | None = None) -> None:
    """Refresh the query planner's statistics for every table, after the whole demo is loaded.

    The register's tables are analysed as they are written (`generator._analyze`), but the
    progress, IUP, allocation and programme tables were not: on a fresh PostgreSQL database the
    planner then guessed ten meetings where there were 17,000 and scanned every planned meeting
    in the region for one trainee's start page (0.1–0.2 s), and the insights page took 2–3 s
    until autovacuum got round to the tables (issue #18). One `ANALYZE` of the database costs
    a second or two at national size. `tables`: only these (a table filled afterwards)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if tables is None:
            cursor.execute("ANALYZE")
        for table in tables or []:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


_DEFAULTS: dict = {}


def new_row(model, **values) -> dict:
    """One row of `model` as a dict of column values (attnames) with the model's defaults;
    a related object given by name becomes its id. Plain dicts, not model instances, for rows
    whose ids nobody needs back: building ~200,000 instances was a third of the progress demo
    at 7,000 trainees. Written with `insert_rows`."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {
            f.attname: f.get_default() for f in _fields(model) if f.attname != "id"
        }
    row = dict(defaults)
    for name, value in values.items():
        if name in row:
            row[name] = value
        else:  # a related object: its id
            row[f"{name}_id"] = value.pk if value is not None else None
    return row


def _fields(model) -> list:
    from django.db import models

    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key or not isinstance(f, models.AutoField | models.BigAutoField)
    ]


def insert_rows(model, rows: list[dict]) -> None:
    """Insert rows made by `new_row` in bulk (`write_rows`: COPY on PostgreSQL). Values are
    passed as they are where the driver takes them (numbers, text, ids; on PostgreSQL also
    dates and date-times), else through the field's `get_db_prep_save`; `auto_now(_add)`
    fields get the current time."""
    from django.db import models
    from django.utils import timezone

    if not rows:
        return
    now = timezone.now()
    fields = _fields(model)
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    conn = connections[DEFAULT_DB_ALIAS]  # the real object: the proxy costs a lookup per use
    plain: tuple = (
        models.IntegerField,
        models.CharField,
        models.TextField,
        models.BooleanField,
        models.ForeignKey,
    )
    if conn.vendor == "postgresql":  # psycopg adapts dates and aware date-times itself
        plain += (models.DateField,)
    steps = [(f.attname, None if isinstance(f, plain) else f.get_db_prep_save) for f in fields]

    def values(row: dict) -> list:
        for name in stamped:
            row[name] = now
        return [row[a] if p is None else p(row[a], conn) for a, p in steps]

    write_rows(model._meta.db_table, [f.column for f in fields], (values(r) for r in rows))
