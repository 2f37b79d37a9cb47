"""Bulk writes on PostgreSQL through COPY, for the hot paths (ingest, tick).

psycopg adapts a list parameter (`unnest(%s::bigint[], …)`) element by element in Python — about 3 µs an
element, 0.45 s for 15,000 cards of 11 columns on the project's 2-core machine — while COPY formats rows in
C (60 ms for the same rows). So a batch goes into a temporary table with COPY and from there into the real
table with one INSERT … SELECT, which keeps ON CONFLICT and RETURNING (measured: bench/tick.py).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection

SMALL = 200  # below this many rows one statement of arrays is cheaper than creating a temporary table


def copy_into_temp(cur, name: str, decl: str, cols: str, rows) -> None:
    """Create (or empty) the temporary table `name` (`decl`: "col type, …"), dropped at commit, and COPY
    `rows` into its `cols`. The one place the hot paths stage rows; `cur` is a Django cursor."""
    cur.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({decl}) ON COMMIT DROP")
    cur.execute(f"TRUNCATE {name}")
    with cur.cursor.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def pg_copy_insert(table: str, columns: Sequence[str], types: Sequence[str], rows: Sequence[Sequence], *,
                   suffix: str = "", order_by: str = "") -> list[tuple]:
    """INSERT INTO `table` (`columns`) the `rows` (Python values, one per column, of the SQL `types`) via
    COPY into a temporary table; `suffix` is appended to the INSERT (e.g. "ON CONFLICT … DO NOTHING
    RETURNING id"); what it returns is returned. Call inside a transaction (the temporary table is dropped at
    commit). `table` and `columns` are trusted identifiers (code, never input)."""
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in columns)
    decl = ", ".join(f"{q(c)} {t}" for c, t in zip(columns, types, strict=True))
    order = f" ORDER BY {order_by}" if order_by else ""
    if len(rows) < SMALL:
        unnest = ", ".join(f"%s::{t}[]" for t in types)
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {q(table)} ({cols}) SELECT * FROM unnest({unnest}) AS u({cols}){order} {suffix}",
                        [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _c in columns])
            return cur.fetchall() if cur.description else []
    tmp = q("_xn_bulk_" + table.strip('"').replace(".", "_"))
    with connection.cursor() as cur:
        copy_into_temp(cur, tmp, decl, cols, rows)
        cur.execute(f"INSERT INTO {q(table)} ({cols}) SELECT {cols} FROM {tmp}{order} {suffix}")
        out = cur.fetchall() if cur.description else []
        cur.execute(f"DROP TABLE {tmp}")
    return out


def sqlite_datetime(v: dt.datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, str() form), for raw writes."""
    return str(v.astimezone(dt.UTC).replace(tzinfo=None))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one bounded bulk step (an ingest batch, a tick batch).

    Such a step allocates hundreds of thousands of short-lived objects (rows, evaluations, cards), which
    triggers collections that walk every live object of the process — measured: evaluating 10,000 cases
    took 90 ms with the collector paused and 130-260 ms with it running. What the step frees, reference
    counting frees at once; the rare cycle waits for the next collection after the step. Nested use is fine.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def where_in(qs, field: str, values: list):
    """`qs.filter(field__in=values)`, but on PostgreSQL as `= ANY(%s)` with ONE array parameter: psycopg
    interpolates parameters client-side, and parsing a query with 10,000 placeholders costs more than
    running it."""
    from django.db import connection

    if connection.vendor == "postgresql":
        meta = qs.model._meta
        column = meta.get_field(field).column
        q = connection.ops.quote_name
        return qs.extra(where=[f"{q(meta.db_table)}.{q(column)} = ANY(%s)"], params=[list(values)])
    return qs.filter(**{f"{field}__in": values})
