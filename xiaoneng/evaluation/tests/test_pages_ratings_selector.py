"""The evaluation's good rate reads the complaint centre's follow-up ratings through the public ratings
selector (complaint_rating_counts), as the 好差评 figures page does: both count the same ratings."""

from __future__ import annotations

import pytest
from django.utils import timezone

from xiaoneng.complaints.tests.conftest import _media_and_limits, _rules, figures_data, submit  # noqa: F401
from xiaoneng.core.periods import Period
from xiaoneng.evaluation.calculations.ratings import good_rate
from xiaoneng.evaluation.indicators import Context
from xiaoneng.evaluation.services.evaluate import placement
from xiaoneng.ratings import selectors as S

pytestmark = pytest.mark.django_db


def test_the_figures_page_and_the_evaluation_read_the_same_counts(figures_data, depts, staff):  # noqa: F811
    """The figures row of bureau A and the evaluation's good-rate measure of A both count the two follow-up
    ratings: 1 good of 2."""
    q1 = Period.parse("2026Q1")
    row = next(r for r in S.figures_for(staff["supervisor"], q1)["departments"] if r["department"] == "TA")
    assert (row["good"], row["ratings"]) == (1, 2)
    where = placement()
    ctx = Context(period=q1, departments=where.departments, owner_of=where.owner_of, now=timezone.now())
    m = good_rate(ctx)[depts["a"].pk]
    assert (m.numerator, m.denominator) == (1, 2)
