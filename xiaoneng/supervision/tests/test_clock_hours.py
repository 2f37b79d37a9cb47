"""Rules whose clock starts at an event outside office hours (issue 10 §1; DOMAIN.md §4): the delivery rule
counts its 3 wd from the next working day when the decision came after the close, as the case's own
delivery_due_at does — so the card and the case page never disagree about the day."""

from __future__ import annotations

from xiaoneng.supervision.models import Warning
from xiaoneng.supervision.services import supervise_tick

from .conftest import SECOND, at, ev


def cards(case):
    return [(w.rule.code, w.level, w.status) for w in Warning.objects.about(case).select_related("rule")]


def test_delivery_late_after_a_decision_taken_after_the_close(accepted_case, ingest):
    c = accepted_case()
    # Decided Friday 9 October 2026 at 19:00: day 0 is the make-up Saturday 10/10; 10/12, 10/13, 10/14.
    ingest([ev("C1", "completed", "2026-10-09 19:00")], now=at("2026-10-09 19:05"))
    c.refresh_from_db()
    t = at("2026-10-14 17:30")
    assert c.delivery_due_at == t
    supervise_tick(now=at("2026-10-13 17:30") + SECOND)  # the unfixed rule's day: too early for a card
    assert cards(c) == []
    supervise_tick(now=t - SECOND)
    assert cards(c) == []
    supervise_tick(now=t + SECOND)
    assert cards(c) == [("delivery-late", "yellow", "issued")]
