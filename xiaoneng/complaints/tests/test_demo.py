"""The demo seeder: fast, deterministic, realistic spread of statuses, and consistent with the figures."""

from __future__ import annotations

import random
from datetime import timedelta

from xiaoneng.complaints.demo import seed_complaints
from xiaoneng.complaints.models import ComplainantIdentity, Complaint, Status, TimelineEntry
from xiaoneng.complaints.selectors import figures

from .conftest import T0


def test_seed_complaints(calendar, depts, staff):
    made = seed_complaints(departments=list(depts.values()), staff=staff, rng=random.Random(7), count=300,
                           start=T0 - timedelta(days=365), end=T0, now=T0)
    assert len(made) == Complaint.objects.count() == ComplainantIdentity.objects.count() == 300
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.REFUSED, Status.DISPATCHED} <= statuses
    assert TimelineEntry.objects.count() > 900
    assert len({c.number for c in made}) == 300 and len({c.tracking_code for c in made}) == 300
    assert not Complaint.objects.filter(department__code__in=["T00", "TX"]).exists()
    data = figures(start=(T0 - timedelta(days=366)).date(), end=T0.date(), now=T0)
    assert data["total"]["received"] == 300
    assert 0.5 < data["total"]["satisfaction_rate"] <= 1
