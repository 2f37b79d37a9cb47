"""Time-based rules through the tick: each default fires exactly when it should (one second either side),
around the National Day holidays of 2026 (10月1日—7日 off, Saturday 10月10日 a make-up working day)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from xiaoneng.cases.models import Case
from xiaoneng.cases.schedule import schedule_write
from xiaoneng.cases.selectors import case_next_check
from xiaoneng.cases.services import case_clocks_sync
from xiaoneng.supervision.models import Rule, Warning, WarningStatus
from xiaoneng.supervision.services import supervise_tick

from .conftest import SECOND, at, ev


def cards(case=None):
    qs = Warning.objects.order_by("id")
    if case is not None:
        qs = qs.about(case)
    return [(w.rule.code, w.level, w.status) for w in qs.select_related("rule")]


def test_deadlines_skip_national_day(accepted_case):
    c = accepted_case(when="2026-09-28 09:00")
    # Day 0 is 9/28; 9/29, 9/30, (10/1-10/7 off), 10/8, 10/9, Saturday 10/10 (make-up day) = 5 wd.
    assert c.committed_deadline == at("2026-10-10 17:30")
    assert c.statutory_deadline == at("2026-10-30 17:30")


@pytest.mark.parametrize(("code", "threshold"), [
    ("committed-reminder", "2026-10-08 17:30"),  # 2 wd before 10/10: 10/9 is wd 4, 10/8 wd 3
    ("committed-yellow", "2026-10-12 17:30"),  # more than 1 wd past 10/10 (10/11 is Sunday)
    ("statutory-red", "2026-11-02 17:30"),  # 10/30 is a Friday: 1 wd later is Monday 11/2
])
def test_threshold_one_second_either_side(accepted_case, code, threshold):
    c = accepted_case(when="2026-09-28 09:00")
    t = at(threshold)
    supervise_tick(now=t - SECOND)
    assert code not in [r for r, _l, _s in cards(c)]
    supervise_tick(now=t)  # exactly at the threshold: not yet crossed
    assert code not in [r for r, _l, _s in cards(c)]
    supervise_tick(now=t + SECOND)
    assert code in [r for r, _l, _s in cards(c)]
    w = Warning.objects.about(c).get(rule__code=code)
    assert w.crossed_at == t and w.issued_at == t + SECOND and w.status == WarningStatus.ISSUED


def test_schedule_follows_thresholds(accepted_case):
    c = accepted_case(when="2026-09-28 09:00")
    supervise_tick(now=at("2026-10-08 17:31"))
    c.refresh_from_db()
    assert case_next_check(c) == at("2026-10-12 17:30") + timedelta(microseconds=1)
    supervise_tick(now=at("2026-10-12 17:31"))
    c.refresh_from_db()
    assert case_next_check(c) == at("2026-11-02 17:30") + timedelta(microseconds=1)
    assert cards(c) == [("committed-reminder", "reminder", "issued"), ("committed-yellow", "yellow", "issued")]


def test_tick_twice_issues_each_card_once(accepted_case):
    accepted_case("C1")
    accepted_case("C2")
    first = supervise_tick(now=at("2026-11-03 09:00"))
    second = supervise_tick(now=at("2026-11-03 09:00"))
    assert first.cards_issued == 4 and second.cards_issued == 0  # yellow + red for each (reminder too late)
    # Force every case due again: still nothing new.
    schedule_write((pk, at("2026-11-01 00:00")) for pk in Case.objects.values_list("id", flat=True))
    assert supervise_tick(now=at("2026-11-03 10:00")).cards_issued == 0
    assert Warning.objects.count() == 4


def test_unique_constraint_refuses_duplicate(accepted_case):
    c = accepted_case()
    supervise_tick(now=at("2026-10-13 09:00"))
    w = Warning.objects.about(c).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Warning.objects.create(subject_kind="case", subject_id=c.pk, rule=w.rule, level=w.level, deadline_key=w.deadline_key,
                               department=w.department, crossed_at=w.crossed_at, issued_at=w.issued_at,
                               updated_at=w.issued_at)


def test_late_completed_event_withdraws_yellow(accepted_case, ingest):
    """Decided and documented: a `completed` event that arrives late but happened before the threshold
    withdraws the card automatically (history says why); one that happened after it leaves the card."""
    c1 = accepted_case("C1")
    c2 = accepted_case("C2")
    supervise_tick(now=at("2026-10-13 09:00"))
    assert [s for _r, _l, s in cards(c1)] == ["issued"]
    ingest([ev("C1", "completed", "2026-10-09 15:00"), ev("C2", "completed", "2026-10-13 08:00")],
           now=at("2026-10-13 10:00"))
    w1 = Warning.objects.about(c1).get()
    assert w1.status == WarningStatus.WITHDRAWN
    assert w1.actions.exclude(kind="order").get().kind == "auto_withdraw"  # besides its automatic order
    assert Warning.objects.about(c2).get().status == WarningStatus.ISSUED


def test_completed_before_threshold_never_issued(accepted_case, ingest):
    c = accepted_case()
    ingest([ev("C1", "completed", "2026-10-12 10:00"), ev("C1", "delivered", "2026-10-13 10:00")],
           now=at("2026-10-13 10:05"))  # completed after the reminder's time, before the yellow's
    supervise_tick(now=at("2026-11-05 09:00"))
    assert cards(c) == []  # the reminder came too late to matter, the yellow never came


def test_history_import_gets_cards_when_completed_late(accepted_case, ingest):
    c = accepted_case()
    ingest([ev("C1", "completed", "2026-11-04 10:00"), ev("C1", "delivered", "2026-11-05 10:00")],
           now=at("2026-11-20 10:00"))
    assert sorted(cards(c)) == [("committed-yellow", "yellow", "issued"), ("statutory-red", "red", "issued")]


def test_special_procedure_moves_thresholds(accepted_case, ingest):
    c = accepted_case()
    ingest([ev("C1", "suspended", "2026-09-29 10:00", reason="检测", granted_days=5)], now=at("2026-09-29 10:05"))
    c.refresh_from_db()
    assert c.committed_deadline == at("2026-10-16 17:30")  # 5 wd later than 10/10: 10/12 … 10/16
    supervise_tick(now=at("2026-10-13 09:00"))
    assert "committed-yellow" not in [r for r, _l, _s in cards(c)]


def test_open_supplement_stops_the_clock(accepted_case, ingest):
    c = accepted_case()
    ingest([ev("C1", "supplement_requested", "2026-09-29 10:00", missing_materials=["营业执照"])],
           now=at("2026-09-29 10:05"))
    c.refresh_from_db()
    assert c.clock_stopped_at is not None
    schedule_write([(c.pk, at("2026-09-30 00:00"))])
    supervise_tick(now=at("2026-11-20 09:00"))
    assert cards(c) == []


def test_delivery_late(accepted_case, ingest):
    c = accepted_case()
    ingest([ev("C1", "completed", "2026-10-09 10:00")], now=at("2026-10-09 10:05"))
    c.refresh_from_db()
    t = at("2026-10-13 17:30")  # 3 wd after Friday 10/9: Saturday 10/10 (make-up day), 10/12, 10/13
    assert c.delivery_due_at == t
    supervise_tick(now=t - SECOND)
    assert cards(c) == []
    supervise_tick(now=t + SECOND)
    assert cards(c) == [("delivery-late", "yellow", "issued")]


def test_delivery_past_the_statutory_ten_working_days_is_red(accepted_case, ingest):
    """行政许可法 §44: the certificate within 10 wd of the decision. Past 3 wd the office's yellow, past 10 wd
    the statutory red as well (both about the same decision)."""
    c = accepted_case()
    ingest([ev("C1", "completed", "2026-10-09 10:00")], now=at("2026-10-09 10:05"))
    t10 = at("2026-10-22 17:30")  # 10 wd after Friday 10/9 (Saturday 10/10 is a make-up working day)
    supervise_tick(now=t10 - SECOND)
    assert cards(c) == [("delivery-late", "yellow", "issued")]
    supervise_tick(now=t10 + SECOND)
    assert sorted(cards(c)) == [("delivery-late", "yellow", "issued"), ("delivery-statutory", "red", "issued")]
    red = Warning.objects.about(c).get(rule__code="delivery-statutory")
    assert red.crossed_at == t10 and "第四十四条" in red.detail


def test_delivery_reported_late_by_event_is_judged_at_ingest(accepted_case, ingest):
    accepted_case("C2")
    # Completed and delivered in one batch, the delivery 12 wd after the decision: both cards at once.
    ingest([ev("C2", "completed", "2026-10-09 10:00"), ev("C2", "delivered", "2026-10-26 10:00")],
           now=at("2026-10-26 11:00"))
    c = Case.objects.get(case_no="C2")
    assert sorted(cards(c)) == [("delivery-late", "yellow", "issued"), ("delivery-statutory", "red", "issued")]
    accepted_case("C3")
    ingest([ev("C3", "completed", "2026-10-09 10:00"), ev("C3", "delivered", "2026-10-20 10:00")],
           now=at("2026-10-20 11:00"))
    assert cards(Case.objects.get(case_no="C3")) == [("delivery-late", "yellow", "issued")]


def test_deemed_approval_marks_case_and_raises_red(accepted_case):
    c = accepted_case(code="MY001")
    supervise_tick(now=c.statutory_deadline + SECOND)
    c.refresh_from_db()
    assert c.deemed_approved_at == c.statutory_deadline
    assert ("deemed-approval", "red", "issued") in cards(c)


def test_step_over_its_own_limit(accepted_case, ingest):
    c = accepted_case()
    # 审核 (2 wd) starts at acceptance 9/28: due 9/30 17:30; done 10/8 → over its own limit.
    ingest([ev("C1", "step_completed", "2026-10-08 10:00", step="审核")], now=at("2026-10-08 10:05"))
    assert ("step-overdue", "yellow", "issued") in cards(c)


def test_disabled_rule_issues_nothing(accepted_case):
    Rule.objects.filter(code="committed-yellow").update(enabled=False)
    c = accepted_case()
    supervise_tick(now=at("2026-10-13 09:00"))
    assert cards(c) == []


def test_tick_query_count_is_constant(accepted_case, staff):
    for i in range(3):
        accepted_case(f"S{i}")
    # The clocks were never synced to the calendar in this fresh database: a first tick would recompute them
    # all (a calendar change, tested below); measure ticks on an unchanged calendar.
    case_clocks_sync(now=at("2026-11-03 08:00"))
    with CaptureQueriesContext(connection) as q_small:
        small = supervise_tick(now=at("2026-11-03 09:00"))
    for i in range(30):
        accepted_case(f"L{i}")
    with CaptureQueriesContext(connection) as q_large:
        large = supervise_tick(now=at("2026-11-03 09:00"))
    assert small.cases_checked == 3 and large.cases_checked == 30 and large.cards_issued == 60
    # The same statements for 3 cases as for 30 (set-based), and a small constant number of them.
    # (23: the tick in office hours also looks for SMS to applicants waiting to be sent, one SELECT; 32 since
    # yellow and red cards bring supervision orders — insert, numbers, history, heads ×2, contacts,
    # notifications — and red cards draft proposals ×2: each a statement per batch, not per card; the outbox's
    # one loop also looks for complainant notices to retry at every tick since issue 11, one SELECT: 32; and
    # since issue 12 whether the office sends 好差评 SMS invitations, one SELECT: 33; and the third clock owner,
    # bad ratings' rectifications, probed once per tick (any_due), one SELECT: 34; and the fourth, inspection
    # findings' corrections, the same probe: 35; and the survey invitations waiting for office hours, the outbox's
    # one SELECT per source: 36; and issue 14's two owners, disclosure-day findings and information requests,
    # probed the same way: 38.)
    assert len(q_small.captured_queries) == len(q_large.captured_queries) <= 38


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_issue_each_card_once(accepted_case):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer: concurrent ticks are serialised by the database itself")
    for i in range(40):
        accepted_case(f"P{i}")
    now = at("2026-11-03 09:00")
    results, errors = [], []

    def run():
        try:
            results.append(supervise_tick(now=now, batch_size=7))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Warning.objects.count() == 80
    assert sum(r.cards_issued for r in results) == 80


def test_calendar_change_moves_deadlines_and_the_cards_follow_in_the_same_tick(accepted_case, staff):
    import datetime as dt

    from xiaoneng.supervision.models import ActionKind, WarningAction
    from xiaoneng.workdays.services import calendar_day_set

    c = accepted_case(when="2026-09-28 09:00")  # committed deadline Saturday 10/10 (make-up day) 17:30
    supervise_tick(now=at("2026-10-12 17:31"))  # the reminder's moment passed unwatched: only the yellow card
    assert cards(c) == [("committed-yellow", "yellow", "issued")]
    # The county declares Friday 10/9 a holiday: the fifth working day is now Monday 10/12, so the case was not
    # more than one working day late after all.
    calendar_day_set(date=dt.date(2026, 10, 9), kind="holiday", name="临时放假", by=staff["admin"],
                     now=at("2026-10-12 17:35"))
    r = supervise_tick(now=at("2026-10-12 17:40"))
    c.refresh_from_db()
    assert r.clocks_recomputed == 1 and c.committed_deadline == at("2026-10-12 17:30")
    assert cards(c) == [("committed-yellow", "yellow", "withdrawn")]
    assert WarningAction.objects.filter(warning__in=Warning.objects.about(c), kind=ActionKind.AUTO_WITHDRAW).count() == 1
    # The yellow threshold of the new deadline (10/13 17:30) is ahead: scheduled, and issued once crossed.
    assert case_next_check(c) == at("2026-10-13 17:30") + timedelta(microseconds=1)
    supervise_tick(now=at("2026-10-13 17:31"))
    assert cards(c)[-1] == ("committed-yellow", "yellow", "issued")
    assert Warning.objects.about(c).get(rule__code="committed-yellow", status="issued").crossed_at == at("2026-10-13 17:30")
    # An unchanged calendar recomputes nothing.
    assert supervise_tick(now=at("2026-10-13 17:32")).clocks_recomputed == 0


def test_a_tick_of_hundreds_of_cards_goes_through_copy_once(accepted_case, staff):
    # ≥ 200 cards and notifications take the COPY path of core.bulk on PostgreSQL (fewer: one statement).
    from xiaoneng.supervision.models import Notification

    for i in range(110):
        accepted_case(f"K{i}")
    case_clocks_sync(now=at("2026-11-03 08:00"))
    first = supervise_tick(now=at("2026-11-03 09:00"))
    assert first.cards_issued == 220 and Warning.objects.count() == 220
    assert first.notifications_created == Notification.objects.count() > 200
    assert set(Warning.objects.values_list("rule__code", flat=True)) == {"committed-yellow", "statutory-red"}
    schedule_write((pk, at("2026-11-01 00:00")) for pk in Case.objects.values_list("id", flat=True))
    again = supervise_tick(now=at("2026-11-03 09:01"))
    assert again.cases_checked == 110 and again.cards_issued == 0 and Warning.objects.count() == 220
    assert Notification.objects.count() == first.notifications_created


def test_loosening_a_rule_later_does_not_take_back_a_card_whose_deadline_stands(accepted_case, staff):
    from xiaoneng.supervision.services import rule_update

    c = accepted_case(when="2026-09-28 09:00")  # committed 10/10 17:30; yellow after 10/12 17:30
    supervise_tick(now=at("2026-10-12 17:31"))
    assert cards(c) == [("committed-yellow", "yellow", "issued")]
    # The office loosens the yellow card to 3 wd past the deadline: every open case is due at the next tick.
    rule_update(rule=Rule.objects.get(code="committed-yellow"), data={"thresholds": {"over_wd": 3}},
                by=staff["supervisor"], now=at("2026-10-12 18:00"))
    r = supervise_tick(now=at("2026-10-12 18:01"))
    assert r.cases_checked == 1 and cards(c) == [("committed-yellow", "yellow", "issued")]


def test_a_card_names_an_unnamed_step_by_the_glossary_not_by_its_kind(ingest, make_item):
    """Issue 10 §4: a workflow step without a name of its own ("review") was written into the card's text as
    the English kind; the text names it 审核 (the card's key keeps the step as reported)."""
    make_item(code="UN001", name="无环节名称的事项", steps=[
        {"kind": "accept", "name": "", "limit_value": 1, "limit_unit": "wd", "post": "", "description": ""},
        {"kind": "review", "name": "", "limit_value": 2, "limit_unit": "wd", "post": "", "description": ""}])
    w = at("2026-09-28 09:00")
    ingest([ev("U1", "received", w, "UN001"), ev("U1", "accepted", w, "UN001"),
            ev("U1", "step_completed", "2026-10-08 10:00", "UN001", step="review")], now=at("2026-10-08 10:05"))
    card = Warning.objects.about(Case.objects.get(case_no="U1")).get(rule__code="step-overdue")
    assert "审核" in card.detail and "review" not in card.detail
