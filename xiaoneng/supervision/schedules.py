"""Periodic work of the platform, declared in one place. `xiaoneng worker` runs these; each entry is
(name, every seconds, dotted path of a callable taking `now=`). Other apps append their own schedules here
when they need one (evaluations …)."""

from __future__ import annotations

SCHEDULES: list[tuple[str, int, str]] = [
    # Cases and complaint clocks (every clock owner through core/clocks.py), follow-up expiry, late orders, and the outbox's one
    # send loop of every message to a person (core/outbox.py): no schedule of its own, so `xiaoneng supervise`
    # and the demo's tick send as the worker does.
    ("supervise", 60, "xiaoneng.supervision.services.supervise_tick"),
    # 好差评: an unrated ended case past the office's period counts as 基本满意 where the policy says so.
    ("ratings-default", 300, "xiaoneng.ratings.services.defaults_job.ratings_default_due"),
    ("search-sync", 60, "xiaoneng.portal.search.search_sync_job"),  # portal (issue 14): the search index
]
