"""Issue 9 item 1 seen from supervision: a department naming a case it may not make a joint parent — another
department's, or its own decided one — as `parent_case_no` moves no deadline, changes no frozen verdict and
withdraws no card (before the fix: both deadlines moved to the joint limit, `overdue` became `early` and the
red and yellow cards were withdrawn)."""

from __future__ import annotations

import pytest

from xiaoneng.accounts.services import api_client_create
from xiaoneng.cases.models import Case
from xiaoneng.cases.services import case_events_ingest
from xiaoneng.supervision.models import Warning

from .conftest import at, ev

LATE = at("2026-11-20 10:00")


def state(case_no):
    case = Case.objects.get(case_no=case_no)
    cards = sorted(Warning.objects.about(case).values_list("rule__code", "status"))
    return (case.is_joint_parent, case.committed_deadline, case.statutory_deadline, case.verdict,
            case.statutory_overdue, case.updated_at), cards


@pytest.mark.parametrize("target_dept", ["b", "a"], ids=["another-departments-case", "own-decided-case"])
def test_naming_a_decided_late_case_as_parent_changes_nothing(accepted_case, ingest, depts, target_dept):
    code = {"a": "SP001", "b": "ZR001"}[target_dept]
    accepted_case("T1", code=code)
    ingest([ev("T1", "completed", "2026-11-04 10:00", code), ev("T1", "delivered", "2026-11-05 10:00", code)],
           now=LATE)  # completed after both deadlines: yellow and red cards, verdict overdue
    before = state("T1")
    assert before[0][3] == "overdue" and [s for _r, s in before[1]] == ["issued", "issued"]
    attacker, _raw = api_client_create(name="市场监管审批系统", department=depts["a"], by=None, now=LATE)
    r = case_events_ingest(events=[ev("A-CHILD", "received", "2026-11-06 09:00", "SP001", parent_case_no="T1")],
                           client=attacker, now=LATE)
    assert state("T1") == before
    assert r.accepted == 0 and len(r.errors) == 1
