"""Search latency over the demo county's content (issue 14 §5), against a static file served by the same server.

Starts `xiaoneng serve` as bench/portal_load.py does (same --data-dir / DATABASE_URL rules; the index is brought
up to date first), then, one client at a time (latency, not throughput), GETs --requests times each of

    /static/core/app.css                the baseline
    /api/v1/search?q=<query>            for each query below (JSON: the ranking and snippets, no page)
    /search/?q=户口                      the page

and prints p50 / p95 and the ratio to the static file. Then, in this process (same database), times the
`portal.search.search()` call itself per query (best and median of --repeat), and prints the index's size.

    .venv/bin/python bench/search_bench.py [--data-dir DIR] [--requests 200] [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.portal_load import STATIC, Server, get, prepare  # noqa: E402

QUERIES = ["户口", "社保", "证", "许可", "食品经营许可", "营业执照 变更", "不动产 登记 抵押", "没有这个词的检索"]


def timed(port: int, path: str, n: int) -> tuple[float, float]:
    lat = []
    for _ in range(n):
        t = time.perf_counter()
        status, _ = get(port, path)
        lat.append(time.perf_counter() - t)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
    lat.sort()
    return statistics.median(lat) * 1000, lat[max(0, int(len(lat) * 0.95) - 1)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    _data, env = prepare(args.data_dir)
    with Server(env, workers=2) as server:
        for _ in range(20):
            get(server.port, STATIC)
        base50, base95 = timed(server.port, STATIC, args.requests)
        print("\n| request (one client) | p50 ms | p95 ms | p50 ÷ static |")
        print("|---|---:|---:|---:|")
        print(f"| static file `{STATIC}` (baseline) | {base50:.2f} | {base95:.2f} | 1.0× |")
        for q in QUERIES:
            p50, p95 = timed(server.port, f"/api/v1/search?q={q}", args.requests)
            print(f"| API `{q}` | {p50:.2f} | {p95:.2f} | {p50 / base50:.1f}× |", flush=True)
        p50, p95 = timed(server.port, "/search/?q=户口", args.requests)
        print(f"| page `/search/?q=户口` | {p50:.2f} | {p95:.2f} | {p50 / base50:.1f}× |")

    os.environ.update({k: v for k, v in env.items() if k in ("XIAONENG_DATA_DIR", "DATABASE_URL")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from xiaoneng.portal.models import SearchDocument
    from xiaoneng.portal.search import search

    counts = dict(SearchDocument.objects.values_list("kind").annotate(n=Count("id")))
    print(f"\nindex ({connection.vendor}): {sum(counts.values()):,} documents {counts}")
    print("\n| query (in process) | matches | best ms | median ms |")
    print("|---|---:|---:|---:|")
    for q in QUERIES:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            r = search(q, limit=10)
            times.append(time.perf_counter() - t)
        print(f"| `{q}` | {r.total:,} | {min(times) * 1000:.2f} | {statistics.median(times) * 1000:.2f} |")


if __name__ == "__main__":
    main()
