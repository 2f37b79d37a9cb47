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

    hooks.case_watcher(Watcher())                   # rules judged while the batch is folded (hot path)

Contract:

- `on_events_applied(fn)`: `fn(*, applied: list[tuple[Case, list[CaseEvent]]], now: datetime)` is called by
  `case_events_ingest` INSIDE its transaction, after the cases were recomputed and saved, once per batch,
  with every touched case (fresh from the database, state already folded) and the events this batch added
  to it (ordered by occurred_at). Raising aborts the whole batch: nothing is acknowledged. Keep it
  set-based (one query per rule per batch, not per case): the ingest path is benchmarked.
- `case_warnings_provider(fn)`: `fn(cases: list[Case]) -> dict[int, list[dict]]` keyed by case id; each
  warning dict has `rule` (str), `level` ("reminder" | "yellow" | "red"), `issued_at` (aware datetime) and
  `status` (str); extra keys are passed through to pages. With no provider every case has `[]`.
- `case_watcher(obj)`: the one object that judges cases as they are folded — the hot path of ingest, so it
  is called once per batch and never reads a case back. Two methods, both inside the ingest transaction:
  `obj.evaluate(pairs, *, now) -> pending`: `pairs` is `[(row, events)]` for every touched case BEFORE it is
  written: `row` has the Case columns as attributes (the folded state; `id` is None for a case not inserted
  yet; `version` is the pinned cases.clock.VersionInfo or None) and `events` the NormEvents this batch adds
  (`pk` None). The watcher sets `row.next_check_at` (the tick schedule, written with the row) and returns
  whatever it needs later. `obj.commit(pending, *, now, fill_event_ids)` runs after cases and events were
  written: rows now have their `id`; `fill_event_ids(events)` sets `pk` on the given events (one query) —
  only the events a card names need it. Raising in either aborts the batch.
  The calendar recompute (services.case_recompute_deadlines) calls neither: it marks the cases whose
  deadlines moved for checking at once (`next_check_at = now`), and the watcher's tick re-judges them.
  With no watcher the cases app keeps its own schedule (cases.clock: the default thresholds of DOMAIN §4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

_events_applied: list[Callable[..., None]] = []
_warnings_providers: list[Callable[[list], dict[int, list[dict]]]] = []
_watchers: list[Any] = []


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


def case_watcher(obj):
    """Register the object that judges cases while they are folded (the last registered wins)."""
    if obj not in _watchers:
        _watchers.append(obj)
    return obj


def unregister(fn) -> None:
    """Remove `fn` from every registry (tests, reloads)."""
    for registry in (_events_applied, _warnings_providers, _watchers):
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


def watcher():
    return _watchers[-1] if _watchers else None


@contextmanager
def isolated() -> Iterator[None]:
    """Run with empty registries, then put back what was registered: the cases app's own tests measure
    cases alone (queries, warnings) whatever apps on top of it have registered."""
    saved = [list(r) for r in (_events_applied, _warnings_providers, _watchers)]
    for r in (_events_applied, _warnings_providers, _watchers):
        r.clear()
    try:
        yield
    finally:
        for r, items in zip((_events_applied, _warnings_providers, _watchers), saved, strict=True):
            r[:] = items
