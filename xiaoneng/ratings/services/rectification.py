"""差评整改: the rectification of a bad rating, from its opening to the office's review (see models.Rectification).

`rectification_open` is called by `rating_record` (ratings.services.rating) inside its transaction for every
bad rating; the other services are the department's and the office's steps:

- the department: `rectification_assign` (its head names the handler), `rectification_save` (progress),
  `rectification_submit` (核实情况, 整改措施或情况说明 and, for a named rating, the call-back 回访), and
  `rectification_appeal` (申诉, with evidence);
- the office (效能监察员): `rectification_accept`, `rectification_return`, `appeal_decide`;
- the tick: `rectifications_clock_checked` writes back what supervision found on the clocks.

Who may act (checked here, again, whatever the page showed): the department is the rectification's department
and the units below it. Its heads (部门负责人) assign, work and appeal; a handler (承办人) of the department
works on a rectification assigned to them, or on one nobody has been assigned yet (the first to take it up);
only a supervisor reviews and decides appeals. Leaders and administrators read, never act.

Every step writes a `RectificationAction` (the page's 办理过程).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Staff
from xiaoneng.complaints.uploads import clean_uploads
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.workdays.calendar import get_calendar

from ..models import Appeal, Rating, RatingPolicy, Rectification, RectificationAction, RectificationStatus

S = RectificationStatus
K = RectificationAction.Kind
WORKING = (S.OPEN, S.RETURNED)  # the department may save, submit and appeal
TEXT_MAX = 2000
FLAG_ORDER = {"": 0, "reminder": 1, "yellow": 2, "red": 3}
FLAG_TEXT = {"reminder": "预警提醒", "yellow": "黄牌", "red": "红牌"}


def rectification_number(rating: Rating) -> str:
    """ZG<year>-<rating id>: unique without a counter, since a rating has at most one rectification."""
    return f"ZG{rating.recorded_at.astimezone(get_calendar().tz).year}-{rating.pk:07d}"


@transaction.atomic
def rectification_open(*, rating: Rating, now: dt.datetime, policy: RatingPolicy | None = None) -> Rectification:
    """Open the rectification of a bad rating: due `limit_wd` working days from the rating's recording (a
    rating recorded after hours or on a day off counts from the next working day's opening, as every clock).
    The tick judges it at once (next_check_at = now) and then on its thresholds."""
    policy = policy or RatingPolicy.current()
    limit = policy.rectification_limit_wd
    due = get_calendar().deadline(rating.recorded_at, limit, "wd").at
    r = Rectification.objects.create(
        number=rectification_number(rating), rating=rating, department_id=rating.department_id,
        opened_at=now, limit_wd=limit, due_at=due, next_check_at=now,
    )
    RectificationAction.objects.create(rectification=r, kind=RectificationAction.Kind.OPEN, at=now,
                                       text=f"差评整改期限 {limit} 个工作日")
    return r


# ----------------------------------------------------------------------------------------------- who may act
def in_department(staff: Staff | None, r: Rectification) -> bool:
    """`staff` belongs to the rectification's department or a unit below it, as a handler or head."""
    if staff is None or not staff.is_authenticated or staff.department_id is None:
        return False
    if not staff.has_any_role(R.HANDLER, R.HEAD):
        return False
    return r.department.path.startswith(staff.department.path)


def is_department_head(staff: Staff | None, r: Rectification) -> bool:
    return in_department(staff, r) and staff.has_role(R.HEAD)


def may_work(staff: Staff | None, r: Rectification) -> bool:
    """Save and submit: the department's heads; its handlers when assigned to them or while nobody is."""
    if not in_department(staff, r):
        return False
    return staff.has_role(R.HEAD) or r.handler_id in (None, staff.pk)


def is_office(staff: Staff | None) -> bool:
    return bool(staff and staff.is_authenticated and staff.has_role(R.SUPERVISOR))


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise NotPermitted(message)


def _lock(r: Rectification) -> Rectification:
    return Rectification.objects.select_for_update(of=("self",)).select_related("department", "rating").get(pk=r.pk)


def _status(r: Rectification, allowed, action: str) -> None:
    if r.status not in allowed:
        raise DomainError(f"整改当前状态为“{r.get_status_display()}”，不能{action}。", field="status",
                          code="bad_status")


def _text(value, field: str, label: str, *, required: bool, max_len: int = TEXT_MAX) -> str:
    value = ("" if value is None else str(value)).strip()
    if required and not value:
        raise DomainError(f"请填写{label}。", field=field, code="required")
    if len(value) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 字。", field=field, code="too_long")
    return value


def _log(r: Rectification, kind: str, *, by, now, text: str = "") -> RectificationAction:
    return RectificationAction.objects.create(rectification=r, kind=kind, by=by, at=now, text=text)


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when, get_calendar().tz).strftime("%Y-%m-%d %H:%M")


def _callback_at(value, r: Rectification, now: dt.datetime) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dt.datetime):
        raise DomainError("回访时间格式不正确。", field="callback_at", code="invalid")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, get_calendar().tz)
    if value > now:
        raise DomainError("回访时间不能晚于现在。", field="callback_at", code="future")
    if value < r.rating.rated_at:
        raise DomainError(f"回访时间不能早于评价时间（{_local(r.rating.rated_at)}）。", field="callback_at",
                          code="before_rating")
    return value


def is_named(rating: Rating) -> bool:
    """A named rating: the rater left a name or a phone. Its bad ratings must all be called back."""
    return bool((rating.rater_name or "").strip() or (rating.rater_phone or "").strip())


# ----------------------------------------------------------------------------------------------- the department
@transaction.atomic
def rectification_assign(*, rectification: Rectification, handler: Staff, by: Staff, now: dt.datetime) -> Rectification:
    """The department's head names who rectifies (整改承办人): a handler or head of the department itself. Cards issued
    from now on go to that person."""
    r = _lock(rectification)
    _require(is_department_head(by, r), "只有整改部门的负责人可以指定承办人。")
    _status(r, (*WORKING, S.APPEALED, S.SUBMITTED), "指定承办人")
    if (not isinstance(handler, Staff) or not handler.is_active or handler.department_id != r.department_id
            or not handler.has_any_role(R.HANDLER, R.HEAD)):
        raise DomainError("承办人须为整改部门的承办人或负责人。", field="handler", code="invalid")
    r.handler = handler
    r.save(update_fields=["handler"])
    _log(r, K.ASSIGN, by=by, now=now, text=f"指定承办人：{handler.display_name}")
    return r


def _apply_progress(r: Rectification, *, verification, action, explained, callback_at, callback_result,
                    callback_reached, now) -> None:
    r.verification = _text(verification, "verification", "核实情况", required=False)
    r.action = _text(action, "action", "整改措施或情况说明", required=False)
    r.explained = bool(explained)
    r.callback_at = _callback_at(callback_at, r, now)
    r.callback_result = _text(callback_result, "callback_result", "回访结果", required=False)
    r.callback_reached = bool(callback_reached) and r.callback_at is not None


@transaction.atomic
def rectification_save(*, rectification: Rectification, by: Staff, now: dt.datetime, verification: str = "",
                       action: str = "", explained: bool = False, callback_at: dt.datetime | None = None,
                       callback_result: str = "", callback_reached: bool = False) -> Rectification:
    """Save the department's progress (核实, 整改, 回访) without submitting it; the clock keeps running.
    A handler who saves an unassigned rectification takes it up (becomes its handler)."""
    r = _lock(rectification)
    _require(may_work(by, r), "只有整改部门的承办人或负责人可以填写整改情况。")
    _status(r, WORKING, "保存整改进展")
    _apply_progress(r, verification=verification, action=action, explained=explained, callback_at=callback_at,
                    callback_result=callback_result, callback_reached=callback_reached, now=now)
    if r.handler_id is None and not by.has_role(R.HEAD):
        r.handler = by
    r.save()
    _log(r, K.SAVE, by=by, now=now)
    return r


@transaction.atomic
def rectification_submit(*, rectification: Rectification, by: Staff, now: dt.datetime, verification: str,
                         action: str, explained: bool = False, callback_at: dt.datetime | None = None,
                         callback_result: str = "", callback_reached: bool = False) -> Rectification:
    """Submit the rectification for the office's review: 核实情况 and 整改措施或情况说明 are required; a named
    rating (the rater left a name or phone) must have been called back — the call-back time (not in the
    future, not before the rating) and its result. The clock stands still while the office reviews."""
    r = _lock(rectification)
    _require(may_work(by, r), "只有整改部门的承办人或负责人可以提交整改情况。")
    _status(r, WORKING, "提交审核")
    _text(verification, "verification", "核实情况", required=True)
    _text(action, "action", "整改措施或情况说明", required=True)
    _apply_progress(r, verification=verification, action=action, explained=explained, callback_at=callback_at,
                    callback_result=callback_result, callback_reached=callback_reached, now=now)
    if is_named(r.rating):
        if r.callback_at is None:
            raise DomainError("实名差评须全部回访：请填写回访时间。", field="callback_at", code="required")
        _text(callback_result, "callback_result", "回访结果", required=True)
    elif r.callback_at is not None and not r.callback_result:
        raise DomainError("已填写回访时间的，请填写回访结果。", field="callback_result", code="required")
    if r.handler_id is None and not by.has_role(R.HEAD):
        r.handler = by
    r.status, r.submitted_at, r.next_check_at = S.SUBMITTED, now, None
    r.save()
    _log(r, K.SUBMIT, by=by, now=now,
         text="经核实不属实，作情况说明" if r.explained else "")
    return r


@transaction.atomic
def rectification_appeal(*, rectification: Rectification, by: Staff, now: dt.datetime, reason: str,
                         evidence=None) -> Appeal:
    """The department appeals (申诉) a rating it holds malicious or mistaken: a reason (required) and at most
    one evidence file (JPG/PNG/WebP/GIF/PDF, checked by content, images stripped of metadata). One appeal
    under review at a time; the clock keeps running while the office decides."""
    r = _lock(rectification)
    _require(is_department_head(by, r), "只有整改部门的负责人可以提出申诉。")
    _status(r, WORKING, "提出申诉")
    reason = _text(reason, "reason", "申诉理由", required=True)
    if len(reason) < 5:
        raise DomainError("申诉理由过短，请写明差评恶意或错误的具体情况。", field="reason", code="too_short")
    files = [evidence] if evidence else []
    try:
        clean = clean_uploads(files)
    except DomainError as e:
        raise DomainError(e.message.replace("附件", "证据材料"), field="evidence", code=e.code) from None
    if Appeal.objects.filter(rating_id=r.rating_id, decision=Appeal.Decision.PENDING).exists():
        raise DomainError("该差评已有待审核的申诉。", field="reason", code="pending")
    a = Appeal(rating_id=r.rating_id, department_id=r.department_id, reason=reason, filed_at=now, filed_by=by)
    if clean:
        f = clean[0]
        a.evidence_name = f.name
        a.evidence.save(f"{secrets.token_hex(16)}.{f.ext}", ContentFile(f.content), save=False)
    a.save()
    r.status = S.APPEALED
    r.save(update_fields=["status"])
    _log(r, K.APPEAL, by=by, now=now, text=reason)
    return a


# ----------------------------------------------------------------------------------------------- the office
@transaction.atomic
def rectification_accept(*, rectification: Rectification, by: Staff, now: dt.datetime, note: str = "") -> Rectification:
    """The office accepts the submitted rectification (审核通过): it closes; `on_time` says whether the accepted
    submission came by the due date (the figure "rectified on time")."""
    r = _lock(rectification)
    _require(is_office(by), "只有效能办监察员可以审核整改。")
    _status(r, (S.SUBMITTED,), "审核通过")
    r.review_note = _text(note, "note", "审核意见", required=False)
    r.status, r.reviewed_at, r.reviewed_by, r.closed_at = S.ACCEPTED, now, by, now
    r.on_time = r.submitted_at is not None and r.submitted_at <= r.due_at
    r.next_check_at = None
    r.save()
    _log(r, K.ACCEPT, by=by, now=now, text=r.review_note)
    return r


@transaction.atomic
def rectification_return(*, rectification: Rectification, by: Staff, now: dt.datetime, note: str) -> Rectification:
    """The office returns the submission with its reasons (退回重办): the department works again against the same
    due date (a return buys no time), and the tick looks at the clock at once."""
    r = _lock(rectification)
    _require(is_office(by), "只有效能办监察员可以审核整改。")
    _status(r, (S.SUBMITTED,), "退回")
    r.review_note = _text(note, "note", "退回理由", required=True)
    r.status, r.reviewed_at, r.reviewed_by = S.RETURNED, now, by
    r.next_check_at = now
    r.save()
    _log(r, K.RETURN, by=by, now=now, text=r.review_note)
    return r


@transaction.atomic
def appeal_decide(*, appeal: Appeal, by: Staff, now: dt.datetime, uphold: bool, note: str) -> Appeal:
    """The office decides an appeal. Upheld: the rating is voided (作废: `voided_at`, `void_reason`; kept,
    excluded from every figure) and its rectification closes as voided, its clock stopped. Rejected: the
    rectification goes back to where it was (open, or returned if the office had returned it) and its clock
    is looked at at once. Reasons are required either way and kept."""
    _require(is_office(by), "只有效能办监察员可以审核申诉。")
    a = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if a.decision != Appeal.Decision.PENDING:
        raise DomainError("该申诉已审核。", field="decision", code="decided")
    note = _text(note, "note", "审核意见", required=True)
    r = Rectification.objects.filter(rating_id=a.rating_id).first()
    r = _lock(r) if r is not None else None
    a.decision = Appeal.Decision.UPHELD if uphold else Appeal.Decision.REJECTED
    a.decided_at, a.decided_by, a.decision_note = now, by, note
    a.save()
    if uphold:
        Rating.objects.filter(pk=a.rating_id).update(voided_at=now, void_reason=note)
        if r is not None:
            r.status, r.closed_at, r.next_check_at, r.on_time = S.VOIDED, now, None, None
            r.reviewed_at, r.reviewed_by = now, by
            r.save()
            _log(r, K.APPEAL_UPHELD, by=by, now=now, text=note)
    elif r is not None:
        r.status = S.RETURNED if r.reviewed_at is not None else S.OPEN
        r.next_check_at = now
        r.save(update_fields=["status", "next_check_at"])
        _log(r, K.APPEAL_REJECTED, by=by, now=now, text=note)
    return a


# ----------------------------------------------------------------------------------------------- the tick
def rectifications_clock_checked(*, checks: list[tuple[int, str, str, dt.datetime | None]], now: dt.datetime) -> int:
    """Write back what the supervision tick found on rectification clocks: for each (id, flag before, flag now,
    next check) the flag and the next check. Called inside the tick's transaction on rows it has locked.
    Returns how many flags were raised."""
    raised = 0
    by_value: dict[tuple[str, dt.datetime | None], list[int]] = {}
    for pk, before, flag, next_at in checks:
        by_value.setdefault((flag or "", next_at), []).append(pk)
        if FLAG_ORDER.get(flag or "", 0) > FLAG_ORDER.get(before or "", 0):
            raised += 1
    for (flag, next_at), ids in by_value.items():
        Rectification.objects.filter(pk__in=ids).update(flag=flag, next_check_at=next_at)
    return raised
