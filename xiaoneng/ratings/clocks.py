"""Rectifications of bad ratings (差评整改) as a clock owner (core/clocks.py): what supervision's engine needs of
them, without supervision importing this app. Registered once in `RatingsConfig.ready()`.

A rectification runs one deadline, `due_at` (RatingPolicy.rectification_limit_wd working days from the rating's
recording), judged by the deadline family: reminder before, yellow and red after, as the rules this owner
ships (`default_rules`, created by supervision after every migrate, editable like every rule).

The clock runs while the department owes the work: open, returned (a return buys no time: `due_at` is kept)
and appealed (an appeal pauses nothing, models.Rectification). It stands still while the office reviews a
submission (submitted) and stops for good when the office accepts it or voids the rating
(`next_check_at` None). Cards already issued stay, as a replied complaint's do: they are the office's record
and the department answers them on the card's own page.

Whose card it is: the rectification's department; its handler when one is assigned, else the department's
heads hear of it (`tell_heads_of`). A row never carries the rater's identity, only the number ZG….
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.clocks import DEADLINE_FAMILY, Checked, ClockRow, Subject

from .models import Rectification, RectificationStatus

STAGE = "rectify"
STAGE_LABEL = "差评整改期限"
# Statuses in which the department owes the work and the clock runs.
RUNNING = (RectificationStatus.OPEN, RectificationStatus.RETURNED, RectificationStatus.APPEALED)
FIELDS = ("id", "number", "department_id", "handler_id", "due_at", "flag")

RULES = (
    {"code": "rating-rectify-reminder", "check_code": "deadline_reminder", "subject_kind": "rating", "kind": "time",
     "level": "reminder", "thresholds": {"before_wd": 2}, "mode": "automatic", "name": "差评整改到期前预警",
     "description": "差评整改期限到期前 2 个工作日（办公时间结束时）尚未提交整改情况，向整改承办人"
                    "（未指定承办人的，向部门负责人）发出预警提醒。"},
    {"code": "rating-rectify-yellow", "check_code": "deadline_overdue", "subject_kind": "rating", "kind": "time",
     "level": "yellow", "thresholds": {"over_wd": 1}, "mode": "automatic", "name": "差评整改超期黄牌",
     "description": "差评整改超过期限 1 个工作日以上仍未提交整改情况（含被退回后未重新提交），亮黄牌。"
                    "效能办审核期间不计时，申诉期间照常计时。"},
    {"code": "rating-rectify-red", "check_code": "deadline_overdue_long", "subject_kind": "rating", "kind": "time",
     "level": "red", "thresholds": {"over_wd": 3}, "mode": "automatic", "name": "差评整改超期红牌",
     "description": "差评整改超过期限 3 个工作日以上仍未提交整改情况，亮红牌。"},
)


class RatingClocks:
    """The rectifications' clock owner (kind "rating": the subject of its cards is a bad rating's rectification)."""

    kind = "rating"
    label = _("差评整改")
    family = DEADLINE_FAMILY
    subject_model = Rectification
    number_field = "number"
    handler_field = "handler"
    default_rules = RULES

    def url_of(self, pk: int, number: str) -> str:
        return reverse("ratings:rectify_detail", args=[number])

    def sync(self, *, now: dt.datetime) -> int:
        return 0  # due dates are computed when the rectification opens, never from a stored calendar revision

    def any_due(self, *, now: dt.datetime) -> bool:
        return Rectification.objects.filter(next_check_at__lte=now).exists()  # index ratings_rect_tick

    def due(self, *, now: dt.datetime, limit: int, skip_locked: bool) -> list[ClockRow]:
        qs = Rectification.objects.filter(next_check_at__lte=now).order_by("next_check_at", "id")
        if skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        rows = [dict(zip(FIELDS + ("status",), v, strict=True)) for v in qs.values_list(*FIELDS, "status")[:limit]]
        return [_row(r) if r["status"] in RUNNING else
                ClockRow(self.kind, r["id"], r["number"], r["department_id"], flag=r["flag"]) for r in rows]

    def checked(self, results: Sequence[Checked], *, now: dt.datetime) -> dict[str, int]:
        from .services.rectification import rectifications_clock_checked

        raised = rectifications_clock_checked(
            checks=[(c.row.id, c.row.flag, c.flag, c.next_check_at) for c in results], now=now)
        return {"rectification_flags_raised": raised}

    def consequence(self, name: str, marks: Sequence[tuple[int, dt.datetime]], *, now: dt.datetime) -> int:
        return 0  # a card changes nothing on the rectification but its flag (written by `checked`)

    def subjects(self, ids: Iterable[int]) -> dict[int, Subject]:
        out = {}
        for pk, no, dept, handler in Rectification.objects.filter(pk__in=set(ids)).values_list(
                "id", "number", "department_id", "handler_id"):
            out[pk] = Subject(no, reverse("ratings:rectify_detail", args=[no]), dept,
                              tell=(handler,) if handler else (), tell_heads_of=() if handler else (dept,))
        return out

    def reschedule(self, *, now: dt.datetime) -> int:
        """A rectification rule changed: every running clock is due at the next tick."""
        return (Rectification.objects.filter(status__in=RUNNING)
                .filter(Q(next_check_at__isnull=True) | Q(next_check_at__gt=now)).update(next_check_at=now))

    def row_of(self, r: Rectification) -> ClockRow:
        """The row of a rectification whose clock just changed, for the judge's `next_check` (no query)."""
        return ClockRow(self.kind, r.pk, r.number, r.department_id, handler_id=r.handler_id, stage=STAGE,
                        due_at=r.due_at, flag=r.flag, label=STAGE_LABEL)


def _row(r: dict) -> ClockRow:
    handler, dept = r["handler_id"], r["department_id"]
    return ClockRow("rating", r["id"], r["number"], dept, handler_id=handler, stage=STAGE, due_at=r["due_at"],
                    flag=r["flag"], label=STAGE_LABEL, tell=(), tell_heads_of=() if handler else (dept,))


RATING_CLOCKS = RatingClocks()
