"""Writing many demo rows fast (issue #18: the national demo in seconds, not minutes).

`write_rows` sends prepared rows with PostgreSQL's `COPY … FROM STDIN` (psycopg 3), several times
faster than INSERT for the 100,000s of approvals, activities and audit events of a national demo;
on SQLite one `executemany` per batch. For rows whose ids the caller does not need back (the
ORM's `bulk_create` returns ids; COPY does not).
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

BATCH = 5000


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


def analyze_all(using: str = DEFAULT_DB_ALIAS) -> None:
    """Refresh the query planner's statistics for every table, after the whole demo is loaded.

    The register's tables are analysed as they are written (`generator._analyze`), but the
    progress, IUP, allocation and programme tables were not: on a fresh PostgreSQL database the
    planner then guessed ten meetings where there were 17,000 and scanned every planned meeting
    in the region for one trainee's start page (0.1–0.2 s), and the insights page took 2–3 s
    until autovacuum got round to the tables (issue #18). One `ANALYZE` of the database costs
    a second or two at national size."""
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")
