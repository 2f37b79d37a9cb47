"""Supervision orders (督办) by the office: issue, the department's answer, closing, and the tick's escalation
of orders left unanswered past their due date."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import connection, transaction

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Staff
from xiaoneng.accounts.selectors import scope_to_staff
from xiaoneng.cases.models import Case
from xiaoneng.core.errors import DomainError, NotFound
from xiaoneng.workdays.calendar import get_calendar

from ..models import (
    ActionKind,
    NotificationKind,
    OrderStatus,
    SupervisionOrder,
    Warning,
    WarningAction,
    WarningStatus,
)
from ..subjects import (
    current_handler_expression,
    subject_handler,
    subject_number_of,
    subject_of,
    subjects_attach,
    with_subject_numbers,
)
from ..transitions import CARD_TRANSITIONS, ORDER_TRANSITIONS
from ._common import DEPARTMENT_ROLES, MAX_ORDER_WD, _require, _text
from .cards import _card_for, _escalate
from .notify import _notify_order

if TYPE_CHECKING:
    from .tick import TickResult


@transaction.atomic
def supervision_order_issue(
    *, by: Staff, now: dt.datetime, due_wd: int, instructions: str, warning: Warning | int | None = None,
    case: Case | None = None,
) -> SupervisionOrder:
    """Issue a supervision order (督办) about a card (of a case or of a complaint) or a case, due in `due_wd`
    working days (at the close of office hours of that day). The department's heads and the handler are
    notified."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以发出督办。")
    if isinstance(due_wd, bool) or not isinstance(due_wd, int) or not 1 <= due_wd <= MAX_ORDER_WD:
        raise DomainError(f"督办期限应为 1—{MAX_ORDER_WD} 个工作日。", field="due_wd")
    instructions = _text(instructions, "督办要求", field_name="instructions")
    w = None
    if warning is not None:
        w = _card_for(by, warning)
        if w.status == WarningStatus.WITHDRAWN:
            raise DomainError("已撤销的卡不能督办。", field="warning")
        kind, subject_id, number = w.subject_kind, w.subject_id, w.subject_no
    elif case is not None:
        (kind, subject_id), number = subject_of(case), subject_number_of(case)
    else:
        raise DomainError("请指定督办的办件或预警纠错卡。", field="case")
    cal = get_calendar()
    due_at = cal.deadline(now, due_wd, "wd").at  # after hours: counted from the next working day (DOMAIN.md §4)
    # The card's department answers (for a complaint card: the lead department, or the office itself).
    dept = w.department_id if w is not None else case.department_id
    order = SupervisionOrder.objects.create(
        number=f"tmp-{now.timestamp()}-{by.pk}-{w.pk if w else case.pk}", warning=w, subject_kind=kind,
        subject_id=subject_id, department_id=dept,
        issued_by=by, issued_at=now, due_wd=due_wd, due_at=due_at, instructions=instructions,
    )
    order.subject_number = number
    order.number = f"DB{now.astimezone(cal.tz):%Y}-{order.pk:06d}"
    order.save(update_fields=["number"])
    if w is not None:
        WarningAction.objects.create(warning=w, kind=ActionKind.ORDER, by=by, at=now, text=instructions,
                                     from_status=w.status, to_status=w.status)
    _notify_order(order, kind=NotificationKind.ORDER_ISSUED, now=now, handler_id=_order_handler(order))
    return order


def _order_handler(o: SupervisionOrder) -> int | None:
    """Who answers an order besides the heads: the case's handler now, else the card's handler. Read from
    the order's `subject_handler_id` annotation when its query had one (`_with_subject`), else one query."""
    if "subject_handler_id" in o.__dict__:
        handler = o.subject_handler_id
    else:
        handler, _name = subject_handler(o.subject_kind, o.subject_id)
    if handler:
        return handler
    return o.warning.handler_id if o.warning_id else None


def _with_subject(qs):
    """Orders with their subject's number and current handler annotated (no query per order)."""
    return with_subject_numbers(qs).annotate(subject_handler_id=current_handler_expression())


def _order_for(by: Staff, order: SupervisionOrder | int) -> SupervisionOrder:
    pk = order.pk if isinstance(order, SupervisionOrder) else order
    qs = SupervisionOrder.objects.all()
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    o = _with_subject(scope_to_staff(qs, by).select_related("warning")).filter(pk=pk).first()
    if o is None:
        raise NotFound("督办单不存在或不在您的权限范围内。")
    return o


@transaction.atomic
def supervision_order_answer(*, order: SupervisionOrder | int, by: Staff, now: dt.datetime, answer: str) -> SupervisionOrder:
    """The department answers a supervision order (督办答复). A late answer is accepted and stays marked late."""
    _require(by, DEPARTMENT_ROLES, "只有本部门的承办人或负责人可以答复督办。")
    o = _order_for(by, order)
    step = ORDER_TRANSITIONS["answer"]
    if o.status not in step.sources:
        raise DomainError("此督办单已答复或已办结。", field="status", code="wrong_status")
    o.answer = _text(answer, "答复内容", field_name="answer", max_len=5000)
    o.answered_at = now
    o.answered_by = by
    o.status = step.to
    o.save(update_fields=["answer", "answered_at", "answered_by", "status"])
    return o


@transaction.atomic
def supervision_order_close(*, order: SupervisionOrder | int, by: Staff, now: dt.datetime, note: str = "") -> SupervisionOrder:
    """The supervision office closes an order (办结), normally after the answer; with a note."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以办结督办。")
    o = _order_for(by, order)
    step = ORDER_TRANSITIONS["close"]
    if o.status not in step.sources:
        raise DomainError("此督办单已办结。", field="status", code="wrong_status")
    o.close_note = _text(note, "办结意见", field_name="note", required=o.status != OrderStatus.ANSWERED)
    o.status = step.to
    o.closed_at = now
    o.closed_by = by
    o.save(update_fields=["close_note", "status", "closed_at", "closed_by"])
    return o


def _escalate_late_orders(*, now, result: TickResult) -> int:
    """Orders unanswered past their due date: marked late once, the linked card raised one level, the head
    and the issuing supervisor told. Locked with SKIP LOCKED so concurrent ticks do it once."""
    qs = SupervisionOrder.objects.filter(status=OrderStatus.ISSUED, escalated_at__isnull=True, due_at__lt=now)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    orders = list(_with_subject(qs.select_related("warning__rule"))[:1000])
    subjects_attach(o.warning for o in orders if o.warning_id)  # escalating a card notifies with its number
    for o in orders:
        o.escalated_at = now
        o.save(update_fields=["escalated_at"])
        w = o.warning
        if w is not None and w.status in CARD_TRANSITIONS["escalate_late_order"].sources:
            _escalate(w, by=None, now=now, text=f"督办单 {o.number} 逾期未答复，系统自动升级。")
        result.notifications_created += _notify_order(o, kind=NotificationKind.ORDER_OVERDUE, now=now,
                                                      handler_id=_order_handler(o), extra=[o.issued_by_id])
    return len(orders)
