"""Fixtures for survey tests: a published 万人评机关 survey over bureaus A and B, open for March 2026."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from xiaoneng.surveys.testing import build_survey

TZ = ZoneInfo("Asia/Shanghai")
OPENS = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
CLOSES = datetime(2026, 3, 31, 18, 0, tzinfo=TZ)
T0 = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
BEFORE = datetime(2026, 3, 1, 9, 0, tzinfo=TZ)


@pytest.fixture
def survey(staff, depts):
    return build_survey(by=staff["supervisor"], departments=[depts["a"], depts["b"]], opens_at=OPENS,
                        closes_at=CLOSES, now=BEFORE)
