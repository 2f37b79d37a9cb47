"""`xiaoneng worker`: run the platform's periodic work (supervision/schedules.py) until told to stop.

Each schedule runs when its period has passed since its last start; SIGTERM or SIGINT stop the loop after
the job in progress (never in the middle of a transaction). Several workers may run at once on PostgreSQL:
the jobs lock what they work on with SKIP LOCKED and cards are unique, so nothing is done twice.
"""

from __future__ import annotations

import gc
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import import_string

from xiaoneng.supervision.schedules import SCHEDULES


class Command(BaseCommand):
    help = "后台任务：每分钟运行电子监察检查等定时任务，收到 SIGTERM 后干净退出。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="每个任务运行一次后退出")

    def handle(self, *args, once=False, **opts):
        self._stop = False

        def stop(signum, frame):
            self._stop = True
            self.stdout.write(f"收到信号 {signum}，当前任务完成后退出。")

        previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
        jobs = [(name, every, import_string(path)) for name, every, path in SCHEDULES]
        # Everything loaded so far (Django, the apps, the jobs) lives as long as the process: keep it out of
        # the cyclic collector's walks, which otherwise revisit it in every full collection (gc.freeze).
        gc.collect()
        gc.freeze()
        last: dict[str, float] = {}
        self.stdout.write("后台任务已启动：" + "、".join(f"{n}（每 {e} 秒）" for n, e, _ in jobs))
        try:
            while not self._stop:
                for name, every, fn in jobs:
                    if self._stop:
                        break
                    t = time.monotonic()
                    if name in last and t - last[name] < every:
                        continue
                    last[name] = t
                    if not connection.in_atomic_block:  # (inside a test's transaction it must stay open)
                        close_old_connections()
                    try:
                        result = fn(now=timezone.now())
                        summary = result.summary() if hasattr(result, "summary") else str(result)
                        self.stdout.write(f"[{name}] {summary}")
                    except Exception as exc:  # one failing run must not end the worker; the next run retries
                        self.stderr.write(f"[{name}] 失败：{exc!r}")
                if once:
                    break
                for _ in range(10):  # wake up often enough to notice a signal quickly
                    if self._stop:
                        break
                    time.sleep(0.1)
        finally:
            for s, h in previous.items():
                signal.signal(s, h)
        self.stdout.write("后台任务已退出。")
