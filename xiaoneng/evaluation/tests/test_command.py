# ruff: noqa: F811  (the `quarter` fixture, imported from test_api, is a parameter of the tests)
"""`xiaoneng evaluate`: computes a period (2026Q3, 2026-07, 2026H2, 2026), prints a Chinese summary, corrects
with --reason, publishes with --publish; bad input is a Chinese message and exit code 1, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from xiaoneng.evaluation.models import Evaluation, EvaluationStatus
from xiaoneng.evaluation.services.schemes import scheme_create_version

from .test_api import NOW, quarter  # noqa: F401  (fixture)
from .test_engine import one_indicator_spec

AT = "2026-10-12T09:00:00+08:00"


def run(*args) -> str:
    out = StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


def test_a_quarter_computed_and_summarised_in_chinese(depts, ended_case):
    scheme_create_version(one_indicator_spec(), now=NOW)
    ended_case("Q1", received="2026-09-21 09:00", ended="2026-09-21 10:00")
    text = run("--period", "2026Q3", "--now", AT)
    assert "2026年第三季度考核（第1次，草稿）" in text and "参评单位 2 个" in text
    assert "优秀" in text and "不合格" in text and "第一名：测试县市场监督管理局" in text and "末名：" in text
    ev = Evaluation.objects.get(period="2026Q3")
    assert ev.status == EvaluationStatus.DRAFT
    text = run("--period", "2026Q3", "--now", AT, "--publish")
    assert "已发布" in text
    with pytest.raises(CommandError) as e:
        run("--period", "2026Q3", "--now", AT)
    assert "更正理由" in str(e.value)
    text = run("--period", "2026Q3", "--now", AT, "--reason", "补录后更正")
    assert "第2次" in text and Evaluation.objects.filter(period="2026Q3").count() == 2


@pytest.mark.parametrize("kind,period", [("month", "2026-07"), ("half", "2026H2"), ("year", "2026")])
def test_other_period_kinds(depts, kind, period):
    scheme_create_version(one_indicator_spec(period_kind=kind), now=NOW)
    text = run("--period", period, "--now", AT)
    assert "参评单位 2 个" in text
    assert Evaluation.objects.get(period=period).period_kind == kind


@pytest.mark.parametrize("args,words", [
    (("--period", "2026Q5"), "统计周期“2026Q5”无效"),
    (("--period", "0000"), "无效"),
    ((), "--period"),
    (("--period", "2026Q3", "--now", "yesterday"), "ISO 8601"),
    (("--period", "2026Q3", "--now", "2026-10-12T09:00:00"), "时区"),
    (("--period", "2026Q4", "--now", AT, "--publish"), "尚未结束"),
    (("--period", "2026Q3", "--now", AT), "没有适用的考核方案"),
])
def test_bad_input_is_chinese(depts, args, words):
    from xiaoneng.evaluation.models import Scheme

    Scheme.objects.all().delete()  # whatever was shipped: this test sets its own
    if "没有适用" not in words:
        scheme_create_version(one_indicator_spec(), now=NOW)
    with pytest.raises(CommandError) as e:
        run(*args)
    assert words in str(e.value)
    assert not Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED).exists()


def test_the_console_script_exits_1_without_a_traceback(tmp_path):
    root = Path(__file__).resolve().parents[3]
    p = subprocess.run([sys.executable, "-c", "import sys; from xiaoneng.cli import main; sys.exit(main())",
                        "evaluate", "--period", "2026Q5"], cwd=root, capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "XIAONENG_DATA_DIR": str(tmp_path),
                            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert p.returncode == 1
    assert "2026Q5" in p.stderr and "无效" in p.stderr and "Traceback" not in p.stderr
