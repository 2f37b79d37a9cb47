"""Complaint clocks that start outside office hours (issue 10 §1; DOMAIN.md §4): a complaint submitted, accepted,
dispatched or answered by a department after the close or on a day off starts its clock at the next working
day's opening — acceptance (5 wd), handling (10 wd / the dispatch's limit), the 1-wd dispute window and the
reply (3 wd) alike. March 2026 has no holiday; National Day 2026 is 1-7 October, Saturday 10 a make-up day."""

from __future__ import annotations

from datetime import datetime

from xiaoneng.complaints import services
from xiaoneng.complaints.models import Stage

from .conftest import TZ


def at(month, day, hour=10, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def test_complaint_submitted_on_a_saturday_counts_from_monday(submit):
    c = submit(now=at(3, 7))  # Saturday 7 March: day 0 is Monday 9, 5 wd end Monday 16 (before: Friday 13)
    assert c.acceptance_due_at == at(3, 16, 17, 30)
    assert c.due_stage == Stage.ACCEPT and c.due_at == c.acceptance_due_at


def test_complaint_submitted_after_the_close_counts_from_the_next_day(submit):
    assert submit(now=at(3, 3, 18, 49)).acceptance_due_at == at(3, 11, 17, 30)  # day 0 Wednesday 4 (before: 10)
    assert submit(now=at(3, 3, 17, 30)).acceptance_due_at == at(3, 10, 17, 30)  # at the close: still Tuesday
    assert submit(now=at(3, 3, 7, 30)).acceptance_due_at == at(3, 10, 17, 30)  # before the opening: Tuesday


def test_complaint_submitted_in_the_national_day_break(submit):
    # Saturday 3 October: day 0 is Thursday 8; 9, Sat 10 (调休), 12, 13, 14 (before: 13).
    assert submit(now=at(10, 3), occurred_on="2026-09-29").acceptance_due_at == at(10, 14, 17, 30)


def test_handling_dispute_and_reply_clocks_started_after_the_close(submit, staff, depts):
    sup = staff["supervisor"]
    c = services.complaint_accept(complaint=submit(), by=sup, now=at(3, 6, 19))  # Friday evening
    assert c.handling_due_at == at(3, 23, 17, 30)  # 10 wd from Monday 9 (before: Friday 20)
    d = services.complaint_dispatch(complaint=c, by=sup, now=at(3, 6, 19), departments=[depts["a"]])[0]
    assert d.due_at == at(3, 23, 17, 30)
    assert d.dispute_due_at == at(3, 10, 17, 30)  # the 1 wd to dispute is Tuesday's, not Monday's
    services.dispatch_result(dispatch=d, by=staff["handler"], now=at(3, 12, 20), outcome="substantiated",
                             findings="经查属实，承办人拖延。", measures="已责令整改。")
    c.refresh_from_db()
    assert c.reply_due_at == at(3, 18, 17, 30)  # 3 wd from Friday 13 (before: Tuesday 17)
