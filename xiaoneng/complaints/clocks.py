"""Complaints as a clock owner (core/clocks.py): what supervision's engine needs of a complaint, without
supervision importing this app. Registered once in `ComplaintsConfig.ready()`.

A complaint runs one clock at a time (`services._common._evaluate` sets `due_stage` and `due_at` on every
transition: acceptance, handling, reply), so its rows are judged by the deadline family of rules (reminder
before, yellow and red after the due date; rules of subject kind "complaint", editable like every rule).

Whose card it is (the row's department, which decides who sees it):
- handling stage, dispatched: the lead department of the dispatch — it is the one late;
- acceptance, reply, and a handling clock not yet dispatched: the supervision office — the complainant is
  waiting for the office (the office handler's own department, else the office, else the root of the tree).
The card's handler is the office handler for the office's stages, none for a department's (the department
answers as a whole). Who hears of a card: the office handler (the office's heads while nobody is assigned)
and, for the handling stage, the lead department's heads. A row never carries the complainant's identity.

When its clocks are looked at, the owner also closes replied complaints whose follow-up period ran out
(未评价) and prunes old rate-limit counters — the complaint centre's own housekeeping, done on its rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoneng.accounts.selectors import supervision_office_id
from xiaoneng.core.clocks import DEADLINE_FAMILY, Checked, ClockRow, Subject

from .models import Complaint, Dispatch, Stage, Status

FIELDS = ("id", "number", "status", "due_stage", "due_at", "flag", "follow_up_due_at", "office_handler_id",
          "office_handler__department_id")
STAGE_LABELS = {Stage.ACCEPT: "投诉受理期限", Stage.HANDLE: "投诉办理期限", Stage.REPLY: "投诉答复期限"}
FOLLOW_UP = "follow_up"  # a replied complaint's follow-up window: no card, closed when it runs out


class ComplaintClocks:
    """The complaint centre's clock owner."""

    kind = "complaint"
    label = _("投诉")
    family = DEADLINE_FAMILY
    subject_model = Complaint
    number_field = "number"
    handler_field = ""  # the office handler answers to the office, not as the card's department's handler
    default_rules = ()  # shipped by supervision itself (supervision/defaults.py)

    def url_of(self, pk: int, number: str) -> str:
        return reverse("complaints:detail", args=[number])

    def sync(self, *, now: dt.datetime) -> int:
        return 0  # complaint due dates are computed on each transition, never from a stored calendar revision

    def any_due(self, *, now: dt.datetime) -> bool:
        # The usual minute: one probe of the index complaints_tick, no transaction.
        return Complaint.objects.filter(is_open=True, next_check_at__lte=now).exists()

    def due(self, *, now: dt.datetime, limit: int, skip_locked: bool) -> list[ClockRow]:
        qs = Complaint.objects.filter(is_open=True, next_check_at__lte=now).order_by("next_check_at", "id")
        if skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        rows = [dict(zip(FIELDS, v, strict=True)) for v in qs.values_list(*FIELDS)[:limit]]
        if not rows:
            return []
        office = supervision_office_id()
        leads: dict[int, int] = {}
        dispatched = [r["id"] for r in rows if r["status"] == Status.DISPATCHED]
        if dispatched:
            for cid, did in Dispatch.objects.filter(
                complaint_id__in=dispatched, is_lead=True,
                state__in=(Dispatch.State.ACTIVE, Dispatch.State.DISPUTED, Dispatch.State.DONE),
            ).order_by("round", "id").values_list("complaint_id", "department_id"):
                leads[cid] = did  # the latest round wins
        return [_row(r, leads.get(r["id"]), office) for r in rows]

    def checked(self, results: Sequence[Checked], *, now: dt.datetime) -> dict[str, int]:
        from . import services

        expired = [c.row.id for c in results if c.row.stage == FOLLOW_UP and c.row.facts and now >= c.row.facts]
        n = services.complaints_follow_up_expire(ids=expired, now=now) if expired else 0
        gone = set(expired)
        checks = []
        for c in results:
            if c.row.id in gone:
                continue
            if c.row.stage == FOLLOW_UP:
                checks.append((c.row.id, c.row.flag, c.row.flag, c.row.facts))  # wait for the follow-up date
            else:
                checks.append((c.row.id, c.row.flag, c.flag, c.next_check_at))
        services.complaints_clock_checked(checks=checks, now=now)
        # Old rate-limit counters go (only when complaints were due, so an idle minute stays one query).
        services.rate_counters_prune(now=now)
        return {"follow_ups_expired": n}

    def consequence(self, name: str, marks: Sequence[tuple[int, dt.datetime]], *, now: dt.datetime) -> int:
        return 0  # a complaint card changes nothing on the complaint but its flag (written by `checked`)

    def subjects(self, ids: Iterable[int]) -> dict[int, Subject]:
        office = None
        out = {}
        for pk, no, handler in Complaint.objects.filter(pk__in=set(ids)).values_list("id", "number",
                                                                                     "office_handler_id"):
            if handler is None and office is None:
                office = supervision_office_id()
            out[pk] = Subject(no, reverse("complaints:detail", args=[no]), None, tell=(handler,) if handler else (),
                              tell_heads_of=() if handler or not office else (office,))
        return out

    def reschedule(self, *, now: dt.datetime) -> int:
        """A complaint rule changed: every complaint with a running clock is due at the next tick (paused ones
        stay paused, replied ones wait for their follow-up date)."""
        return (Complaint.objects.filter(is_open=True, due_at__isnull=False)
                .filter(Q(next_check_at__isnull=True) | Q(next_check_at__gt=now))
                .exclude(status__in=(Status.REPLIED, Status.PAUSED)).update(next_check_at=now))

    def row_of(self, c: Complaint) -> ClockRow:
        """The row of a complaint whose clock just changed, for the judge's `next_check` (no query: the
        thresholds do not depend on whose card it would be)."""
        return ClockRow("complaint", c.pk, c.number, None, stage=c.due_stage, due_at=c.due_at, flag="",
                        label=STAGE_LABELS.get(c.due_stage, ""))


def _row(r: dict, lead: int | None, office: int | None) -> ClockRow:
    if r["status"] == Status.REPLIED:
        return ClockRow("complaint", r["id"], r["number"], None, stage=FOLLOW_UP, flag=r["flag"],
                        facts=r["follow_up_due_at"])
    due, stage = r["due_at"], r["due_stage"]
    if due is None or not stage or r["status"] == Status.PAUSED:
        return ClockRow("complaint", r["id"], r["number"], None, flag=r["flag"])
    lead = lead if stage == Stage.HANDLE else None
    handler = r["office_handler_id"]
    return ClockRow(
        "complaint", r["id"], r["number"], lead or r["office_handler__department_id"] or office,
        handler_id=None if lead else handler, stage=stage, due_at=due, flag=r["flag"],
        label=STAGE_LABELS.get(stage, ""),
        tell=(handler,) if handler else (), tell_heads_of=() if handler or not office else (office,),
    )


COMPLAINT_CLOCKS = ComplaintClocks()
