"""Benchmark of case ingestion at scale (issue 3 §6): N events (default 1,000,000, ≈ 5 per case) through the
real bulk path `case_events_ingest`, and in the same run the floor — the same rows written raw into a bare
table of the shape of `cases_caseevent` (no index, no constraint, no case rows): COPY on PostgreSQL,
executemany on SQLite. Prints events/s of both and their ratio, with the machine load.

    .venv/bin/python bench/ingest.py [--events 1000000] [--db both|postgresql|sqlite] [--order case|time]
                                     [--no-rules] [--fsync-off] [--profile FILE] [--clients N]

PostgreSQL: a throw-away server is started here the way scripts/test.sh does (initdb in a temporary
directory, as the `postgres` user when run as root, loopback port), with durability ON (fsync,
synchronous_commit, full_page_writes: the defaults) unless --fsync-off; it is stopped and deleted afterwards.
SQLite: a fresh file in a temporary directory. Each database is migrated fresh and gets the demo county's
foundation (departments, staff, calendar, catalogue: `build_county(only=FOUNDATION)`).

Events are the demo county's (xiaoneng.demo.cases: received, accepted, step_completed, completed, delivered,
with supplements, special procedures, fees, refusals, denials, withdrawals), scaled to N events over twelve
months, and fed in batches of at most 10,000 events (`--order case`: whole cases per batch, as an import sends
them; `--order time`: by occurrence time, as a live sync would, so a case spans several batches and is
refolded). client=None, by=None, source label "bench". `--clients N` (PostgreSQL): N forked client processes,
each with its own connection, share the batches round-robin and start together, as department systems
pushing at once would. Supervision's rules run inside the batch, as in production; --no-rules
deletes them first (the watcher still runs, with nothing to judge). Figures are for this machine only; tests never assert timings (DESIGN.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
BATCH = 10_000
EVENTS_PER_CASE = 5.25  # the demo's mix
WORKING_DAYS_A_YEAR = 245


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


# ------------------------------------------------------------------------------------------ parent process
def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class PgServer:
    """A throw-away PostgreSQL server, as scripts/test.sh starts one."""

    def __init__(self, *, fsync: bool):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        if not bins:
            sys.exit("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = bins[-1]
        self.root = Path(tempfile.mkdtemp(prefix="xn-bench-pg-"))
        self.port = _free_port()
        self.fsync = fsync
        self.as_root = os.getuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.root, "postgres")
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", "xiaoneng", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_wal_size=4GB"
        if not self.fsync:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(data), "-l", str(self.root / "server.log"), "-w", "start", "-o", opts)
        import psycopg

        with psycopg.connect(f"postgres://xiaoneng@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE xiaoneng")
        return f"postgres://xiaoneng@127.0.0.1:{self.port}/xiaoneng"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def parent(args: argparse.Namespace) -> None:
    child_args = [sys.executable, __file__, "--child", "--events", str(args.events), "--order", args.order]
    if args.no_rules:
        child_args.append("--no-rules")
    if args.profile:
        child_args += ["--profile", args.profile]
    if args.clients > 1:
        if args.db != "postgresql":
            sys.exit("--clients needs --db postgresql: SQLite serialises writers")
        child_args += ["--clients", str(args.clients)]
    print(f"{dt.datetime.now(TZ):%Y-%m-%d %H:%M} {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; load at start {load()}", flush=True)
    if args.db in ("both", "postgresql"):
        server = PgServer(fsync=not args.fsync_off)
        try:
            url = server.start()
            print(f"== PostgreSQL (throw-away server, durability {'off' if args.fsync_off else 'on'})", flush=True)
            subprocess.run(child_args, check=True, env=dict(os.environ, DATABASE_URL=url))
        finally:
            server.stop()
    if args.db in ("both", "sqlite"):
        tmp = tempfile.mkdtemp(prefix="xn-bench-")
        try:
            print("== SQLite (fresh file)", flush=True)
            env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", XIAONENG_DATA_DIR=tmp)
            subprocess.run(child_args, check=True, env=env)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------- child process
def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("XIAONENG_DATA_DIR", tempfile.mkdtemp(prefix="xn-bench-"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from xiaoneng.cases.ingest import case_events_ingest
    from xiaoneng.cases.models import Case, CaseEvent, Channel
    from xiaoneng.demo import cases as demo_cases
    from xiaoneng.demo.county import FOUNDATION, build_county

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    build_county(scale="county", only=FOUNDATION, now=NOW, password="bench-only")
    print(f"migrate + foundation: {time.perf_counter() - t0:.1f} s", flush=True)

    # ---- the events: the demo's generator, scaled to N, cut at whole cases
    import random

    t0 = time.perf_counter()
    items = demo_cases._items()
    per_day = max(1, round(args.events / EVENTS_PER_CASE / WORKING_DAYS_A_YEAR * 1.05))
    end = NOW.date()
    start = dt.date(end.year - 1, end.month, 1)
    raw = demo_cases.case_events(rng=random.Random(2026), items=items, start=start, end=end, per_day=per_day, now=NOW)
    per_case: dict[str, list[dict]] = {}
    for e in raw:
        per_case.setdefault(e["case_no"], []).append(e)
    events: list[dict] = []
    for evs in per_case.values():
        if len(events) + len(evs) > args.events:
            break
        events.extend(evs)
    n_cases = len({e["case_no"] for e in events})
    if args.order == "time":
        events.sort(key=lambda e: e["_at"])
    events = [{k: v for k, v in e.items() if k != "_at"} for e in events]
    mix: dict[str, int] = {}
    for e in events:
        mix[e["type"]] = mix.get(e["type"], 0) + 1
    batches: list[list[dict]] = []
    if args.order == "case":  # whole cases per batch (as the demo and import-cases send them)
        batch: list[dict] = []
        for e in events:
            if len(batch) >= BATCH - 30 and e["case_no"] != batch[-1]["case_no"]:
                batches.append(batch)
                batch = []
            batch.append(e)
        if batch:
            batches.append(batch)
    else:
        batches = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
    print(f"generated {len(events):,} events of {n_cases:,} cases over {len(items)} items in "
          f"{time.perf_counter() - t0:.1f} s; {len(batches)} batches; order {args.order}", flush=True)
    print("mix: " + ", ".join(f"{k} {v:,}" for k, v in sorted(mix.items(), key=lambda kv: -kv[1])), flush=True)

    # ---- the equivalent raw rows, built before timing (the floor pays no Python work at all)
    from xiaoneng.cases.events import normalize

    fields = [f for f in CaseEvent._meta.concrete_fields]
    cols = [f.column for f in fields]
    pg = connection.vendor == "postgresql"
    case_num: dict[str, int] = {}
    raw_rows = []
    for k, e in enumerate(events, 1):
        ev = normalize(e, now=NOW)
        cid = case_num.setdefault(ev.case_no, len(case_num) + 1)
        occurred = ev.occurred_at if pg else str(ev.occurred_at.astimezone(dt.UTC).replace(tzinfo=None))
        recorded = NOW if pg else str(NOW.astimezone(dt.UTC).replace(tzinfo=None))
        values = {"id": k, "case_id": cid, "source": "i:bench", "client_id": None, "staff_id": None,
                  "event_id": ev.event_id, "type": ev.type, "occurred_at": occurred, "recorded_at": recorded,
                  "step": ev.step, "handler": ev.handler, "reason": ev.reason,
                  "missing_materials": json.dumps(ev.missing_materials), "fee_item": ev.fee_item,
                  "amount": ev.amount if pg or ev.amount is None else str(ev.amount),
                  "granted_days": ev.granted_days, "payload": json.dumps(ev.payload)}
        raw_rows.append([values[c] for c in cols])

    if args.no_rules:
        # The cases app always runs with its watcher (one mode): "without rules" is the engine with no rule to
        # judge (this throw-away database's rules deleted), which it notices once per batch.
        from xiaoneng.supervision.models import Rule
        from xiaoneng.supervision.rulecache import rules_invalidate

        Rule.objects.all().delete()
        rules_invalidate()
    rules = "without" if args.no_rules else "with"

    # The bench holds every input event (and the floor's rows) in memory at once — millions of objects a
    # server never holds (it parses one request body at a time). Freeze them out of the garbage collector so
    # its full passes over them are not charged to the path measured.
    import gc

    gc.collect()
    gc.freeze()

    # ---- the real path
    print(f"ingesting through case_events_ingest ({rules} supervision's event rules); load {load()}", flush=True)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    accepted, t0, c0 = 0, time.perf_counter(), time.process_time()
    step = max(1, len(batches) // 10)
    if args.clients > 1:
        accepted, real, real_cpu = _concurrent(args.clients, batches, case_events_ingest, Channel)
        batches = []  # done
    for b, batch in enumerate(batches, 1):
        r = case_events_ingest(events=batch, channel=Channel.IMPORT, now=NOW, source="bench")
        if r.errors:
            sys.exit(f"events refused: {r.errors[:3]}")
        accepted += r.accepted
        if b % step == 0:
            el = time.perf_counter() - t0
            print(f"  {accepted:>9,} events  {el:7.1f} s  {accepted / el:8,.0f}/s  load {load()}", flush=True)
    if args.clients <= 1:
        real = time.perf_counter() - t0
        real_cpu = time.process_time() - c0
    load_real = load()
    if profiler is not None:
        import pstats

        profiler.disable()
        profiler.dump_stats(args.profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    assert Case.objects.count() == n_cases
    assert CaseEvent.objects.count() == accepted == len(events)

    # ---- the floor: the same rows raw into a bare table of the same shape, same batch size and commits
    with connection.cursor() as cur:
        if pg:
            cur.execute("CREATE TABLE bench_raw_event (LIKE cases_caseevent)")  # columns and NOT NULL only
        else:
            cur.execute("CREATE TABLE bench_raw_event AS SELECT * FROM cases_caseevent WHERE 0")
    q = ", ".join(connection.ops.quote_name(c) for c in cols)
    t0 = time.perf_counter()
    for i in range(0, len(raw_rows), BATCH):
        part = raw_rows[i : i + BATCH]
        with transaction.atomic(), connection.cursor() as cur:
            if pg:
                with cur.cursor.copy(f"COPY bench_raw_event ({q}) FROM STDIN") as copy:
                    for row in part:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(cols))
                cur.executemany(f"INSERT INTO bench_raw_event ({q}) VALUES ({marks})", part)
    floor = time.perf_counter() - t0
    floor_name = "COPY" if pg else "executemany"

    db = f"PostgreSQL {connection.pg_version // 10000}" if pg else f"SQLite {connection.Database.sqlite_version}"
    print(f"RESULT {db}: {accepted:,} events, {n_cases:,} cases, order {args.order}, {rules} rules")
    who = f"{args.clients} clients at once, their CPU" if args.clients > 1 else "our process's CPU"
    print(f"  case_events_ingest: {real:7.1f} s  {accepted / real:9,.0f} events/s  "
          f"({who} {real_cpu:.1f} s; load {load_real})")
    print(f"  raw {floor_name} into a bare table: {floor:7.1f} s  {accepted / floor:9,.0f} events/s  (load {load()})")
    print(f"  ratio: ingest takes {real / floor:.1f}x the raw {floor_name}", flush=True)


def _concurrent(n: int, batches: list, ingest, channel) -> tuple[int, float, float]:
    """`n` client processes (forked, each with its own connection) share the batches round-robin and start
    together, as several department systems pushing at once would; batches hold whole cases, so they never
    wait on each other's row locks. Returns (events accepted, wall seconds, CPU seconds of all clients)."""
    import multiprocessing

    from django.db import connection

    connection.close()  # each child opens its own
    ctx = multiprocessing.get_context("fork")
    go, out = ctx.Event(), ctx.Queue()

    def work(k: int) -> None:
        go.wait()
        c0, done = time.process_time(), 0
        for batch in batches[k::n]:
            r = ingest(events=batch, channel=channel.IMPORT, now=NOW, source="bench")
            if r.errors:
                out.put(("error", str(r.errors[:3])))
                return
            done += r.accepted
        out.put((done, time.process_time() - c0))

    procs = [ctx.Process(target=work, args=(k,)) for k in range(n)]
    for p in procs:
        p.start()
    time.sleep(2)  # every child forked and waiting
    t0 = time.perf_counter()
    go.set()
    results = [out.get() for _ in procs]
    real = time.perf_counter() - t0
    for p in procs:
        p.join()
    if any(r[0] == "error" for r in results):
        sys.exit(f"events refused: {results}")
    return sum(r[0] for r in results), real, sum(r[1] for r in results)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--db", choices=("both", "postgresql", "sqlite"), default="both")
    p.add_argument("--order", choices=("case", "time"), default="case")
    p.add_argument("--no-rules", action="store_true", help="delete supervision's rules first (the watcher runs with nothing to judge)")
    p.add_argument("--fsync-off", action="store_true", help="PostgreSQL without durability (as the test server)")
    p.add_argument("--profile", metavar="FILE", help="cProfile the real path; write the stats to FILE")
    p.add_argument("--clients", type=int, default=1,
                   help="PostgreSQL: this many client processes ingest at once (SQLite has one writer)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
