"""Time the quarterly evaluation at province scale (issue 13 §5): `services.evaluate.compute` (and
`evaluation_run`, which also stores every score and line) against the bare GROUP BYs its calculations need over
the same rows, and the ranking's latency (the selector every ranking page and the API read; the dashboard too).

The data set is written straight into the tables, not through the ingest (this times the evaluation, not the
writes): ~2,000 evaluated departments (bureaus and townships of --counties counties), --cases cases over the
year 2025 (completed_at, verdict, verdict_working_days, deadlines, registered set as the clock would leave them:
per department a share of late cases, ~40% early, ~3% refused, the last fortnight's still open), cards on
~1.5% of cases (reminder 60%, yellow 30%, red 10%; some withdrawn or awaiting confirmation), complaints on ~0.2%
(replied on time or not, substantiated or not, rated by the complainant) and ratings on ~20% of the completed
cases. PostgreSQL: every row through COPY … FROM STDIN (write_cases_copy: cases, cards and ratings in one pass,
the secondary indexes built again after the load); --server-side generates the cases, cards and ratings in the
server instead (INSERT … SELECT over generate_series), to compare. SQLite: executemany from Python, at a smaller
scale (the default --cases is 200,000 there).

--demo times the demo county instead (the `seed_demo` builder `make demo` runs; built into --data-dir or a new
temporary directory, or into DATABASE_URL's database; --reuse to insist on one already built): its latest
published quarter under the scheme in force (the county's own version), against the same bare GROUP BYs over
its rows; evaluation_run there is a correction of a published quarter, rolled back after each timing.

The scheme evaluated is built from every calculation registered and available (indicators.INDICATORS …): when
more calculations land, the bench times them too. The baseline is one hand-written GROUP BY per source the
scheme's calculations read (cases three ways, cards, complaints, ratings, surveys, visits, sanctions, disclosure
checks), each over the quarter's rows; a calculation without one (appeal_lost, short_commitment) still runs
inside compute and is named in the output, and so is compute's time per calculation (its slowest six).

    .venv/bin/python bench/evaluate.py --cases 200000 --departments 200            # SQLite, quick
    DATABASE_URL=postgres://xiaoneng@127.0.0.1:55432/xn_dash .venv/bin/python bench/evaluate.py \
        --cases 10000000 --departments 2000                                          # province scale
    .venv/bin/python bench/evaluate.py --demo --data-dir /tmp/xn-demo [--reuse]        # demo county, SQLite
    DATABASE_URL=postgres://xiaoneng@127.0.0.1:55432/xn_benchdemo .venv/bin/python bench/evaluate.py --demo

Province mode, PostgreSQL: needs a database of its own without cases (it refuses otherwise) and empties it at the
end, every table as `manage.py flush` does (--keep to leave the rows). SQLite: a fresh file in a temporary
directory unless DATABASE_URL says otherwise. The demo mode leaves its database as it found it (or as it built it).
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
from decimal import Decimal as D
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TZ = dt.timezone(dt.timedelta(hours=8))
YEAR = 2025
PERIOD = "2025Q3"
NOW = dt.datetime(2025, 10, 15, 9, 0, tzinfo=TZ)
WRITTEN = ("ratings_rating", "complaints_complaint", "supervision_warning", "cases_case")

# Which hand-written GROUP BY stands for which calculation.
FAMILIES = {
    "cases": {"on_time_rate", "procedure_rate", "fee_compliance_rate", "early_completion"},
    "cases_limits": {"avg_working_days_ratio"},
    "cases_received": {"data_incomplete"},
    "cards": {"card_reminder", "card_yellow", "card_red", "red_cards"},
    "complaints": {"complaint_on_time_rate", "complaint_satisfaction_rate", "complaint_substantiated"},
    "ratings": {"rating_good_rate", "rating_rectification_rate"},
    "surveys": {"survey_score"},
    "inspections": {"inspection_score"},
    "sanctions": {"sanction", "disciplinary_sanction"},
    "disclosure": {"disclosure", "disclosure_late"},
}


def family(code: str) -> str | None:
    return next((f for f, codes in FAMILIES.items() if code in codes), None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=None, help="cases in the year (default 10M on PostgreSQL, 200k on SQLite)")
    ap.add_argument("--departments", type=int, default=2000, help="evaluated departments (bureaus and townships)")
    ap.add_argument("--counties", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep", action="store_true", help="PostgreSQL: leave the rows written")
    ap.add_argument("--server-side", action="store_true",
                    help="PostgreSQL: generate the cases, cards and ratings in the server (INSERT … SELECT) "
                         "instead of sending them with COPY")
    ap.add_argument("--demo", action="store_true",
                    help="the demo county instead: build it (`seed_demo`, as `make demo`) unless it is there, then "
                         "time its latest published quarter under the scheme in force")
    ap.add_argument("--scale", default="county", help="--demo: the demo's scale (small, county)")
    ap.add_argument("--data-dir", default=None, help="--demo: the data directory (default: a new temporary one; "
                                                      "SQLite's file is in it unless DATABASE_URL says otherwise)")
    ap.add_argument("--reuse", action="store_true", help="--demo: the demo county must already be built there")
    args = ap.parse_args()
    data = args.data_dir or tempfile.mkdtemp(prefix="xn-bench-")
    Path(data).mkdir(parents=True, exist_ok=True)
    os.environ["XIAONENG_DATA_DIR"] = data
    if not args.demo:  # (the demo: the settings' own default, DATA_DIR/xiaoneng.sqlite3, as `make demo` has it)
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{data}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    pg = connection.vendor == "postgresql"
    if args.demo:
        return run_demo(args, pg, data)
    if args.cases is None:
        args.cases = 10_000_000 if pg else 200_000
    from xiaoneng.cases.models import Case

    if Case.objects.exists():
        sys.exit("the database already has cases: give the benchmark an empty database")
    try:
        run(args, pg)
    finally:
        if pg and not args.keep:
            cleanup()


def run_demo(args, pg: bool, data: str) -> None:
    """The demo county (the `seed_demo` builder, as `make demo`): its latest published quarter, evaluated under
    the scheme in force for it (the county's own version), against the bare GROUP BYs over the same rows.
    evaluation_run of a published quarter is its correction (revision n+1, with a reason): each of the best of
    `--repeat` runs is rolled back, so the demo is left as it was."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.models import Staff
    from xiaoneng.cases.models import Case
    from xiaoneng.core.periods import Period
    from xiaoneng.demo.county import demo_exists
    from xiaoneng.evaluation.models import Evaluation, EvaluationStatus
    from xiaoneng.evaluation.services.evaluate import evaluation_run
    from xiaoneng.evaluation.services.schemes import scheme_for

    reused = demo_exists()
    if reused:
        built = f"built before (reused: {data})"
    elif args.reuse:
        sys.exit(f"no demo county in {settings.DATABASES['default']['NAME']}: run without --reuse to build it")
    else:
        settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.FileBackend"  # as `xiaoneng demo`: texts to a file
        t0 = time.perf_counter()
        call_command("seed_demo", scale=args.scale)
        built = f"built by seed_demo in {time.perf_counter() - t0:.0f} s (data dir {data})"
    ev = (Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED, period_kind="quarter")
          .order_by("-starts_at").first())
    if ev is None:
        sys.exit("the demo has no published quarter to time")
    p = Period.parse(ev.period)
    scheme = scheme_for(p)
    now = timezone.now()
    leader = Staff.objects.filter(groups__name=R.LEADER, is_active=True).order_by("pk").first()  # the demo's 领导
    from django.db.models import Q

    q = Q(completed_at__gte=p.start, completed_at__lt=p.end) | Q(received_at__gte=p.start, received_at__lt=p.end)
    scale = f"demo county{'' if reused else f' ({args.scale})'}, {p.code}: {Case.objects.filter(q).count():,} cases received or completed in it"

    def run_once() -> tuple[float, object]:
        with transaction.atomic():
            t0 = time.perf_counter()
            evaluation_run(p, now=now, reason="基准测试：重新计算（回滚，不保留）。")
            run_s = time.perf_counter() - t0
            transaction.set_rollback(True)
        return run_s, ev

    figures(args, pg, p, scheme, now, run_once, args.repeat, scale, built, user=leader)


def cleanup() -> None:
    """Empty the bench's database (every table, as `manage.py flush`): it was given to the bench alone."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def run(args, pg: bool) -> None:
    from django.db import connection

    rng = random.Random(args.seed)
    t_all = time.perf_counter()
    depts = departments(args.departments, args.counties)
    print(f"departments: {len(depts):,} evaluated in {args.counties} counties "
          f"({time.perf_counter() - t_all:.1f} s)", flush=True)
    t0 = time.perf_counter()
    if pg:
        n_cards, n_rat = (write_cases_pg if args.server_side else write_cases_copy)(args.cases, depts, rng)
    else:
        n_cards, n_rat = write_cases(args.cases, depts, rng, pg)
    print(f"cases: {args.cases:,} in {YEAR} ({time.perf_counter() - t0:.1f} s)", flush=True)
    t0 = time.perf_counter()
    n_compl = write_complaints(args.cases, depts, rng, pg)
    print(f"cards {n_cards:,}, complaints {n_compl:,}, ratings {n_rat:,} ({time.perf_counter() - t0:.1f} s)", flush=True)
    if pg:
        with connection.cursor() as cur:
            for t in WRITTEN:
                cur.execute(f"VACUUM ANALYZE {t}")
    build = time.perf_counter() - t_all
    measure(args, pg, build)


# ------------------------------------------------------------------------------------------------ data
def departments(n: int, counties: int) -> list:
    """`counties` counties, each with its share of the n evaluated departments: 70% bureaus, 30% townships."""
    from xiaoneng.accounts.models import Department
    from xiaoneng.accounts.services import department_create

    out = []
    per = max(1, n // counties)
    for c in range(counties):
        county = department_create(code=f"PV{c:03d}", name=f"基准县{c}", kind=Department.Kind.COUNTY)
        for k in range(per if c < counties - 1 else n - per * (counties - 1)):
            kind = Department.Kind.BUREAU if k < per * 0.7 else Department.Kind.TOWNSHIP
            out.append(department_create(code=f"PV{c:03d}{k:03d}", name=f"基准县{c}{'局' if kind == Department.Kind.BUREAU else '镇'}{k}",
                                         kind=kind, parent=county))
    return out


def _columns(model, varying: list[str]):
    """The table's columns: the varying ones first, then every other concrete column at its Python default
    (what the ORM would write), as PostgreSQL text and as SQLite values."""
    import json

    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rest = [f for f in fields if f.column not in varying]
    cols = varying + [f.column for f in rest]
    consts = []
    for f in rest:
        v = f.get_default()
        if isinstance(v, (list, dict)):
            v = json.dumps(v)
        elif hasattr(v, "value"):  # a TextChoices member
            v = v.value
        consts.append(v)
    tail = "\t".join(_text(v) for v in consts)
    lite = tuple(connection.ops.adapt_datetimefield_value(v) if isinstance(v, dt.datetime) else v for v in consts)
    return cols, tail, lite


def _text(v) -> str:
    if v is None:
        return "\\N"
    if v is True:
        return "t"
    if v is False:
        return "f"
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    return str(v)


class Writer:
    """Rows into one table: COPY (text) on PostgreSQL, executemany on SQLite; `row(values)` takes the varying
    columns' values in order."""

    def __init__(self, model, varying: list[str], pg: bool, after: tuple = ()):
        from django.db import connection

        self.after = after  # written right after this one's batch (rows referring to it), never on their own
        self.pg, self.table = pg, model._meta.db_table
        self.cols, self.tail, self.lite = _columns(model, varying)
        self.buf: list = []
        self.adapt = connection.ops.adapt_datetimefield_value

    def row(self, values) -> None:
        if self.pg:
            self.buf.append("\t".join(_text(v) for v in values) + "\t" + self.tail + "\n")
        else:
            self.buf.append(tuple(self.adapt(v) if isinstance(v, dt.datetime) else v for v in values) + self.lite)
        if len(self.buf) >= 50_000 and self.after is not None:
            self.flush()

    def flush(self) -> None:
        from django.db import connection, transaction

        if not self.buf:
            return
        with transaction.atomic(), connection.cursor() as cur:  # one transaction per batch (SQLite: one fsync)
            if self.pg:
                with cur.cursor.copy(f"COPY {self.table} ({', '.join(self.cols)}) FROM STDIN") as copy:
                    copy.write("".join(self.buf))
            else:
                marks = ", ".join(["%s"] * len(self.cols))
                cur.executemany(f"INSERT INTO {self.table} ({', '.join(self.cols)}) VALUES ({marks})", self.buf)
        self.buf = []
        for w in self.after or ():
            w.flush()


def write_cases(n: int, depts: list, rng: random.Random, pg: bool) -> tuple[int, int]:
    """n cases received over the year (ids 1..n: the table is empty), with in the same pass the cards on ~1.5%
    of them and the ratings of ~20% of the completed ones (written right after each batch of their cases).
    Answers (cards, ratings) written."""
    import bisect

    from xiaoneng.cases.models import Case
    from xiaoneng.catalog.services import service_item_create
    from xiaoneng.ratings.models import Rating
    from xiaoneng.supervision.models import Warning

    item = service_item_create(department=depts[0], by=None, now=dt.datetime(YEAR - 1, 1, 1, tzinfo=TZ), data={
        "code": "PV-BENCH-1", "name": "基准事项", "category": "licensing", "item_type": "committed",
        "audience": "both", "legal_basis": "—", "statutory_limit_value": 20, "statutory_limit_unit": "wd",
        "committed_limit_value": 5, "committed_limit_unit": "wd", "online": True, "offline": True, "fees": [],
        "materials": [{"name": "申请书", "form": "original", "copies": 1, "source": "applicant"}],
        "steps": [{"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd"}]})
    version_id = item.current_version.pk
    rules = _rules()
    cards = Writer(Warning, ["subject_kind", "subject_id", "rule_id", "level", "deadline_key", "status",
                             "department_id", "crossed_at", "issued_at", "updated_at", "detail"], pg, after=None)
    ratings = Writer(Rating, ["subject_kind", "case_id", "department_id", "level", "channel", "rated_at",
                              "recorded_at"], pg, after=None)
    w = Writer(Case, ["id", "case_no", "department_id", "service_item_id", "version_id", "status", "registered",
                      "received_at", "accepted_at", "clock_start", "completed_at", "closed_at", "committed_deadline",
                      "statutory_deadline", "verdict", "verdict_working_days", "is_open", "created_at", "updated_at",
                      "last_event_at", "events_count"], pg, after=(cards, ratings))
    start = dt.datetime(YEAR, 1, 1, tzinfo=TZ)
    span = 365 * 86400
    year_end = dt.datetime(YEAR + 1, 1, 1, tzinfo=TZ)
    # Bureaus handle most cases; each department has its own share of late completions.
    late = [rng.choice((0.01, 0.02, 0.04, 0.08, 0.2)) for _ in depts]
    cum, total = [], 0
    for d in depts:
        total += 5 if d.kind == "bureau" else 2
        cum.append(total)
    n_cards = n_ratings = 0
    for i in range(1, n + 1):
        k = bisect.bisect_left(cum, rng.random() * total)
        dept_id = depts[k].pk
        received = start + dt.timedelta(seconds=int(rng.random() * span))
        u = rng.random()
        if u < 0.03:  # refused at the counter
            status, completed, verdict, wd = "refused", None, "", 0
            closed = received + dt.timedelta(hours=2)
        else:
            u = rng.random()
            if u < late[k]:
                wd, verdict = rng.randint(6, 15), "overdue"
            elif u < 0.4 + late[k]:
                wd, verdict = rng.randint(1, 3), "early"
            else:
                wd, verdict = rng.randint(4, 5), "on_time"
            completed = received + dt.timedelta(days=wd * 1.4, hours=rng.random() * 6)
            closed = completed
            status = "completed" if rng.random() < 0.7 else "delivered"
            if completed >= year_end:  # still running at the year's end
                status, completed, closed, verdict, wd = "accepted", None, None, "", 0
        w.row((i, f"PV{i:09d}", dept_id, item.pk, version_id, status, rng.random() < 0.98, received, received,
               received, completed, closed, received + dt.timedelta(days=7), received + dt.timedelta(days=28),
               verdict, wd, completed is None and status != "refused", received, closed or received,
               closed or received, 3 if completed else 2))
        u = rng.random()
        if u < 0.015:
            level = "reminder" if u < 0.009 else "yellow" if u < 0.0135 else "red"
            v = rng.random()
            card_status = "withdrawn" if v < 0.03 else "pending_confirmation" if v < 0.05 else "issued"
            at = received + dt.timedelta(days=5)
            cards.row(("case", i, rules[level], level, "committed", card_status, dept_id, at, at, at, "基准预警"))
            n_cards += 1
        if completed is not None and rng.random() < 0.2:
            v = rng.random()
            level = 5 if v < 0.6 else 4 if v < 0.85 else 3 if v < 0.95 else 2 if v < 0.98 else 1
            at = completed + dt.timedelta(days=1)
            ratings.row(("case", i, dept_id, level, "link", at, at))
            n_ratings += 1
    w.flush()
    if pg:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [n])
    return n_cards, n_ratings


def _drop_indexes(cur, tables: tuple) -> list:
    """Drop the tables' secondary indexes (not those behind a constraint) for a load; answers them to build again."""
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint)", [list(tables)])
    indexes = cur.fetchall()
    for name, _def in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    return indexes


def write_cases_copy(n: int, depts: list, rng: random.Random) -> tuple[int, int]:
    """PostgreSQL at province scale, as the issue says: the same distributions as write_cases, sent with COPY …
    FROM STDIN (text format) — cases, cards and ratings in one pass, each through its own connection's COPY (one
    connection can hold one COPY at a time), written in batches of 50,000 cases. What makes it fast is the Python
    side: per row a few random() calls, integer seconds since the year's start turned into text through two
    precomputed tables (day, time of day; the year is in UTC+8 throughout, so no zone arithmetic), one f-string,
    the columns the bench does not vary appended as one constant tail. The secondary indexes are dropped for the
    load and built again after it, foreign-key triggers off during it (session_replication_role = replica; every id
    written exists). Answers (cards, ratings) written."""
    import contextlib

    import psycopg
    from django.db import connection

    from xiaoneng.cases.models import Case
    from xiaoneng.ratings.models import Rating
    from xiaoneng.supervision.models import Warning

    item_id, version_id = _bench_item(depts[0])
    rules = _rules()
    with connection.cursor() as cur:
        indexes = _drop_indexes(cur, ("cases_case", "supervision_warning", "ratings_rating"))

    def table(model, varying):
        cols, tail, _lite = _columns(model, varying)
        end = ("\t" + tail if len(cols) > len(varying) else "") + "\n"
        return f"COPY {model._meta.db_table} ({', '.join(cols)}) FROM STDIN", end

    case_sql, case_end = table(Case, [
        "id", "case_no", "department_id", "service_item_id", "version_id", "status", "registered", "received_at",
        "accepted_at", "clock_start", "completed_at", "closed_at", "committed_deadline", "statutory_deadline",
        "verdict", "verdict_working_days", "is_open", "created_at", "updated_at", "last_event_at", "events_count"])
    card_sql, card_end = table(Warning, ["subject_kind", "subject_id", "rule_id", "level", "deadline_key", "status",
                                         "department_id", "crossed_at", "issued_at", "updated_at", "detail"])
    rating_sql, rating_end = table(Rating, ["subject_kind", "case_id", "department_id", "level", "channel",
                                            "rated_at", "recorded_at"])
    day0 = dt.date(YEAR, 1, 1)
    days = [(day0 + dt.timedelta(days=d)).strftime("%Y-%m-%d ") for d in range(400)]
    tod = [f"{h:02d}:{m:02d}:{s:02d}+08" for h in range(24) for m in range(60) for s in range(60)]
    slots = []  # bureaus handle most cases: 5 slots a bureau, 2 a township; each department its share of late
    for d in depts:
        late = rng.choice((0.01, 0.02, 0.04, 0.08, 0.2))
        slots.extend([(str(d.pk), late, 0.4 + late)] * (5 if d.kind == "bureau" else 2))
    n_slots = len(slots)
    span = year_end = 365 * 86400
    head = f"\t{item_id}\t{version_id}\t"
    card_rule = {lv: f"\t{rules[lv]}\t{lv}\tcommitted\t" for lv in ("reminder", "yellow", "red")}
    rnd = rng.random
    n_cards = n_ratings = 0
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        conns = [stack.enter_context(psycopg.connect(os.environ["DATABASE_URL"])) for _ in range(3)]
        copies = []
        for conn, sql in zip(conns, (case_sql, card_sql, rating_sql), strict=True):
            conn.execute("SET session_replication_role = replica")
            copies.append(stack.enter_context(conn.cursor().copy(sql)))
        case_copy, card_copy, rating_copy = copies
        cases, cards, ratings = [], [], []
        for i in range(1, n + 1):
            d, late, early = slots[int(rnd() * n_slots)]
            r = int(rnd() * span)
            q, m = divmod(r, 86400)
            received = days[q] + tod[m]
            if rnd() < 0.03:  # refused at the counter
                q, m = divmod(r + 7200, 86400)
                closed = days[q] + tod[m]
                tail = f"refused\t{'t' if rnd() < 0.98 else 'f'}\t{received}\t{received}\t{received}\t\\N\t{closed}"
                rest, updated, c = "\t0\tf", closed, None
            else:
                u = rnd()
                if u < late:
                    wd, verdict = 6 + int(rnd() * 10), "overdue"
                elif u < early:
                    wd, verdict = 1 + int(rnd() * 3), "early"
                else:
                    wd, verdict = 4 + int(rnd() * 2), "on_time"
                c = r + int(wd * 120960 + rnd() * 21600)  # wd × 1.4 days + up to 6 hours
                if c >= year_end:  # still running at the year's end
                    tail = f"accepted\t{'t' if rnd() < 0.98 else 'f'}\t{received}\t{received}\t{received}\t\\N\t\\N"
                    rest, updated, c = "\t0\tt", received, None
                else:
                    q, m = divmod(c, 86400)
                    updated = days[q] + tod[m]
                    tail = (f"{'completed' if rnd() < 0.7 else 'delivered'}\t{'t' if rnd() < 0.98 else 'f'}\t"
                            f"{received}\t{received}\t{received}\t{updated}\t{updated}")
                    rest = f"{verdict}\t{wd}\tf"
            q, m = divmod(r + 604800, 86400)
            q2, m2 = divmod(r + 2419200, 86400)
            cases.append(f"{i}\tPV{i:09d}\t{d}{head}{tail}\t{days[q]}{tod[m]}\t{days[q2]}{tod[m2]}\t{rest}\t"
                         f"{received}\t{updated}\t{updated}\t{2 if c is None else 3}{case_end}")
            u = rnd()
            if u < 0.015:
                level = "reminder" if u < 0.009 else "yellow" if u < 0.0135 else "red"
                v = rnd()
                q, m = divmod(r + 432000, 86400)
                at = days[q] + tod[m]
                cards.append(f"case\t{i}{card_rule[level]}"
                             f"{'withdrawn' if v < 0.03 else 'pending_confirmation' if v < 0.05 else 'issued'}"
                             f"\t{d}\t{at}\t{at}\t{at}\t基准预警{card_end}")
                n_cards += 1
            if c is not None and rnd() < 0.2:
                v = rnd()
                q, m = divmod(c + 86400, 86400)
                at = days[q] + tod[m]
                ratings.append(f"case\t{i}\t{d}\t{5 if v < 0.6 else 4 if v < 0.85 else 3 if v < 0.95 else 2 if v < 0.98 else 1}"
                               f"\tlink\t{at}\t{at}{rating_end}")
                n_ratings += 1
            if len(cases) == 50_000:
                case_copy.write("".join(cases))
                card_copy.write("".join(cards))
                rating_copy.write("".join(ratings))
                cases, cards, ratings = [], [], []
        case_copy.write("".join(cases))
        card_copy.write("".join(cards))
        rating_copy.write("".join(ratings))
    # (leaving the stack ended the COPYs, then committed each connection)
    secs = time.perf_counter() - t0
    print(f"  cases, cards and ratings sent with COPY ({secs:.0f} s: {n / secs:,.0f} cases/s, "
          f"{(n + n_cards + n_ratings) / secs:,.0f} rows/s)", flush=True)
    with connection.cursor() as cur:
        cur.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [n])
        t0 = time.perf_counter()
        for _name, definition in indexes:
            cur.execute(definition)
        print(f"  {len(indexes)} indexes built again ({time.perf_counter() - t0:.0f} s)", flush=True)
    return n_cards, n_ratings


def write_cases_pg(n: int, depts: list, rng: random.Random) -> tuple[int, int]:
    """PostgreSQL at province scale: the same distributions as write_cases, generated by the server in one
    INSERT … SELECT over generate_series per table (cases, then cards and ratings sampled from the cases), the
    tables' secondary indexes dropped for the load and built again after it, foreign-key triggers off during
    the load (session_replication_role = replica; every id written exists). Python rows through COPY ran at
    ~6,000 cases/s here, so 10M would take half an hour. Answers (cards, ratings) written."""
    from django.db import connection

    from xiaoneng.cases.models import Case
    from xiaoneng.ratings.models import Rating
    from xiaoneng.supervision.models import Warning

    item_id, version_id = _bench_item(depts[0])
    rules = _rules()
    tables = ("cases_case", "supervision_warning", "ratings_rating")
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint)", [list(tables)])
        indexes = cur.fetchall()
        for name, _def in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET session_replication_role = replica")
        cur.execute("CREATE TEMP TABLE bench_slot (slot int PRIMARY KEY, dept_id bigint, late float8)")
        slots, k = [], 0
        for d in depts:
            late = rng.choice((0.01, 0.02, 0.04, 0.08, 0.2))
            for _ in range(5 if d.kind == "bureau" else 2):  # bureaus handle most cases
                slots.append((k, d.pk, late))
                k += 1
        cur.executemany("INSERT INTO bench_slot VALUES (%s, %s, %s)", slots)
        cur.execute("SELECT setseed(%s)", [rng.random() * 2 - 1])
        varying = ["id", "case_no", "department_id", "service_item_id", "version_id", "status", "registered",
                   "received_at", "accepted_at", "clock_start", "completed_at", "closed_at", "committed_deadline",
                   "statutory_deadline", "verdict", "verdict_working_days", "is_open", "created_at", "updated_at",
                   "last_event_at", "events_count"]
        cols, consts = _const_sql(Case, varying)
        start = dt.datetime(YEAR, 1, 1, tzinfo=TZ)
        year_end = dt.datetime(YEAR + 1, 1, 1, tzinfo=TZ)
        t0 = time.perf_counter()
        cur.execute(f"""
            INSERT INTO cases_case ({', '.join(cols)})
            SELECT i, 'PV' || lpad(i::text, 9, '0'), dept_id, %(item)s, %(version)s,
                   CASE WHEN refused THEN 'refused' WHEN done >= %(ye)s THEN 'accepted'
                        WHEN r6 < 0.7 THEN 'completed' ELSE 'delivered' END,
                   r7 < 0.98, received, received, received,
                   CASE WHEN refused OR done >= %(ye)s THEN NULL ELSE done END,
                   CASE WHEN refused THEN received + interval '2 hours' WHEN done >= %(ye)s THEN NULL ELSE done END,
                   received + interval '7 days', received + interval '28 days',
                   CASE WHEN refused OR done >= %(ye)s THEN '' ELSE verdict END,
                   CASE WHEN refused OR done >= %(ye)s THEN 0 ELSE wd END,
                   NOT refused AND done >= %(ye)s,
                   received, COALESCE(CASE WHEN done < %(ye)s THEN done END, received),
                   COALESCE(CASE WHEN done < %(ye)s THEN done END, received), 3{consts}
            FROM (
              SELECT a.*, received + wd * interval '1.4 days' + r8 * interval '6 hours' AS done FROM (
                SELECT i, s.dept_id, received, r3 < 0.03 AS refused, r6, r7, r8,
                       CASE WHEN r4 < s.late THEN 'overdue' WHEN r4 < 0.4 + s.late THEN 'early' ELSE 'on_time' END AS verdict,
                       CASE WHEN r4 < s.late THEN 6 + floor(r5 * 10)::int WHEN r4 < 0.4 + s.late THEN 1 + floor(r5 * 3)::int
                            ELSE 4 + floor(r5 * 2)::int END AS wd
                FROM (SELECT i, floor(random() * %(slots)s)::int AS slot,
                             %(start)s::timestamptz + random() * interval '365 days' AS received,
                             random() r3, random() r4, random() r5, random() r6, random() r7, random() r8
                      FROM generate_series(1, %(n)s) i) g
                JOIN bench_slot s ON s.slot = g.slot) a) b
        """, {"item": item_id, "version": version_id, "ye": year_end, "slots": len(slots), "start": start, "n": n})
        print(f"  cases inserted ({time.perf_counter() - t0:.0f} s)", flush=True)
        cur.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [n])
        varying = ["subject_kind", "subject_id", "rule_id", "level", "deadline_key", "status", "department_id",
                   "crossed_at", "issued_at", "updated_at", "detail"]
        cols, consts = _const_sql(Warning, varying)
        cur.execute(f"""
            INSERT INTO supervision_warning ({', '.join(cols)})
            SELECT 'case', id, CASE WHEN u < 0.009 THEN %(reminder)s WHEN u < 0.0135 THEN %(yellow)s ELSE %(red)s END,
                   CASE WHEN u < 0.009 THEN 'reminder' WHEN u < 0.0135 THEN 'yellow' ELSE 'red' END, 'committed',
                   CASE WHEN v < 0.03 THEN 'withdrawn' WHEN v < 0.05 THEN 'pending_confirmation' ELSE 'issued' END,
                   department_id, received_at + interval '5 days', received_at + interval '5 days',
                   received_at + interval '5 days', '基准预警'{consts}
            FROM (SELECT id, department_id, received_at, random() u, random() v FROM cases_case) c WHERE u < 0.015
        """, rules)
        n_cards = cur.rowcount
        varying = ["subject_kind", "case_id", "department_id", "level", "channel", "rated_at", "recorded_at"]
        cols, consts = _const_sql(Rating, varying)
        cur.execute(f"""
            INSERT INTO ratings_rating ({', '.join(cols)})
            SELECT 'case', id, department_id,
                   CASE WHEN v < 0.6 THEN 5 WHEN v < 0.85 THEN 4 WHEN v < 0.95 THEN 3 WHEN v < 0.98 THEN 2 ELSE 1 END,
                   'link', completed_at + interval '1 day', completed_at + interval '1 day'{consts}
            FROM (SELECT id, department_id, completed_at, random() u, random() v FROM cases_case
                  WHERE completed_at IS NOT NULL) c WHERE u < 0.2
        """)
        n_ratings = cur.rowcount
        cur.execute("SET session_replication_role = DEFAULT")
        t0 = time.perf_counter()
        for _name, definition in indexes:
            cur.execute(definition)
        print(f"  {len(indexes)} indexes built again ({time.perf_counter() - t0:.0f} s)", flush=True)
    return n_cards, n_ratings


def _bench_item(dept) -> tuple[int, int]:
    from xiaoneng.catalog.services import service_item_create

    item = service_item_create(department=dept, by=None, now=dt.datetime(YEAR - 1, 1, 1, tzinfo=TZ), data={
        "code": "PV-BENCH-1", "name": "基准事项", "category": "licensing", "item_type": "committed",
        "audience": "both", "legal_basis": "—", "statutory_limit_value": 20, "statutory_limit_unit": "wd",
        "committed_limit_value": 5, "committed_limit_unit": "wd", "online": True, "offline": True, "fees": [],
        "materials": [{"name": "申请书", "form": "original", "copies": 1, "source": "applicant"}],
        "steps": [{"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd"}]})
    return item.pk, item.current_version.pk


def _const_sql(model, varying: list[str]) -> tuple[list[str], str]:
    """The column list (varying first) and the other columns' defaults as SQL literals with their casts."""
    import json

    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rest = [f for f in fields if f.column not in varying]
    parts = []
    for f in rest:
        v = f.get_default()
        if isinstance(v, (list, dict)):
            v = json.dumps(v)
        elif hasattr(v, "value"):
            v = v.value
        if v is None:
            parts.append(f"NULL::{f.db_type(connection)}")
        elif isinstance(v, bool):
            parts.append("TRUE" if v else "FALSE")
        elif isinstance(v, (int, float)):
            parts.append(str(v))
        else:
            parts.append("'" + str(v).replace("'", "''") + f"'::{f.db_type(connection)}")
    return varying + [f.column for f in rest], "".join(", " + p for p in parts)


def _rules() -> dict:
    from xiaoneng.supervision.models import Level, Rule

    out = {}
    for lv in Level.values:
        r = Rule.objects.filter(level=lv, subject_kind="case").first()
        if r is None:
            r = Rule.objects.create(code=f"pv-bench-{lv}", name=f"基准规则{lv}", check_code="committed_reminder",
                                    kind="time", level=lv)
        out[lv] = r.pk
    return out


def write_complaints(cases: int, depts: list, rng: random.Random, pg: bool) -> int:
    from xiaoneng.complaints.models import Complaint, ComplaintCategory

    cat = ComplaintCategory.objects.first() or ComplaintCategory.objects.create(code="pv-bench", name="基准类别")
    varying = ["number", "tracking_code", "category_id", "department_id", "occurred_on", "received_at", "status",
               "is_open", "reply_due_at", "replied_at", "result_at", "closed_at", "outcome", "rating", "rated_at", "updated_at",
               "facts", "request"]
    w = Writer(Complaint, varying, pg)
    n = max(1, cases // 500)
    start = dt.datetime(YEAR, 1, 1, tzinfo=TZ)
    for i in range(n):
        d = depts[rng.randrange(len(depts))]
        received = start + dt.timedelta(seconds=int(rng.random() * 360 * 86400))
        due = received + dt.timedelta(days=21)
        replied = received + dt.timedelta(days=rng.choice((7, 14, 20, 25, 30)))
        closed = replied + dt.timedelta(days=5)
        outcome = rng.choice(("substantiated", "partly", "not_substantiated", "not_substantiated"))
        rating = rng.choice(("very_satisfied", "satisfied", "satisfied", "basic", "unsatisfied", "none"))
        w.row((f"PVT{i:09d}", f"PVK{i:012d}", cat.pk, d.pk, received.date(), received, "closed", False, due, replied,
               replied - dt.timedelta(days=2), closed, outcome, rating, closed if rating != "none" else None, closed, "基准投诉事实", "基准诉求"))
    w.flush()
    return n


# ------------------------------------------------------------------------------------------------ timing
def bench_scheme():
    """A quarter scheme of every registered, available calculation (equal weights, the registry's curves)."""
    from xiaoneng.core.periods import Period
    from xiaoneng.evaluation import indicators as reg
    from xiaoneng.evaluation.services.schemes import scheme_create_version, scheme_for

    reg.load()
    inds = [i for i in reg.INDICATORS.values() if i.available]
    each = (D(100) / len(inds)).quantize(D("0.01"))
    weights = [each] * len(inds)
    weights[0] += D(100) - sum(weights)
    start = Period.parse(PERIOD).start.date()
    scheme = scheme_create_version({
        "period_kind": "quarter", "name": "基准方案", "valid_from": start, "total": D(100), "excellent_at": D(90),
        "good_at": D(80), "pass_at": D(60), "min_sample": 20, "bulletin_top": 8, "bulletin_bottom": 8,
        "escalation_bottom": 5,
        "indicators": [{"code": i.code, "weight": w, "floor": i.default_floor, "target": i.default_target}
                       for i, w in zip(inds, weights, strict=True)],
        "deductions": [{"code": a.code, "points": D(1), "cap": None} for a in reg.DEDUCTIONS.values() if a.available],
        "bonuses": [{"code": a.code, "points": D(1), "cap": None} for a in reg.BONUSES.values() if a.available],
        "vetoes": [{"code": v.code, "threshold": 5, "sanction_kind": ""} for v in reg.VETOES.values()],
    }, now=NOW)
    if scheme_for(Period.parse(PERIOD)).pk != scheme.pk:
        print("(note: evaluation_run uses another scheme version in force for the quarter)")
    return scheme


def bare_queries(codes: set[str], p, now: dt.datetime) -> dict:
    """The hand-written GROUP BYs over the period `p`'s rows that the scheme's calculations need (`now`: the
    evaluation's time, for the disclosure findings still open after their deadline)."""
    from django.db import connection

    from xiaoneng.disclosure.models import (
        CheckFinding,
        CheckLine,
        CheckStatus,
        DisclosureCheck,
        FindingStatus,
    )
    from xiaoneng.evaluation.models import COUNTING_STATUSES, Sanction
    from xiaoneng.inspections.models import Visit, VisitStatus
    from xiaoneng.surveys.models import SCALE_POINTS, Answer, Survey
    a, b = (connection.ops.adapt_datetimefield_value(p.start), connection.ops.adapt_datetimefield_value(p.end))
    from xiaoneng.evaluation.calculations.cases import FEE_CHECKS, PROCEDURE_CHECKS

    checks = lambda cs: ", ".join(f"'{c}'" for c in cs)  # noqa: E731
    carded = ("EXISTS (SELECT 1 FROM supervision_warning w JOIN supervision_rule r ON r.id = w.rule_id "
              "WHERE w.subject_kind = 'case' AND w.subject_id = c.id AND r.check_code IN ({}) "
              "AND w.status NOT IN ('withdrawn', 'pending_confirmation'))")
    sql = {
        "cases": ("SELECT department_id, count(*), sum(CASE WHEN verdict IN ('early', 'on_time') THEN 1 ELSE 0 END), "
                  "sum(CASE WHEN verdict = 'early' THEN 1 ELSE 0 END), "
                  f"sum(CASE WHEN {carded.format(checks(PROCEDURE_CHECKS))} THEN 1 ELSE 0 END), "
                  f"sum(CASE WHEN {carded.format(checks(FEE_CHECKS))} THEN 1 ELSE 0 END) FROM cases_case c "
                  "WHERE completed_at >= %s AND completed_at < %s AND NOT is_joint_parent AND verdict <> '' "
                  "GROUP BY department_id"),
        "cases_limits": ("SELECT c.department_id, v.committed_limit_value, c.verdict, count(*), sum(c.verdict_working_days) "
                         "FROM cases_case c JOIN catalog_serviceitemversion v ON v.id = c.version_id "
                         "WHERE c.completed_at >= %s AND c.completed_at < %s AND NOT c.is_joint_parent "
                         "AND c.verdict <> '' AND v.committed_limit_unit = 'wd' AND v.committed_limit_value > 0 "
                         "GROUP BY c.department_id, v.committed_limit_value, c.verdict"),
        "cases_received": ("SELECT department_id, count(*), sum(CASE WHEN registered THEN 0 ELSE 1 END) FROM cases_case "
                           "WHERE received_at >= %s AND received_at < %s GROUP BY department_id"),
        "cards": ("SELECT department_id, level, count(*) FROM supervision_warning WHERE issued_at >= %s "
                  "AND issued_at < %s AND status NOT IN ('withdrawn', 'pending_confirmation') GROUP BY department_id, level"),
        "complaints": ("SELECT department_id, count(*), sum(CASE WHEN replied_at <= reply_due_at THEN 1 ELSE 0 END), "
                       "sum(CASE WHEN rating IN ('very_satisfied', 'satisfied') THEN 1 ELSE 0 END), "
                       "sum(CASE WHEN outcome IN ('substantiated', 'partly') THEN 1 ELSE 0 END) "
                       "FROM complaints_complaint WHERE status <> 'merged' AND ((replied_at >= %s AND replied_at < %s) "
                       "OR (rated_at >= %s AND rated_at < %s) OR (result_at >= %s AND result_at < %s)) "
                       "GROUP BY department_id"),
        "ratings": ("SELECT department_id, level, defaulted, count(*) FROM ratings_rating WHERE rated_at >= %s "
                    "AND rated_at < %s AND voided_at IS NULL GROUP BY department_id, level, defaulted"),
        # The surveys closing in the period: per department and respondent group, responses, answers and points
        # (surveys.selectors.department_scores), and responses per department.
        "surveys": tuple(
            # (the surveys first, as the selector does: a join would let SQLite scan every answer of every survey)
            f"SELECT a.survey_id, a.department_id{by} FROM {Answer._meta.db_table} a WHERE a.survey_id IN "
            f"(SELECT s.id FROM {Survey._meta.db_table} s WHERE s.status = '{Survey.Status.PUBLISHED.value}' "
            "AND s.closes_at > %s AND s.closes_at <= %s) AND a.department_id IS NOT NULL AND a.value IS NOT NULL "
            f"GROUP BY a.survey_id, a.department_id{grp}"
            for by, grp in ((", a.group_id, count(DISTINCT a.response_id), count(*), sum(CASE a.value "
                             + " ".join(f"WHEN {v} THEN {pts}" for v, pts in SCALE_POINTS.items()) + " END)",
                             ", a.group_id"),
                            (", count(DISTINCT a.response_id)", ""))),
        "inspections": (f"SELECT department_id, avg(score), count(*), sum(failed) FROM {Visit._meta.db_table} "
                        f"WHERE status = '{VisitStatus.ACCEPTED.value}' AND published_at IS NOT NULL "
                        "AND visited_at >= %s AND visited_at < %s GROUP BY department_id"),
        "sanctions": (f"SELECT department_id, kind, sum(points), count(*) FROM {Sanction._meta.db_table} "
                      f"WHERE status IN ({', '.join(repr(str(x)) for x in COUNTING_STATUSES)}) "
                      "AND decided_at >= %s AND decided_at < %s GROUP BY department_id, kind"),
        # The unified disclosure days' checks published and dated in the period: items due and published per
        # department; findings put right late or still open after their deadline.
        "disclosure": tuple(
            f"SELECT x.department_id, {what} FROM {table} x JOIN {DisclosureCheck._meta.db_table} k "
            f"ON k.id = x.disclosure_check_id WHERE k.status = '{CheckStatus.PUBLISHED.value}' "
            f"AND k.date >= '{p.start.date().isoformat()}' AND k.date < '{p.end.date().isoformat()}'{extra} "
            "GROUP BY x.department_id"
            for table, what, extra in (
                (CheckLine._meta.db_table, "sum(x.due), sum(x.published)", ""),
                (CheckFinding._meta.db_table, "count(*)",
                 f" AND ((x.status = '{FindingStatus.OPEN.value}' AND x.due_at < "
                 f"'{connection.ops.adapt_datetimefield_value(now)}') OR (x.status = "
                 f"'{FindingStatus.RECTIFIED.value}' AND x.rectified_at > x.due_at))"))),
    }
    fams = {family(c) for c in codes} - {None}
    out = {}
    for f in sorted(fams):
        def q(stmts=sql[f]):
            stmts = (stmts,) if isinstance(stmts, str) else stmts
            with connection.cursor() as cur:
                for s in stmts:  # every statement takes the period's bounds in pairs
                    cur.execute(s, [a, b] * (s.count("%s") // 2))
                    cur.fetchall()
        out[f] = q
    return out


def breakdown(p, scheme, now, repeat: int) -> list[tuple[str, float]]:
    """compute's calculations one by one, in its order, over one shared Context (best of `repeat` each): a query
    two calculations share is counted where it first runs. Answers (code, seconds), the slowest first."""
    from xiaoneng.evaluation import indicators as reg
    from xiaoneng.evaluation.models import AdjustmentKind
    from xiaoneng.evaluation.services.evaluate import placement

    reg.load()
    where = placement()
    calcs = [reg.INDICATORS[si.code] for si in scheme.indicators.all()]
    calcs += [(reg.DEDUCTIONS if sa.kind == AdjustmentKind.DEDUCTION else reg.BONUSES)[sa.code]
              for sa in scheme.adjustments.all()]
    calcs += [reg.VETOES[sv.code] for sv in scheme.vetoes.all()]
    out: dict[str, float] = {}
    for _ in range(repeat):
        ctx = reg.Context(period=p, departments=where.departments, owner_of=where.owner_of, now=now)
        for calc in calcs:
            if getattr(calc, "available", True):
                t = time.perf_counter()
                calc.compute(ctx)
                out[calc.code] = min(out.get(calc.code, 1e9), time.perf_counter() - t)
    return sorted(out.items(), key=lambda x: -x[1])


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(args, pg: bool, build: float) -> None:
    """Province mode: the bench's own scheme over 2025Q3; evaluation_run best of --repeat, the last one kept and
    published."""
    from xiaoneng.core.periods import Period
    from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run

    scheme = bench_scheme()
    p = Period.parse(PERIOD)

    runs = []

    def run_once() -> tuple[float, object]:
        """The first runs rolled back, the last one kept and published (the ranking is read from it)."""
        from django.db import transaction

        runs.append(1)
        keep = len(runs) == args.repeat
        with transaction.atomic():
            t0 = time.perf_counter()
            ev = evaluation_run(PERIOD, now=NOW)
            run_s = time.perf_counter() - t0
            if not keep:
                transaction.set_rollback(True)
        return run_s, evaluation_publish(ev, now=NOW) if keep else None

    figures(args, pg, p, scheme, NOW, run_once, args.repeat,
            f"{args.cases:,} cases in {YEAR}", f"built in {build:.0f} s", user=None)


def figures(args, pg: bool, p, scheme, now, run_once, run_repeat: int, scale: str, built: str, user) -> None:
    """Time and print, for period `p` under `scheme`: the bare GROUP BYs, compute, evaluation_run (`run_once`
    answers its seconds and the published evaluation to read the ranking from; best of `run_repeat`), the ranking
    selector, the dashboard and the ranking API (as `user`, a leader; None: one made for the bench)."""
    from django.db import connection
    from django.db.models import Count

    from xiaoneng.evaluation import selectors as S
    from xiaoneng.evaluation.services.evaluate import compute, placement

    load = [os.getloadavg()[0]]
    codes = {i.code for i in scheme.indicators.all()} | {a.code for a in scheme.adjustments.all()} | \
            {v.code for v in scheme.vetoes.all()}
    bare = bare_queries(codes, p, now)
    uncovered = sorted(c for c in codes if family(c) is None)
    for fn in bare.values():
        fn()  # warm the caches the same way for both
    bare_s = {f: best(fn, args.repeat) for f, fn in bare.items()}
    bare_total = sum(bare_s.values())
    results, _notes = compute(p, scheme, now=now)  # warm
    place_s = best(placement, args.repeat)
    compute_s = best(lambda: compute(p, scheme, now=now), args.repeat)
    load.append(os.getloadavg()[0])
    runs = [run_once() for _ in range(run_repeat)]
    run_s, ev = min(r[0] for r in runs), runs[-1][1]
    n_lines = ev.scores.count()
    rank_s = best(lambda: S.ranking(ev), args.repeat)
    group = (ev.scores.values("group_code").annotate(n=Count("id")).order_by("-n", "group_code")
             .values_list("group_code", flat=True).first())
    rank_g = best(lambda: S.ranking(ev, group=group), args.repeat)
    dash_s = dashboard_latency(args.repeat, ev.period, group, user)
    load.append(os.getloadavg()[0])
    on_time = sum(1 for r in results for ln in r.lines if ln.code == "on_time_rate" and ln.scored)
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, database {connection.vendor}"
          + (f" {connection.pg_version // 10000}" if pg else "")
          + f"; load average (1 min) {' / '.join(f'{x:.1f}' for x in load)} (start / after compute / end)")
    print(f"scale: {scale}, {len(results):,} evaluated departments ({on_time:,} scored on on_time_rate), {built}")
    print(f"scheme: {scheme.name} v{scheme.version}, {len(codes)} calculations: {', '.join(sorted(codes))}")
    if uncovered:
        print(f"  without a hand-written GROUP BY in the baseline (run inside compute only): {', '.join(uncovered)}")
    print(f"bare GROUP BYs (best of {args.repeat}): " + ", ".join(f"{f} {s * 1000:.0f} ms" for f, s in bare_s.items())
          + f"; total {bare_total * 1000:.0f} ms")
    print(f"placement (who is evaluated, roll-up): {place_s * 1000:.0f} ms")
    print(f"compute {p.code}: {compute_s * 1000:.0f} ms (best of {args.repeat}) → ratio {compute_s / bare_total:.2f}× "
          f"(goal ≤ 3×)")
    slow = breakdown(p, scheme, now, args.repeat)
    print(f"  by calculation (best of {args.repeat}, a shared query where it first runs; the six slowest of "
          f"{len(slow)}, together {sum(x for _, x in slow) * 1000:.0f} ms): "
          + ", ".join(f"{c} {x * 1000:.0f} ms" for c, x in slow[:6]))
    print(f"evaluation_run (compute + store {n_lines:,} scores and their lines; best of {run_repeat}): "
          f"{run_s * 1000:.0f} ms → ratio {run_s / bare_total:.2f}×")
    print(f"ranking selector (all {n_lines:,}): {rank_s * 1000:.1f} ms; one group ({group}): {rank_g * 1000:.1f} ms")
    if dash_s is not None:
        print(f"dashboard page (GET /staff/evaluation/dashboard/ as a leader): {dash_s['dashboard'] * 1000:.0f} ms")
        if "api all" in dash_s:
            print(f"ranking API (GET /api/v1/rankings?period={ev.period}, leader's session, test client): all "
                  f"{dash_s['api all rows']:,} rows {dash_s['api all'] * 1000:.0f} ms; group {group} "
                  f"{dash_s['api group rows']:,} rows {dash_s['api group'] * 1000:.0f} ms")


def dashboard_latency(repeat: int, period: str, group: str, user=None) -> dict | None:
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import NoReverseMatch, reverse

    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.services import staff_create

    try:
        url = reverse("evaluation:dashboard")
    except NoReverseMatch:
        return None
    setup_test_environment()
    leader = user or staff_create(username="pv_bench_leader", name="基准领导", department=None, roles=[R.LEADER],
                                  password="Xiaoneng-Bench-2026!")
    c = Client()
    c.force_login(leader)
    assert c.get(url).status_code == 200
    try:
        out = {"dashboard": best(lambda: c.get(url), repeat)}
        try:
            api = reverse("api:rankings")
        except NoReverseMatch:
            return out
        for name, query in (("api all", {"period": period}), ("api group", {"period": period, "group": group})):
            resp = c.get(api, query)
            assert resp.status_code == 200, resp.content[:300]
            out[name] = best(lambda q=query: c.get(api, q), repeat)
            out[name + " rows"] = resp.json()["count"]
        return out
    finally:
        if user is None:
            leader.delete()
        c.logout()


if __name__ == "__main__":
    main()
