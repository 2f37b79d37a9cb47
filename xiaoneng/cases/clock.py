"""The fold of a case's events and the clock of a case: pure computation, no queries.

`fold_events` turns a case's events (any order; sorted here by occurred_at, then recorded order) into the
facts of the case; `compute_clock` turns facts + the pinned version's limits + the calendar into deadlines
and the on-time verdict. The tick schedule (when to look at a case next) is not computed here: it is the
judge's (supervision's rules and thresholds, core/clocks.py), set while the batch is folded. The ingest service runs both; `case_recompute_deadlines` runs
only the second, from facts kept on the Case row, which is why a calendar change needs no event reads.

Rules (行政许可法 and DOMAIN.md §2, §4):
- limits count from acceptance; in working days the day of acceptance is day 0 and a limit falls due at the
  close of office hours of its last day (WorkCalendar.deadline);
- every clock that starts at an event — the limits, each step, §32's 5 wd from receipt, delivery after the
  decision — starts at the next working day's opening when the event is after the close or on a day off
  (DOMAIN.md §4, WorkCalendar.clock_start): an instant case (即办件, 0 wd) accepted at 18:49 is due at the
  close of the next working day, not at a close that had passed before it began. `clock_start` keeps the
  moment of the event itself;
- §32: without a one-time notice within 5 wd of receipt the application counts as accepted on the day it was
  received (`deemed_accepted`, clock from receipt); a notice later than that does not stop the clock;
- supplement time (补正) and approved special procedures (§45 特别程序: suspended … resumed) stop the clock:
  each deadline moves by the stopped time measured in its own unit; a special procedure with `granted_days`
  counts at most the days granted (and exactly those while it is still open: the clock resumes by itself);
- a supplement still open with no granted days leaves the clock stopped: deadlines as computed so far,
  `clock_stopped_at` set, nothing to check until it resumes;
- §42 extension (`extended`, granted_days ≤ 10 wd, approved by the head of the organ): moves the STATUTORY
  deadline by the days granted, in the statutory limit's unit; the committed deadline stays where it was
  — the promise (承诺时限) is the department's own word to the applicant, which an internal approval to use
  the statutory reserve does not relieve (DOMAIN.md §2 and §4: the promise is checked first; contrast
  §45 special procedures, which stop every clock). An extension counts only when approved before the
  statutory deadline it extends has passed (a limit already missed cannot be extended), and several
  approvals on one case add up to at most 10 wd (§42 allows one extension of ten days) — for a joint case
  (联办 / 并联审批, the parent) at most 15 wd, approved by the head of the government at that level (§42 ¶2);
- the verdict (early / on time / overdue, by how many working days and hours) is taken at the decision
  (completed or denied) against the committed deadline, and kept; a calendar change never touches it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation

from xiaoneng.core.errors import DomainError
from xiaoneng.workdays.calendar import CalendarYearMissing

from .models import CaseStatus, EventType

# Joint cases (联办件, 并联审批): the parent's limit when its own item is not catalogued as joint (§42: 45 wd).
JOINT_LIMIT_DEFAULT = 45
ACCEPTANCE_NOTICE_WD = 5  # §32: one-time notice within 5 wd of receipt
DELIVERY_WD = 3  # DOMAIN §4: certificate issuance more than 3 wd after completion is a violation

_ZERO = Decimal("0")
_SUPPLEMENT = "supplement"
_SPECIAL = "special"
_EXTENSION = "extension"  # §42: not a stopped period but kept with them (start = end = the approval)
EXTENSION_MAX_WD = 10  # 行政许可法 §42 ¶1: "可以延长十日"
JOINT_EXTENSION_MAX_WD = 15  # §42 ¶2: joint handling, "经本级人民政府负责人批准，可以延长十五日"


def extension_cap(is_joint_parent: bool) -> int:
    """The most working days §42 allows a case to be extended by in all."""
    return JOINT_EXTENSION_MAX_WD if is_joint_parent else EXTENSION_MAX_WD


def joint_limit() -> int:
    return int(getattr(settings, "XIAONENG_JOINT_LIMIT_WD", JOINT_LIMIT_DEFAULT))


@dataclass(slots=True)
class Ev:
    """The fields of an event the fold needs (from the database or from a batch in memory)."""

    id: int
    type: str
    occurred_at: dt.datetime
    step: str = ""
    handler: str = ""
    reason: str = ""
    amount: Decimal | None = None
    granted_days: int | None = None
    fee_item: str = ""


EV_FIELDS = ("id", "type", "occurred_at", "step", "handler", "reason", "amount", "granted_days", "fee_item")


@dataclass(slots=True)
class VersionInfo:
    """What the clock needs of a pinned ServiceItemVersion."""

    id: int
    valid_from: dt.datetime
    committed_value: int
    committed_unit: str
    statutory_value: int
    statutory_unit: str
    item_type: str
    deemed_approval: bool
    steps: tuple = ()  # ((kind, name, limit_value, limit_unit), ...) in workflow order

    def step_index(self, key: str) -> int | None:
        for i, (kind, name, _v, _u) in enumerate(self.steps):
            if key and (key == kind or key == name):
                return i
        return None


@dataclass(slots=True)
class Facts:
    """What the events of a case establish, before any calendar arithmetic."""

    received_at: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    first_notice_at: dt.datetime | None = None
    notices_count: int = 0
    # [kind, start, end|None, granted_days|None, reason]; kind supplement | special | extension
    intervals: list = field(default_factory=list)
    decision: str = ""  # completed | denied
    decision_at: dt.datetime | None = None
    end: str = ""  # refused | withdrawn
    end_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    steps_done: list = field(default_factory=list)  # (step, at, handler)
    fees_total: Decimal = _ZERO
    reason: str = ""
    handler_name: str = ""
    registered: bool = False
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    count: int = 0


def sort_key(e: Ev):
    return (e.occurred_at, e.id)


def fold_events(events: list[Ev]) -> Facts:
    """The facts of a case from its events, in occurred_at order (ties: recorded order)."""
    f = Facts()
    evs = sorted(events, key=sort_key)
    f.count = len(evs)
    if not evs:
        return f
    f.first_at = evs[0].occurred_at
    f.last_at = evs[-1].occurred_at
    open_supp = None
    open_special = None
    ended = False
    for e in evs:
        t = e.type
        at = e.occurred_at
        if e.handler:
            f.handler_name = e.handler
        if t == EventType.DELIVERED:
            if f.delivered_at is None:
                f.delivered_at = at
            continue
        if t == EventType.FEE_CHARGED:
            f.fees_total += e.amount or _ZERO
            continue
        if t == EventType.FEE_REFUNDED:
            f.fees_total -= e.amount or _ZERO
            continue
        if t == EventType.RECEIVED:
            if f.received_at is None:
                f.received_at = at
                f.registered = True
            continue
        if ended:
            # Facts after the end (a step reported after completion) are kept as events but cannot reopen
            # the case or stop a clock that is no longer running.
            if t == EventType.STEP_COMPLETED:
                f.steps_done.append((e.step, at, e.handler))
            continue
        if t == EventType.ACCEPTED:
            if f.accepted_at is None:
                f.accepted_at = at
            if open_supp is not None:  # acceptance means the materials are complete
                open_supp[2] = at
                open_supp = None
        elif t == EventType.SUPPLEMENT_REQUESTED:
            f.notices_count += 1
            if f.first_notice_at is None:
                f.first_notice_at = at
            if open_supp is None:
                open_supp = [_SUPPLEMENT, at, None, None, e.reason]
                f.intervals.append(open_supp)
        elif t == EventType.SUPPLEMENT_RECEIVED:
            if open_supp is not None:
                open_supp[2] = at
                open_supp = None
        elif t == EventType.SUSPENDED:
            if open_special is None:
                open_special = [_SPECIAL, at, None, e.granted_days, e.reason]
                f.intervals.append(open_special)
            elif e.granted_days is not None:  # a further approval extends the granted days
                open_special[3] = (open_special[3] or 0) + e.granted_days
        elif t == EventType.RESUMED:
            if open_special is not None:
                open_special[2] = at
                open_special = None
        elif t == EventType.STEP_COMPLETED:
            f.steps_done.append((e.step, at, e.handler))
        elif t == EventType.EXTENDED:
            f.intervals.append([_EXTENSION, at, at, e.granted_days or 0, e.reason])
        elif t in (EventType.COMPLETED, EventType.DENIED):
            f.decision = t
            f.decision_at = at
            if e.reason:
                f.reason = e.reason
            ended = True
        elif t in (EventType.REFUSED, EventType.WITHDRAWN):
            f.end = t
            f.end_at = at
            if e.reason:
                f.reason = e.reason
            ended = True
    stop = f.decision_at or f.end_at
    if stop is not None:
        for iv in f.intervals:
            if iv[2] is None:
                iv[2] = stop
    if f.delivered_at is not None and not f.decision and not f.end:
        # A delivery with no decision reported implies one: judge the case at delivery.
        f.decision = EventType.COMPLETED
        f.decision_at = f.delivered_at
    return f


def status_of(f: Facts) -> str:
    if f.end:
        return f.end
    if f.decision:
        return CaseStatus.DELIVERED if f.delivered_at is not None else f.decision
    for iv in reversed(f.intervals):
        if iv[2] is None:
            return CaseStatus.SUSPENDED if iv[0] == _SPECIAL else CaseStatus.SUPPLEMENTING
    if f.accepted_at is not None:
        return CaseStatus.ACCEPTED
    return CaseStatus.RECEIVED


def _iso(v: dt.datetime | None) -> str | None:
    # Always UTC: the same instant must serialise the same whether it came from a batch (+08:00 as sent)
    # or from the database (UTC), or two folds of the same events would differ.
    return v.astimezone(dt.UTC).isoformat() if v is not None else None


def _parse(v: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(v) if v else None


def intervals_from_json(items: list[dict]) -> list:
    return [[i["kind"], _parse(i["start"]), _parse(i.get("end")), i.get("granted_days"), i.get("reason", "")]
            for i in items or ()]


def _limits(version: VersionInfo, is_joint_parent: bool) -> tuple[tuple[int, str], tuple[int, str]]:
    committed = (version.committed_value, version.committed_unit)
    statutory = (version.statutory_value, version.statutory_unit)
    if is_joint_parent and version.item_type != "joint":
        statutory = (joint_limit(), "wd")
        committed = statutory
    return committed, statutory


def compute_clock(
    cal, f: Facts, version: VersionInfo | None, *, is_joint_parent: bool,
    current_step: tuple[str, dt.datetime | None] | None = None,
) -> dict[str, Any]:
    """Deadlines, suspension counts, verdict and step schedule of a case.

    `current_step` is (step key, started_at) when recomputing from a Case row without its events."""
    out: dict[str, Any] = {
        "acceptance_due_at": None, "deemed_accepted": False, "clock_start": None, "clock_stopped_at": None,
        "suspended_working_days": 0, "granted_days": 0, "committed_deadline": None, "statutory_deadline": None,
        "deadlines_provisional": False, "clock_error": "", "verdict": "", "verdict_working_days": 0,
        "verdict_hours": _ZERO, "statutory_overdue": False, "delivery_due_at": None,
        "current_step_due_at": None, "calendar_revision": cal.revision,
    }
    status = status_of(f)
    try:
        _clock(cal, f, version, status, is_joint_parent, out, current_step)
    except DomainError as exc:  # CalendarYearMissing above all: shown on the case, never guessed
        out["clock_error"] = _stored_error(exc)[:300]
    return out


def _stored_error(exc: DomainError) -> str:
    """The clock error as stored on the case: always the Chinese text, whichever language the request that
    triggered the fold spoke (pages render it again in the reader's language: selectors.clock_error_text)."""
    if isinstance(exc, CalendarYearMissing):
        with translation.override("zh-hans"):
            return CalendarYearMissing(exc.year).message
    return exc.message


def _clock(cal, f: Facts, version, status, is_joint_parent, out, current_step) -> None:
    received = f.received_at
    timely_notice = False
    if received is not None:
        due = cal.deadline(received, ACCEPTANCE_NOTICE_WD, "wd").at
        out["acceptance_due_at"] = due
        n = f.first_notice_at
        timely_notice = n is not None and n <= due and (f.accepted_at is None or n <= f.accepted_at)
        if f.accepted_at is not None:
            if not timely_notice and f.accepted_at > due:
                out["deemed_accepted"] = True
                start = received
            else:
                start = f.accepted_at
        elif f.end:
            start = None  # refused or withdrawn before acceptance: no clock
        elif timely_notice and not f.decision:
            start = None  # waiting for the applicant's materials: the clock has not started
        else:
            start = received
            out["deemed_accepted"] = f.first_notice_at is not None and not timely_notice
    else:
        start = f.accepted_at or f.first_at  # never registered: count from the first fact we have
    out["clock_start"] = start
    out["suspensions"] = [
        {"kind": k, "start": _iso(s), "end": _iso(e), "granted_days": g, "reason": r or "", "counted": 0}
        for k, s, e, g, r in f.intervals
    ]
    if start is None or version is None:
        return

    # Stopped periods, clipped to the running clock: from the moment it really started (a stop while it had
    # not yet begun — after hours, before the next opening — stops nothing).
    begun = cal.clock_start(start)
    deemed_late_notice = out["deemed_accepted"]
    wd = d = 0
    wh = 0.0
    granted_total = 0
    units = {version.committed_unit, version.statutory_unit}
    stopped_at = None
    json_intervals = []
    extensions = []  # (json row, approved at, days) judged once the statutory deadline is known
    for kind, s, e, granted, reason in f.intervals:
        if kind == _EXTENSION:
            row = {"kind": kind, "start": _iso(s), "end": _iso(e), "granted_days": granted, "reason": reason or "",
                   "counted": 0}
            json_intervals.append(row)
            extensions.append((row, s, granted or 0))
            continue
        counted = 0
        counts = True
        if kind == _SUPPLEMENT and deemed_late_notice and (f.accepted_at is None or s < f.accepted_at):
            counts = False  # §32: a late notice does not stop a clock that already runs from receipt
        if e is not None and e <= begun:
            counts = False
        if kind == _SPECIAL and granted:
            granted_total += granted
        if counts:
            s0 = max(s, begun)
            if e is None and not granted:
                stopped_at = s0
            else:
                local_s = s0.astimezone(cal.tz).date()
                if e is None:
                    counted = granted
                    cd, ch = granted, granted * cal.day_us / 3_600_000_000
                else:
                    local_e = e.astimezone(cal.tz).date()
                    counted = cal.working_days_between(local_s, local_e).working_days
                    cd = (local_e - local_s).days if "d" in units else 0
                    ch = cal.working_hours_between(s0, e).hours if "wh" in units else 0.0
                    if granted:
                        counted = min(counted, granted)
                        cd = min(cd, granted)
                        ch = min(ch, granted * cal.day_us / 3_600_000_000)
                wd += counted
                d += cd
                wh += ch
        json_intervals.append({"kind": kind, "start": _iso(s), "end": _iso(e), "granted_days": granted,
                               "reason": reason or "", "counted": counted if counts else 0})
    out["suspensions"] = json_intervals
    out["suspended_working_days"] = wd
    out["granted_days"] = granted_total
    out["clock_stopped_at"] = stopped_at

    committed, statutory = _limits(version, is_joint_parent)
    provisional = False
    deadlines = []
    for value, unit in (committed, statutory):
        if unit == "wd":
            dl = cal.deadline(start, value + wd, "wd")
            at, prov = dl.at, dl.provisional
        elif unit == "d":
            dl = cal.deadline(start, value + d, "d")
            at, prov = dl.at, dl.provisional
        else:
            r = cal.add_working_hours(begun, value + wh)
            at, prov = r.at, r.provisional
        deadlines.append(at)
        provisional = provisional or prov
    committed_at, statutory_at = deadlines
    if extensions:
        statutory_at, prov = _extend(cal, start, begun, statutory, statutory_at, (wd, d, wh), extensions,
                                     extension_cap(is_joint_parent))
        provisional = provisional or prov
    out["committed_deadline"] = committed_at
    out["statutory_deadline"] = statutory_at
    out["deadlines_provisional"] = provisional

    # Steps: each step runs from the end of the previous one (the first from the clock start).
    if current_step is None:
        step_rows, current_step = _steps(cal, f, version, start, status)
        out["steps"] = step_rows
        out["current_step"], out["current_step_started_at"] = current_step or ("", None)
    key, started = current_step if current_step else ("", None)
    if key and started is not None:
        idx = version.step_index(key)
        if idx is not None:
            _k, _n, lv, lu = version.steps[idx]
            out["current_step_due_at"] = cal.deadline(started, lv, lu).at

    decision_at = f.decision_at
    if decision_at is not None:
        _verdict(cal, decision_at, committed_at, statutory_at, begun, out)
        out["delivery_due_at"] = cal.deadline(decision_at, DELIVERY_WD, "wd").at


def _extend(cal, start, begun, statutory, statutory_at, stopped, extensions,
            cap: int) -> tuple[dt.datetime, bool]:
    """The statutory deadline after §42 extensions (see the module docstring), and whether it is provisional.
    Each extension's `counted` says how many of its days were used (0: approved after the deadline it
    would extend had passed, or beyond the `cap` §42 allows in all: 10 wd, 15 wd for a joint case)."""
    value, unit = statutory
    wd, d, wh = stopped
    total = 0
    at, provisional = statutory_at, False
    for row, approved_at, days in sorted(extensions, key=lambda x: x[1]):
        use = min(days, cap - total)
        if approved_at > at or use <= 0:
            continue
        row["counted"] = use
        total += use
        if unit == "wh":
            r = cal.add_working_hours(begun, value + wh + total * cal.day_us / 3_600_000_000)
            at, provisional = r.at, r.provisional
        else:
            dl = cal.deadline(start, value + (wd if unit == "wd" else d) + total, unit)
            at, provisional = dl.at, dl.provisional
    return at, provisional


def _steps(cal, f: Facts, version: VersionInfo, start: dt.datetime, status: str):
    rows = []
    prev = start
    last_idx = -1
    for step, at, handler in sorted(f.steps_done, key=lambda s: s[1]):
        idx = version.step_index(step)
        name = step
        due = None
        limit = None
        if idx is not None:
            kind, name, lv, lu = version.steps[idx]
            name = name or kind
            limit = [lv, lu]
            last_idx = max(last_idx, idx)
            if prev is not None and prev <= at:
                due = cal.deadline(prev, lv, lu).at
        rows.append({"step": step, "name": name, "started_at": _iso(prev), "completed_at": _iso(at),
                     "limit": limit, "due_at": _iso(due), "overdue": bool(due is not None and at > due),
                     "handler": handler or "", "position": idx})
        prev = at
    current = None
    if status in (CaseStatus.ACCEPTED, CaseStatus.RECEIVED) and version.steps:
        nxt = last_idx + 1
        if nxt < len(version.steps):
            kind, name, _lv, _lu = version.steps[nxt]
            current = (name or kind, prev)
    return rows, current


def _verdict(cal, decision_at, committed_at, statutory_at, begun, out) -> None:
    tz = cal.tz
    # Early days count from the day the clock started at the earliest: a decision taken the evening a case
    # was accepted after hours (its clock starting the next working day) is on time, not "early" by a day
    # its limit never had — early can never exceed the limit itself.
    dd = max(decision_at.astimezone(tz).date(), begun.astimezone(tz).date())
    cd = committed_at.astimezone(tz).date()
    if decision_at <= committed_at:
        if dd < cd:
            out["verdict"] = "early"
            out["verdict_working_days"] = cal.working_days_between(dd, cd).working_days
        else:
            out["verdict"] = "on_time"
        hours = cal.working_hours_between(decision_at, committed_at).hours
    else:
        out["verdict"] = "overdue"
        out["verdict_working_days"] = cal.working_days_between(cd, dd).working_days
        hours = cal.working_hours_between(committed_at, decision_at).hours
    out["verdict_hours"] = Decimal(str(round(hours, 2)))
    out["statutory_overdue"] = decision_at > statutory_at


def case_state(f: Facts, clock: dict, *, now: dt.datetime) -> dict[str, Any]:
    """The Case columns written by the fold (facts + clock)."""
    status = status_of(f)
    decided = status in (CaseStatus.COMPLETED, CaseStatus.DENIED)
    state = {
        "status": status,
        "registered": f.registered,
        "received_at": f.received_at,
        "accepted_at": f.accepted_at,
        "first_notice_at": f.first_notice_at,
        "notices_count": f.notices_count,
        "completed_at": f.decision_at,
        "delivered_at": f.delivered_at,
        "closed_at": f.end_at or f.delivered_at,
        "fees_total": f.fees_total,
        "reason": f.reason,
        "handler_name": f.handler_name,
        "events_count": f.count,
        "last_event_at": f.last_at,
        "is_open": status in (CaseStatus.RECEIVED, CaseStatus.ACCEPTED, CaseStatus.SUPPLEMENTING,
                              CaseStatus.SUSPENDED) or decided,
        "suspensions": [],
        "steps": [],
        "current_step": "",
        "current_step_started_at": None,
    }
    state.update(clock)
    return state


# ------------------------------------------------------------------------------------------ fast path
def fast_clock(cal, *, received_at, accepted_at, version: VersionInfo | None, step_key: str,
               step_started) -> dict[str, Any] | None:
    """compute_clock for the common running case — limits in working days, no notice, no stopped period, not
    a joint parent — straight on the calendar's arrays (a recompute of a million clocks is dominated by
    per-call overhead). Returns None whenever the case is not that simple or anything is out of range:
    the caller then takes the general path, which also produces the proper errors. The results are the
    same as compute_clock's (tests/test_clock.py compares them on random cases)."""
    if version is None or received_at is None or version.committed_unit != "wd" or version.statutory_unit != "wd":
        return None
    tz = cal.tz
    base, size, missing = cal._base, cal._size, cal._missing
    work, cum, widx, closes, miss, prov, nwork = cal._work, cal._cum, cal._widx, cal._closes, cal._miss, \
        cal._prov, cal._nwork

    close = cal.close_time

    def idx(at):
        """(day index of `at`, index of day 0 of a clock started at `at`: WorkCalendar._day0); -1 out of range."""
        local = at.astimezone(tz)
        i = local.toordinal() - base
        if not (0 <= i < size) or missing[i]:
            return -1, -1
        if work[i] and local.time() <= close:
            return i, i
        k = cum[i]  # after the close or on a day off: the next working day
        if k >= nwork:
            return i, -1
        t = widx[k]
        return (i, t) if miss[t] == miss[i] else (i, -1)

    def target(s, n):  # WorkCalendar._target without the exceptions; -1 when out of range
        if n > 0:
            k = cum[s] + n - 1
        elif n == 0:
            if work[s]:
                return s
            k = cum[s]
        else:
            k = cum[s] - work[s] + n
        if k < 0 or k >= nwork:
            return -1
        t = widx[k]
        lo, hi = (s, t) if t >= s else (t, s)
        if miss[hi] != (miss[lo - 1] if lo else 0):
            return -1
        return t

    _r, r = idx(received_at)
    if r < 0:
        return None
    ta = target(r, ACCEPTANCE_NOTICE_WD)
    if ta < 0:
        return None
    acceptance_due = closes[ta]
    deemed = False
    if accepted_at is not None:
        if accepted_at > acceptance_due:
            deemed, start = True, received_at
        else:
            start = accepted_at
    else:
        start = received_at
    s_given, s = idx(start)
    if s < 0:
        return None
    t1 = target(s, version.committed_value)
    t2 = target(s, version.statutory_value)
    if t1 < 0 or t2 < 0:
        return None
    p0 = prov[s_given - 1] if s_given else 0  # provisional from the day given, as WorkCalendar.deadline
    provisional = prov[t1] != p0 or prov[t2] != p0
    committed_at, statutory_at = closes[t1], closes[t2]
    step_due = None
    if step_key and step_started is not None:
        i = version.step_index(step_key)
        if i is not None:
            _k, _n, lv, lu = version.steps[i]
            if lu != "wd":
                return None
            _s3, s3 = idx(step_started)
            t3 = target(s3, lv) if s3 >= 0 else -1
            if t3 < 0:
                return None
            step_due = closes[t3]
    return {
        "acceptance_due_at": acceptance_due, "deemed_accepted": deemed, "clock_start": start,
        "clock_stopped_at": None, "suspended_working_days": 0, "granted_days": 0,
        "committed_deadline": committed_at, "statutory_deadline": statutory_at,
        "deadlines_provisional": provisional, "clock_error": "", "verdict": "", "verdict_working_days": 0,
        "verdict_hours": _ZERO, "statutory_overdue": False, "delivery_due_at": None,
        "current_step_due_at": step_due, "calendar_revision": cal.revision, "suspensions": [],
    }
