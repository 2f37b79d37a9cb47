"""Deadlines of running cases recomputed inside PostgreSQL after a calendar change (issue 3 §6: a million
open cases in seconds). Used by services.case_recompute_deadlines; SQLite and every case this path does not
cover take the Python clock.

Why in SQL: reading a million rows into Python costs more than the whole budget (psycopg decodes ~60,000
rows/s of these columns on this hardware); the arithmetic itself is table look-ups. The calendar goes in as
two temporary tables built from the in-memory WorkCalendar (a few thousand rows):

- `_xn_day(d, cum, work, miss_prev, prov_prev)` — every loaded day with the number of working days up to
  and including it, and the running counts of missing/provisional days before it;
- `_xn_wd(k, close, miss, prov)` — the k-th working day (0-based) with its close of office hours;

so "n working days after day s" (day s being day 0) is `_xn_wd.k = cum(s) + n - 1`, exactly
WorkCalendar._target. A clock started after the close of office hours or on a day off starts on the next
working day (DOMAIN.md §4, WorkCalendar._day0), whose cum is cum(s) + 1: the `_late` term below, 1 for such a
start (one comparison per start: the day's `work` flag and the local time against the close). The rows
covered are those cases.clock.fast_clock covers (limits in working days, no notice, no stopped period, not a
joint parent, no clock error); the results equal fast_clock's, which equal compute_clock's (tests/test_clock.py
compares the paths on random cases). A case whose dates leave the loaded calendar is handed back to the
Python path, which produces the proper error.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from xiaoneng.core.bulk import copy_into_temp

from .clock import ACCEPTANCE_NOTICE_WD, VersionInfo
from .models import RUNNING_STATUSES, Case, CaseCheck


def eligible_versions(versions: dict[int, VersionInfo]) -> dict[int, VersionInfo]:
    """Versions whose limits this path computes: both in working days, both at least one day."""
    return {vid: v for vid, v in versions.items()
            if v.committed_unit == "wd" and v.statutory_unit == "wd" and v.committed_value > 0
            and v.statutory_value > 0}


def _load_calendar(cur, cal) -> None:
    days, wds = [], []
    miss_prev = prov_prev = 0
    for i in range(cal._size):
        if not cal._missing[i]:
            days.append((cal._dates[i], cal._cum[i], bool(cal._work[i]), miss_prev, prov_prev))
        miss_prev, prov_prev = cal._miss[i], cal._prov[i]
    for k, i in enumerate(cal._widx):
        wds.append((k, cal._closes[i], cal._miss[i], cal._prov[i]))
    copy_into_temp(cur, "_xn_day", "d date PRIMARY KEY, cum int, work bool, miss_prev int, prov_prev int",
                   "d, cum, work, miss_prev, prov_prev", days)
    copy_into_temp(cur, "_xn_wd", "k int PRIMARY KEY, close timestamptz, miss int, prov int", "k, close, miss, prov",
                   wds)


def _load_versions(cur, versions: dict[int, VersionInfo]) -> None:
    steps = []
    for v in versions.values():
        seen: set[str] = set()
        for kind, name, lv, lu in v.steps:  # first match wins, by kind or by name (VersionInfo.step_index)
            for key in (kind, name):
                if key and key not in seen:
                    seen.add(key)
                    steps.append((v.id, key, lv, lu))
    copy_into_temp(cur, "_xn_ver", "id bigint PRIMARY KEY, cv int, sv int", "id, cv, sv",
                   [(v.id, v.committed_value, v.statutory_value) for v in versions.values()])
    copy_into_temp(cur, "_xn_step", "version_id bigint, key text, lv int, lu text, PRIMARY KEY (version_id, key)",
                   "version_id, key, lv, lu", steps)


def _late(day: str, moment: str) -> str:
    """SQL: 1 when a clock started at `moment` (on the `_xn_day` row `day`) starts on the next working day —
    the day is not a working day or the moment is after its close of office hours — else 0."""
    return (f"(CASE WHEN {day}.work AND ({moment} AT TIME ZONE %(tz)s)::time <= %(close)s::time "
            f"THEN 0 ELSE 1 END)")


def recompute_in_database(cal, versions: dict[int, VersionInfo], *, now: dt.datetime,
                          ids: list[int] | None = None) -> tuple[int, list[int]]:
    """Recompute the clocks of the running cases this path covers, in one statement. Rows whose deadlines
    moved are due for re-judging at once (their CaseCheck is `now`) and the calendar's revision.
    Returns (rows changed, ids of covered rows the loaded calendar could not compute: the Python path's).
    Call inside a transaction (the temporary tables live until its end)."""
    covered = eligible_versions(versions)
    if not covered:
        return 0, []
    q = connection.ops.quote_name
    table = q(Case._meta.db_table)
    sched = q(CaseCheck._meta.db_table)
    running = ", ".join(f"'{s}'" for s in RUNNING_STATUSES)
    tz = str(cal.tz.key)
    only = "AND c.id = ANY(%(ids)s)" if ids is not None else ""
    with connection.cursor() as cur:
        _load_calendar(cur, cal)
        _load_versions(cur, covered)
        cur.execute("ANALYZE _xn_day; ANALYZE _xn_wd; ANALYZE _xn_ver; ANALYZE _xn_step")
        cur.execute(f"""
            WITH calc AS MATERIALIZED (
                SELECT c.id,
                       ta.close AS acceptance_due_at,
                       COALESCE(x.deemed, false) AS deemed_accepted,
                       y.start AS clock_start,
                       t1.close AS committed_deadline,
                       t2.close AS statutory_deadline,
                       (t1.prov <> s.prov_prev OR t2.prov <> s.prov_prev) AS deadlines_provisional,
                       t3.close AS current_step_due_at,
                       COALESCE(r.d IS NOT NULL AND ta.k IS NOT NULL AND ta.miss = r.miss_prev AND s.d IS NOT NULL
                        AND t1.k IS NOT NULL AND t2.k IS NOT NULL AND t1.miss = s.miss_prev
                        AND t2.miss = s.miss_prev
                        AND (st.version_id IS NULL OR (st.lu = 'wd' AND s3.d IS NOT NULL AND t3.k IS NOT NULL
                                                       AND t3.miss = s3.miss_prev)), false) AS ok
                FROM {table} c
                JOIN _xn_ver v ON v.id = c.version_id
                LEFT JOIN _xn_day r ON r.d = (c.received_at AT TIME ZONE %(tz)s)::date
                LEFT JOIN _xn_wd ta ON ta.k = r.cum + {ACCEPTANCE_NOTICE_WD} - 1
                                              + {_late("r", "c.received_at")}
                CROSS JOIN LATERAL (SELECT c.accepted_at IS NOT NULL AND c.accepted_at > ta.close AS deemed) x
                CROSS JOIN LATERAL (SELECT CASE WHEN c.accepted_at IS NULL OR x.deemed THEN c.received_at
                                                ELSE c.accepted_at END AS start) y
                LEFT JOIN _xn_day s ON s.d = (y.start AT TIME ZONE %(tz)s)::date
                LEFT JOIN _xn_wd t1 ON t1.k = s.cum + v.cv - 1 + {_late("s", "y.start")}
                LEFT JOIN _xn_wd t2 ON t2.k = s.cum + v.sv - 1 + {_late("s", "y.start")}
                LEFT JOIN _xn_step st ON st.version_id = c.version_id AND st.key = c.current_step
                                     AND c.current_step <> '' AND c.current_step_started_at IS NOT NULL
                LEFT JOIN _xn_day s3 ON st.version_id IS NOT NULL
                                    AND s3.d = (c.current_step_started_at AT TIME ZONE %(tz)s)::date
                LEFT JOIN _xn_wd t3 ON t3.k = s3.cum + st.lv - 1 + {_late("s3", "c.current_step_started_at")}
                WHERE c.status IN ({running}) AND c.suspensions = '[]'::jsonb AND c.first_notice_at IS NULL
                  AND NOT c.is_joint_parent AND c.clock_error = '' AND c.clock_stopped_at IS NULL
                  AND c.received_at IS NOT NULL {only}
            ), moved AS (
                UPDATE {table} AS c
                   SET acceptance_due_at = calc.acceptance_due_at, deemed_accepted = calc.deemed_accepted,
                       clock_start = calc.clock_start, committed_deadline = calc.committed_deadline,
                       statutory_deadline = calc.statutory_deadline,
                       deadlines_provisional = calc.deadlines_provisional,
                       current_step_due_at = calc.current_step_due_at,
                       calendar_revision = %(rev)s
                  FROM calc
                 WHERE c.id = calc.id AND calc.ok
                   AND (c.acceptance_due_at IS DISTINCT FROM calc.acceptance_due_at
                        OR c.deemed_accepted IS DISTINCT FROM calc.deemed_accepted
                        OR c.clock_start IS DISTINCT FROM calc.clock_start
                        OR c.committed_deadline IS DISTINCT FROM calc.committed_deadline
                        OR c.statutory_deadline IS DISTINCT FROM calc.statutory_deadline
                        OR c.deadlines_provisional IS DISTINCT FROM calc.deadlines_provisional
                        OR c.current_step_due_at IS DISTINCT FROM calc.current_step_due_at)
                RETURNING c.id
            ), due AS (
                INSERT INTO {sched} (case_id, due_at) SELECT id, %(now)s FROM moved
                ON CONFLICT (case_id) DO UPDATE SET due_at = EXCLUDED.due_at
            )
            SELECT (SELECT count(*) FROM moved),
                   (SELECT COALESCE(array_agg(id), '{{}}') FROM calc WHERE NOT calc.ok)
        """, {"tz": tz, "now": now, "rev": cal.revision, "ids": ids, "close": cal.close_time})
        changed, failed = cur.fetchone()
        cur.execute("DROP TABLE _xn_day, _xn_wd, _xn_ver, _xn_step")
    return changed, list(failed)
