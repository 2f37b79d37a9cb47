"""Escalation as DOMAIN.md §4 describes it (issue 10 §3): a yellow or red card brings a supervision order
(督办) by itself, a red card a draft rectification proposal (整改建议书) that the office confirms — numbered
then, printable, shown to the department only once sent."""

from __future__ import annotations

import pytest

from xiaoneng.cases.models import Case
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.supervision.models import (
    Notification,
    Rule,
    SupervisionOrder,
    SupervisionProposal,
    Warning,
    WarningStatus,
)
from xiaoneng.supervision.services import (
    rule_update,
    supervise_tick,
    supervision_proposal_discard,
    supervision_proposal_issue,
    warning_confirm,
    warning_escalate,
)

from .conftest import SECOND, at

NOW = at("2026-10-13 10:00")


@pytest.fixture
def yellow(staff, accepted_case):
    """C1 accepted 9/28 (5 wd committed: due 10/9 17:30 — 10/10 is a make-up working day): yellow after 10/12."""
    accepted_case()
    r = supervise_tick(now=at("2026-10-12 18:00"))
    return r, Warning.objects.get(rule__code="committed-yellow")


def test_a_yellow_card_brings_its_order_once(yellow, staff):
    r, w = yellow
    o = SupervisionOrder.objects.get(warning=w)
    assert o.automatic and o.issued_by is None and (o.subject_kind, o.subject_id) == (w.subject_kind, w.subject_id) and o.department_id == w.department_id
    assert o.number.startswith("DB2026-") and not o.number.startswith("tmp")
    # 5 wd (the rule's default) from Monday 10/12: 10/13 … 10/19, at the close of office hours.
    # Issued by the 18:00 tick, after the close: counted from Tuesday, as every clock (DOMAIN.md §4).
    assert o.due_wd == 5 and o.due_at == at("2026-10-20 17:30")
    assert "超承诺时限黄牌" in o.instructions and "2026-10-20 17:30" in o.instructions
    assert r.orders_issued == 1 and "自动督办 1 件" in r.summary()
    action = w.actions.get(kind="order")
    assert action.by is None and o.number in action.text
    assert set(Notification.objects.filter(order=o, channel="in_app").values_list("recipient", flat=True)) == {
        staff["handler"].pk, staff["head"].pk}
    # The next ticks (and a repeated one) add nothing.
    supervise_tick(now=at("2026-10-12 18:00"))
    supervise_tick(now=at("2026-10-13 09:00"))
    assert SupervisionOrder.objects.filter(warning=w).count() == 1 and w.actions.filter(kind="order").count() == 1


def test_the_order_follows_the_rule_settings(accepted_case, staff):
    rule = Rule.objects.get(code="committed-yellow")
    rule_update(rule=rule, data={"order_due_wd": 2}, by=staff["supervisor"], now=at("2026-09-28 08:00"))
    accepted_case("C1")
    supervise_tick(now=at("2026-10-12 18:00"))
    assert SupervisionOrder.objects.get(warning__in=Warning.objects.about(Case.objects.get(case_no="C1"))).due_at == at("2026-10-15 17:30")  # from Tue
    rule_update(rule=rule, data={"auto_order": False}, by=staff["supervisor"], now=at("2026-10-12 19:00"))
    accepted_case("C2", when="2026-09-29 09:00")
    supervise_tick(now=at("2026-10-13 18:00"))
    assert Warning.objects.about(Case.objects.get(case_no="C2")).filter(rule=rule).exists()
    assert not SupervisionOrder.objects.filter(warning__in=Warning.objects.about(Case.objects.get(case_no="C2"))).exists()
    with pytest.raises(DomainError) as exc:
        rule_update(rule=rule, data={"order_due_wd": 0}, by=staff["supervisor"], now=at("2026-10-13 19:00"))
    assert exc.value.field == "order_due_wd"
    assert rule.changes.filter(after__auto_order=False).exists()  # the switch is audited like any edit


def test_reminders_bring_no_order(accepted_case):
    c = accepted_case()
    supervise_tick(now=c.committed_deadline - SECOND)  # past committed − 2 wd: the reminder only
    assert Warning.objects.filter(level="reminder").exists()
    assert not SupervisionOrder.objects.exists() and not SupervisionProposal.objects.exists()


def test_a_card_held_for_confirmation_is_ordered_when_confirmed(accepted_case, staff):
    Rule.objects.filter(code="committed-yellow").update(mode="confirm")
    from xiaoneng.supervision.rulecache import rules_invalidate

    rules_invalidate()
    accepted_case()
    supervise_tick(now=at("2026-10-12 18:00"))
    w = Warning.objects.get(rule__code="committed-yellow")
    assert w.status == WarningStatus.PENDING_CONFIRMATION and not SupervisionOrder.objects.exists()
    warning_confirm(warning=w, by=staff["supervisor"], now=NOW)
    o = SupervisionOrder.objects.get(warning=w)
    assert o.automatic and o.issued_at == NOW


def test_a_red_card_brings_a_draft_proposal_that_the_office_numbers_when_it_sends_it(staff, depts, accepted_case):
    accepted_case()  # 20 wd statutory: red more than 1 wd after it
    r = supervise_tick(now=at("2026-11-05 18:00"))
    red = Warning.objects.get(rule__code="statutory-red")
    p = SupervisionProposal.objects.get(warning=red)
    assert r.proposals_drafted == 1 and p.status == "draft" and p.number == "" and p.serial is None
    assert p.department_id == depts["a"].pk and "C1" in p.problem and "超法定时限红牌" in p.problem
    assert SupervisionOrder.objects.filter(warning=red, automatic=True).exists()  # red: an order as well
    # Only the office sends it; the department cannot, and the draft is not theirs to see yet.
    with pytest.raises(NotPermitted):
        supervision_proposal_issue(proposal=p, by=staff["head"], now=NOW, problem="x", suggestion="y", due_wd=5)
    with pytest.raises(DomainError) as exc:
        supervision_proposal_issue(proposal=p, by=staff["supervisor"], now=NOW, problem=p.problem, suggestion="",
                                   due_wd=5)
    assert exc.value.field == "suggestion"
    p.refresh_from_db()
    assert p.status == "draft" and p.number == ""  # nothing changed, no number spent
    p = supervision_proposal_issue(proposal=p, by=staff["supervisor"], now=at("2026-11-06 10:00"),
                                   problem=p.problem, suggestion="立即办结，查明超期原因并追究责任。", due_wd=10)
    assert p.status == "issued" and p.serial == 1 and p.number == "测试县效能办效建〔2026〕第1号"
    assert p.issuer_id == depts["office"].pk and p.due_at == at("2026-11-20 17:30")
    assert red.actions.filter(kind="proposal").exists()
    assert Notification.objects.filter(warning=red, kind="proposal_issued", recipient=staff["head"]).exists()
    with pytest.raises(DomainError):
        supervision_proposal_issue(proposal=p, by=staff["supervisor"], now=NOW, problem="x", suggestion="y", due_wd=5)


def test_the_numbers_run_per_year_without_gaps_for_discarded_drafts(accepted_case, staff):
    for n in range(3):
        accepted_case(f"C{n}")
    supervise_tick(now=at("2026-11-05 18:00"))
    drafts = list(SupervisionProposal.objects.order_by("id"))
    assert len(drafts) == 3
    with pytest.raises(DomainError):
        supervision_proposal_discard(proposal=drafts[0], by=staff["supervisor"], now=NOW, reason=" ")
    supervision_proposal_discard(proposal=drafts[0], by=staff["supervisor"], now=NOW, reason="已由纪委另案处理。")
    a = supervision_proposal_issue(proposal=drafts[1], by=staff["supervisor"], now=NOW, problem="问题", suggestion="建议",
                                   due_wd=5)
    b = supervision_proposal_issue(proposal=drafts[2], by=staff["supervisor"], now=NOW, problem="问题", suggestion="建议",
                                   due_wd=5)
    assert (a.serial, b.serial) == (1, 2)
    drafts[0].refresh_from_db()
    assert drafts[0].status == "discarded" and drafts[0].number == ""


def test_a_late_order_raises_the_card_to_red_and_drafts_the_proposal(yellow):
    _r, w = yellow
    o = SupervisionOrder.objects.get(warning=w)
    supervise_tick(now=o.due_at + SECOND)
    w.refresh_from_db()
    assert w.level == "red" and w.status == "escalated"
    assert SupervisionProposal.objects.get(warning=w).status == "draft"
    assert SupervisionOrder.objects.filter(warning=w).count() == 1  # the card keeps its one automatic order
    # Every message of the chain (order, escalation, overdue order) reads as sentences: the bodies joined parts
    # that already ended with a stop ("系统自动升级。。", "书面答复纠正情况。。答复期限").
    bodies = list(Notification.objects.values_list("body", flat=True))
    assert any("系统自动升级。" in b for b in bodies) and any("督办要求：" in b for b in bodies)
    assert [b for b in bodies if "。。" in b] == []
    assert "。。" not in SupervisionProposal.objects.get(warning=w).problem


def test_a_reminder_raised_to_yellow_is_ordered(accepted_case, staff):
    c = accepted_case()
    supervise_tick(now=c.committed_deadline - SECOND)
    w = Warning.objects.get(level="reminder")
    warning_escalate(warning=w, by=staff["supervisor"], now=NOW, text="多次提醒仍未办理。")
    assert SupervisionOrder.objects.get(warning=w).automatic


# ================================================================================================ pages
@pytest.fixture
def proposal(staff, accepted_case):
    accepted_case()
    supervise_tick(now=at("2026-11-05 18:00"))
    return SupervisionProposal.objects.get()


@pytest.mark.parametrize("role,status", [
    ("supervisor", 200), ("leader", 200), ("admin", 200), ("head", 404), ("handler", 404), ("handler_b", 404),
])
def test_a_draft_is_the_offices_own(proposal, client_as, role, status):
    assert client_as(role).get(f"/staff/supervision/proposals/{proposal.pk}/").status_code == status


def test_the_office_sends_it_from_its_page_and_the_department_reads_and_prints_it(proposal, client_as):
    c = client_as("leader")
    assert c.post(f"/staff/supervision/proposals/{proposal.pk}/issue/",
                  {"issue-problem": "p", "issue-suggestion": "s", "issue-due_wd": "5"}).status_code == 403
    c = client_as("supervisor")
    page = c.get(f"/staff/supervision/proposals/{proposal.pk}/").content.decode()
    assert "确认发出" in page and "C1" in page
    r = c.post(f"/staff/supervision/proposals/{proposal.pk}/issue/",
               {"issue-problem": proposal.problem, "issue-suggestion": "立即纠正。", "issue-due_wd": "0"})
    assert r.status_code == 400  # the form names the field; nothing sent
    proposal.refresh_from_db()
    assert proposal.status == "draft"
    r = c.post(f"/staff/supervision/proposals/{proposal.pk}/issue/",
               {"issue-problem": proposal.problem, "issue-suggestion": "立即纠正。", "issue-due_wd": "10"})
    assert r.status_code == 302
    for role, status in (("head", 200), ("handler", 200), ("handler_b", 404)):
        assert client_as(role).get(f"/staff/supervision/proposals/{proposal.pk}/").status_code == status
    doc = client_as("head").get(f"/staff/supervision/proposals/{proposal.pk}/print/").content.decode()
    assert "效建〔2026〕第1号" in doc and "立即纠正。" in doc and "测试县市场监督管理局" in doc
    assert "整改建议书" in client_as("head").get("/staff/supervision/proposals/").content.decode()


def test_a_draft_cannot_be_printed(proposal, client_as):
    assert client_as("supervisor").get(f"/staff/supervision/proposals/{proposal.pk}/print/").status_code == 404


def test_rule_page_edits_the_escalation_settings(client_as):
    c = client_as("supervisor")
    page = c.get("/staff/supervision/rules/committed-yellow/").content.decode()
    assert "黄牌、红牌自动督办" in page and "红牌自动起草整改建议书" in page
    r = c.post("/staff/supervision/rules/committed-yellow/", {
        "name": "超承诺时限黄牌", "enabled": "on", "level": "yellow", "mode": "automatic", "scope": "all",
        "t_over_wd": "1", "order_due_wd": "3", "auto_proposal": "on"})
    assert r.status_code == 302
    rule = Rule.objects.get(code="committed-yellow")
    assert (rule.auto_order, rule.order_due_wd, rule.auto_proposal) == (False, 3, True)


def test_withdrawing_a_card_closes_its_order_and_declines_its_draft(yellow, staff):
    """Otherwise the department would be left answering, and the tick escalating, an order whose card is gone."""
    from xiaoneng.supervision.services import warning_withdraw

    _r, w = yellow
    warning_escalate(warning=w, by=staff["supervisor"], now=NOW, text="未按期办结。")  # red: a draft as well
    warning_withdraw(warning=w, by=staff["supervisor"], now=NOW + SECOND, text="系统时间错误，误发。")
    o = SupervisionOrder.objects.get(warning=w)
    assert o.status == "closed" and o.closed_at == NOW + SECOND and "撤销" in o.close_note
    assert SupervisionProposal.objects.get(warning=w).status == "discarded"
    assert supervise_tick(now=o.due_at + SECOND).orders_escalated == 0
