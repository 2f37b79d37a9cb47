"""Many ratings of ended cases at once (`rating_record_many`): the bulk path of `rating_record`, for the demo
county's year of ratings and other large loads, with the same rules — checked with rating_record's own helpers
(levels, comment) and the same reason rule against the list read once — and a bad rating's rectification opened
as `rectification_open` opens it. All or nothing: any bad item → RowErrors (each item by its index, with the
field), nothing stored. Rows are written with bulk inserts instead of one INSERT per rating, the rectifications
too (`_open_many`: rectification_open's rows, compared field by field in the tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from xiaoneng.cases.models import Case
from xiaoneng.core.errors import DomainError, RowErrors
from xiaoneng.workdays.calendar import get_calendar

from ..models import (
    BAD_LEVELS,
    Channel,
    Rating,
    RatingLink,
    RatingPolicy,
    RatingReason,
    Rectification,
    RectificationAction,
    SubjectKind,
)
from .rating import CLOCK_SKEW, ENDED_STATUSES, _already, _comment, _level, _local, _reasons
from .rectification import rectification_number


@dataclass
class RatingItem:
    """One rating to record: what `rating_record` takes for a case (a Case or its id), with its own recording
    time `now`."""

    case: Case | int
    level: object
    channel: str
    now: dt.datetime
    reasons: Sequence[str] = ()
    comment: str = ""
    rated_at: dt.datetime | None = None
    rater_name: str = ""
    rater_phone: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Row:
    """What the rules and the copy need of a case (read without building Case objects)."""

    pk: int
    status: str
    ended: dt.datetime | None
    department_id: int
    service_item_id: int | None
    handler_id: int | None


def _check(item: RatingItem, case: _Row, known) -> Rating:
    if item.channel not in Channel.values or item.channel == Channel.DEFAULT:
        raise DomainError("评价渠道无效。", field="channel", code="invalid_channel")
    level = _level(item.level)
    now = item.now
    rated_at = now if item.rated_at is None else item.rated_at
    if not isinstance(rated_at, dt.datetime) or timezone.is_naive(rated_at):
        raise DomainError("评价时间必须带时区（例如 2026-10-09T09:00:00+08:00）。", field="rated_at", code="naive_datetime")
    if rated_at > now + CLOCK_SKEW:
        raise DomainError("评价时间不能晚于当前时间。", field="rated_at", code="rated_in_future")
    rated_at = min(rated_at, now)
    if case.status not in ENDED_STATUSES:
        raise DomainError("该办件尚未办结，办结后才能评价。", field="case_no", code="case_not_ended")
    ended = case.ended
    if ended is not None and rated_at < ended:
        raise DomainError(f"评价时间不能早于办件办结时间（{_local(ended)}）。", field="rated_at", code="rated_before_end")
    return Rating(subject_kind=SubjectKind.CASE, case_id=case.pk, department_id=case.department_id,
                  service_item_id=case.service_item_id, staff_id=case.handler_id, level=level,
                  reasons=_reasons(item.reasons, level, known), comment=_comment(item.comment), channel=item.channel,
                  defaulted=False, rated_at=rated_at, recorded_at=now,
                  rater_name=(item.rater_name or "").strip()[:100], rater_phone=(item.rater_phone or "").strip()[:32],
                  source=(item.source or "")[:64])


@transaction.atomic
def rating_record_many(*, items: Sequence[RatingItem], batch: int = 2000) -> list[Rating]:
    """Record many ratings of ended cases, each under rating_record's rules, and open the rectification of every
    bad one (rectification_open). RowErrors (index, field, message per bad item) and nothing stored if any fails."""
    def key(it: RatingItem) -> int:
        return it.case if isinstance(it.case, int) else it.case.pk

    ids = [key(it) for it in items]
    cases = {pk: _Row(pk, status, closed or completed, dept, item, handler) for pk, status, closed, completed, dept,
             item, handler in Case.objects.select_for_update().filter(pk__in=ids).values_list(
                 "pk", "status", "closed_at", "completed_at", "department_id", "service_item_id", "handler_id")}
    rated = {r.case_id: r for r in Rating.objects.filter(case_id__in=ids)}
    known = dict(RatingReason.objects.filter(enabled=True).values_list("code", "levels"))
    out, errors, seen = [], [], set()
    for i, it in enumerate(items):
        try:
            case = cases.get(key(it))
            if case is None:
                raise DomainError("办件不存在。", field="case_no", code="unknown_case")
            if case.pk in rated:
                raise _already(rated[case.pk])
            if case.pk in seen:
                raise DomainError("同一办件在本批中出现两次：一事一评。", field="case_no", code="duplicate_in_batch")
            seen.add(case.pk)
            out.append(_check(it, case, known))
        except DomainError as exc:
            errors.append({"row": i, "field": exc.field, "error": exc.message})
    if errors:
        raise RowErrors(errors)
    made = Rating.objects.bulk_create(out, batch_size=batch)
    if any(r.pk is None for r in made):  # pragma: no cover - every supported backend returns the keys
        made = list(Rating.objects.filter(case_id__in=ids))
    when = {key(it): it.now for it in items}
    links = list(RatingLink.objects.filter(case_id__in=ids, used_at__isnull=True))
    for link in links:
        link.used_at = when[link.case_id]
    RatingLink.objects.bulk_update(links, ["used_at"], batch_size=batch)
    _open_many([r for r in made if r.level in BAD_LEVELS], batch=batch)
    return made


def _open_many(ratings: list[Rating], *, batch: int) -> None:
    """`rectification_open` for many bad ratings at once: the same rows (number, limit, due time on the
    working-day calendar from the rating's recording, next check at once, the opening action), in bulk.
    tests/test_rating_bulk.py compares them field by field with what rectification_open makes."""
    if not ratings:
        return
    policy = RatingPolicy.current()
    limit = policy.rectification_limit_wd
    cal = get_calendar()
    rects = [Rectification(number=rectification_number(r), rating_id=r.pk, department_id=r.department_id,
                           opened_at=r.recorded_at, limit_wd=limit, due_at=cal.deadline(r.recorded_at, limit, "wd").at,
                           next_check_at=r.recorded_at) for r in ratings]
    rects = Rectification.objects.bulk_create(rects, batch_size=batch)
    RectificationAction.objects.bulk_create(
        [RectificationAction(rectification_id=x.pk, kind=RectificationAction.Kind.OPEN, at=x.opened_at,
                             text=f"差评整改期限 {limit} 个工作日") for x in rects], batch_size=batch)
