"""Extension points of the cases app, for apps built on top of it (supervision first).

Dependencies point one way (catalog → cases → supervision): cases never imports supervision. Instead,
supervision registers callables here from its AppConfig.ready():

    from xiaoneng.cases import hooks

    @hooks.on_events_applied
    def check_event_rules(*, applied, now):        # event-based rules
        for case, new_events in applied: ...

    @hooks.case_warnings_provider
    def warnings(cases):                            # the API and the case page list warnings
        return {case.id: [{"rule": "...", "level": "yellow", "issued_at": dt, "status": "issued"}], ...}

    @hooks.next_check_provider
    def next_check(case_state, default, now):       # optional: own the tick schedule later
        return default

Contract:

- `on_events_applied(fn)`: `fn(*, applied: list[tuple[Case, list[CaseEvent]]], now: datetime)` is called by
  `case_events_ingest` INSIDE its transaction, after the cases were recomputed and saved, once per batch,
  with every touched case (fresh from the database, state already folded) and the events this batch added
  to it (ordered by occurred_at). Raising aborts the whole batch: nothing is acknowledged. Keep it
  set-based (one query per rule per batch, not per case): the ingest path is benchmarked.
- `case_warnings_provider(fn)`: `fn(cases: list[Case]) -> dict[int, list[dict]]` keyed by case id; each
  warning dict has `rule` (str), `level` ("reminder" | "yellow" | "red"), `issued_at` (aware datetime) and
  `status` (str); extra keys are passed through to pages. With no provider every case has `[]`.
- `next_check_provider(fn)`: `fn(state: dict, default: datetime | None, now: datetime) -> datetime | None`
  may replace the `next_check_at` the cases app computed (`default`; see cases.clock.next_check). `state`
  holds the Case columns being written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

_events_applied: list[Callable[..., None]] = []
_warnings_providers: list[Callable[[list], dict[int, list[dict]]]] = []
_next_check: list[Callable[[dict, datetime | None, datetime], datetime | None]] = []


def on_events_applied(fn: Callable[..., None]) -> Callable[..., None]:
    """Register an event-based callback (usable as a decorator). Registering twice is a no-op."""
    if fn not in _events_applied:
        _events_applied.append(fn)
    return fn


def case_warnings_provider(fn):
    """Register the provider of warnings (cards) shown on the case page and in the case API."""
    if fn not in _warnings_providers:
        _warnings_providers.append(fn)
    return fn


def next_check_provider(fn):
    """Register a callable that decides `Case.next_check_at` (the last registered wins)."""
    if fn not in _next_check:
        _next_check.append(fn)
    return fn


def unregister(fn) -> None:
    """Remove `fn` from every registry (tests, reloads)."""
    for registry in (_events_applied, _warnings_providers, _next_check):
        if fn in registry:
            registry.remove(fn)


def has_event_listeners() -> bool:
    return bool(_events_applied)


def events_applied(*, applied: list[tuple[Any, list[Any]]], now: datetime) -> None:
    for fn in list(_events_applied):
        fn(applied=applied, now=now)


def warnings_for(cases: list) -> dict[int, list[dict]]:
    """Warnings of each case (by id) from every registered provider; `[]` for cases with none."""
    out: dict[int, list[dict]] = {c.id: [] for c in cases}
    for fn in list(_warnings_providers):
        for case_id, items in (fn(cases) or {}).items():
            out.setdefault(case_id, []).extend(items)
    return out


def next_check_override() -> Callable[[dict, datetime | None, datetime], datetime | None] | None:
    return _next_check[-1] if _next_check else None


@contextmanager
def isolated() -> Iterator[None]:
    """Run with empty registries, then put back what was registered: the cases app's own tests measure
    cases alone (queries, warnings) whatever apps on top of it have registered."""
    saved = [list(r) for r in (_events_applied, _warnings_providers, _next_check)]
    for r in (_events_applied, _warnings_providers, _next_check):
        r.clear()
    try:
        yield
    finally:
        for r, items in zip((_events_applied, _warnings_providers, _next_check), saved, strict=True):
            r[:] = items
