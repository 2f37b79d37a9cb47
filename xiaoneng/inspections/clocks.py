"""Inspection findings' correction tasks (整改) as a clock owner (core/clocks.py): kind "finding", judged by
supervision's deadline family like every clock (reminder before, yellow and red after the due time), with the
rules shipped here as `default_rules` (finding-reminder / -yellow / -red, editable on the rules page).
Registered once in `InspectionsConfig.ready()`.

A finding's clock runs while its correction is open (整改中) and stops when the department answers (the office
reviews; a return starts it again with a new limit). Its card is the finding's department's; who hears of it:
that department's heads. A row never carries the visit's inspectors, an invited supervisor's name, nor
anything of a covert visit before the office published it (a correction can only start after publication).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.clocks import DEADLINE_FAMILY, Checked, ClockRow, Subject

from .models import Correction, Finding

KIND = "finding"
STAGE = "correction"
STAGE_LABEL = "明查暗访问题整改期限"
FIELDS = ("id", "number", "department_id", "correction_due_at", "flag")

DEFAULT_RULES = (
    {"code": "finding-reminder", "check_code": "deadline_reminder", "subject_kind": KIND, "kind": "time",
     "level": "reminder", "thresholds": {"before_wd": 2}, "mode": "automatic", "name": "检查问题整改到期前预警",
     "description": "明查暗访发现问题的整改期限到期前 2 个工作日（办公时间结束时）尚未反馈整改情况，向责任单位负责人发出预警提醒。"},
    {"code": "finding-yellow", "check_code": "deadline_overdue", "subject_kind": KIND, "kind": "time",
     "level": "yellow", "thresholds": {"over_wd": 1}, "mode": "automatic", "name": "检查问题整改超期黄牌",
     "description": "明查暗访发现问题超过整改期限 1 个工作日以上仍未反馈整改情况，亮黄牌。"},
    {"code": "finding-red", "check_code": "deadline_overdue_long", "subject_kind": KIND, "kind": "time",
     "level": "red", "thresholds": {"over_wd": 2}, "mode": "automatic", "name": "检查问题整改超期红牌",
     "description": "明查暗访发现问题超过整改期限 2 个工作日以上仍未反馈整改情况，亮红牌。"},
    # Manual cards on a finding (check "finding": the engine never evaluates it; the office raises them from the
    # finding's page through Judge.card_raise, the finding as the card's basis).
    *({"code": f"finding-card-{level}", "check_code": "finding", "subject_kind": KIND, "kind": "event",
       "level": level, "thresholds": {}, "mode": "automatic", "name": name, "description": text}
      for level, name, text in (
          ("reminder", "检查发现问题提醒", "效能办对明查暗访发现的问题向责任单位发出提醒。"),
          ("yellow", "检查发现问题黄牌", "效能办对明查暗访发现的问题向责任单位亮黄牌（依据为该问题），自动督办。"),
          ("red", "检查发现问题红牌", "效能办对明查暗访发现的严重问题向责任单位亮红牌，自动督办并起草整改建议书。"),
      )),
)


class FindingClocks:
    """The inspections' clock owner: a finding's correction task."""

    kind = KIND
    label = _("检查发现问题")
    family = DEADLINE_FAMILY
    subject_model = Finding
    number_field = "number"
    handler_field = ""  # the department answers as a whole: its heads hear of the card
    default_rules = DEFAULT_RULES

    def url_of(self, pk: int, number: str) -> str:
        return reverse("inspections:finding", args=[pk])

    def sync(self, *, now: dt.datetime) -> int:
        return 0  # due times are computed when a correction starts

    def any_due(self, *, now: dt.datetime) -> bool:
        return Finding.objects.filter(next_check_at__lte=now).exists()

    def due(self, *, now: dt.datetime, limit: int, skip_locked: bool) -> list[ClockRow]:
        qs = Finding.objects.filter(next_check_at__lte=now).order_by("next_check_at", "id")
        if skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        out = []
        for r in qs.values_list("id", "number", "department_id", "correction", "correction_due_at", "flag")[:limit]:
            pk, number, dept, state, due, flag = r
            running = state == Correction.OPEN and due is not None
            out.append(ClockRow(KIND, pk, number, dept, stage=STAGE if running else "", due_at=due if running else None,
                                flag=flag, label=STAGE_LABEL, tell_heads_of=(dept,)))
        return out

    def checked(self, results: Sequence[Checked], *, now: dt.datetime) -> dict[str, int]:
        from .services import findings_clock_checked

        findings_clock_checked(checks=[(c.row.id, c.flag, c.next_check_at) for c in results])
        return {}

    def consequence(self, name: str, marks: Sequence[tuple[int, dt.datetime]], *, now: dt.datetime) -> int:
        return 0

    def subjects(self, ids: Iterable[int]) -> dict[int, Subject]:
        return {pk: Subject(no, reverse("inspections:finding", args=[pk]), dept, tell_heads_of=(dept,))
                for pk, no, dept in Finding.objects.filter(pk__in=set(ids)).values_list("id", "number", "department_id")}

    def reschedule(self, *, now: dt.datetime) -> int:
        """A finding rule changed: every running correction clock is looked at again at the next tick."""
        return Finding.objects.filter(correction=Correction.OPEN, correction_due_at__isnull=False).update(
            next_check_at=now)

    def row_of(self, f: Finding) -> ClockRow:
        """The row of a finding whose correction clock just changed, for the judge's `next_check`."""
        return ClockRow(KIND, f.pk, f.number, f.department_id, stage=STAGE, due_at=f.correction_due_at, flag="",
                        label=STAGE_LABEL)


FINDING_CLOCKS = FindingClocks()
