"""A published check's findings are clocks judged by the real supervision tick (clock owner "disclosure", its
default rules): a reminder card the working day before the deadline, yellow once past it, red more than 5 wd
past it; a finding put right (the item published) stops its clock."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaoneng.disclosure.models import CheckFinding, FindingStatus
from xiaoneng.disclosure.services.check import disclosure_check_publish, disclosure_check_run
from xiaoneng.disclosure.services.findings import findings_rectify_for_catalogue, findings_rectify_for_entry
from xiaoneng.supervision.models import Warning
from xiaoneng.supervision.services import supervise_tick

from .check_fixture import DAY, RUN, at, build, catalogue, entry


@pytest.fixture
def published(calendar, depts, staff):
    w = build(depts)
    check = disclosure_check_run(date=DAY, now=RUN, by=staff["supervisor"])
    # Deadline: 5 wd from Thu 8 Oct 17:10 → Wed 14 Oct 17:30 (Sat 10 Oct is a 调休 working day).
    disclosure_check_publish(check=check, now=RUN + dt.timedelta(minutes=10), by=staff["supervisor"])
    return w


def _cards(level):
    return sorted(Warning.objects.filter(subject_kind="disclosure", level=level, deadline_key__startswith="rectify")
                  .values_list("department__code", flat=True))


def test_the_tick_raises_reminder_yellow_and_red(published):
    supervise_tick(now=at(2026, 10, 13, 17, 0))  # before the reminder moment (close of Tue 13 Oct)
    assert _cards("reminder") == []
    supervise_tick(now=at(2026, 10, 13, 17, 31))
    assert _cards("reminder") == ["TA"] * 5 + ["TT", "TTV"]
    supervise_tick(now=at(2026, 10, 14, 17, 29))
    assert _cards("yellow") == []
    supervise_tick(now=at(2026, 10, 14, 17, 31))  # past the deadline
    assert _cards("yellow") == ["TA"] * 5 + ["TT", "TTV"]
    assert set(CheckFinding.objects.values_list("flag", flat=True)) == {"yellow"}
    # Red: more than 5 wd past Wed 14 Oct → after the close of Wed 21 Oct.
    supervise_tick(now=at(2026, 10, 21, 17, 0))
    assert _cards("red") == []
    supervise_tick(now=at(2026, 10, 21, 17, 31))
    assert len(_cards("red")) == 7


def test_a_rectified_finding_stops_its_clock(published):
    fee = published["items"]["A-FEE"]
    e = entry(fee, at(2026, 10, 12, 9))
    assert findings_rectify_for_entry(e, now=at(2026, 10, 12, 9)) == 1
    f = CheckFinding.objects.get(item_code="A-FEE")
    assert (f.status, f.rectified_entry_id, f.next_check_at) == (FindingStatus.RECTIFIED, e.pk, None)
    cat = catalogue(published["t"], level="township")
    assert findings_rectify_for_catalogue(cat, now=at(2026, 10, 12, 9)) == 1
    supervise_tick(now=at(2026, 10, 14, 17, 31))
    assert _cards("yellow") == ["TA"] * 4 + ["TTV"]


def test_a_draft_has_no_clock(calendar, depts, staff):
    build(depts)
    disclosure_check_run(date=DAY, now=RUN, by=staff["supervisor"])
    supervise_tick(now=at(2026, 11, 30, 18))
    assert not Warning.objects.filter(subject_kind="disclosure").exists()
