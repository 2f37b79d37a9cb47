"""The card's status table (transitions.py) is what the services enforce and what the card page offers:
every status tried against every action, the expectations written out here (not read from the table), so a
change of the table that changes behaviour fails here."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from xiaoneng.core.errors import DomainError
from xiaoneng.supervision.models import Warning, WarningStatus
from xiaoneng.supervision.services import (
    appeal_decide,
    supervise_tick,
    warning_appeal,
    warning_confirm,
    warning_correct,
    warning_escalate,
    warning_explain,
    warning_withdraw,
)
from xiaoneng.supervision.transitions import CARD_TRANSITIONS, allowed

from .conftest import at

NOW = at("2026-10-13 10:00")
S = WarningStatus
LIVE = {S.ISSUED, S.EXPLAINED, S.CORRECTED, S.ESCALATED}

# action → (who, call, the statuses it is allowed from)
ACTIONS = {
    "explain": ("handler", lambda w, by: warning_explain(warning=w, by=by, now=NOW, text="说明"),
                {S.ISSUED, S.ESCALATED, S.EXPLAINED}),
    "correct": ("handler", lambda w, by: warning_correct(warning=w, by=by, now=NOW, text="整改"),
                {S.ISSUED, S.ESCALATED, S.EXPLAINED}),
    "appeal": ("head", lambda w, by: warning_appeal(warning=w, by=by, now=NOW, reason="理由"), LIVE),
    "confirm": ("supervisor", lambda w, by: warning_confirm(warning=w, by=by, now=NOW),
                LIVE | {S.PENDING_CONFIRMATION}),
    "withdraw": ("supervisor", lambda w, by: warning_withdraw(warning=w, by=by, now=NOW, text="理由"),
                 LIVE | {S.PENDING_CONFIRMATION}),
    "escalate": ("supervisor", lambda w, by: warning_escalate(warning=w, by=by, now=NOW, text="理由"), LIVE),
    "decide": ("supervisor", lambda w, by: appeal_decide(warning=w, by=by, now=NOW, upheld=False, text="驳回"),
               {S.APPEALED}),
}


@pytest.fixture
def card(accepted_case):
    accepted_case()
    supervise_tick(now=at("2026-10-12 18:00"))
    return Warning.objects.get(rule__code="committed-yellow")


def _tried(card, role, call, staff) -> set[str]:
    ok = set()
    for status in S.values:
        sid = transaction.savepoint_create()
        Warning.objects.filter(pk=card.pk).update(status=status)
        try:
            call(card.pk, staff[role])
        except DomainError as exc:
            assert exc.code == "wrong_status", (status, exc.message)
        else:
            ok.add(status)
        transaction.savepoint_rollback(sid)
    return ok


@pytest.mark.parametrize("action", list(ACTIONS))
def test_the_services_allow_exactly_the_statuses_of_the_table(card, staff, action):
    role, call, expected = ACTIONS[action]
    assert _tried(card, role, call, staff) == expected


def test_the_table_says_the_same():
    for action, (_role, _call, expected) in ACTIONS.items():
        names = {"confirm": ("confirm", "confirm_issue"), "decide": ("appeal_upheld", "appeal_rejected")}.get(
            action, (action,))
        assert set().union(*(CARD_TRANSITIONS[n].sources for n in names)) == expected, action
        assert {s for s in S.values if action in _page_actions(s)} == expected, action


def _page_actions(status: str) -> set[str]:
    a = allowed(CARD_TRANSITIONS, status)
    return {"confirm" if n == "confirm_issue" else "decide" if n.startswith("appeal_") else n for n in a}


@pytest.mark.parametrize("status", S.values)
def test_the_card_page_offers_the_forms_the_table_allows(card, staff, client, status):
    Warning.objects.filter(pk=card.pk).update(status=status)
    offered = set()
    for role in ("handler", "head", "supervisor"):
        client.force_login(staff[role])
        html = client.get(reverse("supervision:warning_detail", args=[card.pk])).content.decode()
        offered |= {a for a in ACTIONS if reverse("supervision:warning_action", args=[card.pk, a]) in html}
    assert offered == {a for a, (_r, _c, expected) in ACTIONS.items() if status in expected}
