"""Benchmark of the working-day calendar: O(1) WorkCalendar against a naive day-by-day loop and against the
`holidays` package's own `get_nth_working_day`, same run, same inputs.

    .venv/bin/python bench/workdays_bench.py [--calls 1000000] [--baseline-calls N] [--seed 1]

Working-day additions come three ways (issue 3 §6: target ≥ 1,000,000 per second batched): single calls
`add_working_days(start, n)`, the batched `add_working_days_many(starts, ns)` over the whole list and in
chunks of 5,000 (the supervision tick's batch), and `holidays.China().get_nth_working_day(start, n)`.

The calendar is built straight from the holidays package data for 2020-2027 (what `seed-calendar` stores),
without a database: the arithmetic never touches one. Figures are calls per second on this machine; only
the ratios measured in the same run mean anything (DESIGN.md: never timed assertions in tests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
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

import holidays  # noqa: E402

from xiaoneng.workdays.calendar import WorkCalendar  # noqa: E402
from xiaoneng.workdays.services import _package_year  # noqa: E402

YEARS = range(2020, 2028)
CST = dt.timezone(dt.timedelta(hours=8))


def build_calendar() -> tuple[WorkCalendar, list, dict]:
    years, days = {}, []
    for y in YEARS:
        entries, official = _package_year(y)
        years[y] = not official
        days.extend((e.date, e.kind, e.name) for e in entries)
    t0 = time.perf_counter()
    cal = WorkCalendar(years=years, days=days)
    build_ms = (time.perf_counter() - t0) * 1000
    return cal, days, {"build_ms": build_ms}


class NaiveCalendar:
    """What one writes first: a dict of exceptions and a loop over the days."""

    def __init__(self, days):
        self.kind = {d: k for d, k, _ in days}

    def is_working_day(self, d: dt.date) -> bool:
        k = self.kind.get(d)
        if k is not None:
            return k == "workday"
        return d.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        d = start
        one = dt.timedelta(days=1)
        while n > 0:
            d += one
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        count, d, one = 0, a, dt.timedelta(days=1)
        while d < b:
            d += one
            count += self.is_working_day(d)
        return count

    def deadline(self, start: dt.datetime, n: int) -> dt.datetime:
        return dt.datetime.combine(self.add_working_days(start.date(), n), dt.time(17, 30), tzinfo=CST)


def rate(fn, args_list) -> float:
    t0 = time.perf_counter()
    for args in args_list:
        fn(*args)
    return len(args_list) / (time.perf_counter() - t0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=1_000_000)
    p.add_argument("--baseline-calls", type=int, default=None, help="calls for the naive loop (default: --calls)")
    p.add_argument("--seed", type=int, default=1)
    opts = p.parse_args()
    rnd = random.Random(opts.seed)
    cal, days, info = build_calendar()
    naive = NaiveCalendar(days)
    lookup = {d: naive.is_working_day(d) for d in (dt.date(2020, 1, 1) + dt.timedelta(k) for k in range(365 * 8))}

    first, span = dt.date(2020, 1, 1).toordinal(), (dt.date(2026, 6, 30) - dt.date(2020, 1, 1)).days
    # Limits as the law writes them: 1-60 working days (5, 20, 45 are the common ones).
    starts = [dt.date.fromordinal(first + rnd.randrange(span)) for _ in range(opts.calls)]
    ns = [rnd.randint(1, 60) for _ in range(opts.calls)]
    ends = [s + dt.timedelta(days=rnd.randint(0, 90)) for s in starts]
    moments = [dt.datetime.combine(s, dt.time(rnd.randrange(24), rnd.randrange(60)), tzinfo=CST) for s in starts]
    base_n = opts.baseline_calls or opts.calls

    # Same answers first: a benchmark of wrong code proves nothing.
    for s, n, e in zip(starts[:20000], ns, ends, strict=False):
        assert cal.add_working_days(s, n).date == naive.add_working_days(s, n)
        assert cal.working_days_between(s, e).working_days == naive.working_days_between(s, e)

    rows = []

    def measure(label, fast, fast_args, slow, slow_args):
        f = rate(fast, fast_args)
        b = rate(slow, slow_args[:base_n])
        rows.append((label, f, b))

    measure("is_working_day  vs dict lookup", cal.is_working_day, [(s,) for s in starts],
            lookup.__getitem__, [(s,) for s in starts])
    measure("add_working_days vs day loop", cal.add_working_days, list(zip(starts, ns, strict=True)),
            naive.add_working_days, list(zip(starts, ns, strict=True)))
    measure("working_days_between vs day loop", cal.working_days_between, list(zip(starts, ends, strict=True)),
            naive.working_days_between, list(zip(starts, ends, strict=True)))
    wd = ["wd"] * opts.calls
    measure("deadline(wd) vs day loop", cal.deadline, list(zip(moments, ns, wd, strict=True)),
            naive.deadline, list(zip(moments, ns, strict=True)))
    measure("add_working_hours(n h) vs loop(n wd)", cal.add_working_hours, list(zip(moments, ns, strict=True)),
            naive.deadline, list(zip(moments, ns, strict=True)))
    # Long limits (a year of working days): the loop grows with the span, the arrays do not.
    long_ns = [rnd.randint(200, 250) for _ in range(opts.calls)]
    measure("add_working_days n=200-250 vs loop", cal.add_working_days, list(zip(starts, long_ns, strict=True)),
            naive.add_working_days, list(zip(starts, long_ns, strict=True))[: max(1, base_n // 4)])

    # Batched additions: one call over the whole list, and over chunks of 5,000 (the tick's batch size).
    cn = holidays.China(years=YEARS)
    pairs = list(zip(starts, ns, strict=True))
    for s_, n_ in pairs[:20000]:
        assert cn.get_nth_working_day(s_, n_) == cal.add_working_days(s_, n_).date, (s_, n_)
    assert cal.add_working_days_many(starts, ns) == [cal.add_working_days(s_, n_).date for s_, n_ in pairs]
    t0 = time.perf_counter()
    cal.add_working_days_many(starts, ns)
    many_all = opts.calls / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for i in range(0, opts.calls, 5000):
        cal.add_working_days_many(starts[i : i + 5000], ns[i : i + 5000])
    many_5k = opts.calls / (time.perf_counter() - t0)
    single = rate(cal.add_working_days, pairs)
    hol_n = min(base_n, 200_000)
    hol = rate(cn.get_nth_working_day, pairs[:hol_n])
    adds = [("add_working_days_many, one list", many_all), ("add_working_days_many, chunks of 5,000", many_5k),
            ("add_working_days, single calls", single),
            (f"holidays.China().get_nth_working_day ({hol_n:,})", hol)]

    # Explanations are for case pages, not for the engine: a smaller sample.
    k = min(opts.calls, 100_000)

    def with_text(m, n):
        return cal.deadline(m, n, "wd").explanation

    expl = rate(with_text, list(zip(moments[:k], ns[:k], strict=True)))

    print(f"Python {platform.python_version()} on {platform.machine()}, {opts.calls:,} random calls "
          f"(baseline {base_n:,}), limits 1-60 wd, starts 2020-01-01..2026-06-30, seed {opts.seed}")
    print(f"WorkCalendar build from {len(days)} exception days over {len(YEARS)} years: {info['build_ms']:.1f} ms")
    print(f"{'operation':36} {'WorkCalendar/s':>15} {'baseline/s':>13} {'ratio':>8}")
    for label, f, b in rows:
        print(f"{label:36} {f:15,.0f} {b:13,.0f} {f / b:7.1f}x")
    print(f"{'deadline(wd) + explanation text':36} {expl:15,.0f}")
    print(f"\nworking-day additions (1-60 wd, same inputs; holidays {holidays.__version__}), load {os.getloadavg()[0]:.2f}")
    for label, r in adds:
        print(f"{label:52} {r:13,.0f}/s  {r / hol:7.1f}x holidays")


if __name__ == "__main__":
    main()
