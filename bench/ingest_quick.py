"""Quick benchmark of the case ingest path: N events through `case_events_ingest` (the same code the API,
the windows and imports use), in batches, on the configured database; then one `case_recompute_deadlines`
over the open cases it made.

    .venv/bin/python bench/ingest_quick.py [--events 20000] [--batch 10000]
    DATABASE_URL=postgres://… .venv/bin/python bench/ingest_quick.py

Without DATABASE_URL it uses a fresh SQLite file in a temporary data directory. Each run uses its own
department, item and case numbers, so it can be repeated against the same database. Figures are for this
machine only (DESIGN.md: never timed assertions in tests); the bench target of issue 3 is ≥ 50,000 events/s
on PostgreSQL through this path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("XIAONENG_DATA_DIR", tempfile.mkdtemp(prefix="xn-bench-"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

CST = dt.timezone(dt.timedelta(hours=8))
SCRIPT = [("received", 0), ("accepted", 1), ("step_completed", 2), ("completed", 5), ("delivered", 6)]


def setup(run: str):
    from xiaoneng.accounts.services import api_client_create, department_create
    from xiaoneng.catalog.services import service_item_create
    from xiaoneng.workdays.models import CalendarYear
    from xiaoneng.workdays.services import calendar_seed_from_package

    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CST)
    if not CalendarYear.objects.filter(year=2026).exists():
        calendar_seed_from_package(years=range(2024, 2028))
    dept = department_create(code=f"B{run}", name=f"基准测试局{run}")
    data = {
        "code": f"BENCH{run}", "name": "基准测试事项", "legal_basis": "基准", "category": "licensing",
        "item_type": "committed", "audience": "both", "online": True, "offline": True, "max_visits": 1,
        "suspension_allowed": True, "suspension_reasons": ["supplement"], "deemed_approval": False,
        "statutory_limit_value": 20,
        "statutory_limit_unit": "wd", "committed_limit_value": 10, "committed_limit_unit": "wd",
        "materials": [{"name": "申请书", "form": "original", "copies": 1, "requirement": "mandatory", "condition": "",
                       "source": "applicant", "blank_form": "", "sample": "", "note": ""}],
        "fees": [], "steps": [
            {"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd", "post": "", "description": ""},
            {"kind": "review", "name": "审核", "limit_value": 5, "limit_unit": "wd", "post": "", "description": ""},
        ],
    }
    item = service_item_create(department=dept, data=data, by=None, now=now - dt.timedelta(days=800))
    client, _ = api_client_create(name="基准系统", department=dept, by=None, now=now)
    return item, client, now


def events(run: str, code: str, n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    out = []
    n_cases = n // len(SCRIPT)
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=CST)
    for c in range(n_cases):
        base = start + dt.timedelta(days=rng.randrange(300), minutes=rng.randrange(480))
        no = f"{run}-{c:07d}"
        for i, (kind, offset) in enumerate(SCRIPT):
            ev = {"event_id": f"{no}-{i}", "case_no": no, "service_code": code, "type": kind,
                  "occurred_at": (base + dt.timedelta(days=offset, minutes=i)).isoformat()}
            if kind == "received":
                ev["applicant"] = {"name": "张三", "id_no": "330102199001011234", "phone": "13812345678"}
            if kind == "step_completed":
                ev["step"] = "accept"
            out.append(ev)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from xiaoneng.cases.services import case_events_ingest, case_recompute_deadlines

    run = f"{int(time.time()) % 1_000_000:06d}"
    item, client, now = setup(run)
    evs = events(run, item.code, args.events)
    # Interleave cases across batches the way a system syncing in batches would: shuffle within windows.
    t0, c0 = time.perf_counter(), time.process_time()
    accepted = 0
    for i in range(0, len(evs), args.batch):
        r = case_events_ingest(events=evs[i : i + args.batch], client=client, now=now)
        assert not r.errors, r.errors[:3]
        accepted += r.accepted
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"database: {connection.vendor}  events: {accepted}  batch: {args.batch}  load: {os.getloadavg()[0]:.1f}")
    print(f"ingest: {elapsed:.2f} s  →  {accepted / elapsed:,.0f} events/s  "
          f"(this process's CPU {cpu:.2f} s → {accepted / cpu:,.0f} events per CPU-second)")
    # The same events again: all duplicates (the cost of a re-sent batch).
    t0 = time.perf_counter()
    dups = sum(case_events_ingest(events=evs[i : i + args.batch], client=client, now=now).duplicates
               for i in range(0, len(evs), args.batch))
    elapsed = time.perf_counter() - t0
    print(f"re-sent: {dups} duplicates in {elapsed:.2f} s  →  {dups / elapsed:,.0f} events/s")
    # Half-open cases for the recompute: only received + accepted of fresh case numbers.
    opened = [e for e in events(run + "o", item.code, args.events) if e["type"] in ("received", "accepted")]
    for i in range(0, len(opened), args.batch):
        case_events_ingest(events=opened[i : i + args.batch], client=client, now=now)
    from xiaoneng.cases.models import RUNNING_STATUSES, Case

    n_open = Case.objects.filter(status__in=RUNNING_STATUSES).count()  # every run's open cases in this database
    t0 = time.perf_counter()
    changed = case_recompute_deadlines(now=now)
    elapsed = time.perf_counter() - t0
    print(f"recompute: {n_open} open cases checked ({changed} changed) in {elapsed:.2f} s  →  "
          f"{n_open / elapsed:,.0f} cases/s")


if __name__ == "__main__":
    main()
