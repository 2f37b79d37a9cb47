"""The 好差评 figures per department and period: counted by hand, scoped, voided ratings excluded, the complaint
centre's follow-up ratings counted under their lead department, a pinned number of queries, and properties."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiaoneng.accounts.services import department_create
from xiaoneng.complaints.tests.conftest import _media_and_limits, _rules, figures_data, submit  # noqa: F401
from xiaoneng.core.periods import Period
from xiaoneng.ratings import selectors as S
from xiaoneng.ratings.models import ContactKind, Rating, Rectification, WindowContact
from xiaoneng.ratings.services.rating import rating_record

from .conftest import at

NOW = at("2026-10-09 10:00")
Q4 = Period.parse("2026Q4")


@pytest.fixture
def world(ended_case, depts):
    """Bureau A: 5 (link), 4 (api, named), 3 (default), 1 (named by phone, rectified on time and called back);
    bureau B: 2 (unnamed), voided by an upheld appeal, and 5."""
    a = [ended_case(f"A{i}") for i in range(4)]
    b = [ended_case(f"B{i}", code="ZR001", handler="handler_b") for i in range(2)]
    rating_record(case=a[0], level=5, channel="link", now=NOW)
    rating_record(case=a[1], level=4, channel="api", rater_name="李四", now=NOW)
    rating_record(case=a[2], level=3, channel="default", defaulted=True, now=NOW)
    bad = rating_record(case=a[3], level=1, reasons=["poor-attitude"], channel="kiosk", rater_phone="13800001111",
                        now=NOW)
    Rectification.objects.filter(rating=bad).update(status="accepted", on_time=True, callback_at=NOW + timedelta(days=1))
    void = rating_record(case=b[0], level=2, channel="api", now=NOW)
    Rating.objects.filter(pk=void.pk).update(voided_at=NOW + timedelta(days=2), void_reason="恶意差评")
    rating_record(case=b[1], level=5, channel="import", now=NOW)
    return {"bad": bad, "void": void}


def _row(fig, code):
    return next(r for r in fig["departments"] if r["department"] == code)


def test_figures_counted_by_hand(world, staff, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        fig = S.figures_for(staff["supervisor"], Q4)
    a, b = _row(fig, "TA"), _row(fig, "TB")
    assert (a["ratings"], a["good"], a["neutral"], a["bad"], a["defaulted"], a["voided"]) == (4, 2, 1, 1, 1, 0)
    assert a["good_rate"] == 0.5 and a["rectifications_due"] == 1 and a["rectified"] == 1
    assert a["rectified_on_time"] == 1 and a["rectification_rate"] == 1.0
    assert (a["named_bad"], a["called_back"], a["callback_rate"]) == (1, 1, 1.0)
    # the voided bad rating counts nowhere but in its own column
    assert (b["ratings"], b["bad"], b["voided"], b["good_rate"], b["rectifications_due"]) == (1, 0, 1, 1.0, 0)
    assert b["callback_rate"] is None and b["small_sample"]
    assert fig["total"]["ratings"] == 5 and fig["total"]["good_rate"] == 0.6
    assert set(fig["definitions"]) >= {"good_rate", "rectification_rate", "callback_rate"}
    # the period outside: nothing
    assert S.figures_for(staff["supervisor"], Period.parse("2026Q3"))["total"]["ratings"] == 0


def test_a_department_sees_its_own_figures_only(world, staff):
    fig = S.figures_for(staff["head"], Q4)
    assert {r["department"] for r in fig["departments"]} == {"TA", "TA1"}
    with pytest.raises(Http404):
        S.figures_for(staff["head"], Q4, "TB")
    with pytest.raises(Http404):
        S.figures_for(staff["handler_b"], Q4, "TA")
    assert S.figures_for(staff["window"], Q4)["departments"] == []
    assert {r["department"] for r in S.figures_for(staff["leader"], Q4)["departments"]} >= {"TA", "TB", "TX"}


def test_the_query_count_does_not_grow_with_departments(world, depts, staff, django_assert_max_num_queries):
    for i in range(30):
        department_create(code=f"TZ{i:02d}", name=f"测试单位{i}", parent=depts["county"])
    with django_assert_max_num_queries(5):
        fig = S.figures_for(staff["supervisor"], Q4)
    assert len(fig["departments"]) >= 34


def test_complaint_follow_up_ratings_count_under_the_lead_department(figures_data, staff):  # noqa: F811
    """figures_data: two complaints dispatched to bureau A rated in March 2026, one satisfied, one not."""
    fig = S.figures_for(staff["supervisor"], Period.parse("2026Q1"))
    a = _row(fig, "TA")
    assert (a["complaint_ratings"], a["ratings"], a["good"], a["bad"], a["complaint_bad"]) == (2, 2, 1, 1, 1)
    assert a["rectifications_due"] == 0  # the complaint's own procedure handles it


# ----------------------------------------------------------------------------------------------- properties
_n = itertools.count(1)


def _bulk(dept_levels, depts) -> list[Rating]:
    contacts, ratings = [], []
    for key, _level in dept_levels:
        contacts.append(WindowContact(number=f"HP{next(_n):08d}", department=depts[key], kind=ContactKind.OTHER,
                                      served_at=NOW - timedelta(days=1)))
    WindowContact.objects.bulk_create(contacts)
    for c, (_key, level) in zip(contacts, dept_levels, strict=True):
        ratings.append(Rating(subject_kind="contact", contact=c, department_id=c.department_id, level=level,
                              channel="kiosk", rated_at=NOW, recorded_at=NOW))
    return Rating.objects.bulk_create(ratings)


ratings_st = st.lists(st.tuples(st.sampled_from(["a", "a1", "b"]), st.integers(1, 5)), min_size=1, max_size=25)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=ratings_st, pick=st.data())
def test_rates_stay_in_bounds_and_voiding_never_raises_a_bad_count(depts, data, pick):
    with transaction.atomic():
        rows = _bulk(data, depts)
        before = S.figures(period=Q4, departments=[depts["a"], depts["a1"], depts["b"]])
        for r in [before["total"], *before["departments"]]:
            for key in ("good_rate", "bad_rate", "rectification_rate", "callback_rate"):
                assert r[key] is None or 0 <= r[key] <= 1
        victim = pick.draw(st.sampled_from(rows))
        Rating.objects.filter(pk=victim.pk).update(voided_at=NOW)
        after = S.figures(period=Q4, departments=[depts["a"], depts["a1"], depts["b"]])
        for x, y in zip(before["departments"], after["departments"], strict=True):
            assert y["bad"] <= x["bad"] and y["ratings"] <= x["ratings"]
            assert y["good_rate"] is None or 0 <= y["good_rate"] <= 1
        assert after["total"]["ratings"] == before["total"]["ratings"] - 1
        assert after["total"]["voided"] == 1
        transaction.set_rollback(True)


def test_rater_masking(world, staff):
    r = world["bad"]
    assert S.rater_for(staff["supervisor"], r) == ("", "13800001111")
    assert S.rater_for(staff["head"], r) == ("", "13800001111")
    assert S.rater_for(staff["handler"], r) == ("", "138****1111")
    assert S.rater_for(staff["leader"], r) == ("", "138****1111")
    assert S.mask_name("李四") == "李*"
