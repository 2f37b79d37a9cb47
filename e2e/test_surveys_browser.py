"""民主评议 in a browser: a respondent opens the 万人评机关 with an invitation code on a phone, rates every
department with the big buttons and submits; the code cannot be used again; the office sees the results chart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from e2e.conftest import login, shot
from e2e.test_accessibility import axe_page, violations  # noqa: F401 (a fixture)
from xiaoneng.surveys import services
from xiaoneng.surveys.models import Response
from xiaoneng.surveys.testing import build_survey, full_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def survey(staff, depts):
    now = timezone.now()
    return build_survey(by=staff["supervisor"], departments=[depts["a"], depts["b"], depts["office"]],
                        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=20),
                        now=now - timedelta(days=2))


def test_respondent_answers_the_matrix_with_a_code_and_office_sees_the_chart(phone_page, page, survey, staff):
    code = services.invitation_codes_generate(survey=survey, group="deputies", count=1, by=staff["supervisor"],
                                              now=timezone.now())[0].code
    p = phone_page
    p.goto(f"/surveys/{survey.token}/?code={code}")
    assert "人大代表" in p.get_by_test_id("code-ok").inner_text()
    rows = p.get_by_test_id("matrix-row")
    assert rows.count() == 3
    # No horizontal scrolling at phone width; the buttons are big enough to tap.
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    box = rows.nth(0).locator("label.btn").first.bounding_box()
    assert box["height"] >= 44
    shot(p, "surveys-phone-form")
    # Submit with one department missing: the page says which, keeps what was chosen.
    rows.nth(0).get_by_text("非常满意").click()
    rows.nth(1).get_by_text("不满意", exact=True).click()
    p.locator("[data-testid^=question-] .form-check-label").filter(has_text="服务态度好").click()
    p.get_by_role("radiogroup", name="总体满意度").get_by_text("满意", exact=True).click()
    p.get_by_test_id("submit").click()
    err = p.get_by_test_id("form-error")
    assert "请为每个部门评分" in err.inner_text()
    shot(p, "surveys-phone-error")
    rows = p.get_by_test_id("matrix-row")
    assert rows.nth(0).locator("input:checked").count() == 1  # kept
    rows.nth(2).get_by_text("基本满意").click()
    p.get_by_test_id("submit").click()
    p.get_by_test_id("thanks").wait_for()
    shot(p, "surveys-phone-thanks")
    assert Response.objects.count() == 1
    # The code is spent.
    p.goto(f"/surveys/{survey.token}/?code={code}")
    assert "已使用过" in p.get_by_test_id("form-error").inner_text()
    shot(p, "surveys-phone-code-used")

    # Forty more answers (the paper questionnaires keyed in) and small minimums, so every department has a score.
    services.groups_save(survey=survey, by=staff["supervisor"], now=timezone.now(), groups=[
        services.GroupInput(g.code, g.name, g.weight, 5, g.public) for g in survey.groups.all()])
    a, b, office = (d.pk for d in survey.current_version.sections.first().questions.first().departments.order_by("pk"))
    now = timezone.now()
    services.responses_bulk_submit(survey=survey, items=[
        (now - timedelta(minutes=i), "public" if i % 3 else "service_users",
         full_answers(survey, {a: 4 + i % 2, b: 1 + i % 3, office: 3 + i % 3}, text="希望窗口延长午间服务" if i % 7 == 0 else ""))
        for i in range(40)])
    login(page, "supervisor")
    page.goto(f"/staff/surveys/{survey.pk}/results/")
    page.wait_for_function("document.querySelector('#chart-scores canvas') !== null")
    assert page.get_by_test_id("score-row").count() == 3
    assert "共收到答卷 41 份" in page.get_by_test_id("total").inner_text()
    shot(page, "surveys-results")
    page.goto(f"/staff/surveys/{survey.pk}/")
    shot(page, "surveys-designer")


def test_questionnaire_and_results_pass_axe(axe_page, survey, staff, depts):  # noqa: F811 (the fixture)
    """WCAG 2.1 A/AA (axe-core): the respondent's page and the office's results page."""
    code = services.invitation_codes_generate(survey=survey, group="public", count=1, by=staff["supervisor"],
                                              now=timezone.now())[0].code
    services.response_submit(survey=survey, answers=full_answers(survey, {d.pk: 4 for d in (
        depts["a"], depts["b"], depts["office"])}), group="public", now=timezone.now())
    axe_page.goto(f"/surveys/{survey.token}/?code={code}")
    assert violations(axe_page) == []
    login(axe_page, "supervisor")
    for url in (f"/staff/surveys/{survey.pk}/results/", f"/staff/surveys/{survey.pk}/", "/staff/surveys/",
                f"/staff/surveys/{survey.pk}/groups/", f"/staff/surveys/{survey.pk}/codes/"):
        axe_page.goto(url)
        assert violations(axe_page) == [], url
