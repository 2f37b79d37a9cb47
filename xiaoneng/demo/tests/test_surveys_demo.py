"""The demo county's 万人评机关: built through the survey services, several hundred (small) or thousands of
responses over the groups, scores for the bureaus, a few visibly worse."""

from datetime import UTC, datetime

import pytest

from xiaoneng.demo.county import FOUNDATION, build_county

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_small_demo_has_a_closed_survey_with_scores(settings):
    from xiaoneng.surveys import selectors as S
    from xiaoneng.surveys.models import Response, Survey

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ctx = build_county(scale="small", seed=2026, now=NOW, password="Demo-Pass-2026!", only=(*FOUNDATION, "surveys"))
    s = Survey.objects.get()
    assert s.title == "2026年度万人评机关" and s.closes_at < NOW
    assert ctx.counts["survey_responses"] == Response.objects.count() == 600
    groups = set(Response.objects.values_list("group__code", flat=True))
    assert {"service_users", "enterprises", "public"} <= groups
    scores = [d for d in S.department_scores(s) if d.score is not None]
    assert len(scores) >= 5
    values = sorted(d.score for d in scores)
    assert values[0] < 45 < values[-1]  # a few bureaus visibly worse
    # The next issue's reader finds it in the year and in Q4.
    assert S.survey_scores(datetime(2026, 1, 1).date(), datetime(2026, 12, 31).date())
