"""core.commands.moment_of: every command's --now, aware or refused in Chinese naming the option."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiaoneng.core.commands import moment_of


def test_an_aware_moment_is_taken_as_given():
    at = moment_of("2026-10-08T17:00:00+08:00")
    assert at == dt.datetime(2026, 10, 8, 9, 0, tzinfo=dt.UTC)


def test_no_moment_is_now():
    before = dt.datetime.now(dt.UTC)
    assert before <= moment_of(None) <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)


@pytest.mark.parametrize(("value", "message"), [
    ("yesterday", "不是有效的 ISO 8601 时间"), ("2026-13-45T00:00:00+08:00", "不是有效的 ISO 8601 时间"),
    ("2026-10-08T17:00:00", "必须带时区"), ("x" * 5000, "不是有效的 ISO 8601 时间"),
])
def test_a_bad_moment_is_refused_naming_the_option(value, message):
    with pytest.raises(CommandError) as exc:
        moment_of(value)
    assert message in str(exc.value) and "--now" in str(exc.value) and len(str(exc.value)) < 100


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["supervise", "ratings_default", "evaluate", "disclosure_check"])
def test_every_command_refuses_a_naive_now(command):
    extra = {"evaluate": ["--period", "2026Q3"], "disclosure_check": ["--date", "2026-10-08"]}.get(command, [])
    with pytest.raises(CommandError, match="必须带时区"):
        call_command(command, *extra, "--now", "2026-10-08T17:00:00")
