"""The supervision tick's schedule (`CaseCheck`): the one place it is written.

A case the tick watches has at most one row: when to look at it next. Ingest writes it with the folded
case, the tick moves it past each case it checked, a calendar change or a rule edit makes cases due now.
All writes here are set-based (one statement per batch) and idempotent, so the callers stay inside their
own transactions and a re-run writes the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from xiaoneng.core.bulk import pg_copy_insert

from .models import CaseCheck

_CHUNK = 5_000  # keeps IN lists well inside SQLite's parameter limit


def due_of(state: dict) -> dt.datetime | None:
    """The schedule a folded case state asks for: its next check while the tick still watches it."""
    return state.get("next_check_at") if state.get("is_open") else None


def schedule_write(items: Iterable[tuple[int, dt.datetime | None]]) -> None:
    """Set the next check of many cases: `items` is (case id, due_at); None removes the case's row (nothing
    ahead, or the case is closed). The last pair given for a case wins."""
    wanted = dict(items)
    if not wanted:
        return
    sets = [(pk, at) for pk, at in wanted.items() if at is not None]
    drops = [pk for pk, at in wanted.items() if at is None]
    q = connection.ops.quote_name
    table = q(CaseCheck._meta.db_table)
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        for i in range(0, len(drops), _CHUNK):
            part = drops[i : i + _CHUNK]
            if pg:
                cur.execute(f"DELETE FROM {table} WHERE case_id = ANY(%s)", [part])
            else:
                cur.execute(f"DELETE FROM {table} WHERE case_id IN ({', '.join(['%s'] * len(part))})", part)
    if not sets:
        return
    upsert = "ON CONFLICT (case_id) DO UPDATE SET due_at = EXCLUDED.due_at"
    if pg:
        # COPY into a temporary table for a large batch (the tick's 5,000): see core/bulk.py.
        pg_copy_insert(CaseCheck._meta.db_table, ("case_id", "due_at"), ("bigint", "timestamptz"), sets,
                       suffix=upsert)
        return
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} (case_id, due_at) VALUES (%s, %s) {upsert}",
                        [(pk, adapt(at)) for pk, at in sets])


def schedule_due_now(cases: QuerySet, *, now: dt.datetime) -> int:
    """Make the next tick look at once at the open cases of `cases` (a Case queryset): a rule's thresholds
    moved, so their schedule may be wrong either way. A check already due earlier stays; an open case
    without one gets one. One statement. Returns the number of rows written."""
    sql, params = cases.filter(is_open=True).order_by().values("id").query.sql_with_params()
    table = connection.ops.quote_name(CaseCheck._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cur:
        # "WHERE true": SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT (parsing ambiguity).
        cur.execute(
            f"INSERT INTO {table} (case_id, due_at) SELECT u.id, %s FROM ({sql}) u WHERE true "
            f"ON CONFLICT (case_id) DO UPDATE SET due_at = EXCLUDED.due_at WHERE {table}.due_at > EXCLUDED.due_at",
            [at, *params],
        )
        return cur.rowcount

