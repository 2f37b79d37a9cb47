"""Fixtures of the ratings tests: the supervision tests' world (departments, staff, calendar, items, the real
ingest) plus cases that have ended and window contacts, made through the real services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from xiaoneng.cases.models import Case
from xiaoneng.ratings.models import ContactKind, WindowContact
from xiaoneng.supervision.tests.conftest import (  # noqa: F401  (fixtures, registered by being imported here)
    TZ,
    _supervision_env,
    accepted_case,
    at,
    ev,
    ingest,
    items,
    make_item,
)


@pytest.fixture
def ended_case(ingest):  # noqa: F811  (the imported fixture)
    """ended_case('R1', received='2026-09-28 09:00', ended='2026-09-30 10:00', how='completed') → a case of
    SP001 (bureau A) received, accepted and ended through the real ingest."""

    def make(case_no="R1", received="2026-09-28 09:00", ended="2026-09-30 10:00", how="completed", code="SP001",
             handler="handler_a"):
        r, e = at(received), at(ended)
        events = [ev(case_no, "received", r, code, handler=handler)]
        if how != "refused":
            events.append(ev(case_no, "accepted", r, code))
        extra = {"reason": "材料不齐全且无法补正，依法不予受理。"} if how in ("refused", "denied") else {}
        events.append(ev(case_no, how, e, code, **extra))
        ingest(events, now=e + timedelta(minutes=1))
        return Case.objects.get(case_no=case_no)

    return make


@pytest.fixture
def contact(depts, staff, items):  # noqa: F811  (the imported fixture)
    """A consultation at bureau A's window, served 2026-09-28 10:00."""
    return WindowContact.objects.create(number="CK2026-000001", department=depts["a"], service_item=items["a"],
                                        kind=ContactKind.CONSULTATION, clerk=staff["window"], window_name="3号窗口",
                                        served_at=at("2026-09-28 10:00"))
