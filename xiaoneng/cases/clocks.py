"""Cases as a clock owner (core/clocks.py): what supervision's engine needs of a case, without supervision
importing this app. Registered once in `CasesConfig.ready()`.

A case's rows are judged by the case family of rules (the licensing law's limits, steps, delivery, fees,
procedure: supervision/engine.py `evaluate_case`), so each `ClockRow` carries the case columns the engine reads
in `facts` — a tuple straight from the driver, the tick's hot path (docs/performance.md). The schedule is
`CaseCheck` (cases/schedule.py), moved here after each judgement; the one consequence a card has on a case is
deemed approval (超时默许), marked and taken back through the cases services.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from collections.abc import Iterable, Sequence

import orjson
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoneng.catalog.models import ServiceItemVersion
from xiaoneng.core.clocks import Checked, ClockRow, Subject

from .models import Case, CaseCheck
from .schedule import schedule_write

# The case columns the engine reads (engine.evaluate_case, tick.rejudge).
TICK_FIELDS = (
    "id", "department_id", "service_item_id", "version_id", "handler_id", "status", "registered", "clock_start",
    "clock_stopped_at", "committed_deadline", "statutory_deadline", "current_step", "current_step_due_at",
    "steps", "completed_at", "delivered_at", "closed_at", "notices_count", "deemed_approved_at", "case_no",
    "handler_name",
)
# Read through the schedule row (CaseCheck), whose primary key is the case's.
_CHECK_FIELDS = ("case_id",) + tuple(f"case__{f}" for f in TICK_FIELDS[1:]) + ("case__is_open",)
# A case row as the engine reads it: the values_list tuple with attribute names, plus the pinned version's
# deemed-approval flag (read separately: joining the version would lock it with the batch).
CaseFacts = namedtuple("CaseFacts", TICK_FIELDS + ("is_open", "deemed"))
_VERSION = TICK_FIELDS.index("version_id")
_STEPS = TICK_FIELDS.index("steps")


class CaseClocks:
    """The cases app's clock owner."""

    kind = "case"
    label = _("办件")
    family = "case"
    subject_model = Case
    number_field = "case_no"
    handler_field = "handler_id"
    default_rules = ()  # shipped by supervision itself (supervision/defaults.py)

    def url_of(self, pk: int, number: str) -> str:
        return reverse("cases:case_detail", args=[number])

    def __init__(self) -> None:
        self._deemed: dict[int, bool] = {}  # version id → configured for deemed approval, read once per tick

    def sync(self, *, now: dt.datetime) -> int:
        # A calendar change first moves the deadlines of running cases (and marks those that moved as due now),
        # so this very tick re-judges them.
        from .services import case_clocks_sync

        self._deemed = {}  # read again each tick: a test database (or a restore) may reuse version ids
        return case_clocks_sync(now=now)

    def any_due(self, *, now: dt.datetime) -> bool:
        return True  # the first batch's indexed range scan is the probe

    def due(self, *, now: dt.datetime, limit: int, skip_locked: bool) -> list[ClockRow]:
        rows = _due_rows(now, limit, skip_locked)
        make = CaseFacts._make
        known = self._deemed
        missing = {r[_VERSION] for r in rows if r[_VERSION] is not None and r[_VERSION] not in known}
        if missing:
            known.update(ServiceItemVersion.objects.filter(id__in=missing).values_list("id", "deemed_approval"))
        out = []
        for r in rows:
            f = make((*r, known.get(r[_VERSION])))
            out.append(ClockRow("case", f.id, f.case_no, f.department_id, f.handler_id, facts=f))
        return out

    def checked(self, results: Sequence[Checked], *, now: dt.datetime) -> dict[str, int]:
        # A closed case has nothing to schedule (its row should not exist; a stray one is removed here).
        schedule_write((c.row.id, c.next_check_at if c.row.facts.is_open else None) for c in results)
        return {}

    def consequence(self, name: str, marks: Sequence[tuple[int, dt.datetime]], *, now: dt.datetime) -> int:
        from .services import case_deemed_approval_record, case_deemed_approval_withdraw

        if not marks:
            return 0
        if name == "deemed_approval":
            return len(case_deemed_approval_record(marks=list(marks), now=now))
        if name == "deemed_approval_undo":
            return case_deemed_approval_withdraw(case_ids=[pk for pk, _t in marks], now=now)
        return 0

    def reschedule(self, *, now: dt.datetime) -> int:
        from .schedule import schedule_due_now

        return schedule_due_now(Case.objects.filter(is_open=True), now=now)

    def subjects(self, ids: Iterable[int]) -> dict[int, Subject]:
        return {pk: Subject(no, reverse("cases:case_detail", args=[no]), dept)
                for pk, no, dept in Case.objects.filter(pk__in=set(ids)).values_list("id", "case_no", "department_id")}


def _due_rows(now: dt.datetime, limit: int, skip_locked: bool) -> list[tuple]:
    """The next `limit` due cases as `_CHECK_FIELDS` tuples, oldest check first, locked for this batch."""
    qs = CaseCheck.objects.filter(due_at__lte=now).order_by("due_at")
    if skip_locked:
        # No OF: locks both the schedule row and the case row it joins, so an ingest batch touching the same
        # case waits for this batch (or this one skips it) and the two never judge it at once.
        qs = qs.select_for_update(skip_locked=True)
    qs = qs.values_list(*_CHECK_FIELDS)[:limit]
    if connection.vendor != "postgresql":
        return list(qs)
    # PostgreSQL: the ORM's SQL, rows straight from the driver, which already gives aware datetimes; only the
    # JSON column is decoded here. The ORM's per-row converter pass was a third of reading 10,000 due rows.
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    loads = orjson.loads
    return [r if not isinstance(r[_STEPS], str) else (*r[:_STEPS], loads(r[_STEPS]), *r[_STEPS + 1:]) for r in rows]


CASE_CLOCKS = CaseClocks()
