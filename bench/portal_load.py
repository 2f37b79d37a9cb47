"""Public pages under concurrent load (issue 14 §5): `xiaoneng serve` (gunicorn, as in production) on a loopback
port over a database with the demo county, driven by N concurrent clients (threads, one new HTTP/1.1 connection
per request as gunicorn's sync workers close them) for a bounded time against

    /static/core/app.css   the BASELINE: a static file served by the same server (WhiteNoise)
    /                      the portal's home page
    /search/?q=户口         the search page
    /guide/<code>/         a service guide (the first guide the search API finds for 许可)

and prints per target and concurrency: requests, errors, p50, p95, throughput, and the ratios to the static file.

    .venv/bin/python bench/portal_load.py [--data-dir DIR] [--clients 20,50] [--duration 12] [--workers N]

--data-dir: a data directory whose database already holds the demo county (`xiaoneng seed-demo`); without it a
fresh one is built in a temporary directory (migrate + seed-demo: a few minutes). DATABASE_URL, when set, is
passed to the server (the database must hold the demo). The index is brought up to date (search-reindex) first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
XIAONENG = [PY, "-c", "import sys; from xiaoneng.cli import main; sys.argv[0] = 'xiaoneng'; main()"]
STATIC = "/static/core/app.css"


def run_xiaoneng(args: list[str], env: dict) -> str:
    out = subprocess.run([*XIAONENG, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return out.stdout


def prepare(data_dir: str | None) -> tuple[str, dict]:
    env = dict(os.environ)
    if data_dir is None:
        data_dir = tempfile.mkdtemp(prefix="xn-portal-bench-")
        env["XIAONENG_DATA_DIR"] = data_dir
        print(f"building the demo county in {data_dir} (migrate + seed-demo) …", flush=True)
        t = time.perf_counter()
        run_xiaoneng(["migrate", "-v0"], env)
        run_xiaoneng(["seed-demo"], env)
        print(f"  built in {time.perf_counter() - t:.0f} s", flush=True)
    env["XIAONENG_DATA_DIR"] = data_dir
    print(run_xiaoneng(["search-reindex"], env).strip(), flush=True)
    return data_dir, env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`xiaoneng serve` on a loopback port, stopped (its process group) on exit."""

    def __init__(self, env: dict, workers: int | None):
        self.port = free_port()
        args = ["serve", "--bind", f"127.0.0.1:{self.port}"]
        if workers:
            args += ["--workers", str(workers)]
        self.proc = subprocess.Popen([*XIAONENG, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = get(self.port, STATIC)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit("xiaoneng serve did not answer within 60 s")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)

    def __exit__(self, *exc):
        self.stop()


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", urllib.parse.quote(path, safe="/?=&%"), headers={"Accept-Language": "zh-CN"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def load(port: int, path: str, clients: int, duration: float) -> dict:
    """`clients` threads GET `path` in a loop for `duration` seconds; latencies of the answered requests."""
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def worker():
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            t = time.perf_counter()
            try:
                status, _ = get(port, path)
                ok = status == 200
            except OSError:
                ok = False
            if ok:
                mine.append(time.perf_counter() - t)
            else:
                bad += 1
        with lock:
            lat.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    lat.sort()
    return {
        "requests": len(lat), "errors": errors[0], "elapsed": elapsed,
        "p50": statistics.median(lat) * 1000 if lat else float("nan"),
        "p95": lat[max(0, int(len(lat) * 0.95) - 1)] * 1000 if lat else float("nan"),
        "rps": len(lat) / elapsed,
    }


def guide_path(port: int) -> str:
    status, body = get(port, "/api/v1/search?q=许可&kind=guide")
    results = json.loads(body)["results"] if status == 200 else []
    if not results:
        raise SystemExit("no guide found by the search API: is the demo county in this database?")
    return results[0]["url"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    parser.add_argument("--clients", default="20,50")
    parser.add_argument("--duration", type=float, default=12.0)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    levels = [int(x) for x in args.clients.split(",") if x.strip()]
    _data, env = prepare(args.data_dir)
    db = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {db}, duration {args.duration:.0f} s per cell")
    with Server(env, args.workers) as server:
        targets = [("static file (baseline)", STATIC), ("home /", "/"), ("search 户口", "/search/?q=户口"),
                   ("guide page", guide_path(server.port))]
        for _name, path in targets:  # warm every worker's caches
            for _ in range(10):
                get(server.port, path)
        print("\n| page | clients | requests | errors | p50 ms | p95 ms | req/s | p50 ÷ static | req/s ÷ static |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in levels:
            base = None
            for name, path in targets:
                r = load(server.port, path, n, args.duration)
                if base is None:
                    base = r
                print(f"| {name} `{path}` | {n} | {r['requests']:,} | {r['errors']} | {r['p50']:.1f} | "
                      f"{r['p95']:.1f} | {r['rps']:.0f} | {r['p50'] / base['p50']:.1f}× | "
                      f"{r['rps'] / base['rps']:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
