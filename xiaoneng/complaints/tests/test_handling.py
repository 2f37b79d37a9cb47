"""Handling with clocks: acceptance decisions with notices, dispatch (several departments, a lead), disputes,
pauses that stop the clock, extensions that move it, holidays, results, reply approval, follow-up and the
one reopening, and follow-up expiry through the supervision tick (which owns the clocks' cards)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from xiaoneng.complaints import services
from xiaoneng.complaints.models import Dispatch, Flag, Rating, Reply, Stage, Status, TimelineEntry
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.supervision.services import supervise_tick

from .conftest import T0, TZ


def at(month, day, hour=10, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def public_texts(c):
    return list(TimelineEntry.objects.filter(complaint=c, public=True).values_list("public_text", flat=True))


# ------------------------------------------------------------------------------------------ acceptance
def test_acceptance_clock_counts_working_days(submit):
    c = submit()
    assert c.acceptance_due_at == at(3, 9, 17, 30)  # Mon 2 March + 5 wd
    assert c.due_stage == Stage.ACCEPT and c.due_at == c.acceptance_due_at


def test_acceptance_clock_skips_national_day_and_counts_make_up_saturday(submit):
    c = submit(now=at(9, 30), occurred_on="2026-09-29")
    # Oct 1-7 off; Oct 8, 9, Sat 10 (调休 working day), 12, 13.
    assert c.acceptance_due_at == at(10, 13, 17, 30)


def test_accept_sends_notice_and_starts_handling_clock(submit, staff):
    c = services.complaint_accept(complaint=submit(), by=staff["supervisor"], now=T0)
    assert c.status == Status.ACCEPTED and c.office_handler == staff["supervisor"]
    assert c.handling_due_at == at(3, 16, 17, 30) and c.due_stage == Stage.HANDLE
    assert any(t.startswith("受理告知") for t in public_texts(c))
    with pytest.raises(DomainError):
        services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)  # not twice


@pytest.mark.parametrize("role", ["handler", "head", "leader", "admin", "window"])
def test_only_the_office_decides(submit, staff, role):
    with pytest.raises(NotPermitted):
        services.complaint_accept(complaint=submit(), by=staff[role], now=T0)


def test_refuse_needs_reason_from_list_and_text(submit, staff):
    c = submit()
    with pytest.raises(DomainError) as exc:
        services.complaint_refuse(complaint=c, by=staff["supervisor"], now=T0, reason="because", text="不受理的说明")
    assert exc.value.field == "reason"
    with pytest.raises(DomainError) as exc:
        services.complaint_refuse(complaint=c, by=staff["supervisor"], now=T0, reason="in_litigation", text="")
    assert exc.value.field == "text"
    c = services.complaint_refuse(complaint=c, by=staff["supervisor"], now=T0, reason="in_litigation",
                                  text="您已就同一事项提起行政诉讼。")
    assert c.status == Status.REFUSED and not c.is_open and c.decided_at == T0
    assert any("已进入仲裁、诉讼或行政复议程序" in t and "行政诉讼" in t for t in public_texts(c))


def test_transfer_to_another_authority(submit, staff):
    c = services.complaint_transfer(complaint=submit(), by=staff["supervisor"], now=T0, authority="县纪委监委",
                                    text="反映的问题涉嫌违纪，依规移送。")
    assert c.status == Status.TRANSFERRED and c.transfer_to == "县纪委监委" and not c.is_open
    assert any(t.startswith("移送告知") and "县纪委监委" in t for t in public_texts(c))


# ------------------------------------------------------------------------------------------ dispatch
def test_dispatch_to_several_departments_with_lead(accepted, staff, depts):
    rows = services.complaint_dispatch(complaint=accepted, by=staff["supervisor"], now=T0,
                                       departments=[depts["a"], depts["b"]], lead=depts["b"], limit_wd=8)
    assert {(d.department.code, d.is_lead) for d in rows} == {("TA", False), ("TB", True)}
    accepted.refresh_from_db()
    assert accepted.status == Status.DISPATCHED and accepted.handling_due_at == at(3, 12, 17, 30)
    a_row = next(d for d in rows if not d.is_lead)
    services.dispatch_result(dispatch=a_row, by=staff["handler"], now=at(3, 4), outcome="partly",
                             findings="窗口确有延误情况。", measures="已批评教育。")
    accepted.refresh_from_db()
    assert accepted.status == Status.DISPATCHED  # the lead's result is the complaint's result
    lead = next(d for d in rows if d.is_lead)
    with pytest.raises(NotPermitted):
        services.dispatch_result(dispatch=lead, by=staff["handler"], now=at(3, 4), outcome="partly",
                                 findings="不是我们的。", measures="无")
    services.dispatch_result(dispatch=lead, by=staff["handler_b"], now=at(3, 5), outcome="substantiated",
                             findings="经查属实，承办人拖延。", measures="已责令整改并通报。", sanction=True)
    accepted.refresh_from_db()
    assert accepted.status == Status.RESULT and accepted.outcome == "substantiated" and accepted.sanction_proposed
    assert accepted.reply_due_at == at(3, 10, 17, 30) and accepted.due_stage == Stage.REPLY


def test_urgent_dispatch_has_shorter_limit(accepted, staff, depts):
    services.complaint_dispatch(complaint=accepted, by=staff["supervisor"], now=T0, departments=[depts["a"]],
                                urgent=True)
    accepted.refresh_from_db()
    assert accepted.urgent and accepted.handling_due_at == at(3, 5, 17, 30)


def test_dispute_within_one_working_day_and_office_decides(dispatched, staff, depts):
    d = dispatched.dispatches.get()
    with pytest.raises(NotPermitted):
        services.dispatch_dispute(dispatch=d, by=staff["handler_b"], now=T0, reason="不归我们管的事情")
    with pytest.raises(DomainError, match="异议期限"):
        services.dispatch_dispute(dispatch=d, by=staff["handler"], now=at(3, 4), reason="不归我们管的事情")
    services.dispatch_dispute(dispatch=d, by=staff["head"], now=at(3, 3, 9), reason="该事项属自然资源局职责。")
    d.refresh_from_db()
    assert d.state == Dispatch.State.DISPUTED
    services.dispatch_dispute_decide(dispatch=d, by=staff["supervisor"], now=at(3, 3, 11), uphold=True,
                                     text="异议成立，改派自然资源局。", redirect_to=depts["b"])
    d.refresh_from_db()
    dispatched.refresh_from_db()
    assert d.state == Dispatch.State.WITHDRAWN
    new = dispatched.dispatches.get(state=Dispatch.State.ACTIVE)
    assert new.department == depts["b"] and dispatched.status == Status.DISPATCHED
    assert dispatched.handling_due_at == at(3, 17, 17, 30)


def test_dispute_rejected_keeps_the_department(dispatched, staff):
    d = dispatched.dispatches.get()
    services.dispatch_dispute(dispatch=d, by=staff["handler"], now=T0, reason="该事项属自然资源局职责。")
    services.dispatch_dispute_decide(dispatch=d, by=staff["supervisor"], now=T0, uphold=False, text="属你局职责。")
    d.refresh_from_db()
    assert d.state == Dispatch.State.ACTIVE


# ------------------------------------------------------------------------------------------ pause, extension
def test_pause_stops_the_clock_and_resume_moves_every_due_date(dispatched, staff):
    services.complaint_pause(complaint=dispatched, by=staff["supervisor"], now=T0, reason="投诉人外出无法联系")
    dispatched.refresh_from_db()
    assert dispatched.status == Status.PAUSED and dispatched.next_check_at is None and dispatched.due_stage == ""
    # Nothing becomes overdue while paused, however long (the clocks' own tests: supervision's
    # test_complaint_watch.py).
    supervise_tick(now=at(4, 30))
    dispatched.refresh_from_db()
    assert dispatched.flag == Flag.NONE
    c = services.complaint_resume(complaint=dispatched, by=staff["supervisor"], now=at(3, 5))
    assert c.status == Status.DISPATCHED and c.paused_working_days == 3
    assert c.handling_due_at == at(3, 19, 17, 30) and c.dispatches.get().due_at == at(3, 19, 17, 30)
    assert any(t.startswith("中止告知") for t in public_texts(c))


def test_extension_needs_approval_and_moves_the_clock(dispatched, staff):
    d = dispatched.dispatches.get()
    with pytest.raises(DomainError):
        services.extension_request(dispatch=d, by=staff["handler"], now=T0, days=99, reason="需要调取监控录像。")
    ext = services.extension_request(dispatch=d, by=staff["handler"], now=T0, days=2, reason="需要调取监控录像。")
    with pytest.raises(NotPermitted):
        services.extension_decide(extension=ext, by=staff["head"], now=T0, approve=True)
    services.extension_decide(extension=ext, by=staff["supervisor"], now=T0, approve=True, comment="同意")
    dispatched.refresh_from_db()
    assert dispatched.handling_due_at == at(3, 18, 17, 30) and dispatched.extension_working_days == 2
    refused = services.extension_request(dispatch=d, by=staff["handler"], now=T0, days=3, reason="还需要时间。。")
    services.extension_decide(extension=refused, by=staff["supervisor"], now=T0, approve=False, comment="理由不足")
    dispatched.refresh_from_db()
    assert dispatched.handling_due_at == at(3, 18, 17, 30)


def test_withdraw_closes_without_result(dispatched, staff):
    c = services.complaint_withdraw(complaint=dispatched, by=staff["supervisor"], now=T0, reason="投诉人申请撤回")
    assert c.status == Status.WITHDRAWN and not c.is_open
    assert c.dispatches.get().state == Dispatch.State.WITHDRAWN
    with pytest.raises(DomainError):
        services.complaint_withdraw(complaint=c, by=staff["supervisor"], now=T0, reason="again")


def test_note_is_internal(dispatched, staff):
    services.complaint_note_add(complaint=dispatched, by=staff["handler"], now=T0, text="调取了窗口监控。")
    with pytest.raises(NotPermitted):
        services.complaint_note_add(complaint=dispatched, by=staff["handler_b"], now=T0, text="越权记录")
    e = TimelineEntry.objects.get(complaint=dispatched, kind="note")
    assert not e.public and e.public_text == ""


# ------------------------------------------------------------------------------------------ result, reply
@pytest.fixture
def with_result(dispatched, staff):
    services.dispatch_result(dispatch=dispatched.dispatches.get(), by=staff["handler"], now=at(3, 6),
                             outcome="substantiated", findings="经调查，承办人未按时办理。", measures="已办结并批评教育。")
    dispatched.refresh_from_db()
    return dispatched


def test_reply_is_approved_by_the_office_before_it_is_sent(with_result, staff):
    c = with_result
    with pytest.raises(NotPermitted):
        services.reply_draft(complaint=c, by=staff["handler_b"], now=at(3, 6), text="我们来答复这个投诉的内容。")
    r = services.reply_draft(complaint=c, by=staff["handler"], now=at(3, 6), text="您反映的问题属实，已办结并批评教育。")
    c.refresh_from_db()
    assert c.status == Status.REPLY_REVIEW and r.state == Reply.State.SUBMITTED
    assert not any(t.startswith("答复") for t in public_texts(c))  # nothing sent before approval
    with pytest.raises(NotPermitted):
        services.reply_review(reply=r, by=staff["head"], now=at(3, 9), approve=True)
    with pytest.raises(DomainError):
        services.reply_review(reply=r, by=staff["supervisor"], now=at(3, 9), approve=False, comment="")
    services.reply_review(reply=r, by=staff["supervisor"], now=at(3, 9), approve=False, comment="请写明整改措施。")
    c.refresh_from_db()
    assert c.status == Status.RESULT
    r = services.reply_draft(complaint=c, by=staff["handler"], now=at(3, 9, 11),
                             text="您反映的问题属实，已办结，对承办人批评教育并建立督办台账。")
    r, token = services.reply_review(reply=r, by=staff["supervisor"], now=at(3, 9, 15), approve=True)
    c.refresh_from_db()
    assert c.status == Status.REPLIED and r.state == Reply.State.SENT and token
    assert c.replied_at <= c.reply_due_at and c.follow_up_due_at == at(3, 16, 15)
    assert c.next_check_at == c.follow_up_due_at
    assert any("建立督办台账" in t for t in public_texts(c))


@pytest.fixture
def replied(with_result, staff):
    r = services.reply_draft(complaint=with_result, by=staff["supervisor"], now=at(3, 6),
                             text="您反映的问题属实，已办结，对承办人批评教育。")
    _, token = services.reply_review(reply=r, by=staff["supervisor"], now=at(3, 9), approve=True)
    with_result.refresh_from_db()
    with_result.token = token
    return with_result


def test_rating_by_tracking_code_closes(replied):
    c = services.complaint_rate(complaint=replied, now=at(3, 10), rating="satisfied", comment="很及时")
    assert c.status == Status.CLOSED and c.rating == Rating.SATISFIED and not c.is_open
    with pytest.raises(DomainError):
        services.complaint_rate(complaint=c, now=at(3, 10), rating="basic")


def test_one_time_link_is_spent(replied):
    with pytest.raises(DomainError):
        services.complaint_rate(complaint=replied, now=at(3, 10), rating="basic", token="wrong")
    services.complaint_rate(complaint=replied, now=at(3, 10), rating="basic", token=replied.token)
    replied.refresh_from_db()
    assert replied.rating == Rating.BASIC and replied.follow_up_token_hash == ""


@pytest.mark.parametrize("level", ["very_satisfied", "satisfied", "basic", "unsatisfied", "very_unsatisfied"])
def test_the_follow_up_rating_has_the_five_levels_of_haochaping(replied, level):
    """DOMAIN.md §6: the complainant's rating on the national five levels, to be counted with 好差评."""
    c = services.complaint_rate(complaint=replied, now=at(3, 10), rating=level)
    assert c.status == Status.CLOSED and c.rating == level


def test_very_unsatisfied_may_reopen_too_and_an_unknown_level_is_refused(replied):
    with pytest.raises(DomainError) as exc:
        services.complaint_rate(complaint=replied, now=at(3, 10), rating="excellent")
    assert exc.value.field == "rating" and "非常满意" in exc.value.message
    c = services.complaint_rate(complaint=replied, now=at(3, 10), rating="very_unsatisfied", reopen=True,
                                reopen_reason="答复没有回应我反映的主要问题。")
    assert c.status == Status.ACCEPTED and c.rating == Rating.VERY_UNSATISFIED and c.reopen_count == 1


def test_not_satisfied_reopens_once(replied, staff, depts):
    with pytest.raises(DomainError):
        services.complaint_rate(complaint=replied, now=at(3, 10), rating="basic", reopen=True, reopen_reason="再查查看吧")
    with pytest.raises(DomainError):
        services.complaint_rate(complaint=replied, now=at(3, 10), rating="unsatisfied", reopen=True, reopen_reason="")
    c = services.complaint_rate(complaint=replied, now=at(3, 10), rating="unsatisfied", reopen=True,
                                reopen_reason="问题没有真正解决，承办人仍未办理。")
    assert c.status == Status.ACCEPTED and c.reopen_count == 1 and c.is_open
    rows = services.complaint_dispatch(complaint=c, by=staff["supervisor"], now=at(3, 11), departments=[depts["a"]])
    assert rows[0].round == 2
    services.dispatch_result(dispatch=rows[0], by=staff["handler"], now=at(3, 12), outcome="substantiated",
                             findings="复查属实，已办结。", measures="已当面致歉。")
    r = services.reply_draft(complaint=c, by=staff["handler"], now=at(3, 12), text="复查后已办结并当面致歉，请您评价。")
    services.reply_review(reply=r, by=staff["supervisor"], now=at(3, 13), approve=True)
    c.refresh_from_db()
    with pytest.raises(DomainError, match="已重新办理过一次"):
        services.complaint_rate(complaint=c, now=at(3, 14), rating="unsatisfied", reopen=True,
                                reopen_reason="还是不满意，再来一次。")
    c = services.complaint_rate(complaint=c, now=at(3, 14), rating="unsatisfied")
    assert c.status == Status.CLOSED and c.rating == Rating.UNSATISFIED


def test_no_answer_within_follow_up_period_counts_as_no_rating(replied, settings):
    settings.XIAONENG_COMPLAINTS = {**settings.XIAONENG_COMPLAINTS, "FOLLOW_UP_DAYS": 7}
    supervise_tick(now=at(3, 16, 9))
    replied.refresh_from_db()
    assert replied.status == Status.REPLIED
    counts = supervise_tick(now=at(3, 16, 10))
    replied.refresh_from_db()
    assert counts.follow_ups_expired == 1 and replied.status == Status.CLOSED and replied.rating == Rating.NONE
    with pytest.raises(DomainError):
        services.complaint_rate(complaint=replied, now=at(3, 16, 16), rating="satisfied")


def test_due_after_now_helper():
    assert services.tracking_code_display("ABCDEFGHJKLMNPQR") == "ABCD-EFGH-JKLM-NPQR"
    assert timedelta(days=1)
