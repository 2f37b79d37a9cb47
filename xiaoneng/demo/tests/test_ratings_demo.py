"""The demo county's ratings (issue 12 §4): about a third of the ended cases rated, the channels mixed, a few
departments visibly worse, bad ratings with rectifications, some named — built through the ratings services."""

from datetime import UTC, datetime

import pytest
from django.db.models import Count, Q

from xiaoneng.cases.models import Case
from xiaoneng.demo.county import FOUNDATION, build_county
from xiaoneng.ratings.models import Rating, Rectification
from xiaoneng.ratings.services.rating import ENDED_STATUSES

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_third_of_ended_cases_rated_with_worse_departments():
    ctx = build_county(scale="small", seed=2026, now=NOW, password="Demo-Pass-2026!",
                       only=(*FOUNDATION, "cases", "ratings"))
    ended = Case.objects.filter(status__in=ENDED_STATUSES).count()
    rated = Rating.objects.count()
    assert ctx.counts["ratings"] == rated
    assert 0.27 <= rated / ended <= 0.40, (rated, ended)
    channels = set(Rating.objects.values_list("channel", flat=True))
    assert {"link", "kiosk", "api", "import"} <= channels
    assert not Rating.objects.filter(rated_at__gt=NOW).exists()
    bad = Rating.objects.filter(level__lte=2)
    assert Rectification.objects.count() == bad.count() > 0
    assert bad.exclude(rater_phone="").exists() and bad.filter(rater_phone="").exists()
    # the worse departments' bad share is clearly above the rest
    per = {r["department_id"]: r for r in Rating.objects.values("department_id").annotate(
        n=Count("id"), b=Count("id", filter=Q(level__lte=2)))}
    worse = [per[d] for d in ctx.worse_rated if d in per]
    rest = [r for d, r in per.items() if d not in ctx.worse_rated]
    share = lambda rows: sum(r["b"] for r in rows) / max(sum(r["n"] for r in rows), 1)  # noqa: E731
    assert worse and share(worse) > 2.5 * share(rest)
    assert ctx.timings["ratings"] < 25
