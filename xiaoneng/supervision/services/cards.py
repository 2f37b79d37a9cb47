"""The life of a card (预警纠错卡) after the engine issued it: the department's explanation, correction and
appeal (with its attachment, checked by content), the office's confirmation, withdrawal, escalation and
appeal decision; each a recorded transition."""

from __future__ import annotations

import datetime as dt
import zipfile

from django.conf import settings
from django.db import connection, transaction

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Staff
from xiaoneng.accounts.selectors import scope_to_staff
from xiaoneng.core import clocks
from xiaoneng.core.bulk import where_in as _where_in
from xiaoneng.core.clocks import DEADLINE_FAMILY
from xiaoneng.core.errors import DomainError, NotFound

from .. import deadlines
from ..engine import LEVEL_UP
from ..models import (
    ActionKind,
    NotificationKind,
    SupervisionOrder,
    SupervisionProposal,
    Warning,
    WarningAction,
    WarningStatus,
)
from ..subjects import with_subject_numbers
from ..transitions import CARD_TRANSITIONS, ORDER_TRANSITIONS, PROPOSAL_TRANSITIONS, Transition
from ._common import DEPARTMENT_ROLES, _require, _text
from .escalation import _card_follow_up
from .notify import _notify_cards


def _card_for(by: Staff, warning: Warning | int) -> Warning:
    """The card, locked, if `by` may see it (accounts scoping); NotFound otherwise."""
    pk = warning.pk if isinstance(warning, Warning) else warning
    qs = scope_to_staff(Warning.objects.select_for_update(of=("self",)) if connection.features.has_select_for_update
                        else Warning.objects.all(), by)
    w = with_subject_numbers(qs.select_related("rule", "department")).filter(pk=pk).first()
    if w is None:
        raise NotFound("预警纠错卡不存在或不在您的权限范围内。")
    return w


def _transition(w: Warning, step: Transition, *, by: Staff | None, now, text: str = "", attachment=None,
                attachment_name: str = "") -> WarningAction:
    """Move the card as `step` (a row of transitions.CARD_TRANSITIONS, checked by the caller) and record it."""
    kind, to = step.kind, step.to
    action = WarningAction(warning=w, kind=kind, by=by, at=now, text=text, from_status=w.status, to_status=to,
                           attachment_name=attachment_name[:200])
    if attachment is not None:
        action.attachment.save(attachment.name, attachment, save=False)
    action.save()
    w.status = to
    w.updated_at = now
    if to in (WarningStatus.CONFIRMED, WarningStatus.WITHDRAWN):
        w.closed_at = now
    w.save(update_fields=["status", "updated_at", "closed_at", "answered_at", "level"])
    if to == WarningStatus.WITHDRAWN:
        orders_close_for_withdrawn([w.pk], now=now)
    return action


def orders_close_for_withdrawn(warning_ids: list[int], *, now: dt.datetime) -> int:
    """A withdrawn card takes its open supervision orders with it (closed, with a note saying why), so the
    department is not left answering, nor the tick escalating, an order whose ground is gone. Drafts of
    proposals about it are declined the same way (one statement each)."""
    if not warning_ids:
        return 0
    close, discard = ORDER_TRANSITIONS["close"], PROPOSAL_TRANSITIONS["discard"]
    n = _where_in(SupervisionOrder.objects.filter(status__in=close.sources), "warning_id", warning_ids).update(
        status=close.to, closed_at=now, close_note="预警纠错卡已撤销，督办随之办结。")
    _where_in(SupervisionProposal.objects.filter(status__in=discard.sources), "warning_id", warning_ids).update(
        status=discard.to, discarded_at=now, discard_reason="预警纠错卡已撤销，不再发出。")
    return n


def _allowed(w: Warning, action: str, what: str) -> Transition:
    """The row of CARD_TRANSITIONS for `action`, if the card's status allows it; a clear error otherwise."""
    step = CARD_TRANSITIONS[action]
    if w.status not in step.sources:
        raise DomainError(f"此卡当前状态为“{w.get_status_display()}”，不能{what}。", field="status", code="wrong_status")
    return step


@transaction.atomic
def warning_explain(*, warning: Warning | int, by: Staff, now: dt.datetime, text: str) -> Warning:
    """The department explains the card (情况说明): issued or escalated → explained."""
    _require(by, DEPARTMENT_ROLES, "只有本部门的承办人或负责人可以答复预警纠错卡。")
    w = _card_for(by, warning)
    step = _allowed(w, "explain", "作出说明")
    w.answered_at = now
    _transition(w, step, by=by, now=now, text=_text(text, "情况说明"))
    return w


@transaction.atomic
def warning_correct(*, warning: Warning | int, by: Staff, now: dt.datetime, text: str) -> Warning:
    """The department reports what it corrected (纠正整改): → corrected."""
    _require(by, DEPARTMENT_ROLES, "只有本部门的承办人或负责人可以答复预警纠错卡。")
    w = _card_for(by, warning)
    step = _allowed(w, "correct", "报告整改")
    w.answered_at = now
    _transition(w, step, by=by, now=now, text=_text(text, "整改情况"))
    return w


@transaction.atomic
def warning_confirm(*, warning: Warning | int, by: Staff, now: dt.datetime, text: str = "") -> Warning:
    """The supervision office confirms. A card awaiting confirmation (rule in confirm mode) is thereby
    issued to the department (and notified); an answered card is confirmed and closed."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以确认预警纠错卡。")
    w = _card_for(by, warning)
    if w.status in CARD_TRANSITIONS["confirm_issue"].sources:
        w.issued_at = now
        w.save(update_fields=["issued_at"])
        _transition(w, CARD_TRANSITIONS["confirm_issue"], by=by, now=now, text=_text(text, "意见", required=False))
        _notify_card(w, kind=NotificationKind.WARNING_ISSUED, now=now, text=w.detail)
        _card_follow_up(w, now=now)  # a card held for confirmation brings its order now
        return w
    step = _allowed(w, "confirm", "确认")
    _transition(w, step, by=by, now=now, text=_text(text, "意见", required=False))
    return w


@transaction.atomic
def warning_withdraw(*, warning: Warning | int, by: Staff, now: dt.datetime, text: str) -> Warning:
    """The supervision office withdraws a card (撤销), with a reason."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以撤销预警纠错卡。")
    w = _card_for(by, warning)
    step = _allowed(w, "withdraw", "撤销（申诉中的卡请作出申诉决定）")
    _transition(w, step, by=by, now=now, text=_text(text, "撤销理由"))
    return w


@transaction.atomic
def warning_escalate(*, warning: Warning | int, by: Staff | None, now: dt.datetime, text: str) -> Warning:
    """Escalate a card (升级): one level up (reminder → yellow → red; red stays red) and back to the
    department to answer; the handler and the head are notified again."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以升级预警纠错卡。")
    w = _card_for(by, warning)
    _allowed(w, "escalate", "升级")
    _escalate(w, by=by, now=now, text=_text(text, "升级理由"))
    return w


def _escalate(w: Warning, *, by, now, text: str) -> None:
    """Raise the card one level (the office's `escalate`, or the tick's `escalate_late_order`: same move,
    checked by the caller against its own row)."""
    w.level = LEVEL_UP[w.level]
    _transition(w, CARD_TRANSITIONS["escalate"], by=by, now=now, text=text)
    _notify_card(w, kind=NotificationKind.WARNING_ESCALATED, now=now, text=text)
    # The new level brings what it brings (an order if the card has no automatic one yet; a draft proposal
    # at red): a reminder raised to yellow is then ordered like any yellow card.
    _card_follow_up(w, now=now)


# Attachments of appeals: checked by their content, not by what the client says they are.
ALLOWED_ATTACHMENTS = {"pdf": "PDF", "png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "docx": "DOCX"}


def _sniff(head: bytes, upload) -> str | None:
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"PK\x03\x04"):
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as z:
                names = set(z.namelist())
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                return "DOCX"
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
    return None


def check_attachment(upload) -> str:
    """Validate an appeal attachment: size, then type by its first bytes (PDF, PNG, JPEG, DOCX) agreeing
    with its extension. Returns the original file name (kept for display only)."""
    limit = int(getattr(settings, "XIAONENG_APPEAL_MAX_BYTES", 10 * 1024 * 1024))
    if upload.size > limit:
        raise DomainError(f"附件不能超过 {limit // (1024 * 1024)} MB。", field="attachment")
    if upload.size == 0:
        raise DomainError("附件是空文件。", field="attachment")
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = _sniff(head, upload)
    if kind is None or ext not in ALLOWED_ATTACHMENTS or ALLOWED_ATTACHMENTS[ext] != kind:
        raise DomainError("附件只能是 PDF、PNG、JPEG 或 Word（.docx）文件，且内容须与扩展名一致。", field="attachment")
    return name


@transaction.atomic
def warning_appeal(*, warning: Warning | int, by: Staff, now: dt.datetime, reason: str, attachment=None) -> Warning:
    """The department appeals the card (申诉) with a reason and optionally one attachment; once per card.
    Only the department head (or a head above it) may appeal in the department's name."""
    _require(by, (R.HEAD,), "只有部门负责人可以代表部门提出申诉。")
    w = _card_for(by, warning)
    step = _allowed(w, "appeal", "申诉")
    if w.actions.filter(kind=ActionKind.APPEAL).exists():
        raise DomainError("此卡已经申诉过一次，不能再次申诉。", field="reason", code="already_appealed")
    reason = _text(reason, "申诉理由", field_name="reason")
    name = check_attachment(attachment) if attachment is not None else ""
    _transition(w, step, by=by, now=now, text=reason, attachment=attachment, attachment_name=name)
    return w


@transaction.atomic
def appeal_decide(*, warning: Warning | int, by: Staff, now: dt.datetime, upheld: bool, text: str) -> Warning:
    """The supervision office decides an appeal: upheld → the card is withdrawn; rejected → confirmed."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以处理申诉。")
    w = _card_for(by, warning)
    step = _allowed(w, "appeal_upheld" if upheld else "appeal_rejected", "作出申诉决定")
    text = _text(text, "申诉处理意见")
    _transition(w, step, by=by, now=now, text=text)
    return w


def _notify_card(w: Warning, *, kind: str, now, text: str) -> int:
    """One card confirmed or escalated by the office, notified as its rule family notifies when issuing: a case
    card to its handler and its department's heads; a card of any other owner to its handler (or its
    department's heads) and whoever its subject names now (core.clocks.ClockOwner.subjects)."""
    owner = clocks.owner(w.subject_kind)
    if owner.family != DEADLINE_FAMILY:
        return _notify_cards([(w.pk, w.department_id, w.handler_id, w.level, w.rule.name, w.subject_no, text)],
                             kind=kind, now=now)
    subject = owner.subjects([w.subject_id])[w.subject_id]
    return deadlines.notify_card(w, subject, w.subject_kind, kind=kind, now=now, text=text)


@transaction.atomic
def warning_raise_manual(*, kind: str, subject_id: int, rule_code: str, department_id: int, basis: str, by_id: int,
                         now: dt.datetime) -> int:
    """A card the office raises by hand on a clock owner's subject (an inspection finding, issue 12), through
    the one card inserter: the rule (a MANUAL_CHECKS rule the owner ships, e.g. "finding-card-yellow") gives
    level and escalation, `basis` is its stated ground (the card's detail). Then as for every card the tick
    issues: the issue recorded in its history, its department's heads (and whoever the subject names) told,
    a yellow or red card's automatic order and a red card's draft proposal. One card per subject and rule;
    returns the card's id (the existing one when raised before)."""
    from ..engine import FollowUp
    from ..models import MANUAL_CHECKS, Rule
    from .escalation import escalation_follow_up
    from .issue import cards_insert

    rule = Rule.objects.filter(code=rule_code, subject_kind=kind).first()
    if rule is None or rule.check_code not in MANUAL_CHECKS:
        raise DomainError("没有可用于人工发牌的规则。", field="level")
    if not rule.enabled:
        raise DomainError(f"规则“{rule.name}”已停用，不能发牌。", field="level")
    owner = clocks.owner(kind)
    subject = owner.subjects([subject_id]).get(subject_id)
    if subject is None:
        raise NotFound("发牌对象不存在。")
    basis = _text(basis, "发牌依据")[:300]
    created = cards_insert([(kind, subject_id, rule.pk, rule.level, "manual", WarningStatus.ISSUED, department_id,
                             None, now, now, basis, now)])
    if not created:
        return Warning.objects.filter(subject_kind=kind, subject_id=subject_id, rule=rule,
                                      deadline_key="manual").values_list("pk", flat=True).get()
    wid = created[0][0]
    WarningAction.objects.create(warning_id=wid, kind=ActionKind.ISSUE, by_id=by_id, at=now, text=basis,
                                 from_status="", to_status=WarningStatus.ISSUED)
    w = Warning.objects.select_related("rule").get(pk=wid)
    deadlines.notify_card(w, subject, kind, kind=NotificationKind.WARNING_ISSUED, now=now, text=basis)
    escalation_follow_up([FollowUp(wid, rule, rule.level, department_id, kind, subject_id, subject.number, None,
                                   basis)], now=now)
    return wid
