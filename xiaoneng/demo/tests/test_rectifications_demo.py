"""The demo's rectifications of bad ratings (demo/rectifications.py): played through the ratings services on
the bad ratings in the database — most accepted on time, a few late with the cards the tick raised, two still
open past due (carded today), one returned then accepted, one appeal upheld (rating voided), one rejected."""

from __future__ import annotations

import datetime as dt
import random
import time
from datetime import UTC, datetime

import pytest

from xiaoneng.accounts.models import Department
from xiaoneng.demo.county import FOUNDATION, build_county
from xiaoneng.demo.rectifications import step_rectifications
from xiaoneng.ratings.models import (
    Appeal,
    Channel,
    ContactKind,
    Rating,
    Rectification,
    SubjectKind,
    WindowContact,
)
from xiaoneng.ratings.services.rectification import rectification_open
from xiaoneng.supervision.models import Warning

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _bad_ratings(rng: random.Random, n: int) -> None:
    """Bad ratings spread over the year in the bureaus (what the ratings step records), each opening its
    rectification as `rating_record` does."""
    from xiaoneng.workdays.calendar import get_calendar

    cal = get_calendar()
    bureaus = list(Department.objects.filter(kind="bureau").order_by("code"))
    start = NOW - dt.timedelta(days=360)
    for i in range(n):
        day = (start + dt.timedelta(days=rng.randrange(0, 358))).astimezone(cal.tz).date()
        while not cal.is_working_day(day):
            day += dt.timedelta(days=1)
        when = dt.datetime.combine(day, dt.time(rng.randrange(9, 17), rng.randrange(60)), tzinfo=cal.tz)
        if when >= NOW:
            when = NOW - dt.timedelta(hours=3)
        dept = bureaus[i % len(bureaus)]
        contact = WindowContact.objects.create(number=f"CK-DEMO-{i:05d}", department=dept,
                                               kind=ContactKind.CONSULTATION, served_at=when)
        named = rng.random() < 0.5
        rating = Rating.objects.create(
            subject_kind=SubjectKind.CONTACT, contact=contact, department=dept, level=rng.choice((1, 2)),
            reasons=[], comment="办事等了很久。", channel=Channel.KIOSK, rated_at=when, recorded_at=when,
            rater_name="张某" if named else "", rater_phone="13800000000" if named else "")
        rectification_open(rating=rating, now=when)


@pytest.mark.django_db
def test_a_year_of_rectifications(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ctx = build_county(scale="small", seed=2026, now=NOW, password="Demo-Pass-2026!", only=FOUNDATION)
    from xiaoneng.supervision.defaults import rules_ensure_defaults

    rules_ensure_defaults()
    _bad_ratings(random.Random(5), 240)
    t0 = time.perf_counter()
    step_rectifications(ctx)
    seconds = time.perf_counter() - t0
    rs = Rectification.objects.all()
    assert rs.count() == 240
    accepted = rs.filter(status="accepted")
    on_time = accepted.filter(on_time=True).count()
    assert on_time > 0.7 * rs.count(), ctx.counts
    late = accepted.filter(on_time=False)
    assert 1 <= late.count() <= 20
    # The late ones carry the cards the tick raised before they were submitted.
    carded = Warning.objects.filter(subject_kind="rating", subject_id__in=late.values("id"))
    assert carded.filter(level="yellow").exists()
    # Still open long past due: carded today (red).
    overdue = rs.filter(status="open", due_at__lt=NOW - dt.timedelta(days=10))
    assert overdue.exists()
    assert Warning.objects.filter(subject_kind="rating", subject_id__in=overdue.values("id"), level="red").exists()
    # One returned then accepted; one appeal upheld (voided), one rejected.
    returned = rs.filter(actions__kind="return").distinct()
    assert returned.count() == 1 and returned.get().status == "accepted"
    voided = rs.get(status="voided")
    assert voided.rating.voided_at is not None and voided.rating.void_reason
    assert Appeal.objects.filter(decision="upheld").count() == 1 and Appeal.objects.filter(decision="rejected").count() == 1
    assert Appeal.objects.get(decision="upheld").evidence
    # The latest ones still being worked on or waiting for review; named ones all called back once submitted.
    assert rs.filter(status__in=("open", "submitted"), due_at__gt=NOW).exists()
    submitted = rs.filter(submitted_at__isnull=False).exclude(rating__rater_name="", rating__rater_phone="")
    assert submitted.exists() and not submitted.filter(callback_at__isnull=True).exists()
    assert all(r.callback_at <= r.submitted_at and r.callback_at >= r.rating.rated_at
               for r in rs.filter(callback_at__isnull=False).select_related("rating"))
    assert ctx.counts["rectify_rectifications"] == 240
    print("rectifications step", round(seconds, 2), "s", ctx.counts)
    assert seconds < 60  # the whole step stays quick (about 240 rectifications, several ticks)
