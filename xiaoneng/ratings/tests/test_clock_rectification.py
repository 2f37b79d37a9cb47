"""The rectification clock (差评整改) judged by supervision through the port: reminder, yellow and red cards at
the right moments across the 2026 Mid-Autumn / National Day holidays and their 调休 make-up Saturday, and none
once the rectification is submitted, accepted or voided."""

from __future__ import annotations

import pytest

from xiaoneng.core import clocks
from xiaoneng.ratings.clocks import RATING_CLOCKS, RULES
from xiaoneng.ratings.models import Rectification
from xiaoneng.ratings.services import rectification as svc
from xiaoneng.supervision.defaults import rules_ensure_defaults
from xiaoneng.supervision.models import Rule, SupervisionOrder, Warning
from xiaoneng.supervision.rulecache import rules_invalidate
from xiaoneng.supervision.services import supervise_tick

from .rectify_helpers import at, open_rectification

# 2026: 9-25 (Fri) 中秋节; 10-1 … 10-7 国庆节; 9-20 (Sun) and 10-10 (Sat) are 调休 working days.
# A bad rating recorded on Wednesday 2026-09-23 after hours starts its clock on Thursday 09-24 (day 0); the
# 10th working day after it: 9-28, 9-29, 9-30, 10-8, 10-9, 10-10 (make-up Saturday), 10-12, 10-13, 10-14, 10-15
# → due Thursday 10-15 at the close of office hours.
RECORDED = "2026-09-23 18:40"


@pytest.fixture(autouse=True)
def _rules(db):
    rules_ensure_defaults()
    rules_invalidate()
    yield
    rules_invalidate()


def _cards(r):
    return list(Warning.objects.filter(subject_kind="rating", subject_id=r.pk).order_by("crossed_at", "id")
                .values_list("rule__code", "level", "department_id", "handler_id"))


def test_the_owner_is_registered_with_its_rules(db):
    assert clocks.owner("rating") is RATING_CLOCKS and clocks.kinds()["rating"] == "差评整改"
    codes = {r["code"]: r for r in RULES}
    assert set(codes) == {"rating-rectify-reminder", "rating-rectify-yellow", "rating-rectify-red"}
    rules = {r.code: r for r in Rule.objects.filter(subject_kind="rating")}
    assert set(rules) == set(codes)
    assert rules["rating-rectify-reminder"].thresholds == {"before_wd": 2}
    assert rules["rating-rectify-yellow"].thresholds == {"over_wd": 1}
    assert rules["rating-rectify-red"].thresholds == {"over_wd": 3}
    assert all(r.name and r.description for r in rules.values())


def test_due_date_across_the_national_day_holiday_and_its_make_up_saturday(depts, calendar):
    r = open_rectification(depts["a"], when=at(RECORDED))
    assert r.limit_wd == 10 and r.due_at == calendar.deadline(at(RECORDED), 10, "wd").at
    assert r.due_at.astimezone(at(RECORDED).tzinfo).date().isoformat() == "2026-10-15"
    assert r.number.startswith("ZG2026-") and r.next_check_at == at(RECORDED)


def test_reminder_yellow_red_cards_at_their_moments(depts, staff, calendar):
    r = open_rectification(depts["a"], when=at(RECORDED))
    due = r.due_at
    supervise_tick(now=at("2026-09-24 10:00"))  # judged once at opening: nothing yet
    r.refresh_from_db()
    assert _cards(r) == [] and r.flag == "" and r.next_check_at is not None
    # Reminder: the close of office hours 2 working days before the due day (10-13, Tuesday).
    assert r.next_check_at.astimezone(due.tzinfo).date().isoformat() == "2026-10-13"
    supervise_tick(now=at("2026-10-12 12:00"))  # not yet
    assert _cards(r) == []
    supervise_tick(now=r.next_check_at)
    a = depts["a"].pk
    assert _cards(r) == [("rating-rectify-reminder", "reminder", a, None)]
    r.refresh_from_db()
    assert r.flag == "reminder"
    # Yellow: more than 1 working day after the due date (10-16 close); red: more than 3 (10-20 close).
    supervise_tick(now=at("2026-10-16 12:00"))
    assert len(_cards(r)) == 1
    r.refresh_from_db()
    supervise_tick(now=r.next_check_at)
    assert [c[1] for c in _cards(r)] == ["reminder", "yellow"]
    r.refresh_from_db()
    assert r.flag == "yellow" and r.next_check_at.astimezone(due.tzinfo).date().isoformat() == "2026-10-20"
    supervise_tick(now=at("2026-10-20 09:00"))
    assert len(_cards(r)) == 2
    supervise_tick(now=r.next_check_at)
    assert [c[1] for c in _cards(r)] == ["reminder", "yellow", "red"]
    r.refresh_from_db()
    assert r.flag == "red" and r.next_check_at is None
    # Escalation like any card: automatic orders to the department.
    assert SupervisionOrder.objects.filter(subject_kind="rating", subject_id=r.pk, department_id=a).count() == 2


def test_the_handler_hears_of_the_cards_and_the_card_page_links_the_rectification(depts, staff, calendar,
                                                                                  client_as):
    r = open_rectification(depts["a"], when=at(RECORDED))
    svc.rectification_assign(rectification=r, handler=staff["handler"], by=staff["head"], now=at("2026-09-24 09:30"))
    supervise_tick(now=at("2026-10-19 09:00"))
    cards = _cards(r)
    assert [c[1] for c in cards] == ["yellow"]  # a reminder is not issued once the due date has passed
    assert cards[0][3] == staff["handler"].pk
    w = Warning.objects.get(subject_kind="rating", subject_id=r.pk)
    page = client_as("head").get(f"/staff/supervision/warnings/{w.pk}/").content.decode()
    assert r.number in page and f"/staff/ratings/rectifications/{r.number}/" in page


@pytest.mark.parametrize("end", ["submitted", "accepted", "voided"])
def test_no_cards_after_the_rectification_is_submitted_accepted_or_voided(depts, staff, calendar, end):
    r = open_rectification(depts["a"], when=at(RECORDED))
    now = at("2026-10-09 10:00")
    svc.rectification_submit(rectification=r, by=staff["handler"], now=now, verification="已核实：窗口人员态度生硬属实。",
                             action="已对窗口人员批评教育并调整岗位。")
    if end == "accepted":
        svc.rectification_accept(rectification=r, by=staff["supervisor"], now=at("2026-10-09 11:00"))
    if end == "voided":
        r.refresh_from_db()
        r.status = "open"
        r.save()
        a = svc.rectification_appeal(rectification=r, by=staff["head"], now=at("2026-10-09 11:00"),
                                     reason="评价人系同一号码恶意重复评价，有监控为证。")
        svc.appeal_decide(appeal=a, by=staff["supervisor"], now=at("2026-10-09 15:00"), uphold=True,
                          note="经查属恶意评价，予以作废。")
    r.refresh_from_db()
    assert r.next_check_at is None
    for day in ("2026-10-13 18:00", "2026-10-19 09:00", "2026-10-21 09:00", "2026-11-30 09:00"):
        supervise_tick(now=at(day))
    assert _cards(r) == []
    assert Rectification.objects.get(pk=r.pk).flag == ""


def test_a_returned_rectification_runs_against_the_same_due_date(depts, staff, calendar):
    r = open_rectification(depts["a"], when=at(RECORDED))
    due = r.due_at
    svc.rectification_submit(rectification=r, by=staff["handler"], now=at("2026-10-13 10:00"),
                             verification="已核实。", action="已整改。")
    svc.rectification_return(rectification=r, by=staff["supervisor"], now=at("2026-10-15 16:00"),
                             note="整改措施过于笼统，请写明具体措施。")
    r.refresh_from_db()
    assert r.status == "returned" and r.due_at == due and r.next_check_at == at("2026-10-15 16:00")
    supervise_tick(now=at("2026-10-19 09:00"))  # more than 1 wd over the unchanged due date: yellow
    assert [c[1] for c in _cards(r)] == ["yellow"]


def test_an_appeal_pauses_nothing(depts, staff, calendar):
    r = open_rectification(depts["a"], when=at(RECORDED))
    svc.rectification_appeal(rectification=r, by=staff["head"], now=at("2026-10-08 10:00"),
                             reason="评价人并未到本窗口办事，系误评。")
    supervise_tick(now=at("2026-10-19 09:00"))
    assert [c[1] for c in _cards(r)] == ["yellow"]


def test_a_rule_change_reschedules_running_clocks_only(depts, staff, calendar):
    running = open_rectification(depts["a"], when=at(RECORDED))
    done = open_rectification(depts["a"], when=at(RECORDED))
    svc.rectification_submit(rectification=done, by=staff["handler"], now=at("2026-09-28 10:00"),
                             verification="已核实。", action="已整改。")
    supervise_tick(now=at("2026-09-28 11:00"))
    now = at("2026-09-29 09:00")
    assert RATING_CLOCKS.reschedule(now=now) == 1
    assert Rectification.objects.get(pk=running.pk).next_check_at == now
    assert Rectification.objects.get(pk=done.pk).next_check_at is None


def test_subjects_and_rows_never_carry_the_rater(depts, staff, calendar):
    r = open_rectification(depts["b"], when=at(RECORDED), rater_name="王小明", rater_phone="13912345678")
    subj = RATING_CLOCKS.subjects([r.pk])[r.pk]
    assert subj.number == r.number and subj.department_id == depts["b"].pk and subj.tell_heads_of == (depts["b"].pk,)
    rows = RATING_CLOCKS.due(now=at("2026-09-24 09:00"), limit=10, skip_locked=False)
    assert [x.id for x in rows] == [r.pk] and "王" not in repr(rows) and "139" not in repr(rows)
