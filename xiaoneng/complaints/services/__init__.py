"""Writes on complaints. Each service is atomic, takes keyword arguments, the actor `by` and the clock `now`,
checks who may do it and in which status, changes the complaint, records a timeline entry (with the written
notice to the complainant where the rules require one) and re-evaluates the complaint's clock.

The clocks (working days from the platform calendar, configurable in conf.py):
acceptance decision within ACCEPT_LIMIT_WD of receipt; handling within the dispatch limit (HANDLING_LIMIT_WD,
URGENT_LIMIT_WD) from dispatch, stopped while paused, moved by approved extensions; reply within
REPLY_LIMIT_WD of the department's result. The supervision engine watches them through the clock port
(core/clocks.py; the owner is complaints/clocks.py, whose `checked` calls `complaints_clock_checked` and
`complaints_follow_up_expire` from the tick; supervision's deadline family raises reminder / yellow / red).

The rooms (import from `xiaoneng.complaints.services`, which re-exports every public name below; a private
helper is imported from its room):
- `_common`: shared helpers — tracking codes, numbers, the complainant's language, dates and due dates,
  `_log`, `_lock`, `_require_office` / `_require_status`, `_text`, `_attach`, and the clock itself
  (`_stage_of`, `_evaluate`, `_save`). Imports no other room.
- `intake`: `complaint_submit`, blocked submitters, rate limits and quotas, idempotency keys,
  `rate_counters_prune`.
- `handling`: acceptance, refusal, transfer; dispatch and disputes; notes, pause, resume, withdrawal,
  extensions, results; merge, assignment, attachment sharing and publishing; `complaints_clock_checked`.
- `reply`: the reply's draft and review, the public mailbox, the rating (follow-up) and its expiry.
- `messages`: notices to the complainant by SMS and e-mail (queue, send, retry).
- `identity`: reads of the complainant's identity and of the complaint's original text (each recorded).
- `blocklist`: the block list and possible duplicates.
Rooms import downwards only: `_common` ← `messages` ← `handling`, `reply`; the others use `_common` alone.
Which status each action may start from is the table in `complaints/transitions.py` (`_require_transition`).
"""

from ._common import (
    CODE_ALPHABET,
    CODE_LENGTH,
    OFFICE,
    complainant_language,
    number_allocate,
    number_text,
    token_hash,
    tracking_code_display,
    tracking_code_new,
    tracking_code_normalise,
)
from .blocklist import block_add, block_complaint_sender, block_remove, duplicates_for
from .handling import (
    attachment_publish,
    attachment_share,
    complaint_accept,
    complaint_assign,
    complaint_dispatch,
    complaint_merge,
    complaint_note_add,
    complaint_pause,
    complaint_refuse,
    complaint_resume,
    complaint_transfer,
    complaint_withdraw,
    complaints_clock_checked,
    dispatch_dispute,
    dispatch_dispute_decide,
    dispatch_result,
    extension_decide,
    extension_request,
)
from .identity import (
    ORIGINAL_BY_HANDLER,
    ORIGINAL_REASON_MIN,
    ORIGINAL_REVEALED,
    complainant_identity_read,
    complaint_original_read,
    identity_mode_label,
)
from .intake import (
    IDEMPOTENCY_KEY_MAX,
    Blocked,
    IdempotencyConflict,
    RateLimited,
    complaint_submit,
    idempotency_scope,
    is_blocked,
    rate_check,
    rate_counters_prune,
    submission_hash,
)
from .messages import MESSAGE_MAX_ATTEMPTS, complainant_message_retry, complainant_messages_send
from .reply import (
    complaint_rate,
    complaint_set_publishable,
    complaints_follow_up_expire,
    reply_draft,
    reply_review,
)

__all__ = [
    # _common
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "OFFICE",
    "complainant_language",
    "number_allocate",
    "number_text",
    "token_hash",
    "tracking_code_display",
    "tracking_code_new",
    "tracking_code_normalise",
    # intake
    "IDEMPOTENCY_KEY_MAX",
    "Blocked",
    "IdempotencyConflict",
    "RateLimited",
    "complaint_submit",
    "idempotency_scope",
    "is_blocked",
    "rate_check",
    "rate_counters_prune",
    "submission_hash",
    # handling
    "attachment_publish",
    "attachment_share",
    "complaint_accept",
    "complaint_assign",
    "complaint_dispatch",
    "complaint_merge",
    "complaint_note_add",
    "complaint_pause",
    "complaint_refuse",
    "complaint_resume",
    "complaint_transfer",
    "complaint_withdraw",
    "complaints_clock_checked",
    "dispatch_dispute",
    "dispatch_dispute_decide",
    "dispatch_result",
    "extension_decide",
    "extension_request",
    # reply
    "complaint_rate",
    "complaint_set_publishable",
    "complaints_follow_up_expire",
    "reply_draft",
    "reply_review",
    # messages
    "MESSAGE_MAX_ATTEMPTS",
    "complainant_message_retry",
    "complainant_messages_send",
    # identity
    "ORIGINAL_BY_HANDLER",
    "ORIGINAL_REASON_MIN",
    "ORIGINAL_REVEALED",
    "complainant_identity_read",
    "complaint_original_read",
    "identity_mode_label",
    # blocklist
    "block_add",
    "block_complaint_sender",
    "block_remove",
    "duplicates_for",
]
