"""A department's survey score: the weighted mean over groups of each group's mean, groups below their minimum
flagged and left out with the weights renormalised — checked against a hand computation; and properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from xiaoneng.surveys import selectors as S
from xiaoneng.surveys import services
from xiaoneng.surveys.models import RespondentGroup
from xiaoneng.surveys.selectors import GroupScore, combine_groups
from xiaoneng.surveys.services import GroupInput
from xiaoneng.surveys.testing import full_answers

from .conftest import T0


def _answer(survey, group, ratings, n, start):
    for i in range(n):
        services.response_submit(survey=survey, answers=full_answers(survey, ratings), group=group,
                                 now=start + timedelta(seconds=i))


def test_score_by_hand(survey, staff, depts):
    sup = staff["supervisor"]
    # Three groups: 服务对象 weight 0.5 (min 2), 企业 0.3 (min 2), 社会公众 0.2 (min 3).
    services.groups_save(survey=survey, by=sup, now=T0, groups=[
        GroupInput("service_users", "服务对象", "0.5", 2), GroupInput("enterprises", "企业", "0.3", 2),
        GroupInput("public", "社会公众", "0.2", 3)])
    a, b = depts["a"].pk, depts["b"].pk
    # 服务对象: A rated 5, 4, 3 → points 100, 75, 50 → mean 75.   B rated 2, 2, 2 → 25.
    for i, (va, vb) in enumerate([(5, 2), (4, 2), (3, 2)]):
        services.response_submit(survey=survey, answers=full_answers(survey, {a: va, b: vb}), group="service_users",
                                 now=T0 + timedelta(minutes=i))
    # 企业: A 5, 5 → 100.   B 1, 3 → 0, 50 → 25.
    for i, (va, vb) in enumerate([(5, 1), (5, 3)]):
        services.response_submit(survey=survey, answers=full_answers(survey, {a: va, b: vb}), group="enterprises",
                                 now=T0 + timedelta(minutes=10 + i))
    # 社会公众: two responses only (minimum 3): A 1, 1 → 0.   Flagged and left out.
    for i in range(2):
        services.response_submit(survey=survey, answers=full_answers(survey, {a: 1, b: 5}), group="public",
                                 now=T0 + timedelta(minutes=20 + i))
    scores = {d.department.pk: d for d in S.department_scores(survey)}
    # A: (0.5 × 75 + 0.3 × 100) / (0.5 + 0.3) = 67.5 / 0.8 = 84.375 → 84.38
    assert scores[a].score == Decimal("84.38")
    # B: (0.5 × 25 + 0.3 × 25) / 0.8 = 25
    assert scores[b].score == Decimal("25.00")
    assert scores[a].responses == 7
    groups = {g.group.code: g for g in scores[a].groups}
    assert groups["service_users"].mean == Decimal("75.00") and groups["service_users"].responses == 3
    assert groups["enterprises"].mean == Decimal("100.00")
    assert not groups["public"].counted and "少于最少 3 份" in groups["public"].flag
    assert groups["public"].effective_weight == 0
    assert groups["service_users"].effective_weight == Decimal("0.625")
    assert any("社会公众" in f for f in scores[a].flags)  # shown, never silent
    # The third public response brings the group in: A = 0.5×75 + 0.3×100 + 0.2×0 = 67.5
    services.response_submit(survey=survey, answers=full_answers(survey, {a: 1, b: 5}), group="public",
                             now=T0 + timedelta(minutes=30))
    scores = {d.department.pk: d for d in S.department_scores(survey)}
    assert scores[a].score == Decimal("67.50")
    assert not scores[a].flags


def test_no_group_counting_means_no_score(survey, depts):
    _answer(survey, "public", {depts["a"].pk: 5, depts["b"].pk: 5}, 2, T0)
    scores = {d.department.pk: d for d in S.department_scores(survey)}
    assert scores[depts["a"].pk].score is None
    assert any("样本不足" in f for f in scores[depts["a"].pk].flags)


def test_survey_scores_reads_surveys_closing_in_the_period(survey, staff, depts):
    sup = staff["supervisor"]
    services.groups_save(survey=survey, by=sup, now=T0, groups=[GroupInput("public", "社会公众", "1", 1)])
    _answer(survey, "public", {depts["a"].pk: 4, depts["b"].pk: 2}, 2, T0)
    out = S.survey_scores(date(2026, 1, 1), date(2026, 3, 31))
    assert out[depts["a"].pk]["score"] == Decimal("75.00")
    assert out[depts["b"].pk]["score"] == Decimal("25.00")
    assert out[depts["a"].pk]["responses"] == 2
    assert out[depts["a"].pk]["surveys"][0]["groups"][0]["effective_weight"] == 1
    assert S.survey_scores(date(2026, 4, 1), date(2026, 6, 30)) == {}
    assert S.survey_scores(date(2026, 1, 1), date(2026, 3, 30)) == {}  # closes 3-31 18:00


def test_scores_query_count(survey, depts, django_assert_max_num_queries):
    _answer(survey, "public", {depts["a"].pk: 4, depts["b"].pk: 2}, 5, T0)
    with django_assert_max_num_queries(4):
        S.department_scores(survey)


class _G:
    def __init__(self, i):
        self.name = f"群体{i}"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.decimals(min_value=0, max_value=100, places=4),
                          st.decimals(min_value=0, max_value=100, places=2), st.booleans()),
                min_size=1, max_size=8))
def test_score_stays_within_0_100_and_weights_renormalise(rows):
    groups = [GroupScore(_G(i), w, m, 10, counted and w > 0) for i, (w, m, counted) in enumerate(rows)]
    score, flags = combine_groups(groups)
    if score is None:
        assert all(g.effective_weight == 0 for g in groups)
        return
    assert Decimal(0) <= score <= Decimal(100)
    total = sum(g.effective_weight for g in groups)
    assert abs(total - 1) < Decimal("1e-20")
    assert all(g.effective_weight == 0 for g in groups if not g.counted)


def test_group_default_weights_are_a_model_fact(survey):
    assert RespondentGroup.objects.filter(survey=survey, public=False).count() == 3
