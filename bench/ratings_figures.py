"""Time the ratings figures (issue 12 §5): a year of the county's ratings from its tables in ≤ 2 × a bare GROUP BY
over the same rows.

Builds a year of ratings (~100,000 over ~40 departments, bulk inserts, not the service: this times the read) in
the database DATABASE_URL names — a fresh SQLite file in a temporary directory when unset — inside a transaction
that is rolled back at the end, so a PostgreSQL database is left as it was. Then times, best of --repeat runs:

- figures: `ratings.selectors.figures(period=<the year>, departments=<all>)` — every figure of the page and the
  API (the departments, one GROUP BY over ratings_rating, one over the rectifications of the bad ratings,
  one over the complaint centre's ratings) and the Python that shapes the rows;
- baseline: `SELECT department_id, level, count(*) FROM ratings_rating WHERE rated_at in the year GROUP BY 1, 2`.

    .venv/bin/python bench/ratings_figures.py [--ratings 100000] [--departments 40] [--repeat 7]
    DATABASE_URL=postgres://xiaoneng@127.0.0.1:55432/xn_ratings .venv/bin/python bench/ratings_figures.py
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ratings", type=int, default=100_000)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="xn-bench-")
    os.environ["XIAONENG_DATA_DIR"] = data
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)

    from xiaoneng.accounts.models import Department
    from xiaoneng.accounts.services import department_create
    from xiaoneng.core.periods import Period
    from xiaoneng.ratings import selectors as S
    from xiaoneng.ratings.models import Rating, Rectification, WindowContact

    class Rollback(Exception):
        pass

    rng = random.Random(args.seed)
    year = Period.parse("2025")
    span = (year.end - year.start).total_seconds()
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            county = department_create(code="BENCH", name="基准测试县", kind=Department.Kind.COUNTY)
            depts = [department_create(code=f"BD{i:03d}", name=f"基准部门{i}", parent=county)
                     for i in range(args.departments)]
            # Some departments rate worse: per department a weight on the bad levels.
            badness = [rng.choice((0.03, 0.05, 0.08, 0.2)) for _ in depts]
            contacts, plan = [], []
            for n in range(args.ratings):
                i = rng.randrange(len(depts))
                at = year.start + dt.timedelta(seconds=rng.random() * span)
                u = rng.random()
                level = (1 if u < badness[i] / 2 else 2 if u < badness[i] else 3 if u < badness[i] + 0.1
                         else 4 if u < 0.5 else 5)
                contacts.append(WindowContact(number=f"BENCH{n:08d}", department_id=depts[i].pk, kind="other",
                                              served_at=at))
                plan.append((i, at, level))
            WindowContact.objects.bulk_create(contacts, batch_size=5000)
            ratings = [Rating(subject_kind="contact", contact_id=c.pk, department_id=depts[i].pk, level=level,
                              channel=rng.choice(("link", "kiosk", "api", "import")), rated_at=at, recorded_at=at,
                              rater_phone="13800000000" if rng.random() < 0.3 else "",
                              voided_at=at if rng.random() < 0.002 else None)
                       for c, (i, at, level) in zip(contacts, plan, strict=True)]
            Rating.objects.bulk_create(ratings, batch_size=5000)
            rects = [Rectification(number=f"BZG{r.pk:09d}", rating_id=r.pk, department_id=r.department_id,
                                   status=rng.choice(("open", "submitted", "accepted", "accepted", "accepted")),
                                   opened_at=r.recorded_at, limit_wd=10, due_at=r.recorded_at, on_time=rng.random() < 0.8,
                                   callback_at=r.recorded_at if rng.random() < 0.7 else None)
                     for r in ratings if r.level <= 2]
            Rectification.objects.bulk_create(rects, batch_size=5000)
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("ANALYZE ratings_rating; ANALYZE ratings_rectification;")
            build_s = time.perf_counter() - t0
            dept_qs = Department.objects.filter(pk__in=[d.pk for d in depts]).order_by("path")

            def figures():
                return S.figures(period=year, departments=dept_qs)

            def bare():
                with connection.cursor() as cur:
                    cur.execute("SELECT department_id, level, count(*) FROM ratings_rating "
                                "WHERE rated_at >= %s AND rated_at < %s GROUP BY department_id, level",
                                [connection.ops.adapt_datetimefield_value(year.start),
                                 connection.ops.adapt_datetimefield_value(year.end)])
                    return cur.fetchall()

            def best(fn):
                fn()  # warm the caches
                times = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    fn()
                    times.append(time.perf_counter() - t)
                return min(times)

            fig = figures()
            rows = bare()
            assert sum(r[2] for r in rows) == args.ratings
            assert fig["total"]["ratings"] + fig["total"]["voided"] == args.ratings
            f_s, b_s = best(figures), best(bare)
            ids = [d.pk for d in depts]
            parts = {"departments": best(lambda: list(dept_qs)),
                     "ratings GROUP BY": best(lambda: S.rating_counts(year, ids)),
                     "rectifications": best(lambda: S.rectification_counts(year, ids)),
                     "complaint ratings": best(lambda: S.complaint_rating_counts(year, ids))}
            t = fig["total"]
            print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, "
                  f"Python {platform.python_version()}, database {connection.vendor}")
            print(f"rows: {args.ratings} ratings over {len(depts)} departments in {year.label}, {len(rects)} rectifications "
                  f"(built in {build_s:.1f}s)")
            print(f"figures: {t['ratings']} ratings, good rate {t['good_rate']:.4f}, bad {t['bad']}, voided {t['voided']}, "
                  f"rectification rate {t['rectification_rate']}, call-back rate {t['callback_rate']}")
            print(f"figures selector: {f_s * 1000:.1f} ms (best of {args.repeat}); bare GROUP BY: {b_s * 1000:.1f} ms; "
                  f"ratio {f_s / b_s:.2f}× (target ≤ 2×)")
            print("parts: " + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in parts.items()))
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
