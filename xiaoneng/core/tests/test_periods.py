"""core/periods.py: the one parser of period codes (month, quarter, half, year) for figures and rankings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xiaoneng.core.errors import DomainError
from xiaoneng.core.periods import HALF, MONTH, QUARTER, YEAR, Period, parse_period

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("code, kind, start, end, label", [
    ("2026Q4", QUARTER, (2026, 10, 1), (2027, 1, 1), "2026年第四季度"),
    ("2026-07", MONTH, (2026, 7, 1), (2026, 8, 1), "2026年7月"),
    ("2026-7", MONTH, (2026, 7, 1), (2026, 8, 1), "2026年7月"),
    ("2026H2", HALF, (2026, 7, 1), (2027, 1, 1), "2026年下半年"),
    ("2026h1", HALF, (2026, 1, 1), (2026, 7, 1), "2026年上半年"),
    ("2026", YEAR, (2026, 1, 1), (2027, 1, 1), "2026年"),
    (" 2026q1 ", QUARTER, (2026, 1, 1), (2026, 4, 1), "2026年第一季度"),
    ("2026-12", MONTH, (2026, 12, 1), (2027, 1, 1), "2026年12月"),
])
def test_codes_name_local_calendar_periods(code, kind, start, end, label):
    p = Period.parse(code)
    assert p.kind == kind and p.label == label and str(p) == label
    assert p.start == dt.datetime(*start, tzinfo=TZ) and p.end == dt.datetime(*end, tzinfo=TZ)
    assert p.start.utcoffset() == dt.timedelta(hours=8)
    assert Period.parse(p.code) == p


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "2026-13", "2026-00", "2026H3", "0000", "99999", "", "  ",
                                  "2026Q", "26Q1", "2026-1-1", "二〇二六", "2026Q4; drop table", "9" * 10000, None, 2026,
                                  ["2026"], "２０２６"])
def test_bad_codes_are_refused_in_chinese_naming_the_field(text):
    with pytest.raises(DomainError) as e:
        Period.parse(text)
    assert e.value.field == "period" and "统计周期" in e.value.message and len(e.value.message) < 200


def test_the_first_and_last_years_parse_without_overflow():
    first, last = Period.parse("0001"), Period.parse("9999")
    assert first.start < first.end and last.start < last.end
    first.start.astimezone(dt.UTC), last.end.astimezone(dt.UTC)  # storable
    assert Period.parse("9999Q4").end == last.end and Period.parse("0001-01").start == first.start
    with pytest.raises(DomainError) as e:
        Period.parse("9999-12").next()
    assert e.value.field == "period"
    with pytest.raises(DomainError):
        Period.parse("0001H1").previous()
    assert Period.parse("0001Q2").recent(5)[0] == Period.parse("0001Q1")


def test_current_previous_next():
    now = dt.datetime(2026, 9, 30, 16, 30, tzinfo=dt.UTC)  # 2026-10-01 00:30 in Shanghai
    assert Period.current(now).code == "2026Q4"
    assert Period.current(now, MONTH).code == "2026-10"
    assert Period.current(now, HALF).code == "2026H2"
    assert Period.current(now, YEAR).code == "2026"
    assert Period.parse("2026Q1").previous().code == "2025Q4"
    assert Period.parse("2025Q4").next().code == "2026Q1"
    assert Period.parse("2026-01").previous().code == "2025-12"
    assert [p.code for p in Period.parse("2026Q2").recent(3)] == ["2025Q4", "2026Q1", "2026Q2"]
    assert parse_period("", now=now).code == "2026Q4"
    assert parse_period(None, now=now, default_kind=MONTH).code == "2026-10"
    with pytest.raises(DomainError):
        Period.current(now, "week")


def test_contains_is_half_open():
    p = Period.parse("2026Q4")
    assert p.contains(p.start) and not p.contains(p.end) and p.contains(p.end - dt.timedelta(microseconds=1))


kinds = st.sampled_from([MONTH, QUARTER, HALF, YEAR])


@st.composite
def periods(draw):
    kind = draw(kinds)
    number = draw(st.integers(1, {MONTH: 12, QUARTER: 4, HALF: 2, YEAR: 1}[kind]))
    return Period(draw(st.integers(1, 9999)), kind, number)


@given(periods())
def test_every_period_starts_before_it_ends_and_round_trips(p):
    assert p.start < p.end
    assert Period.parse(p.code) == p


@given(st.integers(2, 9998), kinds)
def test_consecutive_periods_tile_the_year(year, kind):
    p = Period.parse(f"{year:04d}") if kind == YEAR else Period.current(dt.datetime(year, 1, 1, 12, tzinfo=TZ), kind)
    assert p.start == dt.datetime(year, 1, 1, tzinfo=TZ)
    while p.year == year:
        nxt = p.next()
        assert nxt.start == p.end and nxt.previous() == p
        p = nxt
    assert p.start == dt.datetime(year + 1, 1, 1, tzinfo=TZ)


@given(st.datetimes(min_value=dt.datetime(2, 1, 1), max_value=dt.datetime(9998, 12, 31), timezones=st.just(TZ)), kinds)
def test_a_moment_falls_in_its_current_period(at, kind):
    assert Period.current(at, kind).contains(at)
