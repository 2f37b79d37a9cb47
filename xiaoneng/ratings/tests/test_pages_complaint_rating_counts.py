"""The public selector of the complaint centre's follow-up ratings (ratings.selectors.complaint_rating_counts),
read by both the 好差评 figures page and the evaluation's good rate: its counts worked out by hand and its
arguments (the two readers agreeing: evaluation/tests/test_pages_ratings_selector.py)."""

from __future__ import annotations

import pytest

from xiaoneng.complaints.tests.conftest import _media_and_limits, _rules, figures_data, submit  # noqa: F401
from xiaoneng.core.periods import Period
from xiaoneng.ratings import selectors as S

pytestmark = pytest.mark.django_db
NONE = {"l1": 0, "l2": 0, "l3": 0, "l4": 0}


def test_counts_by_hand_under_the_lead_department(figures_data, depts):  # noqa: F811
    """figures_data: two complaints dispatched to bureau A, rated in March 2026: 满意 (4) and 不满意 (2)."""
    a = depts["a"].pk
    assert S.complaint_rating_counts(Period.parse("2026Q1")) == {a: {"l1": 0, "l2": 1, "l3": 0, "l4": 1, "l5": 0}}
    assert S.complaint_rating_counts(Period.parse("2026-03"), [a]) == {a: {**NONE, "l2": 1, "l4": 1, "l5": 0}}
    # Another department only, another period: nothing.
    assert S.complaint_rating_counts(Period.parse("2026Q1"), [depts["b"].pk]) == {}
    assert S.complaint_rating_counts(Period.parse("2026-04")) == {}


def test_a_complaint_without_a_lead_counts_under_the_office_only_when_asked(figures_data, depts):  # noqa: F811
    from xiaoneng.complaints.models import Dispatch

    Dispatch.objects.filter(complaint=figures_data[1]).update(is_lead=False)  # the 满意 one loses its lead
    q1 = Period.parse("2026Q1")
    a, office = depts["a"].pk, depts["office"].pk
    assert S.complaint_rating_counts(q1) == {a: {**NONE, "l2": 1, "l5": 0}}
    assert S.complaint_rating_counts(q1, office_id=office) == {a: {**NONE, "l2": 1, "l5": 0},
                                                                 office: {**NONE, "l4": 1, "l5": 0}}
