"""Nothing acknowledged is lost, nothing is doubled (issue 9's probe, made standing): a department system's
process killed with SIGKILL in the middle of a 10,000-event batch leaves the batch either wholly stored or not
at all, and the system's re-send — through a new token of the same system, as after a rotation — stores
exactly what was missing.

PostgreSQL only: the child process must reach the test database, which on SQLite lives in this process's
memory; SQLite's own atomicity (one IMMEDIATE transaction per batch) is the same code path.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from xiaoneng.accounts.services import api_client_create
from xiaoneng.cases.models import Case, CaseEvent
from xiaoneng.cases.services import case_events_ingest
from xiaoneng.cases.tests.conftest import ITEM, T_CATALOG
from xiaoneng.catalog.services import service_item_create

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the killed process must share the test database (PostgreSQL)")

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
N_CASES, PER_CASE = 2_500, 4  # 10,000 events, as the probe sent
ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, os, sys
from datetime import datetime
import django
django.setup()
from xiaoneng.accounts.models import ApiClient
from xiaoneng.cases.services import case_events_ingest
events = json.load(open(sys.argv[1], encoding="utf-8"))
client = ApiClient.objects.get(pk=int(sys.argv[2]))
print("READY", flush=True)
r = case_events_ingest(events=events, client=client, now=datetime.fromisoformat(sys.argv[3]))
print("DONE", r.accepted, flush=True)
"""


def batch() -> list[dict]:
    out = []
    for i in range(N_CASES):
        no = f"KILL-{i:05d}"
        for j, (kind, day) in enumerate((("received", 2), ("accepted", 2), ("step_completed", 3), ("completed", 4))):
            e = {"event_id": f"k{i}-{j}", "case_no": no, "service_code": "SP001", "type": kind,
                 "occurred_at": f"2026-11-0{day}T{9 + j:02d}:00:00+08:00"}
            if kind == "received":
                e["applicant"] = {"name": "张三", "id_no": "330102199001011234", "phone": "13812345678"}
            if kind == "step_completed":
                e["step"] = "accept"
            out.append(e)
    return out


def _in_transaction(app: str) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND application_name = %s AND xact_start IS NOT NULL", [app])
        return cur.fetchone()[0] > 0


def _child_env(app: str) -> dict:
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}?application_name={app}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT)}


@pytest.mark.django_db(transaction=True)
def test_a_batch_killed_mid_way_is_all_or_nothing_and_a_resend_through_a_rotated_token_completes_it(
        depts, calendar, tmp_path):
    data = copy.deepcopy(ITEM)
    data["code"] = "SP001"
    service_item_create(department=depts["a"], data=data, by=None, now=T_CATALOG)
    first, _ = api_client_create(name="审批系统", department=depts["a"], by=None, now=NOW)
    events = batch()
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")

    killed_mid_transaction = False
    for attempt in range(3):  # the kill must land while the batch's transaction is open; retry if it was late
        app = f"xn-kill-{attempt}"
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(first.pk), NOW.isoformat()],
                                 cwd=ROOT, env=_child_env(app), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        try:
            assert child.stdout.readline().strip() == "READY", child.stderr.read()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and child.poll() is None and not _in_transaction(app):
                time.sleep(0.005)
            killed_mid_transaction = child.poll() is None and _in_transaction(app)
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.wait(timeout=30)
            child.stdout.close()
            child.stderr.close()
        # All or nothing, whatever the moment: never a part of the batch.
        stored = CaseEvent.objects.count()
        assert stored in (0, len(events)), f"a killed batch left {stored} of {len(events)} events"
        assert Case.objects.count() in (0, N_CASES)
        if killed_mid_transaction:
            assert stored == 0
            break
        CaseEvent.objects.all().delete()  # it finished before the kill: start again, quicker off the mark
        Case.objects.all().delete()
    assert killed_mid_transaction, "the kill never landed inside the batch's transaction in three tries"

    # PostgreSQL ends the dead client's transaction when it notices the lost connection: wait for that.
    deadline = time.monotonic() + 60
    while _in_transaction(app) and time.monotonic() < deadline:
        time.sleep(0.05)

    # The system's re-send after rotating its token (a new token, the same department and source system).
    second, _ = api_client_create(name="审批系统（新令牌）", department=depts["a"], by=None, now=NOW, system="审批系统")
    r = case_events_ingest(events=events[: len(events) // 2], client=second, now=NOW)
    assert r.accepted == len(events) // 2 and not r.errors
    # …and again in full with the old token: the half already stored counts as duplicates, nothing doubles.
    r = case_events_ingest(events=events, client=first, now=NOW)
    assert (r.accepted, r.duplicates, r.errors) == (len(events) // 2, len(events) // 2, [])
    assert CaseEvent.objects.count() == len(events) and Case.objects.count() == N_CASES
    assert set(Case.objects.values_list("status", flat=True)) == {"completed"}
