"""Which status a card, a supervision order or a proposal may move to, and from where: one table each, read
by the services (which refuse a move the table does not allow) and by the views and templates (which offer
only the forms the table allows). Roles are not here: who may act is the services' `_require` and the
selectors' `can_*`; this says only what the object's status allows.

A row: action name → Transition(the history kind recorded, the statuses it may start from, the status it
leads to). The action names are those of the card page's forms where there is one (`explain`, `confirm`, …).
"""

from __future__ import annotations

from typing import NamedTuple

from .models import OPEN_STATUSES, ActionKind, OrderStatus, ProposalStatus, WarningStatus

S = WarningStatus


class Transition(NamedTuple):
    """One allowed move: recorded as `kind` (cards' history), from any of `sources`, to `to`."""

    kind: str
    sources: frozenset[str]
    to: str


# Issued or raised and not answered by a report of correction: the department may explain (again) or correct.
# Live: issued and neither closed, under appeal nor awaiting the office's confirmation.
_ANSWERABLE = frozenset({S.ISSUED, S.ESCALATED, S.EXPLAINED})
_LIVE = frozenset({S.ISSUED, S.EXPLAINED, S.CORRECTED, S.ESCALATED})

CARD_TRANSITIONS: dict[str, Transition] = {
    # the department (handler, head)
    "explain": Transition(ActionKind.EXPLAIN, _ANSWERABLE, S.EXPLAINED),  # 情况说明
    "correct": Transition(ActionKind.CORRECT, _ANSWERABLE, S.CORRECTED),  # 纠正整改
    "appeal": Transition(ActionKind.APPEAL, _LIVE, S.APPEALED),  # 申诉 (head only; once per card)
    # the supervision office
    "confirm_issue": Transition(ActionKind.CONFIRM_ISSUE, frozenset({S.PENDING_CONFIRMATION}), S.ISSUED),
    "confirm": Transition(ActionKind.CONFIRM, _LIVE, S.CONFIRMED),
    # An appealed card is decided, not withdrawn.
    "withdraw": Transition(ActionKind.WITHDRAW, frozenset(OPEN_STATUSES) - {S.APPEALED}, S.WITHDRAWN),
    "escalate": Transition(ActionKind.ESCALATE, _LIVE, S.ESCALATED),
    "appeal_upheld": Transition(ActionKind.APPEAL_UPHELD, frozenset({S.APPEALED}), S.WITHDRAWN),
    "appeal_rejected": Transition(ActionKind.APPEAL_REJECTED, frozenset({S.APPEALED}), S.CONFIRMED),
    # the platform
    # An order unanswered past its due date raises its card, even one under appeal (never one not yet issued).
    "escalate_late_order": Transition(ActionKind.ESCALATE, frozenset(OPEN_STATUSES) - {S.PENDING_CONFIRMATION},
                                      S.ESCALATED),
    # Facts that no longer support an open card (a late event, a moved deadline) take it back.
    "auto_withdraw": Transition(ActionKind.AUTO_WITHDRAW, frozenset(OPEN_STATUSES), S.WITHDRAWN),
}

ORDER_TRANSITIONS: dict[str, Transition] = {
    "answer": Transition("", frozenset({OrderStatus.ISSUED}), OrderStatus.ANSWERED),
    "close": Transition("", frozenset({OrderStatus.ISSUED, OrderStatus.ANSWERED}), OrderStatus.CLOSED),
}

PROPOSAL_TRANSITIONS: dict[str, Transition] = {
    "issue": Transition(ActionKind.PROPOSAL, frozenset({ProposalStatus.DRAFT}), ProposalStatus.ISSUED),
    "discard": Transition("", frozenset({ProposalStatus.DRAFT}), ProposalStatus.DISCARDED),
}


def allowed(table: dict[str, Transition], status: str) -> frozenset[str]:
    """The actions of `table` that `status` allows (what a page may offer, roles aside)."""
    return frozenset(name for name, t in table.items() if status in t.sources)
