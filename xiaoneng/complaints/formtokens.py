"""Submission tokens of the public complaint form: issued by the server when it renders the form, held in the
session it rendered it for, spent by the complaint they submitted (issue 9 item 2).

A token makes a double-clicked or re-sent form one complaint, and the repeat shows the same result page. It
names a submission only in the session that was given it: the service scopes the key to this session's random
submitter id (`services.idempotency_scope`), and a token this session was never given is not used at all, so a
token copied from someone else's page leads nowhere near their complaint (and a citizen whose session expired
while writing still gets the complaint registered, only without the double-submit guard).
"""

from __future__ import annotations

import secrets

SESSION_KEY = "complaints_form"
KEEP = 20  # tokens a session remembers: one per form opened (several tabs, the back button); older fall off


def _state(session) -> dict:
    state = session.get(SESSION_KEY)
    if not isinstance(state, dict):
        state = {}
    return {"submitter": state.get("submitter") or secrets.token_hex(16),
            "issued": list(state.get("issued") or []), "spent": list(state.get("spent") or [])}


def form_token_issue(session) -> str:
    """A new token for a form about to be rendered, remembered in `session`."""
    state = _state(session)
    token = secrets.token_urlsafe(24)
    state["issued"] = [*state["issued"], token][-KEEP:]
    session[SESSION_KEY] = state
    return token


def form_token_known(session, token: str) -> bool:
    """Whether `session` was given `token` (still unused, or spent by its complaint)."""
    state = session.get(SESSION_KEY)
    if not token or not isinstance(state, dict):
        return False
    return token in (state.get("issued") or []) or token in (state.get("spent") or [])


def form_submitter(session) -> str:
    """The random id that names this session as a submitter (the scope of its tokens as idempotency keys)."""
    state = _state(session)
    session[SESSION_KEY] = state
    return state["submitter"]


def form_token_spend(session, token: str) -> None:
    """Mark `token` as spent by the complaint it submitted: a repeat in this session is that complaint."""
    state = _state(session)
    state["issued"] = [t for t in state["issued"] if t != token]
    state["spent"] = [*[t for t in state["spent"] if t != token], token][-KEEP:]
    session[SESSION_KEY] = state
