"""Extension points of the complaints app for the app that watches its clocks (supervision).

Dependencies point one way (cases → complaints → supervision): complaints never imports supervision. The
supervision engine owns the thresholds of complaint clocks (they are its configurable rules), so it tells us,
through the provider it registers from its AppConfig.ready(), when a complaint must next be looked at:

    from xiaoneng.complaints import hooks

    @hooks.next_check_provider
    def next_check(complaint, now):   # complaint: stage, due date and flag already set by services._evaluate
        return earliest threshold not yet crossed (or `now` when one is crossed and not yet judged)

With no provider a complaint with a running clock is due at once (never later than a threshold).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

_next_check: list[Callable[[Any, datetime], datetime | None]] = []


def next_check_provider(fn):
    """Register the callable that decides `Complaint.next_check_at` for a running clock (last one wins)."""
    if fn not in _next_check:
        _next_check.append(fn)
    return fn


def unregister(fn) -> None:
    if fn in _next_check:
        _next_check.remove(fn)


def next_check(complaint, now: datetime) -> datetime | None:
    if _next_check:
        return _next_check[-1](complaint, now)
    return now
