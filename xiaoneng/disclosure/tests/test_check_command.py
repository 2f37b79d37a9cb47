"""`xiaoneng disclosure-check`: a Chinese summary; bad input an error in Chinese (exit 1 through CommandError)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from xiaoneng.disclosure.models import CheckStatus, DisclosureCheck

from .check_fixture import build


@pytest.fixture
def world(calendar, depts):
    return build(depts)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("disclosure_check", *args, stdout=out)
    return out.getvalue()


def test_run_then_publish(world):
    text = _run("--date", "2026-10-08", "--now", "2026-10-08T17:00:00+08:00")
    assert text.splitlines() == [
        "2026年10月8日统一公开日检查（2026年第4季度，待发布）：检查单位 4 个。",
        "应公开 14 项，已公开 7 项，未公开 5 项，未按期更新 2 项，公开率 50.0%。",
        "存在问题的单位：测试县市场监督管理局（未公开3项，未按期更新2项）、测试镇人民政府（未公开1项，未按期更新0项）、"
        "测试村民委员会（未公开1项，未按期更新0项）。",
        "检查结果待发布：核对后用 --publish 通报。"]
    text = _run("--date", "2026-10-08", "--publish", "--now", "2026-10-08T17:10:00+08:00")
    assert "通报文号：测试县效办〔2026〕公开1号；整改期限：2026年10月14日 17:30。" in text
    assert DisclosureCheck.objects.get().status == CheckStatus.PUBLISHED


@pytest.mark.parametrize(("args", "message"), [
    ((), "请用 --date 指定统一公开日"),
    (("--date", "2026-10-05", "--now", "2026-10-08T17:00:00+08:00"), "2026年第4季度的统一公开日是2026年10月8日"),
    (("--date", "2026-10-08", "--now", "yesterday"), "不是有效的 ISO 8601 时间"),
    (("--date", "2026-10-08", "--now", "2026-10-08T17:00:00"), "必须带时区"),
    (("--date", "2026-10-08", "--rectify-wd", "0", "--now", "2026-10-08T17:00:00+08:00"), "整改期限须为 1-30 个工作日"),
])
def test_bad_input_is_a_chinese_error(world, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not DisclosureCheck.objects.exists()


def test_the_console_script_exits_1_on_bad_input(world, capsys):
    from xiaoneng.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["xiaoneng", "disclosure-check", "--date", "2026-10-05", "--now", "2026-10-08T17:00:00+08:00"])
    assert exc.value.code == 1
    assert "统一公开日是2026年10月8日" in capsys.readouterr().err
