"""Writes of electronic supervision: the tick, event-based checks, rule edits, the life of a card, supervision
orders and notifications. Each service is atomic, takes keyword arguments, the moment `now` and the actor
`by`; none reads the clock itself, so a test or a replay can run "as of" any moment.

Permissions (checked here, not only in views): department staff (handler, head) answer cards and orders of
their own department subtree — a card of another department is "not found", exactly like a missing one;
the supervision office (supervisor) confirms, withdraws, escalates, decides appeals and issues orders for
every department; leaders only read; administrators and supervisors edit rules.

The rooms (each imports only the rooms below it; this package re-exports their public names, so callers
keep writing `from xiaoneng.supervision.services import …`):
- `tick`: the tick (`supervise_tick`, `TickResult`), the judging shared with ingest (`rejudge`: issue,
  auto-withdraw, deemed approval), `warnings_for_cases` (the cases app's provider);
- `issue`: the one card inserter, `cards_insert`, for cards of every kind of subject (tick and
  the deadline family, deadlines.py, both write through it);
- `rules`: `rule_update` and its checks;
- `cards`: the life of a card (explain, correct, confirm, withdraw, escalate, appeal and its attachment
  check, appeal decision) and `orders_close_for_withdrawn`;
- `orders`: supervision orders (督办) — issue, answer, close, the tick's escalation of late orders;
- `escalation`: what a yellow or red card brings by itself (automatic order, draft proposal) —
  `escalation_follow_up`, `order_instructions`, `proposal_number_text`;
- `proposals`: the office's confirmation or discarding of a draft rectification proposal (整改建议书);
- `notify`: notifications to staff, office hours, `messages_send_due` (the tick's one call of the outbox,
  core/outbox.py, which sends staff, applicant and complainant messages alike);
- `_common`: what several rooms share (`DEPARTMENT_ROLES`, `MAX_ORDER_WD`, `_require`, `_text`).
Order from the bottom: _common, issue, notify, escalation, proposals, cards, orders, rules, tick. `tick` names
`TickResult`, which escalation and orders take only as an annotation (imported under TYPE_CHECKING).
Which status a card, an order or a proposal may move to, and from where, is not here but in
`supervision/transitions.py`, the one table the rooms and the pages both read.
"""

from ._common import DEPARTMENT_ROLES, MAX_ORDER_WD
from .cards import (
    ALLOWED_ATTACHMENTS,
    appeal_decide,
    check_attachment,
    orders_close_for_withdrawn,
    warning_appeal,
    warning_confirm,
    warning_correct,
    warning_escalate,
    warning_explain,
    warning_withdraw,
)
from .escalation import PROPOSAL_SUGGESTION, escalation_follow_up, order_instructions, proposal_number_text
from .issue import CARD_COLUMNS, INSERT_CHUNK, cards_insert
from .notify import (
    LEVEL_TEXT,
    SEND_ATTEMPTS,
    SEND_LIMIT,
    in_office_hours,
    messages_send_due,
    notification_mark_read,
)
from .orders import supervision_order_answer, supervision_order_close, supervision_order_issue
from .proposals import (
    MAX_PROPOSAL_WD,
    PROPOSAL_SERIES,
    supervision_proposal_discard,
    supervision_proposal_issue,
)
from .rules import rule_update
from .tick import (
    TICK_BATCH,
    TickResult,
    rejudge,
    supervise_tick,
    warnings_for_cases,
)

__all__ = [
    # issue
    "CARD_COLUMNS",
    "INSERT_CHUNK",
    "cards_insert",
    # tick
    "TICK_BATCH",
    "TickResult",
    "rejudge",
    "supervise_tick",
    "warnings_for_cases",
    # rules
    "rule_update",
    # cards
    "ALLOWED_ATTACHMENTS",
    "appeal_decide",
    "check_attachment",
    "orders_close_for_withdrawn",
    "warning_appeal",
    "warning_confirm",
    "warning_correct",
    "warning_escalate",
    "warning_explain",
    "warning_withdraw",
    # orders
    "supervision_order_answer",
    "supervision_order_close",
    "supervision_order_issue",
    # escalation
    "PROPOSAL_SUGGESTION",
    "escalation_follow_up",
    "order_instructions",
    "proposal_number_text",
    # proposals
    "MAX_PROPOSAL_WD",
    "PROPOSAL_SERIES",
    "supervision_proposal_discard",
    "supervision_proposal_issue",
    # notify
    "LEVEL_TEXT",
    "SEND_ATTEMPTS",
    "SEND_LIMIT",
    "in_office_hours",
    "messages_send_due",
    "notification_mark_read",
    # _common
    "DEPARTMENT_ROLES",
    "MAX_ORDER_WD",
]
