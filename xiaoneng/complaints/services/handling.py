"""Handling: acceptance (accept, refuse, transfer), dispatch and disputes, the departments' handling (notes,
pause and resume, withdrawal, extensions, results), the office's decisions on a complaint (merge, assign,
sharing and publishing attachments), and the write-back of what the supervision tick found on the clocks.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.workdays.calendar import get_calendar

from ..conf import cfg
from ..models import (
    Attachment,
    Complaint,
    Dispatch,
    Extension,
    Flag,
    Note,
    Outcome,
    Pause,
    RefusalReason,
    Stage,
    Status,
    TimelineEntry,
)
from ..uploads import CleanFile
from ._common import (
    _attach,
    _day,
    _due,
    _lock,
    _log,
    _require_office,
    _require_transition,
    _save,
    _shift,
    _speaking,
    _text,
)
from .messages import _message_complainant


# ----------------------------------------------------------------------------------------------- clocks
def complaints_clock_checked(*, checks: list[tuple[int, str, str, dt.datetime | None]], now: dt.datetime) -> int:
    """Write back what the supervision tick found on complaint clocks: for each (complaint id, flag before,
    flag now, next check) the flag and the next check; a raised flag is also an internal timeline entry.
    Called inside the tick's transaction, on rows it has locked. Returns how many flags were raised."""
    order = {Flag.NONE: 0, Flag.REMINDER: 1, Flag.YELLOW: 2, Flag.RED: 3}
    raised = []
    for pk, before, flag, next_at in checks:
        Complaint.objects.filter(pk=pk).update(flag=flag, next_check_at=next_at)
        if order.get(flag, 0) > order.get(before or Flag.NONE, 0):
            raised.append((pk, flag))
    if raised:
        info = dict(Complaint.objects.filter(pk__in=[pk for pk, _f in raised]).values_list("pk", "due_stage"))
        dues = dict(Complaint.objects.filter(pk__in=[pk for pk, _f in raised]).values_list("pk", "due_at"))
        TimelineEntry.objects.bulk_create([
            TimelineEntry(complaint_id=pk, kind=TimelineEntry.Kind.FLAG, at=now, actor_label="系统",
                          detail=f"{Stage(info[pk]).label if info.get(pk) else ''}{Flag(flag).label}"
                                 f"（期限 {_day(dues[pk]) if dues.get(pk) else '—'}）")
            for pk, flag in raised
        ])
    return len(raised)


# ----------------------------------------------------------------------------------------------- acceptance
@transaction.atomic
def complaint_accept(*, complaint: Complaint, by: Staff, now: dt.datetime, notice: str = "") -> Complaint:
    """Accept the complaint (受理): the office takes it on, `by` becomes its office handler, the complainant is
    told in writing, and the handling clock starts."""
    _require_office(by)
    c = _lock(complaint)
    _require_transition(c, "accept")
    c.status, c.decided_at, c.accepted_at = Status.ACCEPTED, now, now
    c.office_handler = c.office_handler or by
    c.handling_due_at = _due(now, cfg("URGENT_LIMIT_WD") if c.urgent else cfg("HANDLING_LIMIT_WD"))
    with _speaking(c):
        text = (notice or "").strip()[:2000] or (
            _("您反映的问题属于效能投诉受理范围，效能办已于 %(day)s 决定受理，将转交有关单位调查处理，处理结果将及时答复您。")
            % {"day": _day(now)})
        entry = _log(c, TimelineEntry.Kind.ACCEPTED, now=now, by=by,
                     public_text=_("受理告知：%(text)s") % {"text": text})
        _message_complainant(c, entry, now=now, what=_("受理告知"))
    return _save(c, now)


@transaction.atomic
def complaint_refuse(*, complaint: Complaint, by: Staff, now: dt.datetime, reason: str, text: str) -> Complaint:
    """Refuse the complaint (不予受理) with a reason from the list and a written explanation."""
    _require_office(by)
    c = _lock(complaint)
    _require_transition(c, "refuse")
    if reason not in RefusalReason.values:
        raise DomainError("请选择不予受理的理由。", field="reason")
    text = _text(text, "text", "不予受理的具体说明", min_len=5, max_len=2000)
    c.status, c.decided_at, c.closed_at = Status.REFUSED, now, now
    c.refusal_reason, c.decision_text = reason, text
    c.office_handler = c.office_handler or by
    label = RefusalReason(reason).label
    with _speaking(c):
        entry = _log(c, TimelineEntry.Kind.REFUSED, now=now, by=by,
                     public_text=_("不予受理告知：经审查，您的投诉%(reason)s，决定不予受理。%(text)s")
                     % {"reason": label, "text": text})
        _message_complainant(c, entry, now=now, what=_("不予受理告知"))
    return _save(c, now)


@transaction.atomic
def complaint_transfer(*, complaint: Complaint, by: Staff, now: dt.datetime, authority: str, text: str) -> Complaint:
    """Hand the complaint to another authority (移送), e.g. the discipline commission or a court, with a notice."""
    _require_office(by)
    c = _lock(complaint)
    _require_transition(c, "transfer")
    authority = _text(authority, "authority", "移送机关", max_len=100)
    text = _text(text, "text", "移送说明", min_len=5, max_len=2000)
    c.status, c.decided_at, c.closed_at = Status.TRANSFERRED, c.decided_at or now, now
    c.transfer_to, c.decision_text = authority, text
    c.office_handler = c.office_handler or by
    with _speaking(c):
        entry = _log(c, TimelineEntry.Kind.TRANSFERRED, now=now, by=by,
                     public_text=_("移送告知：您反映的问题依法应由%(authority)s处理，效能办已于 %(day)s 移送。%(text)s")
                     % {"authority": authority, "day": _day(now), "text": text})
        _message_complainant(c, entry, now=now, what=_("移送告知"))
    return _save(c, now)


# ----------------------------------------------------------------------------------------------- dispatch
@transaction.atomic
def complaint_dispatch(
    *,
    complaint: Complaint,
    by: Staff,
    now: dt.datetime,
    departments: list[Department],
    lead: Department | None = None,
    limit_wd: int | None = None,
    urgent: bool | None = None,
    instructions: str = "",
) -> list[Dispatch]:
    """Dispatch (转办/交办) the complaint to one or several departments with a handling limit; the lead's
    limit is the complaint's handling clock. Each department may dispute within DISPUTE_LIMIT_WD."""
    _require_office(by)
    c = _lock(complaint)
    _require_transition(c, "dispatch")
    departments = list(dict.fromkeys(d for d in departments if d is not None))
    if not departments:
        raise DomainError("请至少选择一个承办单位。", field="departments")
    if len(departments) > 10:
        raise DomainError("承办单位最多 10 个。", field="departments")
    lead = lead or departments[0]
    if lead not in departments:
        raise DomainError("主办单位必须是承办单位之一。", field="lead")
    if urgent is not None:
        c.urgent = urgent
    default = cfg("URGENT_LIMIT_WD") if c.urgent else cfg("HANDLING_LIMIT_WD")
    limit = default if limit_wd is None else limit_wd
    if not isinstance(limit, int) or not 1 <= limit <= 60:
        raise DomainError("办理时限应为 1 至 60 个工作日。", field="limit_wd")
    due = _due(now, limit)
    dispute_due = _due(now, cfg("DISPUTE_LIMIT_WD"))
    rnd = c.reopen_count + 1
    rows = [Dispatch(complaint=c, department=d, is_lead=(d == lead), instructions=instructions.strip()[:2000],
                     limit_wd=limit, dispatched_at=now, dispatched_by=by, due_at=due, dispute_due_at=dispute_due,
                     round=rnd) for d in departments]
    Dispatch.objects.bulk_create(rows)
    c.status, c.dispatched_at, c.handling_due_at = Status.DISPATCHED, now, due
    names = "、".join(d.name for d in departments)
    with _speaking(c):
        public = _("效能办已将您的投诉转交%(names)s调查处理，办理期限至 %(day)s。") % {"names": names, "day": _day(due)}
    _log(c, TimelineEntry.Kind.DISPATCHED, now=now, by=by,
         detail=f"主办：{lead.name}；时限 {limit} 个工作日（{_day(due)}）。{instructions.strip()[:500]}",
         public_text=public)
    _save(c, now)
    return list(Dispatch.objects.filter(complaint=c, round=rnd, dispatched_at=now))


def _dispatch_for(dispatch: Dispatch, by: Staff) -> Dispatch:
    """The dispatch, locked, if `by` is staff (handler or head) of its department or above it."""
    d = Dispatch.objects.select_for_update().select_related("department", "complaint").get(pk=dispatch.pk)
    if by is None or not by.has_any_role(R.HANDLER, R.HEAD) or by.department_id is None \
            or not d.department.path.startswith(by.department.path):
        raise NotPermitted("只有承办单位的工作人员可以办理本件。")
    return d


@transaction.atomic
def dispatch_dispute(*, dispatch: Dispatch, by: Staff, now: dt.datetime, reason: str) -> Dispatch:
    """A department disputes the dispatch (not its responsibility) within the dispute limit; the office decides."""
    d = _dispatch_for(dispatch, by)
    if d.state != Dispatch.State.ACTIVE or d.result_at:
        raise DomainError("该转办已不能提出异议。", code="bad_status")
    if now > d.dispute_due_at:
        raise DomainError(f"异议期限（{cfg('DISPUTE_LIMIT_WD')} 个工作日）已过，不能再提出异议。", code="too_late")
    reason = _text(reason, "reason", "异议理由", min_len=5, max_len=2000)
    d.state, d.dispute_reason, d.disputed_at = Dispatch.State.DISPUTED, reason, now
    d.save()
    _log(d.complaint, TimelineEntry.Kind.DISPUTED, now=now, by=by, detail=f"{d.department.name}：{reason}")
    return d


@transaction.atomic
def dispatch_dispute_decide(*, dispatch: Dispatch, by: Staff, now: dt.datetime, uphold: bool, text: str,
                            redirect_to: Department | None = None) -> Dispatch:
    """The office decides a dispute: uphold it (the dispatch is withdrawn, optionally re-dispatched to
    `redirect_to`) or reject it (the department keeps the complaint, its clock unchanged)."""
    _require_office(by)
    d = Dispatch.objects.select_for_update().select_related("department").get(pk=dispatch.pk)
    if d.state != Dispatch.State.DISPUTED:
        raise DomainError("该转办没有待处理的异议。", code="bad_status")
    text = _text(text, "text", "异议处理意见", max_len=2000)
    c = _lock(d.complaint)
    d.dispute_decision = text
    if not uphold:
        d.state = Dispatch.State.ACTIVE
        d.save()
        _log(c, TimelineEntry.Kind.DISPUTE_DECIDED, now=now, by=by, detail=f"异议不成立，{d.department.name}继续办理：{text}")
        return d
    d.state = Dispatch.State.WITHDRAWN
    d.save()
    _log(c, TimelineEntry.Kind.DISPUTE_DECIDED, now=now, by=by, detail=f"异议成立，撤回对{d.department.name}的转办：{text}")
    others = c.dispatches.filter(state__in=(Dispatch.State.ACTIVE, Dispatch.State.DISPUTED), round=d.round)
    if redirect_to is not None:
        c.status = Status.ACCEPTED
        c.save(update_fields=["status"])
        complaint_dispatch(complaint=c, by=by, now=now, departments=[redirect_to], limit_wd=d.limit_wd,
                           instructions=f"原承办单位异议成立后改派。{text}")
    elif d.is_lead and others.exists():
        new_lead = others.first()
        Dispatch.objects.filter(pk=new_lead.pk).update(is_lead=True)
        c.handling_due_at = new_lead.due_at
        _save(c, now)
    elif not others.exists():
        c.status = Status.ACCEPTED  # back to the office to dispatch elsewhere
        _save(c, now)
    return d


# ----------------------------------------------------------------------------------------------- handling
def _require_handler_or_office(c: Complaint, by: Staff) -> Department | None:
    """The office, or staff of a department the complaint is actively dispatched to. Returns that department."""
    if by is not None and by.has_role(R.SUPERVISOR):
        return None
    if by is None or not by.has_any_role(R.HANDLER, R.HEAD) or by.department_id is None:
        raise NotPermitted()
    d = c.dispatches.filter(state=Dispatch.State.ACTIVE, department__path__startswith=by.department.path).first()
    if d is None:
        raise NotPermitted("本件未转交您的单位办理。")
    return d.department


@transaction.atomic
def complaint_note_add(*, complaint: Complaint, by: Staff, now: dt.datetime, text: str,
                       files: list[CleanFile] = ()) -> Note:
    """Record an investigation note (调查记录) with evidence files. Internal: never shown to the complainant."""
    c = _lock(complaint)
    dept = _require_handler_or_office(c, by)
    if c.status in (Status.CLOSED, Status.REFUSED, Status.TRANSFERRED, Status.WITHDRAWN, Status.MERGED):
        raise DomainError("投诉已终结，不能再添加调查记录。", code="bad_status")
    note = Note.objects.create(complaint=c, author=by, department=dept, text=_text(text, "text", "调查记录"), at=now)
    for f in files:
        _attach(c, f, now=now, by=by, note=note, shared=True)
    _log(c, TimelineEntry.Kind.NOTE, now=now, by=by, detail=note.text[:300])
    c.updated_at = now
    c.save(update_fields=["updated_at"])
    return note


@transaction.atomic
def complaint_pause(*, complaint: Complaint, by: Staff, now: dt.datetime, reason: str) -> Complaint:
    """Pause the complaint (中止): its clock stops until it is resumed, e.g. while the complainant cannot be
    reached or another procedure must finish first."""
    _require_office(by)
    c = _lock(complaint)
    _require_transition(c, "pause")
    reason = _text(reason, "reason", "中止理由", max_len=1000)
    Pause.objects.create(complaint=c, reason=reason, started_at=now, by=by)
    c.paused_from_status, c.status, c.paused_at = c.status, Status.PAUSED, now
    with _speaking(c):
        public = (_("中止告知：因%(reason)s，本投诉自 %(day)s 中止办理，中止期间不计入办理期限。")
                  % {"reason": reason, "day": _day(now)})
    _log(c, TimelineEntry.Kind.PAUSED, now=now, by=by, detail=reason, public_text=public)
    return _save(c, now)


@transaction.atomic
def complaint_resume(*, complaint: Complaint, by: Staff, now: dt.datetime) -> Complaint:
    """Resume a paused complaint: every running due date moves by the working days it stood still."""
    _require_office(by)
    c = _lock(complaint)
    _require_transition(c, "resume")
    cal = get_calendar()
    days = cal.working_days_between(c.paused_at.astimezone(cal.tz).date(), now.astimezone(cal.tz).date()).working_days
    Pause.objects.filter(complaint=c, ended_at=None).update(ended_at=now, working_days=days)
    c.status, c.paused_at = c.paused_from_status or Status.ACCEPTED, None
    c.paused_working_days += days
    if c.status == Status.RECEIVED:
        c.acceptance_due_at = _shift(c.acceptance_due_at, days)
    elif c.status in (Status.ACCEPTED, Status.DISPATCHED):
        c.handling_due_at = _shift(c.handling_due_at, days)
        for d in c.dispatches.filter(state__in=(Dispatch.State.ACTIVE, Dispatch.State.DISPUTED)):
            d.due_at = _shift(d.due_at, days)
            d.save(update_fields=["due_at"])
    else:
        c.reply_due_at = _shift(c.reply_due_at, days)
    with _speaking(c):
        public = _("本投诉已于 %(day)s 恢复办理（中止 %(days)s 个工作日，不计入期限）。") % {"day": _day(now), "days": days}
    _log(c, TimelineEntry.Kind.RESUMED, now=now, by=by, detail=f"中止 {days} 个工作日", public_text=public)
    return _save(c, now)


@transaction.atomic
def complaint_withdraw(*, complaint: Complaint, by: Staff | None, now: dt.datetime, reason: str) -> Complaint:
    """Close the complaint without a result (撤销), e.g. at the complainant's request, with the reason. `by`
    is an office supervisor, or None when the complainant withdraws with the tracking code."""
    if by is not None:
        _require_office(by)
    c = _lock(complaint)
    _require_transition(c, "withdraw")
    reason = _text(reason, "reason", "撤销理由", max_len=1000)
    c.status, c.closed_at, c.withdraw_reason, c.paused_at = Status.WITHDRAWN, now, reason, None
    Pause.objects.filter(complaint=c, ended_at=None).update(ended_at=now)
    c.dispatches.filter(state__in=(Dispatch.State.ACTIVE, Dispatch.State.DISPUTED)).update(
        state=Dispatch.State.WITHDRAWN)
    with _speaking(c):
        public = _("撤销告知：本投诉已于 %(day)s 撤销。理由：%(reason)s") % {"day": _day(now), "reason": reason}
    _log(c, TimelineEntry.Kind.WITHDRAWN, now=now, by=by, detail=reason, public_text=public)
    return _save(c, now)


@transaction.atomic
def extension_request(*, dispatch: Dispatch, by: Staff, now: dt.datetime, days: int, reason: str) -> Extension:
    """A department asks for more time on its dispatch; the office approves or refuses (extension_decide)."""
    d = _dispatch_for(dispatch, by)
    if d.state != Dispatch.State.ACTIVE or d.result_at:
        raise DomainError("该转办不在办理中，不能申请延期。", code="bad_status")
    if not isinstance(days, int) or not 1 <= days <= cfg("MAX_EXTENSION_WD"):
        raise DomainError(f"延期应为 1 至 {cfg('MAX_EXTENSION_WD')} 个工作日。", field="days")
    if d.extensions.filter(approved=None).exists():
        raise DomainError("已有待审批的延期申请。", code="pending")
    ext = Extension.objects.create(complaint=d.complaint, dispatch=d, days=days, requested_at=now, requested_by=by,
                                   reason=_text(reason, "reason", "延期理由", min_len=5, max_len=1000))
    _log(d.complaint, TimelineEntry.Kind.EXTENSION_REQUESTED, now=now, by=by, detail=f"{days} 个工作日：{ext.reason}")
    return ext


@transaction.atomic
def extension_decide(*, extension: Extension, by: Staff, now: dt.datetime, approve: bool, comment: str = "") -> Extension:
    """The office approves (the dispatch's due date, and the complaint's if it is the lead, move by the days)
    or refuses an extension."""
    _require_office(by)
    ext = Extension.objects.select_for_update().get(pk=extension.pk)
    if ext.approved is not None:
        raise DomainError("该延期申请已审批。", code="bad_status")
    ext.approved, ext.decided_at, ext.decided_by, ext.comment = bool(approve), now, by, (comment or "").strip()[:1000]
    ext.save()
    c = _lock(ext.complaint)
    d = ext.dispatch
    if approve:
        d.due_at = _shift(d.due_at, ext.days)
        d.save(update_fields=["due_at"])
        if d.is_lead:
            c.handling_due_at = d.due_at
            c.extension_working_days += ext.days
        public = ""
        if d.is_lead:
            with _speaking(c):
                public = _("经批准，办理期限延长 %(days)s 个工作日，至 %(day)s。") % {"days": ext.days,
                                                                                "day": _day(d.due_at)}
        _log(c, TimelineEntry.Kind.EXTENSION_DECIDED, now=now, by=by, detail=f"批准延期 {ext.days} 个工作日",
             public_text=public)
    else:
        _log(c, TimelineEntry.Kind.EXTENSION_DECIDED, now=now, by=by, detail=f"不批准延期：{ext.comment}")
    _save(c, now)
    return ext


@transaction.atomic
def dispatch_result(*, dispatch: Dispatch, by: Staff, now: dt.datetime, outcome: str, findings: str,
                    measures: str, sanction: bool = False) -> Dispatch:
    """A department reports its result: substantiated / partly / not, what it found, what it did. The lead's
    result is the complaint's result and starts the reply clock; `sanction` proposes accountability (the
    evaluation capability records sanctions)."""
    d = _dispatch_for(dispatch, by)
    if d.state != Dispatch.State.ACTIVE or d.result_at:
        raise DomainError("该转办不在办理中。", code="bad_status")
    if outcome not in Outcome.values:
        raise DomainError("请选择核查结论。", field="outcome")
    d.outcome, d.result_at, d.state = outcome, now, Dispatch.State.DONE
    d.findings = _text(findings, "findings", "调查情况", min_len=5)
    d.measures = _text(measures, "measures", "处理措施", max_len=3000)
    d.save()
    c = _lock(d.complaint)
    if c.status == Status.PAUSED:
        raise DomainError("投诉已中止，恢复后才能报送结果。", code="bad_status")
    _log(c, TimelineEntry.Kind.RESULT, now=now, by=by,
         detail=f"{d.department.name}：{d.get_outcome_display()}。{d.findings[:300]}")
    if d.is_lead:
        c.outcome, c.findings, c.measures = outcome, d.findings, d.measures
        c.sanction_proposed = bool(sanction) and outcome != Outcome.NOT_SUBSTANTIATED
        c.status, c.result_at = Status.RESULT, now
        c.reply_due_at = _due(now, cfg("REPLY_LIMIT_WD"))
        _save(c, now)
    return d


# ----------------------------------------------------------------------------------------------- office decisions
@transaction.atomic
def complaint_merge(*, complaint: Complaint, into: Complaint, by: Staff, now: dt.datetime) -> Complaint:
    """Merge a duplicate into another complaint (same complainant, same matter): it closes as MERGED and the
    complainant is told which complaint carries the matter."""
    _require_office(by)
    if complaint.pk == into.pk:
        raise DomainError("不能与自身合并。", field="into")
    c = _lock(complaint)
    target = _lock(into)
    _require_transition(c, "merge")
    if target.status in (Status.MERGED, Status.REFUSED, Status.TRANSFERRED, Status.WITHDRAWN):
        raise DomainError("目标投诉已终结，不能合并到该投诉。", field="into")
    c.status, c.merged_into, c.closed_at, c.decided_at = Status.MERGED, target, now, c.decided_at or now
    with _speaking(c):
        public = _("您反映的问题与编号 %(number)s 的投诉属同一事项，已合并办理，答复将一并作出。") % {"number": target.number}
    _log(c, TimelineEntry.Kind.MERGED, now=now, by=by, detail=f"合并至 {target.number}", public_text=public)
    _log(target, TimelineEntry.Kind.MERGED, now=now, by=by, detail=f"合并了重复投诉 {c.number}")
    return _save(c, now)


@transaction.atomic
def complaint_assign(*, complaint: Complaint, by: Staff, now: dt.datetime, handler: Staff) -> Complaint:
    """Make `handler` (a supervisor) the complaint's office handler: the one who sees the identity."""
    _require_office(by)
    if not handler.has_role(R.SUPERVISOR):
        raise DomainError("承办监察员必须是效能办监察员。", field="handler")
    c = _lock(complaint)
    c.office_handler = handler
    _log(c, TimelineEntry.Kind.ASSIGNED, now=now, by=by, detail=f"承办监察员：{handler.display_name}")
    return _save(c, now)


@transaction.atomic
def attachment_share(*, attachment: Attachment, by: Staff, shared: bool) -> Attachment:
    """The office decides whether a complainant's file may be seen by the departments (it may identify them)."""
    _require_office(by)
    attachment.shared_with_department = bool(shared)
    attachment.save(update_fields=["shared_with_department"])
    return attachment


@transaction.atomic
def attachment_publish(*, attachment: Attachment, by: Staff, now: dt.datetime, published: bool) -> Attachment:
    """The office makes one of the complainant's images public (Open311 `media_url`, the public image address)
    or withdraws it. Only images the complainant sent (not staff evidence, not PDFs), and only without metadata:
    uploads were re-encoded without EXIF, and this checks the stored bytes again. A new random token each time,
    so an address handed out before a withdrawal stays dead. Recorded on the internal timeline."""
    from ..uploads import PUBLIC_IMAGE_TYPES, image_has_metadata

    _require_office(by)
    a = Attachment.objects.select_for_update().select_related("complaint").get(pk=attachment.pk)
    if published:
        if a.note_id is not None or a.content_type not in PUBLIC_IMAGE_TYPES:
            raise DomainError(_("只有投诉人提交的图片可以公开。"), field="attachment")
        with a.file.open("rb") as fh:
            if image_has_metadata(fh.read()):
                raise DomainError(_("该图片含有元数据（如拍摄位置），不能公开。"), field="attachment")
        if a.public_token is None:
            a.public_token = secrets.token_urlsafe(24)
    else:
        a.public_token = None
    a.save(update_fields=["public_token"])
    _log(a.complaint, TimelineEntry.Kind.PUBLISHED, now=now, by=by,
         detail=(_("公开图片附件 %(id)s") if published else _("撤回公开图片附件 %(id)s")) % {"id": a.pk})
    return a
