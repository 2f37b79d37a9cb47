"""The one fake of the cases tests.

The cases app runs in one mode, in production and in every one of these tests: with its watcher,
supervision's real engine (registered in SupervisionConfig.ready), and the shipped default rules. Nothing in
these tests stands in for our code except `ProbeWatcher` below, and it stands in for nothing: it wraps the
real judge (core/clocks.py), hands every call on to it unchanged, and only records what the ingest handed over
or raises after the real call — for the tests of what the judge is given and of a judge failing mid-batch
(test_ingest.py). It is registered through the public `clocks.register_judge` and the real judge is
registered again afterwards (`watcher_probe` fixture, conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from xiaoneng.core import clocks


class WatcherFailed(Exception):
    """What ProbeWatcher raises when told to."""


class ProbeWatcher:
    """The registered watcher, wrapped. `evaluated` gets, per `evaluate` call, the `[(row, events)]` pairs it
    was handed; `fill_event_ids` is the last one `commit` was given. With `raise_in` set to "evaluate" or
    "commit", that method raises WatcherFailed after the real watcher did its part."""

    def __init__(self, real) -> None:
        self.real = real
        self.raise_in: str | None = None
        self.evaluated: list[list[tuple]] = []
        self.fill_event_ids: Callable | None = None

    def evaluate(self, kind, pairs, *, now):
        token = self.real.evaluate(kind, pairs, now=now)
        self.evaluated.append([(row, list(events)) for row, events in pairs])
        if self.raise_in == "evaluate":
            raise WatcherFailed("evaluate")
        return token

    def commit(self, pending, *, now, fill_event_ids) -> None:
        self.real.commit(pending, now=now, fill_event_ids=fill_event_ids)
        self.fill_event_ids = fill_event_ids
        if self.raise_in == "commit":
            raise WatcherFailed("commit")

    def next_check(self, row, *, now):
        return self.real.next_check(row, now=now)

    def cards_of(self, kind, ids):
        return self.real.cards_of(kind, ids)


@contextmanager
def probing() -> Iterator[ProbeWatcher]:
    """Register a ProbeWatcher around the real watcher for the duration; the real one is back afterwards."""
    real = clocks.judge()  # supervision's, registered by SupervisionConfig.ready()
    probe = clocks.register_judge(ProbeWatcher(real))
    try:
        yield probe
    finally:
        clocks.register_judge(real)
    assert clocks.judge() is real
