"""The one card inserter: cards of every kind of subject (cases, complaints, the clocks to come) go into the
table through `cards_insert`, once per (subject kind, subject id, rule, deadline key) whatever runs at the
same time. Below every other room that issues cards (tick; deadlines.py for the deadline family); imports only the models."""

from __future__ import annotations

from django.db import connection

from xiaoneng.core.bulk import pg_copy_insert

from ..models import Warning

INSERT_CHUNK = 1000  # rows per statement on SQLite (12 parameters each, well under its 32,766)

CARD_COLUMNS = ("subject_kind", "subject_id", "rule_id", "level", "deadline_key", "status", "department_id",
                "handler_id", "crossed_at", "issued_at", "detail", "updated_at")
_PG_TYPES = ("text", "bigint", "bigint", "text", "text", "text", "bigint", "bigint", "timestamptz", "timestamptz",
             "text", "timestamptz")
_CONFLICT = "ON CONFLICT (subject_kind, subject_id, rule_id, deadline_key) DO NOTHING"
_RETURNING = "RETURNING id, subject_kind, subject_id, rule_id, deadline_key"


def cards_insert(values: list[tuple]) -> list[tuple[int, str, int, int, str]]:
    """Insert cards given as `CARD_COLUMNS` tuples (subject kind, subject id, rule id, level, deadline key,
    status, department id, handler id, crossed at, issued at, detail, updated at) with INSERT … ON CONFLICT
    DO NOTHING RETURNING: only the cards this call really created come back, as (id, subject kind, subject
    id, rule id, deadline key) — on both SQLite ≥ 3.35 and PostgreSQL — so their actions, notifications and
    escalation follow each card exactly once, and two workers never issue one card twice (the unique
    constraint `supervision_warning_once`). PostgreSQL: COPY through a temporary table (`core.bulk`);
    SQLite: multi-row INSERTs of `INSERT_CHUNK` rows. Call inside the caller's transaction."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        return pg_copy_insert(Warning._meta.db_table, CARD_COLUMNS, _PG_TYPES, values,
                              suffix=f"{_CONFLICT} {_RETURNING}")
    q = connection.ops.quote_name
    table = q(Warning._meta.db_table)
    cols = ", ".join(q(c) for c in CARD_COLUMNS)
    one = "(" + ", ".join(["%s"] * len(CARD_COLUMNS)) + ")"
    adapt = connection.ops.adapt_datetimefield_value
    out = []
    with connection.cursor() as cur:
        for i in range(0, len(values), INSERT_CHUNK):
            part = values[i : i + INSERT_CHUNK]
            params = []
            for v in part:
                params.extend((*v[:8], adapt(v[8]), adapt(v[9]), v[10], adapt(v[11])))
            cur.execute(f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(part))} {_CONFLICT} {_RETURNING}",
                        params)
            out.extend(cur.fetchall())
    return out
