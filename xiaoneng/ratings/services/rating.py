"""The one way a rating enters the platform (`rating_record`), whatever its channel: the one-time link and its QR
code, the counter's tablet, a department system's API call, an import of the national 好差评 system's export, and
the office's default for an unrated case. Every rule of DOMAIN.md §6 that a rating must meet is checked here, so
no channel can skip one:

- a case is rated only once it has ended (办结, 不予受理, 不予许可, 送达, 撤回), a window contact at once;
- one rating per case or contact (一事一评 / 一次一评): a second is refused (409) with the first one's date;
- five levels, 1-5; reasons only from the office's list and only those offered for that level; a comment of at
  most 500 characters;
- the rating's time is not in the future and not before the case ended (or the contact was served);
- a bad rating (1-2) opens its rectification (差评整改) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from xiaoneng.cases.models import Case, CaseStatus
from xiaoneng.core.errors import Conflict, DomainError
from xiaoneng.workdays.calendar import get_calendar

from ..models import (
    BAD_LEVELS,
    Channel,
    Rating,
    RatingLink,
    RatingPolicy,
    RatingReason,
    SubjectKind,
    WindowContact,
)
from .rectification import rectification_open

# A case has ended (and may be rated) in these statuses.
ENDED_STATUSES = (CaseStatus.COMPLETED, CaseStatus.REFUSED, CaseStatus.DENIED, CaseStatus.DELIVERED,
                  CaseStatus.WITHDRAWN)
COMMENT_MAX = 500
REASONS_MAX = 10
# A department system's clock may run a little ahead of ours: a rating stamped up to this far ahead is taken as now.
CLOCK_SKEW = dt.timedelta(minutes=5)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _local(at: dt.datetime) -> str:
    return f"{at.astimezone(get_calendar().tz):%Y年%-m月%-d日 %H:%M}"


def _level(level) -> int:
    if level.__class__ is not int or not 1 <= level <= 5:
        raise DomainError("评价等级必须是 1 至 5 的整数（5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意）。",
                          field="level", code="invalid_level")
    return level


def _reasons(codes, level: int, known: dict[str, list[int]] | None = None) -> list[str]:
    """The reasons rule: a list of codes, at most REASONS_MAX, each an enabled reason offered for `level`.
    `known` (code → levels of the enabled reasons) is read here when not given; the bulk path reads it once."""
    if codes is None:
        return []
    if isinstance(codes, str) or not isinstance(codes, Sequence):
        raise DomainError("评价原因必须是原因编码的列表。", field="reasons", code="invalid_reasons")
    out: list[str] = []
    for c in codes:
        if not isinstance(c, str) or not c.strip():
            raise DomainError("评价原因必须是原因编码的列表。", field="reasons", code="invalid_reasons")
        c = c.strip()
        if c not in out:
            out.append(c)
    if len(out) > REASONS_MAX:
        raise DomainError(f"评价原因最多选择 {REASONS_MAX} 项。", field="reasons", code="too_many_reasons")
    if not out:
        return out
    if known is None:
        known = dict(RatingReason.objects.filter(code__in=out, enabled=True).values_list("code", "levels"))
    for c in out:
        if c not in known:
            raise DomainError(f"评价原因“{c[:32]}”不在评价原因清单中。", field="reasons", code="unknown_reason")
        if level not in (known[c] or []):
            raise DomainError(f"评价原因“{c[:32]}”不适用于所选评价等级。", field="reasons", code="reason_not_for_level")
    return out


def _comment(text) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise DomainError("评价意见必须是文字。", field="comment", code="invalid_comment")
    text = _CONTROL.sub("", text).strip()
    if len(text) > COMMENT_MAX:
        raise DomainError(f"评价意见最多 {COMMENT_MAX} 字（现为 {len(text)} 字）。", field="comment", code="comment_too_long")
    return text


def _already(rating: Rating) -> Conflict:
    return Conflict(f"该{'办件' if rating.subject_kind == SubjectKind.CASE else '窗口服务'}已于 {_local(rating.rated_at)} "
                    "评价过，一事一评，不能重复评价。", field="case_no" if rating.subject_kind == SubjectKind.CASE
                    else "contact", code="already_rated")


@transaction.atomic
def rating_record(
    *,
    case: Case | None = None,
    contact: WindowContact | None = None,
    level,
    reasons: Sequence[str] | None = (),
    comment: str | None = "",
    channel: str,
    rated_at: dt.datetime | None = None,
    rater_name: str = "",
    rater_phone: str = "",
    source: str = "",
    now: dt.datetime,
    defaulted: bool = False,
) -> Rating:
    """Record one rating of an ended case or of a window contact, from any channel, and open the rectification
    of a bad one. Raises DomainError naming the field (Conflict, 409, for a second rating); stores nothing then.
    `rated_at`: when the person rated (a department system's or an import's own time), default `now`."""
    if (case is None) == (contact is None):
        raise DomainError("必须指定一个被评价的办件或窗口服务。", field="case_no", code="no_subject")
    if channel not in Channel.values or (channel == Channel.DEFAULT) != defaulted:
        raise DomainError("评价渠道无效。", field="channel", code="invalid_channel")
    level = _level(level)
    rated_at = now if rated_at is None else rated_at
    if not isinstance(rated_at, dt.datetime) or timezone.is_naive(rated_at):
        raise DomainError("评价时间必须带时区（例如 2026-10-09T09:00:00+08:00）。", field="rated_at", code="naive_datetime")
    if rated_at > now + CLOCK_SKEW:
        raise DomainError("评价时间不能晚于当前时间。", field="rated_at", code="rated_in_future")
    rated_at = min(rated_at, now)

    if case is not None:
        # Lock the case so two channels rating it at once are decided here, not by the unique index alone.
        case = Case.objects.select_for_update().get(pk=case.pk)
        first = Rating.objects.filter(case=case).first()
        if first is not None:
            raise _already(first)
        if case.status not in ENDED_STATUSES:
            raise DomainError("该办件尚未办结，办结后才能评价。", field="case_no", code="case_not_ended")
        ended = case.closed_at or case.completed_at
        if ended is not None and rated_at < ended:
            raise DomainError(f"评价时间不能早于办件办结时间（{_local(ended)}）。", field="rated_at",
                              code="rated_before_end")
        subject = {"subject_kind": SubjectKind.CASE, "case": case, "department_id": case.department_id,
                   "service_item_id": case.service_item_id, "staff_id": case.handler_id}
    else:
        contact = WindowContact.objects.select_for_update().get(pk=contact.pk)
        first = Rating.objects.filter(contact=contact).first()
        if first is not None:
            raise _already(first)
        if rated_at < contact.served_at:
            raise DomainError(f"评价时间不能早于服务时间（{_local(contact.served_at)}）。", field="rated_at",
                              code="rated_before_end")
        subject = {"subject_kind": SubjectKind.CONTACT, "contact": contact, "department_id": contact.department_id,
                   "service_item_id": contact.service_item_id, "staff_id": contact.clerk_id}

    values = {
        **subject, "level": level, "reasons": _reasons(reasons, level), "comment": _comment(comment),
        "channel": channel, "defaulted": defaulted, "rated_at": rated_at, "recorded_at": now,
        "rater_name": (rater_name or "").strip()[:100], "rater_phone": (rater_phone or "").strip()[:32],
        "source": (source or "")[:64],
    }
    try:
        with transaction.atomic():
            rating = Rating.objects.create(**values)
    except IntegrityError:  # pragma: no cover - the row lock above decides first; this is the last guard
        first = Rating.objects.filter(case=case).first() if case is not None else \
            Rating.objects.filter(contact=contact).first()
        if first is None:
            raise
        raise _already(first) from None
    if case is not None:
        RatingLink.objects.filter(case=case, used_at__isnull=True).update(used_at=now)
    if level in BAD_LEVELS:
        rectification_open(rating=rating, now=now, policy=RatingPolicy.current())
    return rating
