"""Information requests (依申请公开) as a clock owner (core/clocks.py): kind "inforequest", judged by supervision's
deadline family like every clock, with its rules shipped here as `default_rules` (inforequest-reminder 3 wd
before the answer is due, -yellow as soon as it is overdue, -red more than 5 wd overdue; editable on the rules
page). Registered once in `DisclosureConfig.ready()` (the requests block).

A request's clock runs while it waits for the answer (received); it stands still while the applicant corrects
the request (§30) or a third party is consulted (§32) — `due_at` None on the row, so nothing is judged and the
row is only rescheduled — and stops for good once answered or withdrawn. The card is the answering
department's; who hears of it: the handler, or the department's heads while nobody is assigned. A row carries
the request's number only, never the applicant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.clocks import DEADLINE_FAMILY, Checked, ClockRow, Subject

from .models import InformationRequest, RequestStatus

KIND = "inforequest"
STAGE = "answer"
STAGE_LABEL = "政府信息公开申请答复期限"

DEFAULT_RULES = (
    {"code": "inforequest-reminder", "check_code": "deadline_reminder", "subject_kind": KIND, "kind": "time",
     "level": "reminder", "thresholds": {"before_wd": 3}, "mode": "automatic", "name": "依申请公开答复到期前预警",
     "description": "政府信息公开申请的答复期限到期前 3 个工作日（办公时间结束时）尚未答复，向承办人（未指定时向答复机关负责人）发出预警提醒。"},
    {"code": "inforequest-yellow", "check_code": "deadline_overdue", "subject_kind": KIND, "kind": "time",
     "level": "yellow", "thresholds": {"over_wd": 0}, "mode": "automatic", "name": "依申请公开逾期未答复黄牌",
     "description": "政府信息公开申请超过答复期限（含经批准延长的期限，补正和征求第三方意见的时间不计算在内）仍未答复，亮黄牌。"},
    {"code": "inforequest-red", "check_code": "deadline_overdue_long", "subject_kind": KIND, "kind": "time",
     "level": "red", "thresholds": {"over_wd": 5}, "mode": "automatic", "name": "依申请公开逾期未答复红牌",
     "description": "政府信息公开申请超过答复期限 5 个工作日以上仍未答复，亮红牌。"},
)


class InfoRequestClocks:
    """The disclosure app's clock owner of information requests."""

    kind = KIND
    label = _("依申请公开")
    family = DEADLINE_FAMILY
    subject_model = InformationRequest
    number_field = "number"
    handler_field = "handler"
    default_rules = DEFAULT_RULES

    def url_of(self, pk: int, number: str) -> str:
        return reverse("disclosure:request_detail", args=[number])

    def sync(self, *, now: dt.datetime) -> int:
        return 0  # deadlines are recomputed by the request's own steps

    def any_due(self, *, now: dt.datetime) -> bool:
        return InformationRequest.objects.filter(next_check_at__lte=now).exists()

    def due(self, *, now: dt.datetime, limit: int, skip_locked: bool) -> list[ClockRow]:
        qs = InformationRequest.objects.filter(next_check_at__lte=now).order_by("next_check_at", "id")
        if skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        out = []
        for pk, number, dept, handler, status, due, flag in qs.values_list(
                "id", "number", "department_id", "handler_id", "status", "due_at", "flag")[:limit]:
            running = status == RequestStatus.RECEIVED
            out.append(ClockRow(KIND, pk, number, dept, handler_id=handler, stage=STAGE if running else "",
                                due_at=due if running else None, flag=flag, label=STAGE_LABEL))
        return out

    def checked(self, results: Sequence[Checked], *, now: dt.datetime) -> dict[str, int]:
        from .services.requests import information_requests_clock_checked

        information_requests_clock_checked(checks=[(c.row.id, c.flag, c.next_check_at) for c in results])
        return {}

    def consequence(self, name: str, marks: Sequence[tuple[int, dt.datetime]], *, now: dt.datetime) -> int:
        return 0

    def subjects(self, ids: Iterable[int]) -> dict[int, Subject]:
        return {pk: Subject(no, self.url_of(pk, no), dept)
                for pk, no, dept in InformationRequest.objects.filter(pk__in=set(ids)).values_list(
                    "id", "number", "department_id")}

    def reschedule(self, *, now: dt.datetime) -> int:
        """A rule of this kind changed: every running clock is looked at again at the next tick."""
        return InformationRequest.objects.filter(status=RequestStatus.RECEIVED).update(next_check_at=now)

    def row_of(self, req: InformationRequest) -> ClockRow:
        """The row of a request whose clock just changed, for the judge's `next_check`."""
        running = req.status == RequestStatus.RECEIVED
        return ClockRow(KIND, req.pk, req.number, req.department_id, handler_id=req.handler_id,
                        stage=STAGE if running else "", due_at=req.due_at if running else None, flag=req.flag,
                        label=STAGE_LABEL)


INFOREQUEST_CLOCKS = InfoRequestClocks()
