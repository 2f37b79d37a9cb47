"""Rectification proposals (整改建议书) the office confirms (numbered, sent) or discards."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.accounts.selectors import scope_to_staff, supervision_office_id
from xiaoneng.cases.services import (
    document_number_next,
)
from xiaoneng.core.errors import DomainError, NotFound
from xiaoneng.workdays.calendar import get_calendar

from ..models import (
    NotificationKind,
    SupervisionProposal,
    WarningAction,
)
from ..subjects import subject_label, with_subject_numbers
from ..transitions import PROPOSAL_TRANSITIONS
from ._common import _require, _text
from .escalation import proposal_number_text
from .notify import _heads, _write_notifications

PROPOSAL_SERIES = "supervision_proposal"
MAX_PROPOSAL_WD = 60


def _proposal_for(by: Staff, proposal) -> SupervisionProposal:
    pk = proposal.pk if isinstance(proposal, SupervisionProposal) else proposal
    qs = SupervisionProposal.objects.all()
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    p = with_subject_numbers(scope_to_staff(qs, by).select_related("warning", "department")).filter(pk=pk).first()
    if p is None:
        raise NotFound("整改建议书不存在或不在您的权限范围内。")
    return p


@transaction.atomic
def supervision_proposal_issue(*, proposal: SupervisionProposal | int, by: Staff, now: dt.datetime,
                               problem: str, suggestion: str, due_wd: int) -> SupervisionProposal:
    """The office confirms a draft proposal (确认发出): the text as reviewed, a rectification period in working
    days; numbered now in the office's series of the year ('清源县效建〔2026〕第3号'), shown to the department,
    its heads told. Only a supervisor; only a draft."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以确认发出整改建议书。")
    p = _proposal_for(by, proposal)
    step = PROPOSAL_TRANSITIONS["issue"]
    if p.status not in step.sources:
        raise DomainError(f"此建议书当前状态为“{p.get_status_display()}”，不能再次发出。", field="status",
                          code="wrong_status")
    if isinstance(due_wd, bool) or not isinstance(due_wd, int) or not 1 <= due_wd <= MAX_PROPOSAL_WD:
        raise DomainError(f"整改期限应为 1—{MAX_PROPOSAL_WD} 个工作日。", field="due_wd")
    p.problem = _text(problem, "存在问题", field_name="problem", max_len=5000)
    p.suggestion = _text(suggestion, "整改建议", field_name="suggestion", max_len=5000)
    cal = get_calendar()
    local = now.astimezone(cal.tz)
    p.due_at = cal.deadline(now, due_wd, "wd").at  # after hours: from the next working day; a missing year: DomainError
    issuer_id = supervision_office_id()
    if issuer_id is None:
        raise DomainError("尚未设置效能监察机关（部门类型为“效能监察机关”），不能发文。", field="issuer")
    issuer = Department.objects.get(pk=issuer_id)
    p.year = local.year
    p.serial = document_number_next(department=issuer, kind=PROPOSAL_SERIES, year=p.year)
    p.number = proposal_number_text(issuer, p.year, p.serial)
    p.issuer = issuer
    p.due_wd = due_wd
    p.status = step.to
    p.issued_at = now
    p.issued_by = by
    p.save()
    WarningAction.objects.create(warning=p.warning, kind=step.kind, by=by, at=now,
                                 text=f"发出整改建议书 {p.number}，整改期限 {p.due_at.astimezone(cal.tz):%Y-%m-%d %H:%M}。",
                                 from_status=p.warning.status, to_status=p.warning.status)
    subject = f"【整改建议书】{p.number} {subject_label(p.subject_kind, stored=True)} {p.subject_no}"
    body = (f"{subject}。效能监察机关向你单位发出整改建议书，请在 {p.due_at.astimezone(cal.tz):%Y-%m-%d %H:%M} 前"
            "将整改情况书面报送。请登录效能监察平台查看全文。")
    who = _heads({p.department_id}).get(p.department_id, set())
    _write_notifications([(p.warning_id, None, rid, subject, body) for rid in who],
                         kind=NotificationKind.PROPOSAL_ISSUED, now=now)
    return p


@transaction.atomic
def supervision_proposal_discard(*, proposal: SupervisionProposal | int, by: Staff, now: dt.datetime,
                                 reason: str) -> SupervisionProposal:
    """The office decides not to send a draft (不予发出), with a reason; it keeps no number."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以决定不予发出整改建议书。")
    p = _proposal_for(by, proposal)
    step = PROPOSAL_TRANSITIONS["discard"]
    if p.status not in step.sources:
        raise DomainError(f"此建议书当前状态为“{p.get_status_display()}”，不能决定不予发出。", field="status",
                          code="wrong_status")
    p.discard_reason = _text(reason, "不予发出理由", field_name="reason")
    p.status = step.to
    p.discarded_at = now
    p.discarded_by = by
    p.save(update_fields=["discard_reason", "status", "discarded_at", "discarded_by"])
    return p
