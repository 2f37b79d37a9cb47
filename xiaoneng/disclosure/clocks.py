"""A disclosure check's findings (统一公开日检查发现的问题) as a clock owner (core/clocks.py): kind "disclosure", judged
by supervision's deadline family like every clock, with the rules shipped here as `default_rules`:
disclosure-reminder (1 wd before the rectification deadline), disclosure-yellow (past it: 限期整改 means the day
is the limit), disclosure-red (more than 5 wd past it), all editable on the rules page. Plus the manual rule
disclosure-card-reminder (check "finding": never evaluated by the engine), raised through `Judge.card_raise` once
per department with misses when the check is published — the county-wide bulletin (全区通报) reaching each
department's heads at once, in the supervision monitor, rather than days later at the reminder threshold.

A finding's clock runs from the check's publication while it is open, and stops when the department publishes
the item or has its catalogue accepted (services/findings.py). A draft check's findings have no clock: the
bulletin is what sets the deadline. Registered once in `DisclosureConfig.ready()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.clocks import DEADLINE_FAMILY, Checked, ClockRow, Subject

from .models import CheckFinding, CheckStatus, FindingStatus

KIND = "disclosure"
STAGE = "rectify"
STAGE_LABEL = "政务公开整改期限"
CARD_RULE = "disclosure-card-reminder"

DEFAULT_RULES = (
    {"code": "disclosure-reminder", "check_code": "deadline_reminder", "subject_kind": KIND, "kind": "time",
     "level": "reminder", "thresholds": {"before_wd": 1}, "mode": "automatic", "name": "政务公开整改到期前预警",
     "description": "统一公开日检查发现的问题在整改期限到期前 1 个工作日（办公时间结束时）仍未整改，向责任单位负责人发出预警提醒。"},
    {"code": "disclosure-yellow", "check_code": "deadline_overdue", "subject_kind": KIND, "kind": "time",
     "level": "yellow", "thresholds": {"over_wd": 0}, "mode": "automatic", "name": "政务公开整改超期黄牌",
     "description": "统一公开日检查发现的问题超过整改期限仍未公开（限期整改），亮黄牌并自动督办。"},
    {"code": "disclosure-red", "check_code": "deadline_overdue_long", "subject_kind": KIND, "kind": "time",
     "level": "red", "thresholds": {"over_wd": 5}, "mode": "automatic", "name": "政务公开整改严重超期红牌",
     "description": "统一公开日检查发现的问题超过整改期限 5 个工作日以上仍未公开，亮红牌并起草整改建议书。"},
    {"code": CARD_RULE, "check_code": "finding", "subject_kind": KIND, "kind": "event", "level": "reminder",
     "thresholds": {}, "mode": "automatic", "name": "统一公开日检查通报提醒",
     "description": "统一公开日检查结果通报时，向存在问题的单位发出提醒（依据为本单位的问题清单和整改期限）。"},
)


class DisclosureClocks:
    """The disclosure check's clock owner: a finding's rectification (整改) deadline."""

    kind = KIND
    label = _("政务公开检查问题")
    family = DEADLINE_FAMILY
    subject_model = CheckFinding
    number_field = "number"
    handler_field = ""  # the department answers as a whole: its heads hear of the card
    default_rules = DEFAULT_RULES

    def url_of(self, pk: int, number: str) -> str:
        return reverse("disclosure:check_findings") + f"?finding={number}"

    def sync(self, *, now: dt.datetime) -> int:
        return 0  # the deadline is fixed at publication

    def any_due(self, *, now: dt.datetime) -> bool:
        return CheckFinding.objects.filter(next_check_at__lte=now).exists()

    def due(self, *, now: dt.datetime, limit: int, skip_locked: bool) -> list[ClockRow]:
        qs = CheckFinding.objects.filter(next_check_at__lte=now).order_by("next_check_at", "id")
        if skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        out = []
        for pk, number, dept, status, due, flag, check_status in qs.values_list(
                "id", "number", "department_id", "status", "due_at", "flag", "disclosure_check__status")[:limit]:
            running = status == FindingStatus.OPEN and check_status == CheckStatus.PUBLISHED
            out.append(ClockRow(KIND, pk, number, dept, stage=STAGE if running else "",
                                due_at=due if running else None, flag=flag, label=STAGE_LABEL,
                                tell_heads_of=(dept,)))
        return out

    def checked(self, results: Sequence[Checked], *, now: dt.datetime) -> dict[str, int]:
        from .services.check import findings_clock_checked

        findings_clock_checked(checks=[(c.row.id, c.flag, c.next_check_at) for c in results])
        return {}

    def consequence(self, name: str, marks: Sequence[tuple[int, dt.datetime]], *, now: dt.datetime) -> int:
        return 0

    def subjects(self, ids: Iterable[int]) -> dict[int, Subject]:
        return {pk: Subject(no, self.url_of(pk, no), dept, tell_heads_of=(dept,))
                for pk, no, dept in CheckFinding.objects.filter(pk__in=set(ids)).values_list(
                    "id", "number", "department_id")}

    def reschedule(self, *, now: dt.datetime) -> int:
        """A disclosure rule changed: every running rectification clock is looked at again at the next tick."""
        return CheckFinding.objects.filter(status=FindingStatus.OPEN,
                                           disclosure_check__status=CheckStatus.PUBLISHED).update(next_check_at=now)

    def row_of(self, f: CheckFinding) -> ClockRow:
        """The row of a finding whose clock just started (publication), for the judge's `next_check`."""
        return ClockRow(KIND, f.pk, f.number, f.department_id, stage=STAGE, due_at=f.due_at, flag=f.flag or "",
                        label=STAGE_LABEL)


DISCLOSURE_CLOCKS = DisclosureClocks()
