# ruff: noqa: F811  (the complaint fixtures are imported by name and used as test arguments)
"""Complaint clocks watched by the supervision engine (the deadline family, supervision/deadlines.py, through the clock port): reminder / yellow / red cards on
the acceptance, handling and reply clocks, written once; the complaint's flag and next check written back;
the card's department (office or lead department) and who is notified; rules editable; follow-up expiry;
pages and API showing complaint cards without the complainant; the migration of the old FlagRecords."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core import mail
from django.db import connection

from xiaoneng.accounts.services import api_client_create
from xiaoneng.complaints import services as cs
from xiaoneng.complaints.models import Complaint, Flag, Rating, Stage, Status, TimelineEntry
from xiaoneng.complaints.tests.conftest import (  # noqa: F401 - fixtures
    LETTER,
    T0,
    TZ,
    _media_and_limits,
    accepted,
    dispatched,
    submit,
)
from xiaoneng.core import sms
from xiaoneng.core.errors import DomainError
from xiaoneng.supervision.models import Notification, Rule, Warning, WarningStatus
from xiaoneng.supervision.services import (
    rule_update,
    supervise_tick,
    supervision_order_answer,
    supervision_order_close,
    supervision_order_issue,
    warning_escalate,
)


def at(month, day, hour=10, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def cards(c) -> list[tuple[str, str]]:
    return list(Warning.objects.about(c).order_by("crossed_at", "id").values_list("rule__code", "level"))


# ============================================================================================ thresholds
def test_reminder_yellow_red_on_the_acceptance_clock(submit, depts):
    c = submit()  # due Mon 9 March 17:30
    assert c.next_check_at == at(3, 5, 17, 30)  # the rules' reminder: 2 wd before due, close of office hours
    supervise_tick(now=at(3, 5, 17, 29))
    c.refresh_from_db()
    assert c.flag == Flag.NONE and cards(c) == []
    r = supervise_tick(now=at(3, 5, 17, 30))
    c.refresh_from_db()
    assert c.flag == Flag.REMINDER and cards(c) == [("complaint-reminder", "reminder")]
    assert r.complaints_checked == 1 and r.issued["reminder"] == 1
    supervise_tick(now=at(3, 10, 17, 30))  # exactly 1 wd over: not yet "more than"
    c.refresh_from_db()
    assert c.flag == Flag.REMINDER
    supervise_tick(now=at(3, 10, 17, 31))
    c.refresh_from_db()
    assert c.flag == Flag.YELLOW
    r = supervise_tick(now=at(3, 12, 9))
    c.refresh_from_db()
    assert c.flag == Flag.RED and c.next_check_at is None and r.issued["red"] == 1
    assert cards(c) == [("complaint-reminder", "reminder"), ("complaint-yellow", "yellow"), ("complaint-red", "red")]
    w = Warning.objects.about(c).get(level="red")
    # Acceptance is the office's clock: the card belongs to the supervision office, keyed by stage and due.
    assert w.department == depts["office"] and (w.subject_kind, w.subject_id) == ("complaint", c.pk) and w.deadline_key == "accept@2026-03-09T09:30:00Z"
    assert w.crossed_at > c.acceptance_due_at and "受理期限" in w.detail
    assert TimelineEntry.objects.filter(complaint=c, kind="flag", public=False).count() == 3
    supervise_tick(now=at(3, 13))
    assert Warning.objects.about(c).count() == 3  # nothing twice


def test_late_first_look_skips_the_reminder_and_a_new_stage_starts_clean(submit, staff):
    c = submit()
    supervise_tick(now=at(3, 20))
    c.refresh_from_db()
    assert c.flag == Flag.RED
    # A reminder about a complaint already late is noise: only yellow and red are issued.
    assert [lv for _r, lv in cards(c)] == ["yellow", "red"]
    c = cs.complaint_accept(complaint=c, by=staff["supervisor"], now=at(3, 20))
    assert c.flag == Flag.NONE and c.due_stage == Stage.HANDLE and c.next_check_at > at(3, 20)


def test_handling_clock_over_the_holidays_belongs_to_the_lead_department(submit, staff, depts):
    c = submit(now=at(9, 28), occurred_on="2026-09-20")
    cs.complaint_accept(complaint=c, by=staff["supervisor"], now=at(9, 28))
    cs.complaint_dispatch(complaint=c, by=staff["supervisor"], now=at(9, 28), departments=[depts["b"], depts["a"]],
                          lead=depts["a"], limit_wd=3)
    c.refresh_from_db()
    assert c.handling_due_at == at(10, 8, 17, 30)
    supervise_tick(now=at(10, 7, 12))
    c.refresh_from_db()
    assert c.flag == Flag.REMINDER  # 2 wd before 8 Oct is 29 Sept
    supervise_tick(now=at(10, 9, 18))
    c.refresh_from_db()
    assert c.flag == Flag.YELLOW
    supervise_tick(now=at(10, 10, 18))
    c.refresh_from_db()
    assert c.flag == Flag.RED  # Saturday 10 Oct is a make-up working day
    ws = Warning.objects.about(c)
    assert {w.department_id for w in ws} == {depts["a"].pk} and {w.handler_id for w in ws} == {None}
    assert {w.deadline_key.split("@")[0] for w in ws} == {"handle"}


def test_paused_complaint_raises_nothing(dispatched, staff):
    cs.complaint_pause(complaint=dispatched, by=staff["supervisor"], now=T0, reason="投诉人外出无法联系")
    supervise_tick(now=at(4, 30))
    dispatched.refresh_from_db()
    assert dispatched.flag == Flag.NONE and not Warning.objects.about(dispatched).exists()


def test_tick_is_idempotent(submit):
    cs_ = [submit() for _ in range(3)]
    first = supervise_tick(now=at(3, 20))
    again = supervise_tick(now=at(3, 20))
    assert first.complaints_checked == 3 and first.issued == {"reminder": 0, "yellow": 3, "red": 3}
    assert again.complaints_checked == 0 and again.cards_issued == 0
    assert Warning.objects.filter(subject_kind="complaint", subject_id__in=[c.pk for c in cs_]).count() == 6


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_issue_each_complaint_card_once(submit):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer: concurrent ticks are serialised by the database itself")
    import threading

    from xiaoneng.supervision.defaults import rules_ensure_defaults

    rules_ensure_defaults()
    for _ in range(12):
        submit()
    results, errors = [], []

    def run():
        try:
            results.append(supervise_tick(now=at(3, 20)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Warning.objects.filter(subject_kind="complaint").count() == 24
    assert sum(r.cards_issued for r in results) == 24


# ================================================================================================ rules
def test_rule_edits_take_effect_and_can_switch_a_card_off(submit, staff):
    c = submit()  # due Mon 9 March 17:30
    reminder = Rule.objects.get(code="complaint-reminder")
    rule_update(rule=reminder, data={"thresholds": {"before_wd": 4}}, by=staff["supervisor"], now=T0)
    c.refresh_from_db()
    assert c.next_check_at == T0  # every running complaint clock is looked at again at the next tick
    supervise_tick(now=T0)
    c.refresh_from_db()
    assert c.next_check_at == at(3, 3, 17, 30)  # 4 wd before 9 March
    rule_update(rule=Rule.objects.get(code="complaint-red"), data={"enabled": False}, by=staff["admin"], now=T0)
    supervise_tick(now=at(3, 20))
    c.refresh_from_db()
    assert [lv for _r, lv in cards(c)] == ["yellow"] and c.flag == Flag.YELLOW


def test_rule_level_and_confirmation_mode_apply(submit, staff):
    rule_update(rule=Rule.objects.get(code="complaint-yellow"), data={"level": "red", "mode": "confirm"},
                by=staff["supervisor"], now=T0)
    c = submit()
    r = supervise_tick(now=at(3, 11))
    w = Warning.objects.about(c).get()
    assert w.level == "red" and w.status == WarningStatus.PENDING_CONFIRMATION and r.pending_confirmation == 1


def test_rules_page_lists_the_complaint_rules(client_as):
    body = client_as("supervisor").get("/staff/supervision/rules/").content.decode()
    assert "投诉超期黄牌" in body and "complaint-red" in body
    r = client_as("supervisor").post("/staff/supervision/rules/complaint-yellow/", {
        "name": "投诉超期黄牌", "enabled": "on", "level": "yellow", "mode": "automatic", "scope": "all",
        "auto_order": "on", "order_due_wd": "5", "auto_proposal": "on",  # the rule form's escalation settings
        "t_over_wd": "3", "note": "按本县规定放宽"})
    assert r.status_code == 302 and Rule.objects.get(code="complaint-yellow").thresholds == {"over_wd": 3}
    r = client_as("supervisor").post("/staff/supervision/rules/complaint-yellow/", {
        "name": "投诉超期黄牌", "enabled": "on", "level": "yellow", "mode": "automatic", "scope": "all",
        "t_over_wd": "99", "note": ""})
    assert r.status_code == 400 and "超期工作日数" in r.content.decode()


# ====================================================================================== follow-up expiry
def test_follow_up_expires_through_the_supervision_tick(dispatched, staff, settings):
    d = dispatched.dispatches.get()
    cs.dispatch_result(dispatch=d, by=staff["handler"], now=at(3, 3), outcome="substantiated",
                       findings="经核查情况属实，窗口人员拖延办理。", measures="批评教育并限期办结。")
    reply = cs.reply_draft(complaint=dispatched, by=staff["handler"], now=at(3, 4), text="经核查您反映的问题属实，已责令整改。")
    cs.reply_review(reply=reply, by=staff["supervisor"], now=at(3, 5), approve=True)
    dispatched.refresh_from_db()
    assert dispatched.next_check_at == dispatched.follow_up_due_at == at(3, 12)
    supervise_tick(now=at(3, 12, 9))
    dispatched.refresh_from_db()
    assert dispatched.status == Status.REPLIED
    r = supervise_tick(now=at(3, 12, 10))
    dispatched.refresh_from_db()
    assert r.follow_ups_expired == 1 and dispatched.status == Status.CLOSED and dispatched.rating == Rating.NONE
    assert dispatched.is_open is False and dispatched.next_check_at is None
    with pytest.raises(DomainError):
        cs.complaint_rate(complaint=dispatched, now=at(3, 12, 11), rating="satisfied")


# ========================================================================================= notifications
def _contacts(staff, depts):
    staff["supervisor"].email, staff["supervisor"].phone = "sup@example.gov.cn", "13800000009"
    staff["supervisor"].save()
    staff["head"].email = "head_a@example.gov.cn"
    staff["head"].save()


def test_handling_cards_notify_the_office_handler_and_the_lead_heads_in_office_hours_once(dispatched, staff, depts):
    _contacts(staff, depts)
    supervise_tick(now=at(3, 20, 20))  # evening: in-app at once, e-mail and SMS wait for office hours
    notes = Notification.objects.filter(warning__in=Warning.objects.about(dispatched))
    assert {n.recipient_id for n in notes} == {staff["supervisor"].pk, staff["head"].pk}
    assert staff["handler_b"].pk not in {n.recipient_id for n in notes}
    def staff_mail():  # the complainant's own notices (complaints' messages) go out too: count the staff's
        # (about the cards: the yellow card's automatic order, 【督办】, is counted on its own below)
        return [m for m in mail.outbox if m.to[0].endswith("@example.gov.cn") and "【督办】" not in m.subject]

    def order_mail():
        return [m for m in mail.outbox if m.to[0].endswith("@example.gov.cn") and "【督办】" in m.subject]

    def staff_sms():
        return [p for p, _t in sms.outbox if p == "13800000009"]

    assert staff_mail() == [] and staff_sms() == []
    n_rows = notes.count()
    supervise_tick(now=at(3, 23, 9))  # Monday morning
    assert len(staff_mail()) == 4  # two cards (reminder, yellow) × mail to 2
    # By Monday the handling clock is 2 wd over: yellow and red. Each brings its automatic order, which goes
    # to the lead department's heads (not to the office handler).
    assert [m.to for m in order_mail()] == [["head_a@example.gov.cn"]] * 2
    supervise_tick(now=at(3, 23, 9, 5))
    assert len(staff_mail()) == 4 and notes.count() == n_rows  # recorded and sent once
    subject = staff_mail()[0].subject
    assert dispatched.number in subject and LETTER["name"] not in subject
    assert LETTER["phone"] not in staff_mail()[0].body


def test_acceptance_cards_go_to_the_office_heads_while_nobody_is_assigned(submit, staff, depts):
    office_head = staff["supervisor"]
    depts["office"].head = office_head
    depts["office"].save()
    c = submit()
    supervise_tick(now=at(3, 11))
    assert set(Notification.objects.filter(warning__in=Warning.objects.about(c)).values_list("recipient_id", flat=True)) == {
        office_head.pk}
    assert not Notification.objects.filter(warning__in=Warning.objects.about(c), recipient=staff["head"]).exists()


def test_escalating_a_complaint_card_notifies_again_and_it_can_be_ordered(dispatched, staff, depts):
    """Issue 10 §3: complaint cards receive orders like case cards (refused before: the order's case was
    required). The order goes to the card's department — the lead department while it handles."""
    supervise_tick(now=at(3, 18))
    w = Warning.objects.about(dispatched).filter(level="yellow").get()
    warning_escalate(warning=w, by=staff["supervisor"], now=at(3, 18, 11), text="请主办单位立即办结。")
    w.refresh_from_db()
    assert w.level == "red" and Notification.objects.filter(warning=w, kind="warning_escalated").exists()
    order = supervision_order_issue(warning=w, by=staff["supervisor"], now=at(3, 18, 11), due_wd=2,
                                    instructions="限期办结")
    assert (order.subject_kind, order.subject_id) == ("complaint", dispatched.pk) and order.department == w.department
    assert order.subject_no == dispatched.number
    assert Notification.objects.filter(order=order, recipient=staff["head"], kind="order_issued").exists()
    # The department answers it like a case order, the office closes it.
    supervision_order_answer(order=order, by=staff["head"], now=at(3, 18, 15), answer="已办结并答复。")
    supervision_order_close(order=order, by=staff["supervisor"], now=at(3, 18, 16))
    order.refresh_from_db()
    assert order.status == "closed"
    # Raised to red, the card also has a draft rectification proposal for the office to confirm.
    assert w.proposals.get().status == "draft"


# ================================================================================ pages, API, privacy
@pytest.fixture
def handled_card(dispatched):
    supervise_tick(now=at(3, 18))
    return Warning.objects.about(dispatched).filter(level="yellow").get()


@pytest.mark.parametrize("role,status", [
    ("supervisor", 200), ("leader", 200), ("admin", 200), ("head", 200), ("handler", 200), ("window", 200),
    ("handler_a1", 404), ("handler_b", 404),
])
def test_complaint_card_page_by_role(handled_card, client_as, role, status):
    r = client_as(role).get(f"/staff/supervision/warnings/{handled_card.pk}/")
    assert r.status_code == status
    if status == 200:
        body = r.content.decode()
        assert Complaint.objects.get(pk=handled_card.subject_id).number in body and 'data-testid="complaint-link"' in body
        for secret in (LETTER["name"], LETTER["phone"], LETTER["email"], LETTER["address"]):
            assert secret not in body
        # The yellow card's automatic order is on the card (complaint cards are ordered like case cards).
        assert "发出督办" in body and handled_card.orders.get(automatic=True).number in body


def test_office_stage_cards_are_the_offices_own(submit, client_as):
    c = submit()
    supervise_tick(now=at(3, 11))
    w = Warning.objects.about(c).first()
    assert client_as("head").get(f"/staff/supervision/warnings/{w.pk}/").status_code == 404
    assert client_as("supervisor").get(f"/staff/supervision/warnings/{w.pk}/").status_code == 200


@pytest.mark.parametrize("role", ["supervisor", "leader", "admin", "head", "handler"])
def test_lists_monitor_and_desk_show_complaint_cards(handled_card, client_as, role):
    pages = ["/staff/supervision/warnings/", "/staff/supervision/desk/"]
    if role in ("supervisor", "leader", "admin"):
        pages.append("/staff/supervision/")
    for url in pages:
        body = client_as(role).get(url).content.decode()
        assert Complaint.objects.get(pk=handled_card.subject_id).number in body, url
        assert LETTER["name"] not in body and LETTER["phone"] not in body
    body = client_as(role).get("/staff/supervision/warnings/", {"case_no": Complaint.objects.get(pk=handled_card.subject_id).number}).content
    assert Complaint.objects.get(pk=handled_card.subject_id).number in body.decode()


def test_card_api_shows_complaint_cards_without_the_complainant(handled_card, client, client_as, depts):
    _c, token = api_client_create(name="市场监管系统", department=depts["a"], by=None, now=T0)
    r = client.get("/api/v1/warnings", HTTP_AUTHORIZATION=f"Bearer {token}")
    item = r.json()["items"][0]
    assert item["subject"] == "complaint" and item["case_no"] is None
    assert item["complaint_no"] == item["subject_no"] == Complaint.objects.get(pk=handled_card.subject_id).number
    for secret in (LETTER["name"], LETTER["phone"], LETTER["email"]):
        assert secret not in r.content.decode()
    _c, token_b = api_client_create(name="自然资源系统", department=depts["b"], by=None, now=T0)
    assert client.get("/api/v1/warnings", HTTP_AUTHORIZATION=f"Bearer {token_b}").json()["count"] == 0
    assert client.get(f"/api/v1/warnings/{handled_card.pk}",
                      HTTP_AUTHORIZATION=f"Bearer {token_b}").status_code == 404
    detail = client_as("supervisor").get(f"/api/v1/warnings/{handled_card.pk}").json()
    assert detail["complaint_no"] == Complaint.objects.get(pk=handled_card.subject_id).number


# ============================================================================================ migration
@pytest.mark.django_db(transaction=True)
def test_flag_records_migrate_into_cards(calendar, depts, staff):
    from django.db.migrations.executor import MigrationExecutor

    before = [("supervision", "0003_complaint_cards"), ("complaints", "0002_categories")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Complaint = apps.get_model("complaints", "Complaint")
    FlagRecord = apps.get_model("complaints", "FlagRecord")
    Dispatch = apps.get_model("complaints", "Dispatch")
    Category = apps.get_model("complaints", "ComplaintCategory")
    cat = Category.objects.first() or Category.objects.create(code="TS-MIG", name="迁移测试")
    due = at(3, 9, 17, 30)

    def complaint(n, **kw):
        return Complaint.objects.create(
            number=f"TS2026-{n:06d}", tracking_code=f"CODE{n:012d}", channel="web", category=cat,
            department_id=depts["a"].pk, facts="事实", request="请求", received_at=T0, updated_at=T0,
            identity_mode="confidential", occurred_on=T0.date(), litigation="none", **kw)

    live = complaint(1, status="received", acceptance_due_at=due, due_stage="accept", due_at=due, is_open=True,
                     flag="yellow")
    done = complaint(2, status="closed", due_stage="", is_open=False, closed_at=at(4, 1),
                     office_handler_id=staff["supervisor"].pk)
    Dispatch.objects.create(complaint=done, department_id=depts["b"].pk, is_lead=True, limit_wd=10,
                            dispatched_at=at(3, 3), due_at=due, dispute_due_at=due)
    FlagRecord.objects.create(complaint=live, stage="accept", level="reminder", due_at=due, raised_at=at(3, 5, 18))
    FlagRecord.objects.create(complaint=live, stage="accept", level="yellow", due_at=due, raised_at=at(3, 11))
    FlagRecord.objects.create(complaint=done, stage="handle", level="red", due_at=due, raised_at=at(3, 12))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ws = {(w.subject_id, w.level): w for w in Warning.objects.filter(subject_kind="complaint")}
    assert set(ws) == {(live.pk, "reminder"), (live.pk, "yellow"), (done.pk, "red")}
    assert ws[(live.pk, "yellow")].status == "issued" and ws[(live.pk, "yellow")].department_id == depts["office"].pk
    assert ws[(live.pk, "yellow")].deadline_key == "accept@2026-03-09T09:30:00Z"
    assert ws[(live.pk, "yellow")].rule.code == "complaint-yellow"
    red = ws[(done.pk, "red")]
    assert red.status == "confirmed" and red.department_id == depts["b"].pk and red.closed_at == at(4, 1)
    assert red.actions.get().kind == "confirm"
    assert "complaints_flagrecord" not in connection.introspection.table_names()
