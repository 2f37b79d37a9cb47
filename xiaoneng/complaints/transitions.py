"""The complaint's status transitions in one table: for each action, the statuses it may start from and the
statuses it may lead to. The services check it (`services._common._require_transition`: outside its sources an
action is refused with bad_status, "投诉当前状态为“…”，不能{label}。") and the pages read it to decide which
actions to offer (`views._detail_context`'s forms and `can`, the tracking page's rating and withdrawal forms), so
a button is shown exactly when the service would accept the status. Who may act (the office, the department
the complaint is dispatched to, the complainant) is checked separately, by the services and the views.

Not in the table, because they are not moves between statuses or are checked on something else: a dispatch's
own state (disputes, extensions, results: `Dispatch.State`), notes (any status but a final one), assignment,
publishing, blocking, and the dispute decision that returns a complaint to `accepted`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import OPEN_STATUSES, Status


@dataclass(frozen=True, slots=True)
class Transition:
    """One action on a complaint: the statuses it may start from, those it may end in (several where the
    outcome decides: a review approves or returns, a rating closes or reopens), and the verb the refusal
    names (不能{label})."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    label: str


_HANDLING = (Status.RECEIVED, Status.ACCEPTED, Status.DISPATCHED, Status.RESULT, Status.REPLY_REVIEW)

TRANSITIONS: dict[str, Transition] = {
    "accept": Transition((Status.RECEIVED,), (Status.ACCEPTED,), "受理"),
    "refuse": Transition((Status.RECEIVED,), (Status.REFUSED,), "作出不予受理决定"),
    "transfer": Transition((Status.RECEIVED, Status.ACCEPTED), (Status.TRANSFERRED,), "移送"),
    "merge": Transition((Status.RECEIVED, Status.ACCEPTED), (Status.MERGED,), "合并"),
    "dispatch": Transition((Status.ACCEPTED,), (Status.DISPATCHED,), "转办"),
    "pause": Transition(_HANDLING, (Status.PAUSED,), "中止"),
    # Back to the status it was paused in (Complaint.paused_from_status).
    "resume": Transition((Status.PAUSED,), _HANDLING, "恢复"),
    "withdraw": Transition(OPEN_STATUSES, (Status.WITHDRAWN,), "撤销"),
    # A saved draft leaves the status as it is; a submitted one waits for the office's review.
    "reply": Transition((Status.RESULT, Status.REPLY_REVIEW), (Status.RESULT, Status.REPLY_REVIEW), "起草答复"),
    # Approved: sent to the complainant; returned: back to the department for rework.
    "review": Transition((Status.REPLY_REVIEW,), (Status.REPLIED, Status.RESULT), "审核答复"),
    # Closed, or reopened once when not satisfied (a new round of dispatch).
    "rate": Transition((Status.REPLIED,), (Status.CLOSED, Status.ACCEPTED), "评价"),
    # The supervision tick: no rating within FOLLOW_UP_DAYS closes the complaint as 未评价.
    "follow_up_expire": Transition((Status.REPLIED,), (Status.CLOSED,), "按未评价办结"),
}


def allowed(status: str) -> frozenset[str]:
    """The actions that may start from `status` (before anyone's role is considered)."""
    return frozenset(name for name, t in TRANSITIONS.items() if status in t.sources)


def may(status: str, action: str) -> bool:
    """Whether `action` may start from `status`."""
    return status in TRANSITIONS[action].sources
