"""The one period picker (core.periods.choices): the options every page that asks for a period offers — worked
out by hand from the calendar — and the two pages that use it (ratings' list and figures, the evaluation's 计算
form) offering exactly those."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from xiaoneng.core.errors import DomainError
from xiaoneng.core.periods import HALF, MONTH, QUARTER, YEAR, choices

TZ = ZoneInfo("Asia/Shanghai")


def codes(groups):
    return [[code for code, _label in options] for _name, options in groups]


def test_the_default_picker_worked_by_hand():
    groups = choices(dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ))
    assert [str(name) for name, _o in groups] == ["季度", "月度", "半年", "年度"]
    quarters, months, halves, years = codes(groups)
    assert quarters == ["2026Q4", "2026Q3", "2026Q2", "2026Q1", "2025Q4", "2025Q3", "2025Q2", "2025Q1"]
    assert months == ["2026-10", "2026-09", "2026-08", "2026-07", "2026-06", "2026-05", "2026-04", "2026-03",
                      "2026-02", "2026-01", "2025-12", "2025-11"]
    assert halves == ["2026H2", "2026H1", "2025H2", "2025H1"]
    assert years == ["2026", "2025", "2024"]
    assert groups[0][1][0] == ("2026Q4", "2026年第四季度") and groups[1][1][-1] == ("2025-11", "2025年11月")


def test_the_current_period_is_local_time_s():
    # 16:30 UTC on 31 December is already 1 January in Shanghai: the newest quarter is 2027Q1.
    groups = choices(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), kinds=((QUARTER, 2), (YEAR, 1)))
    assert codes(groups) == [["2027Q1", "2026Q4"], ["2027"]]


def test_kinds_and_counts_are_chosen_by_the_caller():
    now = dt.datetime(2026, 3, 5, tzinfo=TZ)
    assert codes(choices(now, kinds=((HALF, 3), (MONTH, 1)))) == [["2026H1", "2025H2", "2025H1"], ["2026-03"]]
    assert codes(choices(now, kinds=((YEAR, 0),))) == [["2026"]]  # at least the current one
    assert choices(now, kinds=()) == []


def test_the_picker_stops_at_the_year_one():
    groups = choices(dt.datetime(1, 5, 1, 12, 0, tzinfo=dt.UTC), kinds=((QUARTER, 8), (YEAR, 3)))
    assert codes(groups) == [["0001Q2", "0001Q1"], ["0001"]]


@pytest.mark.parametrize("kind", ["week", "", None, "QUARTER"])
def test_an_unknown_kind_is_refused_in_chinese(kind):
    with pytest.raises(DomainError) as exc:
        choices(dt.datetime(2026, 10, 12, tzinfo=TZ), kinds=((kind, 3),))
    assert exc.value.field == "period" and "统计周期类型无效" in exc.value.message


def test_the_kind_names_follow_the_language():
    now = dt.datetime(2026, 10, 12, tzinfo=TZ)
    with translation.override("zh-hans"):
        assert str(choices(now)[0][0]) == "季度"
    with translation.override("en"):
        assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in str(name)) for name, _o in choices(now))


@pytest.mark.django_db
def test_ratings_and_the_evaluation_offer_the_same_periods(client_as):
    c = client_as("supervisor")
    expected = choices(timezone.now())
    for url, key in ((reverse("ratings:office_list"), "periods"), (reverse("ratings:office_figures"), "periods"),
                     (reverse("evaluation:office_list"), "period_options")):
        resp = c.get(url)
        assert resp.status_code == 200, url
        assert codes(resp.context[key]) == codes(expected), url
        assert 'value="' + expected[0][1][0][0] + '"' in resp.content.decode()
