"""Time the demo county build (issue: the county scale must build in under a minute on this machine).

Builds each requested scale into a fresh SQLite database in a temporary data directory, through the real
`seed_demo` path, and prints the time per step. Baseline in the same run: `migrate` on the same database,
so the figure reads as "the demo costs N× a schema migration".

    .venv/bin/python bench/demo_build.py [--scales small county]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", nargs="+", default=["small", "county"])
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="xn-bench-")
    os.environ["XIAONENG_DATA_DIR"] = data
    os.environ["DATABASE_URL"] = f"sqlite:///{data}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from xiaoneng.accounts.models import Department, Staff
    from xiaoneng.catalog.models import RequiredMaterial, ServiceItem
    from xiaoneng.demo.county import build_county

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t0
    print(f"baseline: migrate {migrate_s:.2f}s")
    for scale in args.scales:
        from django.db import transaction

        class Rollback(Exception):
            pass

        try:  # each scale starts from an empty county: build inside a transaction, then roll back
            with transaction.atomic():
                t0 = time.perf_counter()
                ctx = build_county(scale=scale, seed=2026, now=timezone.now(), password="Bench-Pass-2026!")
                total = time.perf_counter() - t0
                steps = ", ".join(f"{k} {v:.2f}s" for k, v in ctx.timings.items())
                print(
                    f"{scale}: {total:.2f}s ({total / migrate_s:.1f}× migrate) — {Department.objects.count()} departments, "
                    f"{Staff.objects.count()} staff, {ServiceItem.objects.count()} items, "
                    f"{RequiredMaterial.objects.count()} materials — {steps}"
                )
                raise Rollback
        except Rollback:
            pass


if __name__ == "__main__":
    main()
