"""The life of a card, appeals, supervision orders, notifications and rule edits, with permissions."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from xiaoneng.core import sms
from xiaoneng.core.errors import DomainError, NotFound, NotPermitted
from xiaoneng.supervision.models import (
    Notification,
    Rule,
    RuleChange,
    SupervisionOrder,
    Warning,
    WarningStatus,
)
from xiaoneng.supervision.services import (
    appeal_decide,
    messages_send_due,
    rule_update,
    supervise_tick,
    supervision_order_answer,
    supervision_order_close,
    supervision_order_issue,
    warning_appeal,
    warning_confirm,
    warning_correct,
    warning_escalate,
    warning_explain,
    warning_withdraw,
)

from .conftest import SECOND, at

NOW = at("2026-10-13 10:00")  # a Tuesday, in office hours


@pytest.fixture
def card(accepted_case, staff):
    """A yellow card of bureau A, handled by handler_a (resolved from the handler name the system sent)."""
    staff["handler"].email = "handler_a@example.gov.cn"
    staff["handler"].phone = "13800000001"
    staff["handler"].save()
    staff["head"].email = "head_a@example.gov.cn"
    staff["head"].save()
    accepted_case()
    supervise_tick(now=at("2026-10-12 18:00"))  # after office hours: e-mail and SMS wait
    return Warning.objects.get(rule__code="committed-yellow")


def test_card_belongs_to_handler_and_department(card, staff, depts):
    assert card.handler == staff["handler"] and card.department == depts["a"]


def test_explain_then_confirm(card, staff):
    warning_explain(warning=card, by=staff["handler"], now=NOW, text="材料复核延误，已于今日办结。")
    card.refresh_from_db()
    assert card.status == WarningStatus.EXPLAINED and card.answered_at == NOW
    warning_confirm(warning=card, by=staff["supervisor"], now=NOW + SECOND)
    card.refresh_from_db()
    assert card.status == WarningStatus.CONFIRMED and card.closed_at == NOW + SECOND
    # The first entry is the automatic supervision order the yellow card brought.
    assert [a.kind for a in card.actions.all()] == ["order", "explain", "confirm"]


@pytest.mark.parametrize("role", ["handler_b", "window", "leader", "admin", "supervisor"])
def test_who_may_not_answer(card, staff, role):
    with pytest.raises((NotPermitted, NotFound)):
        warning_explain(warning=card, by=staff[role], now=NOW, text="x")


def test_other_department_sees_nothing(card, staff):
    with pytest.raises(NotFound):
        warning_correct(warning=card, by=staff["handler_b"], now=NOW, text="x")


@pytest.mark.parametrize("role", ["handler", "head", "leader", "admin", "window"])
def test_only_supervisors_decide(card, staff, role):
    for fn in (warning_confirm, warning_withdraw, warning_escalate):
        with pytest.raises(NotPermitted):
            fn(warning=card, by=staff[role], now=NOW, text="理由")


def test_escalate_raises_level(card, staff):
    warning_escalate(warning=card, by=staff["supervisor"], now=NOW, text="逾期未答复")
    card.refresh_from_db()
    assert card.level == "red" and card.status == WarningStatus.ESCALATED
    assert Notification.objects.filter(warning=card, kind="warning_escalated").exists()


def _pdf(name="申诉材料.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", content_type="application/pdf")


def _docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile("说明.docx", buf.getvalue())


def test_appeal_upheld_withdraws(card, staff):
    with pytest.raises(NotPermitted):
        warning_appeal(warning=card, by=staff["handler"], now=NOW, reason="x", attachment=_pdf())
    warning_appeal(warning=card, by=staff["head"], now=NOW, reason="系统时间错误，实际按时办结。", attachment=_pdf())
    card.refresh_from_db()
    assert card.status == WarningStatus.APPEALED
    action = card.actions.get(kind="appeal")
    assert action.attachment_name == "申诉材料.pdf" and action.attachment.name.endswith(".pdf")
    with pytest.raises(NotPermitted):
        appeal_decide(warning=card, by=staff["head"], now=NOW, upheld=True, text="x")
    appeal_decide(warning=card, by=staff["supervisor"], now=NOW, upheld=True, text="经核实，申诉成立。")
    card.refresh_from_db()
    assert card.status == WarningStatus.WITHDRAWN
    action.attachment.delete(save=False)


def test_appeal_rejected_confirms_and_only_once(card, staff):
    warning_appeal(warning=card, by=staff["head"], now=NOW, reason="理由", attachment=_docx())
    appeal_decide(warning=card, by=staff["supervisor"], now=NOW, upheld=False, text="申诉不成立。")
    card.refresh_from_db()
    assert card.status == WarningStatus.CONFIRMED
    with pytest.raises(DomainError):
        warning_appeal(warning=card, by=staff["head"], now=NOW, reason="再次申诉")
    card.actions.get(kind="appeal").attachment.delete(save=False)


@pytest.mark.parametrize(("name", "content"), [
    ("假的.pdf", b"MZ\x90\x00 not a pdf"),
    ("图片.png", b"%PDF-1.4 a pdf named png"),
    ("脚本.html", b"<script>alert(1)</script>"),
])
def test_appeal_attachment_checked_by_content(card, staff, name, content):
    with pytest.raises(DomainError) as exc:
        warning_appeal(warning=card, by=staff["head"], now=NOW, reason="理由", attachment=SimpleUploadedFile(name, content))
    assert exc.value.field == "attachment"


def test_appeal_attachment_size_limit(card, staff, settings):
    settings.XIAONENG_APPEAL_MAX_BYTES = 1024
    big = SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * 2000)
    with pytest.raises(DomainError, match="不能超过"):
        warning_appeal(warning=card, by=staff["head"], now=NOW, reason="理由", attachment=big)


def test_notifications_wait_for_office_hours_and_are_recorded_once(card, staff):
    rows = Notification.objects.filter(warning=card, kind="warning_issued")
    # handler: in-app, e-mail, SMS; head: in-app, e-mail.
    assert sorted(rows.values_list("recipient__username", "channel")) == [
        ("handler_a", "email"), ("handler_a", "in_app"), ("handler_a", "sms"), ("head_a", "email"), ("head_a", "in_app"),
    ]
    assert rows.filter(channel="in_app", sent_at__isnull=False).count() == 2
    assert messages_send_due(now=at("2026-10-12 19:00")) == 0  # evening
    assert messages_send_due(now=at("2026-10-17 10:00")) == 0  # Saturday, not a make-up day
    assert messages_send_due(now=at("2026-10-13 12:30")) == 0  # lunch break
    assert len(mail.outbox) == 0 and sms.outbox == []
    # The card's three (handler: e-mail, SMS; head: e-mail) and the same three about its automatic order (督办).
    assert messages_send_due(now=at("2026-10-13 09:00")) == 6
    assert len(mail.outbox) == 4 and len(sms.outbox) == 2 and {p for p, _t in sms.outbox} == {"13800000001"}
    assert messages_send_due(now=at("2026-10-13 09:01")) == 0
    supervise_tick(now=at("2026-10-13 09:02"))
    Warning.objects.filter(pk=card.pk).update(status="issued")
    assert rows.count() == 5 and len(mail.outbox) == 4


@pytest.mark.parametrize("issued, due", [
    ("2026-10-13 19:00", "2026-10-16 17:30"),  # after the close: day 0 is Wednesday, due two working days on
    ("2026-10-17 10:00", "2026-10-21 17:30"),  # a Saturday: day 0 is Monday 10-19
    ("2026-10-13 17:30", "2026-10-15 17:30"),  # the close itself still belongs to its day
])
def test_an_order_issued_outside_office_hours_counts_from_the_next_working_day(card, staff, issued, due):
    """DOMAIN.md §4: a clock that starts after the close or on a day off starts the next working day — an order's
    clock too (before, an order issued at 19:00 counted that evening as its day 0)."""
    order = supervision_order_issue(warning=card, by=staff["supervisor"], now=at(issued), due_wd=2,
                                    instructions="请于两个工作日内办结并书面说明。")
    assert order.due_at == at(due)


def test_supervision_order_cycle_and_late_escalation(card, staff):
    with pytest.raises(NotPermitted):
        supervision_order_issue(warning=card, by=staff["head"], now=NOW, due_wd=2, instructions="x")
    order = supervision_order_issue(warning=card, by=staff["supervisor"], now=NOW, due_wd=2,
                                    instructions="请于两个工作日内办结并书面说明。")
    assert order.due_at == at("2026-10-15 17:30") and order.number.startswith("DB2026-")
    assert Notification.objects.filter(order=order, kind="order_issued", recipient=staff["head"]).exists()
    with pytest.raises(NotFound):
        supervision_order_answer(order=order, by=staff["handler_b"], now=NOW, answer="x")
    r = supervise_tick(now=order.due_at + SECOND)
    assert r.orders_escalated == 1
    order.refresh_from_db()
    card.refresh_from_db()
    assert order.escalated_at is not None and card.level == "red" and card.status == "escalated"
    assert supervise_tick(now=order.due_at + 2 * SECOND).orders_escalated == 0
    supervision_order_answer(order=order, by=staff["handler"], now=order.due_at + 3 * SECOND, answer="已办结。")
    supervision_order_close(order=order, by=staff["supervisor"], now=order.due_at + 4 * SECOND)
    order.refresh_from_db()
    assert order.status == "closed" and order.is_late
    # Besides the card's automatic order (yellow cards bring one by default), this one manual order.
    assert SupervisionOrder.objects.filter(automatic=False).count() == 1
    assert SupervisionOrder.objects.filter(automatic=True, warning=card).count() == 1


def test_rule_update_recorded_and_effective(accepted_case, staff):
    rule = Rule.objects.get(code="committed-yellow")
    with pytest.raises(NotPermitted):
        rule_update(rule=rule, data={"thresholds": {"over_wd": 3}}, by=staff["leader"], now=NOW)
    with pytest.raises(DomainError):
        rule_update(rule=rule, data={"thresholds": {"over_wd": -1}}, by=staff["supervisor"], now=NOW)
    c = accepted_case()
    supervise_tick(now=at("2026-10-08 17:31"))  # schedule now points at the 1-wd threshold (10/12)
    rule_update(rule=rule, data={"thresholds": {"over_wd": 3}, "level": "red"}, by=staff["supervisor"],
                now=at("2026-10-09 09:00"), note="试行三日宽限")
    change = RuleChange.objects.get(rule=rule)
    assert change.before["thresholds"] == {"over_wd": 1} and change.after["thresholds"] == {"over_wd": 3}
    assert change.after["level"] == "red" and change.changed_by == staff["supervisor"]
    supervise_tick(now=at("2026-10-13 09:00"))
    assert not Warning.objects.about(c).filter(rule=rule).exists()  # 10/12 + 1 s no longer enough
    supervise_tick(now=at("2026-10-14 17:30") + SECOND)  # 3 wd past 10/10
    assert Warning.objects.about(c).get(rule=rule).level == "red"
    # Saving unchanged values records nothing.
    rule_update(rule=rule, data={"thresholds": {"over_wd": 3}}, by=staff["admin"], now=NOW)
    assert RuleChange.objects.filter(rule=rule).count() == 1


def test_a_rule_or_department_with_cards_cannot_be_deleted(accepted_case):
    """Card → rule and card → department have no database constraint (the tick's commit paid for checking
    them row by row); PROTECT still holds for every delete through Django, naming the cards."""
    from django.db.models import ProtectedError

    c = accepted_case()
    supervise_tick(now=at("2026-10-12 17:31"))
    card = Warning.objects.about(c).get(rule__code="committed-yellow")
    with pytest.raises(ProtectedError) as rule_err:
        card.rule.delete()
    assert card in rule_err.value.protected_objects
    with pytest.raises(ProtectedError) as dept_err:
        card.department.delete()
    assert card in dept_err.value.protected_objects
    assert Warning.objects.filter(pk=card.pk, rule_id=card.rule_id, department_id=card.department_id).exists()
