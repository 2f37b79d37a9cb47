"""Benchmark of the supervision tick: N open cases of which 1% have a due check, one `supervise_tick`, and
in the same run a bare indexed SQL query selecting those same cases (the floor any tick must pay).

    DATABASE_URL=postgres://xiaoneng@127.0.0.1:PORT/xiaoneng_bench .venv/bin/python bench/tick.py [--cases 1000000]

Needs an empty PostgreSQL database it may migrate (it refuses SQLite: the target is production's). Cases are
real `cases_case` rows written with COPY: accepted, running, deadlines computed as the clock would (5 wd
committed / 20 wd statutory). The due 1% cross their committed reminder, yellow or red threshold; their schedule rows (`cases_casecheck`) say a minute
ago, the others' 2-10 days ahead. Prints
both times and the ratio; only the ratio means anything across machines (DESIGN.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("XIAONENG_DATA_DIR", tempfile.mkdtemp(prefix="xn-bench-"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connection  # noqa: E402

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


def setup(n: int) -> tuple[int, int]:
    from xiaoneng.accounts.models import Department
    from xiaoneng.accounts.services import department_create
    from xiaoneng.cases.models import Case
    from xiaoneng.catalog.services import service_item_create
    from xiaoneng.workdays.calendar import get_calendar
    from xiaoneng.workdays.services import calendar_seed_from_package

    call_command("migrate", verbosity=0)
    if Case.objects.exists():
        sys.exit("the database already has cases: give the benchmark an empty database")
    calendar_seed_from_package(years=range(2024, 2028))
    cal = get_calendar()
    dept = Department.objects.filter(code="BENCH").first() or department_create(code="BENCH", name="基准测试局")
    item = service_item_create(department=dept, by=None, now=NOW - dt.timedelta(days=800), data={
        "code": "BENCH-1", "name": "基准事项", "category": "licensing", "item_type": "committed", "audience": "both",
        "legal_basis": "—", "statutory_limit_value": 20, "statutory_limit_unit": "wd", "committed_limit_value": 5,
        "committed_limit_unit": "wd", "online": True, "offline": True, "fees": [],
        "materials": [{"name": "申请书", "form": "original", "copies": 1, "source": "applicant"}],
        "steps": [{"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd"}],
    })
    version = item.current_version

    # Every concrete column with its Python default, so COPY fills what the ORM would.
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    cols = [f.column for f in fields]
    base = {f.column: f.get_default() for f in fields}
    day_starts = []
    d = NOW.astimezone(cal.tz).date()
    for k in range(1, 60):  # clock starts spread over the last ~12 weeks of working days
        day_starts.append(cal.add_working_days(d, -k).date)
    from xiaoneng.cases.clock import fast_clock
    from xiaoneng.cases.ingest import load_versions

    info = load_versions([item.pk])[item.pk][0]
    clocks: dict = {}
    t0 = time.perf_counter()
    with connection.cursor() as cur, cur.cursor.copy(
        f"COPY {Case._meta.db_table} ({', '.join(cols)}) FROM STDIN"
    ) as copy:
        for i in range(n):
            due = i % 100 == 0
            start_day = day_starts[i % len(day_starts)] if due else day_starts[i % 3]
            start = dt.datetime.combine(start_day, dt.time(9, 30), tzinfo=cal.tz)
            clock = clocks.get(start_day)
            if clock is None:  # what the cases app's clock computes for this start (so a sync finds it current)
                clock = clocks[start_day] = fast_clock(cal, received_at=start, accepted_at=start, version=info,
                                                       step_key="", step_started=None)
            committed, statutory = clock["committed_deadline"], clock["statutory_deadline"]
            row = dict(base)
            row.update(
                case_no=f"B{i:08d}", department_id=dept.pk, service_item_id=item.pk, version_id=version.pk,
                status="accepted", registered=True, received_at=start, accepted_at=start, clock_start=start,
                committed_deadline=committed, statutory_deadline=statutory, is_open=True,
                acceptance_due_at=clock["acceptance_due_at"], calendar_revision=cal.revision,
                created_at=start, updated_at=start, events_count=2, last_event_at=start,
                suspensions=json.dumps([]), steps=json.dumps([]),
            )
            copy.write_row([row[c] for c in cols])
    # The schedule (CaseCheck): the due 1% a minute ago, the rest 2-10 days ahead (case i is "B" + i).
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO cases_casecheck (case_id, due_at) SELECT id, CASE WHEN substr(case_no, 2)::int %% 100 = 0 "
            "THEN %s ELSE %s + (2 + substr(case_no, 2)::int %% 9) * interval '1 day' END FROM cases_case",
            [NOW - dt.timedelta(minutes=1), NOW])
        cur.execute("ANALYZE cases_case; ANALYZE cases_casecheck")
    print(f"created {n:,} open cases in {time.perf_counter() - t0:.1f} s")
    return dept.pk, n // 100


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--profile", metavar="FILE", help="cProfile the tick; write the stats to FILE")
    ap.add_argument("--workers", type=int, default=1, help="this many tick processes at once (SKIP LOCKED)")
    ap.add_argument("--recompute", action="store_true", help="then measure the recompute after a calendar change")
    args = ap.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("run against PostgreSQL: DATABASE_URL=postgres://…")
    _dept, due = setup(args.cases)

    from xiaoneng.cases.clocks import TICK_FIELDS
    from xiaoneng.cases.services import case_clocks_sync
    from xiaoneng.supervision.services import supervise_tick

    # The rows were written by COPY with deadlines of the current calendar: record that (a first sync
    # recomputes every clock and finds nothing moved), so the tick measured below is an ordinary one.
    t0 = time.perf_counter()
    case_clocks_sync(now=NOW)
    print(f"first clock sync (every running clock recomputed, none moved): {time.perf_counter() - t0:.1f} s")
    # Freshly COPYed rows have no hint bits or visibility map yet: the first statements to read them write every
    # page again. A table the tick reads every minute is in autovacuum's steady state; measure that one.
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE cases_case")
        cur.execute("VACUUM ANALYZE cases_casecheck")
        # …and write out what the bulk load dirtied, so no checkpoint of the set-up runs during the tick
        # (CHECKPOINT needs a superuser or pg_checkpoint: skipped, and said, without one).
        try:
            cur.execute("CHECKPOINT")
        except DatabaseError as exc:
            print(f"(no CHECKPOINT after the set-up: {exc})")

    # The bare query: the same index range scan (the schedule's `cases_check_due`), the same join to the case
    # row and the same columns the tick reads.
    cols = ", ".join(f"c.{f}" for f in TICK_FIELDS)
    sql = (f"SELECT {cols}, c.is_open FROM cases_casecheck s JOIN cases_case c ON c.id = s.case_id "
           "WHERE s.due_at <= %s ORDER BY s.due_at")
    with connection.cursor() as cur:
        cur.execute(sql, [NOW])  # warm the cache the same way for both
        cur.fetchall()
        t0 = time.perf_counter()
        cur.execute(sql, [NOW])
        rows = cur.fetchall()
        bare = time.perf_counter() - t0
    # The set-up above (a million rows built in Python) leaves a heap no worker process has: collect it and
    # keep what survives out of the collector, so the tick is timed as `xiaoneng worker` runs it.
    gc.collect()
    gc.freeze()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    if args.workers > 1:
        result, tick = _workers(args.workers, supervise_tick)
    else:
        t0 = time.perf_counter()
        result = supervise_tick(now=NOW)
        tick = time.perf_counter() - t0
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    print(result.summary())
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"PostgreSQL {connection.pg_version // 10000}")
    print(f"open cases {args.cases:,}; due {len(rows):,} (expected {due:,}); cards issued {result.cards_issued:,}")
    print(f"bare indexed query: {bare * 1000:.1f} ms; supervise_tick: {tick * 1000:.1f} ms; "
          f"ratio {tick / bare:.1f}x")
    if args.recompute:
        recompute(args.cases)


def _workers(n: int, supervise_tick):
    """`n` worker processes run the same tick at once, as `xiaoneng worker` on several hosts would: they share
    the due rows (SKIP LOCKED) and a card exists once (the unique constraint). Returns (the summed result,
    wall seconds until the last one finished)."""
    import multiprocessing

    from xiaoneng.supervision.models import Warning

    connection.close()
    ctx = multiprocessing.get_context("fork")
    go, out = ctx.Event(), ctx.Queue()

    def work() -> None:
        go.wait()
        r = supervise_tick(now=NOW)
        out.put((r.cases_checked, r.cards_issued, time.perf_counter()))

    procs = [ctx.Process(target=work) for _ in range(n)]
    for p in procs:
        p.start()
    time.sleep(2)
    t0 = time.perf_counter()
    go.set()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    wall = max(r[2] for r in results) - t0
    checked, issued = sum(r[0] for r in results), sum(r[1] for r in results)
    print(f"{n} workers: cases checked {[r[0] for r in results]}, cards issued {[r[1] for r in results]}; "
          f"cards in the table {Warning.objects.count():,}")

    class Summed:
        cards_issued = issued
        cases_checked = checked

        @staticmethod
        def summary() -> str:
            return f"{n} workers together: checked {checked:,} cases, issued {issued:,} cards"

    return Summed, wall


def recompute(n: int) -> None:
    """Issue 3 §6: recompute every open case after a calendar change, twice:

    1. a day five working days back becomes a holiday: every running clock is recomputed, few move (the
       common change: a correction to a past day);
    2. tomorrow becomes a holiday: it lies inside nearly every open clock, so nearly every deadline moves and
       every moved row is rewritten (the worst case). Its floor, measured first in the same run: a bare
       UPDATE writing the same columns of every running row and its schedule row, rolled back (then VACUUM)."""
    from django.db import transaction

    from xiaoneng.cases.services import case_recompute_deadlines
    from xiaoneng.workdays.calendar import get_calendar
    from xiaoneng.workdays.services import calendar_day_set

    cal = get_calendar()
    today = NOW.astimezone(cal.tz).date()
    running = "status IN ('received', 'accepted', 'supplementing', 'suspended')"
    for label, day in (("few move", cal.add_working_days(today, -5).date),
                       ("nearly all move", cal.add_working_days(today, 1).date)):
        floor = None
        if label == "nearly all move":
            with connection.cursor() as cur:
                t0 = time.perf_counter()
                try:
                    with transaction.atomic():
                        cur.execute(
                            "WITH u AS (UPDATE cases_case SET acceptance_due_at = acceptance_due_at, "
                            "clock_start = clock_start, deemed_accepted = deemed_accepted, "
                            "committed_deadline = committed_deadline, statutory_deadline = statutory_deadline, "
                            "deadlines_provisional = deadlines_provisional, "
                            "current_step_due_at = current_step_due_at, "
                            f"calendar_revision = calendar_revision + 1 WHERE {running} RETURNING id) "
                            "INSERT INTO cases_casecheck (case_id, due_at) SELECT id, %s FROM u "
                            "ON CONFLICT (case_id) DO UPDATE SET due_at = EXCLUDED.due_at", [NOW])
                        raise RuntimeError("roll back")
                except RuntimeError:
                    pass
                floor = time.perf_counter() - t0
                cur.execute("VACUUM ANALYZE cases_case")
        calendar_day_set(date=day, kind="holiday", name="基准测试临时放假", by=None, now=NOW)
        t0 = time.perf_counter()
        changed = case_recompute_deadlines(now=NOW)
        took = time.perf_counter() - t0
        line = (f"calendar change ({label}): {day} made a holiday; recompute of {n:,} open cases: {took:.1f} s "
                f"({n / took:,.0f} cases/s), deadlines moved on {changed:,}")
        if floor is not None:
            line += f"; bare UPDATE of the same columns of every running row {floor:.1f} s; ratio {took / floor:.1f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
