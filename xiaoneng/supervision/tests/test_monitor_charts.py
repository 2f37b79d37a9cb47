"""The monitor's charts answer one question each, legibly: items named with their department (two items of
the same name in two departments stay two bars), every department available to the trend's selector (not
the 8 busiest overlaid), the departments that lag ranked, tiles that say they count open cards."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from xiaoneng.supervision.selectors import CHART_MIN_CASES, chart_data

from .conftest import at, ev


def _decided(ingest, prefix, code, n, *, late=0, start="2026-10-08 09:00"):
    """n cases of `code` received and accepted at `start`, decided in 2 calendar days (on time: 5 wd), the
    first `late` of them after 20 days (late)."""
    t = at(start)
    events = []
    for i in range(n):
        no = f"{prefix}{i}"
        done = t + dt.timedelta(days=20 if i < late else 2)
        events += [ev(no, "received", t, code), ev(no, "accepted", t, code), ev(no, "completed", done, code)]
    ingest(events, now=at("2026-11-02 09:00"))


def test_items_are_named_with_their_department_and_ranked_slowest_first(ingest, make_item, staff, depts):
    make_item(code="SP002", dept="b")  # the same name as SP001, in bureau B
    _decided(ingest, "A", "SP001", CHART_MIN_CASES)
    _decided(ingest, "B", "SP002", CHART_MIN_CASES, late=CHART_MIN_CASES)
    _decided(ingest, "Z", "ZR001", 1)  # too few decided cases to rank beside the others
    data = chart_data(staff["supervisor"], now=at("2026-11-02 09:00"))
    items = data["items"]
    assert [d["code"] for d in items] == ["SP002", "SP001"]  # slowest first, ZR001 left out
    assert items[0]["name"] == items[1]["name"] == "食品经营许可证核发"
    assert {items[0]["department"], items[1]["department"]} == {depts["a"].name, depts["b"].name}
    assert items[0]["avg"] > items[1]["avg"] and items[0]["cases"] == CHART_MIN_CASES


def test_every_department_goes_to_the_trend_selector_and_the_laggards_are_ranked(ingest, make_item, staff, depts):
    _decided(ingest, "A", "SP001", CHART_MIN_CASES, late=2)
    _decided(ingest, "B", "ZR001", CHART_MIN_CASES)
    data = chart_data(staff["supervisor"], now=at("2026-11-02 09:00"))
    assert "series" not in data["ontime"]  # no overlay of the busiest departments any more
    assert len(data["ontime"]["overall"]) == len(data["ontime"]["months"]) == 12
    by_code = {d["code"]: d for d in data["ontime"]["departments"]}
    assert set(by_code) == {depts["a"].code, depts["b"].code}
    assert by_code[depts["a"].code]["rate"] == 60.0 and by_code[depts["b"].code]["rate"] == 100.0
    assert [d["code"] for d in data["lowest"]] == [depts["a"].code, depts["b"].code]
    # A head sees only the department's own line.
    head = chart_data(staff["head"], now=at("2026-11-02 09:00"))
    assert [d["code"] for d in head["ontime"]["departments"]] == [depts["a"].code]


def test_the_level_tiles_say_they_count_open_cards(client_as, staff):
    body = client_as("supervisor").get(reverse("supervision:monitor")).content.decode()
    for label in ("在办预警提醒", "在办黄牌", "在办红牌", "未办结（不含已确认、已撤销）"):
        assert label in body
    for chart in ("chart-ontime", "chart-lowest", "chart-items", "chart-rules", "ontime-dept",
                  "table-ontime", "table-lowest", "table-items", "table-rules"):
        assert f'id="{chart}"' in body
