"""The annual report's tables against the hand-built year of report_fixture.py: every cell written by hand,
the departments' reports adding up to the county's, the year's edges in the county's time."""

from __future__ import annotations

import pytest

from xiaoneng.disclosure.report import annual_figures, table_requests

from .report_fixture import (
    EXPECTED_A,
    EXPECTED_B,
    EXPECTED_DOCS_A,
    EXPECTED_FEES,
    EXPECTED_LICENSING,
    EXPECTED_REVIEWS_A,
    EXPECTED_REVIEWS_B,
    build_year,
)

ZERO = [0] * 7


def _rows(fig):
    return {r["key"]: r["values"] for r in fig["requests"]["rows"]}


@pytest.fixture
def year(depts):
    build_year(depts)
    return depts


def test_requests_table_department_a(year):
    rows = _rows(annual_figures(year=2025, department=year["a"]))
    for key, values in rows.items():
        if values is None:
            continue
        assert values == EXPECTED_A.get(key, ZERO), key


def test_requests_table_department_b(year):
    rows = _rows(annual_figures(year=2025, department=year["b"]))
    for key, values in rows.items():
        if values is not None:
            assert values == EXPECTED_B.get(key, ZERO), key


def test_unknown_reason_is_noted(year):
    notes = annual_figures(year=2025, department=year["a"])["requests"]["notes"]
    assert notes == ["1件答复未注明规定的理由，计入该答复类型的最后一项。"]


def test_reviews_table(year):
    for dept, expected in (("a", EXPECTED_REVIEWS_A), ("b", EXPECTED_REVIEWS_B)):
        groups = {g["key"]: g["values"] for g in annual_figures(year=2025, department=year[dept])["reviews"]["groups"]}
        assert groups == expected, dept


def test_proactive_table(year):
    fa = annual_figures(year=2025, department=year["a"])["proactive"]
    docs = fa["documents"][1]
    assert {k: docs[k] for k in ("issued", "repealed", "in_force")} == EXPECTED_DOCS_A
    assert fa["documents"][0] == {"label": "规章", "issued": 0, "repealed": 0, "in_force": 0}
    assert [d["count"] for d in fa["decisions"]] == [EXPECTED_LICENSING["a"], 0, 0]
    assert fa["fees"] == EXPECTED_FEES["a"]
    fb = annual_figures(year=2025, department=year["b"])["proactive"]
    assert fb["decisions"][0]["count"] == EXPECTED_LICENSING["b"]
    assert fb["fees"] == EXPECTED_FEES["b"]
    assert fb["documents"][1]["issued"] == 0
    county = annual_figures(year=2025)["proactive"]
    assert county["fees"] == EXPECTED_FEES["county"]
    assert county["decisions"][0]["count"] == 3


def test_departments_add_up_to_the_county(year, depts):
    from decimal import Decimal

    from xiaoneng.accounts.models import Department

    county = annual_figures(year=2025)
    parts = [annual_figures(year=2025, department=d) for d in Department.objects.all()]
    crow = _rows(county)
    for key, values in crow.items():
        if values is None:
            continue
        assert values == [sum(_rows(p)[key][i] for p in parts) for i in range(7)], key
    for i, g in enumerate(county["reviews"]["groups"]):
        assert g["values"] == [sum(p["reviews"]["groups"][i]["values"][j] for p in parts) for j in range(5)]
    assert Decimal(county["proactive"]["fees"]) == sum(Decimal(p["proactive"]["fees"]) for p in parts)
    for k in ("issued", "repealed", "in_force"):
        assert county["proactive"]["documents"][1][k] == sum(p["proactive"]["documents"][1][k] for p in parts)


def test_balance_new_plus_carried_equals_results_plus_forward(year):
    for dept in (None, year["a"], year["b"]):
        rows = _rows(annual_figures(year=2025, department=dept))
        assert [a + b for a, b in zip(rows["new"], rows["carried_over"], strict=True)] == [
            a + b for a, b in zip(rows["results_total"], rows["carried_forward"], strict=True)]


def test_next_year_carries_over_what_2025_carried_forward(year):
    rows = _rows(annual_figures(year=2026, department=year["a"]))
    assert rows["carried_over"] == EXPECTED_A["carried_forward"]  # r5, r6
    assert rows["disclosed"][-1] == 1  # r6 answered 2026-01-05
    assert rows["new"] == ZERO


@pytest.mark.parametrize("y", [2008, 2024, 2027])
def test_other_years(year, y):
    fig = annual_figures(year=y, department=year["a"])
    assert all(len(r["values"]) == 7 for r in fig["requests"]["rows"] if r["values"] is not None)


def test_empty_year_is_all_zero(depts):
    fig = table_requests(year=2025, department=depts["a"])
    assert all(r["values"] == ZERO for r in fig["rows"] if r["values"] is not None)
    assert fig["notes"] == []


def test_query_count_is_bounded(year, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        annual_figures(year=2025)
