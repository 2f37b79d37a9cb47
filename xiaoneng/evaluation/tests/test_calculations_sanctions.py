"""The sanctions register in the score: the points of the sanctions decided in the period and still standing
(confirmed, under appeal, upheld) against the department or its staff, sub-units rolled up; a disciplinary
one vetoes. Rows as the register's services write them (that part of the app is another helper's)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from xiaoneng.core.periods import Period
from xiaoneng.evaluation import indicators as reg
from xiaoneng.evaluation.models import Sanction, SanctionKind, SanctionStatus
from xiaoneng.evaluation.services.evaluate import placement

from .conftest import TZ, at

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)


def sanction(dept, kind, status, points, decided, staff=None):
    return Sanction.objects.create(kind=kind, department=dept, staff=staff, status=status, reason="事由",
                                   points=D(points), proposed_at=at("2026-07-01 09:00"),
                                   decided_at=at(decided) if decided else None)


@pytest.mark.django_db
def test_only_standing_sanctions_decided_in_the_period_count(depts, staff):
    a, a1, b = depts["a"], depts["a1"], depts["b"]
    sanction(a, SanctionKind.WARNING, SanctionStatus.CONFIRMED, 10, "2026-07-10 10:00")  # counts
    sanction(a1, SanctionKind.CRITICISM, SanctionStatus.UPHELD, 20, "2026-08-10 10:00",
             staff=staff["handler_a1"])  # the section's staff member: rolls up to A
    sanction(a, SanctionKind.ADMONISHMENT, SanctionStatus.APPEALED, 15, "2026-09-30 23:59")  # under appeal: counts
    sanction(a, SanctionKind.WARNING, SanctionStatus.REVOKED, 10, "2026-07-11 10:00")  # revoked on appeal
    sanction(a, SanctionKind.WARNING, SanctionStatus.PROPOSED, 10, None)  # not decided
    sanction(a, SanctionKind.WARNING, SanctionStatus.DISMISSED, 10, "2026-07-12 10:00")
    sanction(a, SanctionKind.WARNING, SanctionStatus.CONFIRMED, 10, "2026-10-01 00:00")  # next quarter
    sanction(b, SanctionKind.DISCIPLINARY, SanctionStatus.CONFIRMED, 50, "2026-09-01 10:00", staff=staff["handler_b"])
    sanction(b, SanctionKind.DISCIPLINARY, SanctionStatus.REVOKED, 50, "2026-09-02 10:00")
    where = placement()
    ctx = reg.Context(period=Period.parse("2026Q3"), departments=where.departments, owner_of=where.owner_of, now=NOW)
    assert reg.DEDUCTIONS["sanction"].compute(ctx) == {a.pk: D(45), b.pk: D(50)}  # 10 + 20 + 15; 50
    assert reg.VETOES["disciplinary_sanction"].compute(ctx) == {b.pk: 1}
    rows = reg.DEDUCTIONS["sanction"].evidence(ctx, a)
    assert [r.counted for r in rows] == ["已决定，扣10分", "申诉驳回维持，扣20分", "申诉中，扣15分"]
    assert all(staff["handler_a1"].name not in r.label for r in rows)
    assert [r.label for r in reg.VETOES["disciplinary_sanction"].evidence(ctx, b)] == ["纪律处分（建议）（对人员）"]
