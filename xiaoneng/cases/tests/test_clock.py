"""The clock of a case: deadlines across holidays and make-up days, suspensions, deemed acceptance (§32),
the verdict frozen at completion, recomputation after a calendar change, joint cases, the explanation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xiaoneng.cases.models import Case
from xiaoneng.cases.selectors import case_explain_deadline, case_next_check
from xiaoneng.cases.services import case_clocks_sync, case_recompute_deadlines
from xiaoneng.workdays.services import calendar_day_set

from .conftest import NOW, TZ, ev


def local(d: dt.datetime) -> str:
    return d.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def get(no: str) -> Case:
    return Case.objects.select_related("version").get(case_no=no)


def test_national_day_with_make_up_days(items, ingest):
    # Accepted Monday 28 Sep 2026 (day 0). 29, 30 Sep; 1-7 Oct National Day; 8, 9 Oct; Saturday 10 Oct is a
    # make-up working day (调休) and is the 5th working day.
    r = ingest([ev("C1", "received", "2026-09-28 09:00"), ev("C1", "accepted", "2026-09-28 10:00")])
    assert r.accepted == 2 and not r.errors
    c = get("C1")
    assert c.status == "accepted" and c.clock_start == dt.datetime(2026, 9, 28, 10, 0, tzinfo=TZ)
    assert local(c.committed_deadline) == "2026-10-10 17:30"
    assert local(c.statutory_deadline) == "2026-10-30 17:30"
    assert not c.deadlines_provisional and not c.deemed_accepted
    explain = case_explain_deadline(c)
    assert explain["committed"]["deadline"] == c.committed_deadline
    assert any("国庆" in g for g in explain["committed"]["skipped_groups"])
    skipped = {d for d, _ in explain["committed"]["skipped"]}
    assert dt.date(2026, 10, 1) in skipped and dt.date(2026, 10, 10) not in skipped
    assert "第 0 日" in explain["committed"]["explanation"]


def test_supplement_after_acceptance_moves_deadlines(items, ingest):
    ingest([
        ev("C2", "received", "2026-11-02 09:00"), ev("C2", "accepted", "2026-11-02 09:30"),
        ev("C2", "supplement_requested", "2026-11-03 10:00", missing_materials=["营业执照"]),
        ev("C2", "supplement_received", "2026-11-06 15:00"),
    ])
    c = get("C2")
    # Stopped Tuesday 3 → Friday 6 Nov: 3 working days (4, 5, 6 Nov); committed 5 wd + 3 = 8 wd from 2 Nov.
    assert c.suspended_working_days == 3
    assert local(c.committed_deadline) == "2026-11-12 17:30"
    assert c.status == "accepted" and c.notices_count == 1
    assert c.suspensions[0]["kind"] == "supplement" and c.suspensions[0]["counted"] == 3


def test_special_procedure_counts_at_most_granted_days(items, ingest):
    ingest([
        ev("C3", "received", "2026-11-02 09:00"), ev("C3", "accepted", "2026-11-02 09:30"),
        ev("C3", "suspended", "2026-11-03 09:00", reason="检测", granted_days=2),
        ev("C3", "resumed", "2026-11-09 09:00"),
    ])
    c = get("C3")
    assert c.suspended_working_days == 2 and c.granted_days == 2  # 4 wd stopped, 2 granted
    assert local(c.committed_deadline) == "2026-11-11 17:30"


def test_open_special_procedure_counts_granted_days_and_open_supplement_stops_clock(items, ingest):
    ingest([
        ev("C4", "received", "2026-11-02 09:00"), ev("C4", "accepted", "2026-11-02 09:30"),
        ev("C4", "suspended", "2026-11-03 09:00", reason="专家评审", granted_days=10),
        ev("C5", "received", "2026-11-02 09:00"), ev("C5", "accepted", "2026-11-02 09:30"),
        ev("C5", "supplement_requested", "2026-11-03 09:00", missing_materials=["营业执照"]),
    ], now=dt.datetime(2026, 11, 4, 9, 0, tzinfo=TZ))
    c4, c5 = get("C4"), get("C5")
    assert c4.status == "suspended" and c4.suspended_working_days == 10 and c4.clock_stopped_at is None
    assert local(c4.committed_deadline) == "2026-11-23 17:30"  # 15 wd after 2 Nov
    assert case_next_check(c4) is not None
    assert c5.status == "supplementing" and c5.clock_stopped_at is not None and case_next_check(c5) is None
    assert c5.is_open


def test_deemed_acceptance_when_no_notice_within_five_working_days(items, ingest):
    # Received Monday 2 Nov; accepted only on Tuesday 10 Nov (6 wd later) with no notice: §32 counts it as
    # accepted on 2 Nov, so the committed 5 wd fall due on 9 Nov.
    ingest([ev("D1", "received", "2026-11-02 09:00"), ev("D1", "accepted", "2026-11-10 09:00")])
    c = get("D1")
    assert c.deemed_accepted and c.clock_start == c.received_at
    assert local(c.acceptance_due_at) == "2026-11-09 17:30"
    assert local(c.committed_deadline) == "2026-11-09 17:30"


def test_late_notice_does_not_stop_the_clock_but_timely_one_does(items, ingest):
    ingest([
        ev("D2", "received", "2026-11-02 09:00"),
        ev("D2", "supplement_requested", "2026-11-11 09:00", missing_materials=["营业执照"]),  # 7 wd: late
        ev("D2", "supplement_received", "2026-11-13 09:00"), ev("D2", "accepted", "2026-11-13 10:00"),
        ev("D3", "received", "2026-11-02 09:00"),
        ev("D3", "supplement_requested", "2026-11-03 09:00", missing_materials=["营业执照"]),  # timely
        ev("D3", "supplement_received", "2026-11-13 09:00"), ev("D3", "accepted", "2026-11-13 10:00"),
    ])
    d2, d3 = get("D2"), get("D3")
    assert d2.deemed_accepted and d2.clock_start == d2.received_at and d2.suspended_working_days == 0
    assert local(d2.committed_deadline) == "2026-11-09 17:30"
    assert not d3.deemed_accepted and local(d3.clock_start) == "2026-11-13 10:00"
    assert local(d3.committed_deadline) == "2026-11-20 17:30"


def test_received_but_not_accepted_counts_from_receipt_and_checks_acceptance_due(items, ingest):
    ingest([ev("D4", "received", "2026-11-02 09:00")], now=dt.datetime(2026, 11, 3, 9, 0, tzinfo=TZ))
    c = get("D4")
    assert c.status == "received" and c.clock_start == c.received_at and not c.deemed_accepted
    # The earliest future threshold: the first step (受理, 1 wd) falls due on 3 Nov, before the reminder
    # 2 wd ahead of the committed deadline (9 Nov → 5 Nov).
    assert local(c.current_step_due_at) == "2026-11-03 17:30"
    assert local(case_next_check(c)) == "2026-11-03 17:30"
    ingest([ev("D4", "step_completed", "2026-11-03 09:00", step="accept")], now=dt.datetime(2026, 11, 3, 9, 30, tzinfo=TZ))
    c.refresh_from_db()
    assert local(case_next_check(c)) == "2026-11-05 17:30" and local(c.current_step_due_at) == "2026-11-05 17:30"


def test_verdicts_and_frozen_at_completion(items, ingest, staff):
    ingest([
        ev("V1", "received", "2026-11-02 09:00"), ev("V1", "accepted", "2026-11-02 09:00"),
        ev("V1", "completed", "2026-11-05 10:00"),
        ev("V2", "received", "2026-11-02 09:00"), ev("V2", "accepted", "2026-11-02 09:00"),
        ev("V2", "completed", "2026-11-09 16:30"),
        ev("V3", "received", "2026-11-02 09:00"), ev("V3", "accepted", "2026-11-02 09:00"),
        ev("V3", "completed", "2026-11-11 10:30"),
    ])
    v1, v2, v3 = get("V1"), get("V2"), get("V3")
    assert (v1.verdict, v1.verdict_working_days) == ("early", 2)
    assert (v2.verdict, v2.verdict_working_days, v2.verdict_hours) == ("on_time", 0, Decimal("1.00"))
    # Due Monday 9 Nov 17:30; done Wednesday 11 Nov 10:30: 2 wd late, 8.5 working hours (7 on 10 Nov + 1.5).
    assert v3.verdict == "overdue" and v3.verdict_working_days == 2
    assert v3.verdict_hours == Decimal("8.50") and not v3.statutory_overdue
    assert v3.is_open and v3.delivery_due_at is not None  # watched until delivered
    before = (v3.verdict, v3.verdict_working_days, v3.committed_deadline)
    # A calendar change (a new holiday on 4 Nov) recomputes running cases only: the verdict stays frozen.
    calendar_day_set(date=dt.date(2026, 11, 4), kind="holiday", name="测试假日", by=staff["admin"], now=NOW)
    case_recompute_deadlines(now=NOW)
    v3.refresh_from_db()
    assert (v3.verdict, v3.verdict_working_days, v3.committed_deadline) == before
    ingest([ev("V3", "delivered", "2026-11-12 10:00")])
    v3.refresh_from_db()
    assert v3.status == "delivered" and not v3.is_open and case_next_check(v3) is None and v3.verdict == "overdue"


def test_calendar_change_recomputes_open_cases(items, ingest, staff):
    ingest([ev("R1", "received", "2026-11-02 09:00"), ev("R1", "accepted", "2026-11-02 09:00")],
           now=dt.datetime(2026, 11, 2, 10, 0, tzinfo=TZ))
    c = get("R1")
    assert local(c.committed_deadline) == "2026-11-09 17:30"
    calendar_day_set(date=dt.date(2026, 11, 4), kind="holiday", name="测试假日", by=staff["admin"], now=NOW)
    assert case_clocks_sync(now=dt.datetime(2026, 11, 2, 11, 0, tzinfo=TZ)) == 1
    c.refresh_from_db()
    assert local(c.committed_deadline) == "2026-11-10 17:30"
    assert "测试假日" in " ".join(case_explain_deadline(c)["committed"]["skipped_groups"])
    # Nothing changed since: the sync is a no-op.
    assert case_clocks_sync(now=dt.datetime(2026, 11, 2, 11, 0, tzinfo=TZ)) == 0


def test_missing_calendar_year_is_an_error_on_the_case_not_a_guess(items, ingest):
    # The calendar fixture loads 2020-2027: a case accepted late in 2027 with 20 wd reaches into 2028.
    now = dt.datetime(2027, 12, 20, 10, 0, tzinfo=TZ)
    r = ingest([ev("Y1", "received", "2027-12-20 09:00"), ev("Y1", "accepted", "2027-12-20 09:30")], now=now)
    assert r.accepted == 2
    c = get("Y1")
    assert c.statutory_deadline is None and "2028" in c.clock_error
    assert case_next_check(c) is None


def test_joint_parent_gets_joint_limit(items, ingest, make_item, clients, depts):
    """The lead department sets up the joint case (联办件): its parent declared at creation gets the joint
    limit, and a child it names later is linked. (Since issue 9 a child may name only a parent the sender
    may write that is a joint parent already: another department's case can no longer be made one.)"""
    from xiaoneng.cases.services import case_events_ingest

    make_item(code="LB001", dept="a", name="开办餐饮店一件事", item_type="committed", committed_limit_value=10)
    case_events_ingest(events=[ev("P1", "received", "2026-11-02 09:00", code="LB001", is_joint_parent=True),
                               ev("P1", "accepted", "2026-11-02 09:00", code="LB001")], client=clients["a"], now=NOW)
    case_events_ingest(events=[ev("P1-A", "received", "2026-11-02 10:00", code="SP001", parent_case_no="P1")],
                       client=clients["a"], now=NOW)
    parent, child = get("P1"), get("P1-A")
    assert child.parent_id == parent.id and parent.is_joint_parent
    assert local(parent.statutory_deadline) == "2027-01-05 17:30"  # 45 wd from 2 Nov 2026 (1 Jan off)
    assert not child.is_joint_parent and local(child.statutory_deadline) != local(parent.statutory_deadline)


def test_joint_parent_created_with_its_child_in_one_batch(items, ingest, make_item, clients):
    """The other way to set up a joint case: the parent's events and a child naming it in the same batch."""
    from xiaoneng.cases.services import case_events_ingest

    make_item(code="LB001", dept="a", name="开办餐饮店一件事", item_type="committed", committed_limit_value=10)
    r = case_events_ingest(events=[ev("P2-A", "received", "2026-11-02 10:00", code="SP001", parent_case_no="P2"),
                                   ev("P2", "received", "2026-11-02 09:00", code="LB001"),
                                   ev("P2", "accepted", "2026-11-02 09:00", code="LB001")],
                           client=clients["a"], now=NOW)
    assert r.accepted == 3 and not r.errors
    parent, child = get("P2"), get("P2-A")
    assert child.parent_id == parent.id and parent.is_joint_parent
    assert local(parent.statutory_deadline) == "2027-01-05 17:30"


def test_steps_have_their_own_limits(items, ingest):
    ingest([
        ev("S1", "received", "2026-11-02 09:00"), ev("S1", "accepted", "2026-11-02 09:00"),
        ev("S1", "step_completed", "2026-11-02 15:00", step="accept", handler="李四"),
        ev("S1", "step_completed", "2026-11-06 10:00", step="review", handler="王五"),
    ], now=dt.datetime(2026, 11, 6, 11, 0, tzinfo=TZ))
    c = get("S1")
    assert [s["step"] for s in c.steps] == ["accept", "review"]
    assert c.steps[0]["overdue"] is False and c.steps[1]["overdue"] is True  # review: 2 wd limit, took 4
    assert c.current_step == "批准" and local(c.current_step_due_at) == "2026-11-09 17:30"
    assert c.handler_name == "王五"


@pytest.mark.parametrize("order", ["forward", "reverse"])
def test_late_event_corrects_state(items, ingest, order):
    events = [ev("L1", "received", "2026-11-02 09:00"), ev("L1", "accepted", "2026-11-02 09:30"),
              ev("L1", "completed", "2026-11-04 09:00")]
    ingest(events[:1] + events[2:])  # the acceptance arrives late
    c = get("L1")
    assert c.status == "completed" and c.deemed_accepted is False and c.clock_start == c.received_at
    ingest(events[1:2])
    c.refresh_from_db()
    assert c.accepted_at is not None and local(c.clock_start) == "2026-11-02 09:30" and c.events_count == 3


def test_the_tick_moves_the_next_check_past_now(items, ingest):
    """The schedule moves past each check: the watcher's tick looks at a due case and moves its check to the
    next threshold ahead; a decided case waits only for delivery (3 wd, then §44's 10 wd); then for nothing."""
    from xiaoneng.supervision.services import supervise_tick

    t0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=TZ)
    ingest([ev("N1", "received", "2026-11-02 09:00"), ev("N1", "accepted", "2026-11-02 09:00"),
            ev("N1", "step_completed", "2026-11-02 09:30", step="accept"),
            ev("N1", "step_completed", "2026-11-02 09:40", step="review"),
            ev("N1", "step_completed", "2026-11-02 09:50", step="approve")], now=t0)
    c = get("N1")
    assert local(case_next_check(c)) == "2026-11-05 17:30"  # reminder: committed 9 Nov − 2 wd
    tick = dt.datetime(2026, 11, 5, 17, 31, tzinfo=TZ)
    assert supervise_tick(now=tick).cases_checked == 1
    c.refresh_from_db()
    assert local(case_next_check(c)) == "2026-11-10 17:30"  # yellow: committed + 1 wd
    ingest([ev("N1", "completed", "2026-11-06 09:00")], now=dt.datetime(2026, 11, 6, 9, 5, tzinfo=TZ))
    c.refresh_from_db()
    assert local(case_next_check(c)) == "2026-11-11 17:30" and c.is_open  # delivery due: decision + 3 wd
    assert supervise_tick(now=dt.datetime(2026, 11, 12, 9, 0, tzinfo=TZ)).cases_checked == 1
    assert local(case_next_check(c)) == "2026-11-20 17:30"  # §44: decision + 10 wd
    assert supervise_tick(now=dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ)).cases_checked == 1
    assert case_next_check(c) is None


def test_fast_path_equals_general_clock(calendar):
    """case_recompute_deadlines' array fast path gives exactly compute_clock's results."""
    import random

    from xiaoneng.cases.clock import Facts, VersionInfo, compute_clock, fast_clock

    rng = random.Random(7)
    steps = (("accept", "受理", 1, "wd"), ("review", "审核", 5, "wd"), ("approve", "批准", 0, "wd"))
    taken = 0
    for _ in range(3000):
        v = VersionInfo(1, dt.datetime(2020, 1, 1, tzinfo=TZ), rng.randint(0, 25), "wd", rng.randint(0, 60), "wd",
                        "committed", rng.random() < 0.2, steps)
        received = dt.datetime(2026, 1, 1, 8, tzinfo=TZ) + dt.timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
        accepted = received + dt.timedelta(hours=rng.randrange(0, 300)) if rng.random() < 0.8 else None
        key = rng.choice(["", "受理", "审核", "批准", "unknown"])
        started = (accepted or received) + dt.timedelta(hours=rng.randrange(0, 100))
        fast = fast_clock(calendar, received_at=received, accepted_at=accepted, version=v, step_key=key,
                          step_started=started)
        general = compute_clock(calendar, Facts(received_at=received, accepted_at=accepted), v,
                                is_joint_parent=False, current_step=(key, started))
        if fast is None:
            assert general["clock_error"] or general["committed_deadline"] is None or received.year >= 2027
            continue
        taken += 1
        assert {k: general.get(k, []) for k in fast} == fast
    assert taken > 2000


def test_recompute_uses_fast_and_general_paths_alike(items, ingest, staff):
    ingest([ev("FP1", "received", "2026-11-02 09:00"), ev("FP1", "accepted", "2026-11-02 09:00"),
            ev("FP2", "received", "2026-11-02 09:00"), ev("FP2", "accepted", "2026-11-02 09:00"),
            ev("FP2", "suspended", "2026-11-03 09:00", reason="检测", granted_days=1),
            ev("FP2", "resumed", "2026-11-05 09:00")], now=dt.datetime(2026, 11, 2, 10, 0, tzinfo=TZ))
    calendar_day_set(date=dt.date(2026, 11, 6), kind="holiday", name="测试假日", by=staff["admin"], now=NOW)
    assert case_recompute_deadlines(now=dt.datetime(2026, 11, 2, 11, 0, tzinfo=TZ)) == 2
    assert local(get("FP1").committed_deadline) == "2026-11-10 17:30"
    assert local(get("FP2").committed_deadline) == "2026-11-11 17:30"


def python_clock(cols: tuple) -> dict[str, tuple]:
    """`cols` of every running case (by number) as the Python clock computes them from the facts kept on its
    row under the current calendar — what case_recompute_deadlines' Python path writes (compute_clock; its
    array fast path gives the same: test_fast_path_equals_general_clock). Nothing is written."""
    from xiaoneng.cases.clock import Facts, compute_clock, intervals_from_json
    from xiaoneng.cases.ingest import load_versions
    from xiaoneng.cases.models import RUNNING_STATUSES
    from xiaoneng.workdays.calendar import get_calendar

    cal = get_calendar()
    items = Case.objects.order_by().values_list("service_item_id", flat=True).distinct()
    versions = {v.id: v for lst in load_versions(list(items)).values() for v in lst}
    out = {}
    for c in Case.objects.filter(status__in=RUNNING_STATUSES):
        f = Facts(received_at=c.received_at, accepted_at=c.accepted_at, first_notice_at=c.first_notice_at,
                  registered=c.registered, intervals=intervals_from_json(c.suspensions), first_at=c.clock_start)
        clock = compute_clock(cal, f, versions.get(c.version_id), is_joint_parent=c.is_joint_parent,
                              current_step=(c.current_step, c.current_step_started_at))
        out[c.case_no] = tuple(clock[k] for k in cols)
    return out


def test_recompute_in_the_database_equals_the_python_clock(items, ingest, staff):
    """PostgreSQL computes the common clocks in SQL after a calendar change (cases/recompute.py): on random
    cases — acceptance on time, deemed (late), none; current steps by kind and name; several limits — every
    deadline column equals what the Python clock computes for the same rows, and exactly the cases that moved
    are due for re-judging at once."""
    import random

    from django.db import connection

    from xiaoneng.cases.services import case_events_ingest

    if connection.vendor != "postgresql":
        pytest.skip("the database path is PostgreSQL's; SQLite always takes the Python clock")
    rng = random.Random(11)
    LATER = dt.datetime(2027, 1, 15, 10, 0, tzinfo=TZ)  # noqa: N806 — after every event below
    events = []
    base = dt.datetime(2026, 9, 1, 8, 0, tzinfo=TZ)
    for i in range(240):
        received = base + dt.timedelta(minutes=rng.randrange(0, 80 * 24 * 60))
        no = f"RC{i}"
        code = rng.choice(["SP001", "SP001", "DJ001"])
        events.append(ev(no, "received", received.strftime("%Y-%m-%d %H:%M"), code=code))
        if rng.random() < 0.85:
            accepted = received + dt.timedelta(hours=rng.choice([0, 1, 30, 100, 200]))
            events.append(ev(no, "accepted", accepted.strftime("%Y-%m-%d %H:%M"), code=code))
            if rng.random() < 0.6:
                done = accepted + dt.timedelta(hours=rng.randrange(1, 120))
                events.append(ev(no, "step_completed", done.strftime("%Y-%m-%d %H:%M"), code=code,
                                 step=rng.choice(["accept", "受理", "review"])))
    cols = ("acceptance_due_at", "deemed_accepted", "clock_start", "committed_deadline", "statutory_deadline",
            "deadlines_provisional", "current_step_due_at", "clock_error")

    r = case_events_ingest(events=events, now=LATER)
    assert r.accepted == len(events) and not r.errors
    # National Day week moved: 9 Oct becomes a holiday, Saturday 17 Oct a make-up working day.
    calendar_day_set(date=dt.date(2026, 10, 9), kind="holiday", name="测试假日", by=staff["admin"], now=NOW)
    calendar_day_set(date=dt.date(2026, 10, 17), kind="workday", name="测试调休", by=staff["admin"], now=NOW)

    def snapshot():
        return {row[0]: row[1:] for row in Case.objects.values_list("case_no", *cols)}

    before = snapshot()
    python = python_clock(cols)
    assert python.keys() == before.keys()
    sql_changed = case_recompute_deadlines(now=LATER)  # on PostgreSQL: the database path for these cases
    assert snapshot() == python
    moved = [no for no in python if python[no] != before[no]]
    assert sql_changed == len(moved) > 50
    assert set(Case.objects.filter(schedule__due_at=LATER).values_list("case_no", flat=True)) == set(moved)
    assert any(row[1] for row in python.values()) and any(row[6] for row in python.values())  # deemed; steps
