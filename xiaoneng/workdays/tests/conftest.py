"""Fixtures for the calendar tests. The root conftest's `calendar` fixture seeds 2020-2027."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaoneng.workdays.calendar import calendar_invalidate

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # The process-wide calendar cache outlives a test's rolled-back transaction: start and end clean.
    calendar_invalidate()
    yield
    calendar_invalidate()


def at(y, m, d, hh=0, mm=0) -> dt.datetime:
    """An aware datetime in China Standard Time."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)
