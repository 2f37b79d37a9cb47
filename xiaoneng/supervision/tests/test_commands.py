"""The `supervise` and `worker` commands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from xiaoneng.supervision.models import Warning


def test_supervise_command_runs_one_tick(accepted_case):
    accepted_case()
    out = StringIO()
    call_command("supervise", "--now", "2026-10-13T09:00:00+08:00", stdout=out)
    assert "黄牌 1 张" in out.getvalue()
    assert Warning.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("supervise", "--now", "2026-10-13T09:00:00", stdout=out)
    with pytest.raises(CommandError):
        call_command("supervise", "--now", "yesterday", stdout=out)


def test_worker_once(accepted_case):
    out, err = StringIO(), StringIO()
    call_command("worker", "--once", stdout=out, stderr=err)
    assert "[supervise]" in out.getvalue(), err.getvalue() and "后台任务已退出" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_worker_exits_on_sigterm(tmp_path, settings):
    root = Path(__file__).resolve().parents[3]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1")
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        env["XIAONENG_DATA_DIR"] = str(tmp_path)
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'w.sqlite3'}"
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=root, env=env, check=True)
    else:
        env["DATABASE_URL"] = (f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    p = subprocess.Popen([sys.executable, "manage.py", "worker"], cwd=root, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline and "[supervise]" not in line:
            line = p.stdout.readline()
        assert "[supervise]" in line
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=15)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    assert "后台任务已退出" in out


def test_every_schedule_names_a_callable_taking_now(db):
    """The worker imports schedules by dotted path: a typo would only show at run time, so check here."""
    import datetime as dt
    import inspect

    from django.utils.module_loading import import_string

    from xiaoneng.supervision.schedules import SCHEDULES

    names = [name for name, _every, _path in SCHEDULES]
    # Complaint clocks are part of the supervise tick now (the complaint owner, complaints/clocks.py): no schedule of their own.
    assert "supervise" in names and "complaints" not in names and len(names) == len(set(names))
    for name, every, path in SCHEDULES:
        fn = import_string(path)
        assert every > 0 and "now" in inspect.signature(fn).parameters, name
        fn(now=dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))  # runs on an empty database
