"""The seam between the apps whose objects have deadlines (clock owners) and the one engine that judges them.

A clock owner is an app whose objects run against a time limit: cases (办件), complaints (投诉), and next a bad
rating's rectification, an inspection finding's correction, an information request, a disclosure. Supervision
judges all of them with the same rules, thresholds, cards, orders and notifications, without importing any of
them: each owner implements `ClockOwner` and registers it once, explicitly, from its own `AppConfig.ready()`:

    from xiaoneng.core import clocks
    clocks.register_owner(ComplaintClocks())

and the judge (supervision) registers itself the same way (`register_judge`). Owners call the judge only
through `clocks.judge()` (an ingest that wants its rows judged as they are written, a transition that needs
its next check); the judge reaches owners only through `clocks.owners()` / `clocks.owner(kind)`. Nothing here
imports an app: this module is the bottom of the chain, as core is.

What a row says (`ClockRow`): which subject (kind, id, the number pages show — never personal data), whose
it is (department, handler, and who else hears of its cards), which deadline runs (`stage`, `due_at`) and how
far it is already flagged. An owner whose checks need more than one deadline (cases: committed and statutory
limits, steps, delivery, event facts) passes its own facts in `facts` and names its rule family
(`ClockOwner.family`); every other owner is judged by the deadline family (reminder before, yellow and red
after `due_at`), so a new owner ships rules, not code in supervision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from django.core.exceptions import ImproperlyConfigured

# The deadline family: the checks every owner's rows are judged by unless the owner names another family.
DEADLINE_FAMILY = "deadline"


@dataclass(slots=True)
class ClockRow:
    """One watched subject as the engine judges it, built by its owner from rows it has locked.

    `due_at` None means no clock runs now (paused, waiting for the citizen): the row is only rescheduled.
    `flag` is the highest level its current deadline has reached ("", "reminder", "yellow", "red"): the owner
    keeps it (the engine returns the new one) so a list can show how late a subject is without reading cards.
    `tell` and `tell_heads_of` name who hears of a card besides its handler (or, when it has none, the heads
    of its department): staff ids, and departments whose heads are told (a complaint: its office handler, or
    the office's heads while nobody is assigned)."""

    kind: str
    id: int
    number: str
    department_id: int | None
    handler_id: int | None = None
    stage: str = ""
    due_at: dt.datetime | None = None
    flag: str = ""
    label: str = ""
    tell: tuple[int, ...] = ()
    tell_heads_of: tuple[int, ...] = ()
    facts: Any = None


@dataclass(slots=True)
class Checked:
    """What the judge tells an owner about one row it judged: the row's new flag and when to look again
    (None: nothing ahead)."""

    row: ClockRow
    flag: str
    next_check_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Subject:
    """A subject as pages show it beside a card, an order or a proposal: its number, its page, its
    department, and who hears of its cards now besides the card's handler (as `ClockRow.tell`). Never the
    person behind it."""

    number: str
    url: str
    department_id: int | None = None
    tell: tuple[int, ...] = ()
    tell_heads_of: tuple[int, ...] = ()


@runtime_checkable
class ClockOwner(Protocol):
    """An app whose objects have deadlines, as supervision's engine sees it.

    `kind`: the subject kind stored on cards, orders and proposals ("case", "complaint"; ≤ 16 characters,
    never renamed once cards exist). `label`: the subject as the office calls it (办件, 投诉). `family`: the
    rule family its rows are judged by (DEADLINE_FAMILY for every owner whose rows carry one running
    deadline).

    How pages address its subjects: `subject_model` is the Django model whose rows are the subjects (None for
    an owner without one), `number_field` its column holding the number pages show (lists read it in their
    own query, by subquery), `handler_field` the column of the staff member answering for it now ("" when
    none). A subject's row is never deleted while it has orders or proposals; deleting it deletes its cards.
    """

    kind: str
    label: str
    family: str
    subject_model: Any
    number_field: str
    handler_field: str

    def url_of(self, pk: int, number: str) -> str:
        """The staff page of a subject (no query)."""

    def sync(self, *, now: dt.datetime) -> int:
        """Bring clocks up to date before judging (a calendar change moved deadlines); the number moved."""

    def any_due(self, *, now: dt.datetime) -> bool:
        """Whether any row may be due (a cheap probe, no lock), so that an idle minute opens no transaction for
        this owner. An owner whose `due` is itself that cheap may always answer True."""

    def due(self, *, now: dt.datetime, limit: int, skip_locked: bool) -> Sequence[ClockRow]:
        """The next `limit` rows whose next check has come, oldest first, locked for the caller's transaction
        (SKIP LOCKED where the database has it, so several workers share them)."""

    def checked(self, results: Sequence[Checked], *, now: dt.datetime) -> Mapping[str, int]:
        """Write back each judged row's flag and next check; do what the owner does when its clocks are looked
        at (a complaint's follow-up window closing). Returns counters for the tick's summary."""

    def consequence(self, name: str, marks: Sequence[tuple[int, dt.datetime]], *, now: dt.datetime) -> int:
        """Apply what a card's rule changes on the subject (cases: "deemed_approval" marks the case and issues
        its notice; "deemed_approval_undo" with the time ignored takes it back). Returns how many changed; an
        owner without consequences returns 0."""

    def subjects(self, ids: Iterable[int]) -> dict[int, Subject]:
        """Number, page and department of each subject (one query)."""

    def reschedule(self, *, now: dt.datetime) -> int:
        """A rule of this kind changed: make every running clock due at the next tick. Returns how many."""


class Judge(Protocol):
    """The engine (supervision) as owners call it."""

    def evaluate(self, kind: str, pairs: list, *, now: dt.datetime) -> Any:
        """Judge rows an owner is about to write (ingest: `[(row, new events)]`, state just folded, before the
        write); sets each row's `next_check_at` and returns what `commit` needs."""

    def commit(self, token: Any, *, now: dt.datetime, fill_event_ids) -> None:
        """After the write: issue, withdraw and mark what `evaluate` decided (rows now have ids)."""

    def next_check(self, row: ClockRow, *, now: dt.datetime) -> dt.datetime | None:
        """When a row whose deadline just changed must next be looked at (a threshold already crossed above
        its flag: `now`)."""

    def cards_of(self, kind: str, ids: Sequence[int]) -> dict[int, list[dict]]:
        """The cards of each subject, for the owner's own pages and API (one query)."""

    def card_raise(self, kind: str, subject_id: int, *, rule_code: str, department_id: int, basis: str, by_id: int,
                   now: dt.datetime) -> int:
        """A card the office raises by hand on a subject (an inspection finding), on a rule the owner ships
        whose check the engine never evaluates by itself (supervision's manual checks: "finding"); `basis` is
        its stated ground. Notified and escalated like every card; one per subject and rule. Returns its id."""


_owners: dict[str, ClockOwner] = {}
_judges: list[Judge] = []


def register_owner(owner: ClockOwner) -> ClockOwner:
    """Register a clock owner (from its AppConfig.ready). The same object again is a no-op; another object of
    a kind already registered is a configuration error (two apps may not own one kind of subject)."""
    kind = owner.kind
    if not kind or len(kind) > 16:
        raise ImproperlyConfigured(f"clock owner kind {kind!r}: 1-16 characters")
    known = _owners.get(kind)
    if known is not None and known is not owner and type(known) is not type(owner):
        raise ImproperlyConfigured(f"two clock owners for kind {kind!r}: {known!r} and {owner!r}")
    _owners[kind] = owner
    return owner


def unregister_owner(kind: str) -> None:
    """An owner leaves (a test that declared one; an app taken out of INSTALLED_APPS is simply not registered).
    Its subjects' cards stay: they are the office's record."""
    _owners.pop(kind, None)


def register_judge(judge: Judge) -> Judge:
    """Register the engine that judges every owner's rows (supervision's AppConfig.ready). One judge."""
    if judge not in _judges:
        _judges[:] = [judge]
    return judge


def owners() -> list[ClockOwner]:
    """Every registered owner, in registration order (INSTALLED_APPS order: cases before complaints)."""
    return list(_owners.values())


def owner(kind: str) -> ClockOwner:
    try:
        return _owners[kind]
    except KeyError:
        raise ImproperlyConfigured(f"no clock owner registered for kind {kind!r}") from None


def kinds() -> dict[str, str]:
    """kind → label of every owner (rule pages, filters)."""
    return {k: str(o.label) for k, o in _owners.items()}


def judge() -> Judge:
    """The registered judge. Without one, clocks would run unwatched: that is a broken installation, never a
    mode to run in (supervision is always installed), so it fails loudly."""
    if not _judges:
        raise ImproperlyConfigured("no clock judge registered: add xiaoneng.supervision to INSTALLED_APPS")
    return _judges[0]
