"""The demo county's information requests: a hundred over the year through the disclosure services, the outcome
mix, late and corrected ones, one extension, a few pending, reviews, and the tick's cards on the overdue ones."""

from datetime import UTC, datetime

import pytest

from xiaoneng.demo.county import FOUNDATION, build_county
from xiaoneng.demo.information_requests import step_information_requests

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_step_information_requests_builds_a_year_through_the_services():
    from xiaoneng.disclosure.models import InformationRequest, RequestReview
    from xiaoneng.supervision.defaults import rules_ensure_defaults
    from xiaoneng.supervision.models import Warning

    rules_ensure_defaults()
    ctx = build_county(scale="small", seed=2026, now=NOW, password="Demo-Pass-2026!", only=FOUNDATION)
    step_information_requests(ctx)
    qs = InformationRequest.objects.all()
    assert qs.count() == ctx.counts["inforequests"] == 100
    assert len(set(qs.values_list("department_id", flat=True))) >= 5
    assert set(qs.values_list("channel", flat=True)) == {"online", "visit", "letter", "email", "fax"}
    answered = qs.filter(status="answered")
    assert answered.count() == ctx.counts["inforequests_answered"] >= 70
    on_time = answered.filter(on_time=True).count()
    assert on_time / answered.count() > 0.8 and answered.filter(on_time=False).exists()
    assert {"disclosed", "partial", "withheld", "unavailable"} <= set(answered.values_list("answer_type", flat=True))
    assert qs.filter(paused_wd__gt=0).exists() and qs.filter(extension_wd__gt=0).count() == 1
    assert qs.filter(status__in=("received", "correction", "consulting")).count() >= 4
    assert qs.filter(publish_answer=True).exists()
    assert RequestReview.objects.count() == ctx.counts["inforequests_reviews"] >= 2
    numbers = list(qs.order_by("received_at", "id").values_list("number", flat=True))
    assert numbers[0].startswith("YSQ-2025-") and numbers[-1].startswith("YSQ-2026-")
    overdue = qs.filter(status="received", due_at__lt=NOW)
    assert overdue.exists()
    assert Warning.objects.filter(subject_kind="inforequest", subject_id__in=overdue.values("pk")).exists()
