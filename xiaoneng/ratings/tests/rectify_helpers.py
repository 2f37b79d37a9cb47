"""Helpers for the rectification tests (差评整改): a bad rating of a window contact built with the ORM, its
rectification opened by the real `rectification_open` (what `rating_record` does for every bad rating)."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from xiaoneng.ratings.models import Channel, ContactKind, Rating, RatingReason, SubjectKind, WindowContact
from xiaoneng.ratings.services.rectification import rectification_open

TZ = ZoneInfo("Asia/Shanghai")
_n = itertools.count(1)


def at(text: str) -> datetime:
    """'2026-09-28 09:00' → aware datetime in Asia/Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def reasons_ensure() -> None:
    """The reasons the helper's ratings tick (the reason list is the office's; tests make the ones they use)."""
    RatingReason.objects.get_or_create(code="attitude", defaults={"name": "服务态度差", "levels": [1, 2]})


def bad_rating(department, *, when: datetime, level: int = 1, rater_name: str = "", rater_phone: str = "",
               comment: str = "窗口人员态度生硬，让我跑了三趟。", reasons=("attitude",)) -> Rating:
    n = next(_n)
    reasons_ensure()
    contact = WindowContact.objects.create(number=f"CK-T{n:06d}-{department.pk}", department=department,
                                           kind=ContactKind.CONSULTATION, served_at=when, window_name="3号窗口")
    return Rating.objects.create(subject_kind=SubjectKind.CONTACT, contact=contact, department=department,
                                 level=level, reasons=list(reasons), comment=comment, channel=Channel.KIOSK,
                                 rated_at=when, recorded_at=when, rater_name=rater_name, rater_phone=rater_phone)


def open_rectification(department, *, when: datetime, **kw):
    rating = bad_rating(department, when=when, **kw)
    return rectification_open(rating=rating, now=when)
