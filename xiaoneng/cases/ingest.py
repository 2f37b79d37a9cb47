"""The one code path by which case events enter the platform: department systems (API), windows (staff
pages) and legacy files (import-cases) all call `case_events_ingest`.

Set-based by design (the bench target is ≥ 50,000 events/s on PostgreSQL): a batch is validated in memory,
then resolved with a constant number of queries — items, versions and steps, cases, duplicates — whatever
its size; events go in with one bulk insert, every touched case is folded once and written back with one
executemany (or COPY + UPDATE … FROM on PostgreSQL for large batches).

Concurrency: touched cases are locked (SELECT … FOR UPDATE, in id order so two batches cannot deadlock)
before duplicates are checked and events are folded, so two clients writing events of the same case at once
are serialised and the second fold sees the first one's events. SQLite serialises writers anyway
(IMMEDIATE transactions).
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

import orjson
from django.db import connection, transaction

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import ApiClient, Staff
from xiaoneng.catalog.models import ServiceItem, ServiceItemVersion, WorkflowStep
from xiaoneng.core import clocks
from xiaoneng.core.bulk import copy_into_temp, gc_paused, sqlite_datetime, where_in
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.workdays.calendar import get_calendar

from .clock import EV_FIELDS, EXTENSION_MAX_WD, Ev, VersionInfo, case_state, compute_clock, fold_events
from .events import EventInvalid, NormEvent, normalize
from .handlers import HandlerIndex
from .models import Case, CaseEvent, Channel, new_query_codes
from .schedule import due_of, schedule_write

MAX_BATCH = 10_000
_CHUNK = 5_000  # keeps IN lists well inside SQLite's parameter limit
WRITER_ROLES = (R.WINDOW, R.HANDLER, R.HEAD)

# The Case columns the fold writes (everything derived from events; see models.Case).
STATE_FIELDS = (
    "status", "registered", "received_at", "accepted_at", "deemed_accepted", "first_notice_at",
    "acceptance_due_at", "completed_at", "delivered_at", "closed_at", "delivery_due_at", "clock_start",
    "clock_stopped_at", "suspensions", "suspended_working_days", "granted_days", "committed_deadline",
    "statutory_deadline", "deadlines_provisional", "clock_error", "calendar_revision", "verdict",
    "verdict_working_days", "verdict_hours", "statutory_overdue", "handler_name", "current_step",
    "current_step_started_at", "current_step_due_at", "steps", "notices_count", "fees_total", "reason",
    "events_count", "last_event_at", "is_open", "handler_id",
)  # and the tick's schedule (`next_check_at` in the state), written to CaseCheck by `schedule_write`
WRITE_FIELDS = STATE_FIELDS + (
    "version_id", "applicant_name", "applicant_id_no", "applicant_phone", "first_contact_id", "parent_id",
    "is_joint_parent", "updated_at",
)


class CaseNoConflict(DomainError):
    """A new case number another batch created at the same instant for another item: the batch is refused."""

    status = 409


@dataclass
class IngestResult:
    """What became of a batch: events stored, events already stored before, and per-event errors."""

    accepted: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "errors": self.errors}


def source_key(*, client: ApiClient | None, by: Staff | None, source: str | None = None) -> str:
    """Whose event_ids these are: unique per source. A department system is its department and its source
    system (来源系统, `ApiClient.system`), not its token: a rotated token, or a second one of the same
    system, replays into the same event ids, so nothing is doubled. Import sources are labels chosen by the
    importer."""
    if source:
        return f"i:{source}"[:80]
    if client is not None:
        return client_source_key(department_id=client.department_id, system=client.system)
    if by is not None:
        return f"s:{by.pk}"
    return "i:platform"


def client_source_key(*, department_id: int, system: str) -> str:
    """The `CaseEvent.source` of a department system ("d:<department id>:<system>", at most 80 characters:
    ApiClient.system is at most 60). Also used by the migration that rewrote the per-token keys."""
    return f"d:{department_id}:{system}"[:80]


_where_in = where_in  # core.bulk.where_in, used throughout this module


def _chunks(seq, n=_CHUNK):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _check_writer(client: ApiClient | None, by: Staff | None) -> None:
    if client is not None and not client.is_active:
        raise NotPermitted("访问令牌已被吊销。")
    if client is None and by is not None:
        if not by.is_active or not by.has_any_role(*WRITER_ROLES):
            raise NotPermitted("只有窗口人员、承办人或部门负责人可以登记办件事件。")
        if by.department_id is None:
            raise NotPermitted("您没有所属部门，不能登记办件事件。")


def _check_staff_event(ev: NormEvent, client: ApiClient | None, by: Staff | None) -> None:
    """Events only a head may record when staff send them themselves: a §42 extension is the head of the
    organ's approval. (A department system's token speaks for its own approval workflow.)"""
    if ev.type == "extended" and client is None and by is not None and not by.has_role(R.HEAD):
        raise EventInvalid("延长审查期限（extended）须经本行政机关负责人批准：只有部门负责人可以登记。", "type")


def _in_scope(dept_id: int, dept_path: str, client: ApiClient | None, by: Staff | None,
              window_for: int | None = None) -> bool:
    if client is not None:
        return dept_id == client.department_id
    if by is not None:
        # window_for: the one department a service centre's window acts for in this call, vetted by the
        # window service (accounts.selectors: hosted, or a case the centre registered) — never from the API.
        return dept_path.startswith(by.department.path) or dept_id == window_for
    return True  # the platform itself (imports run by an operator)


def _may_write(item_dept, client: ApiClient | None, by: Staff | None, window_for: int | None = None) -> bool:
    """Whether the sender may write cases of an item of `item_dept`: a token its own department's, staff
    their department's subtree (and a centre window the department it acts for, `window_for`)."""
    return _in_scope(item_dept.id, item_dept.path, client, by, window_for)


class _ItemScope:
    """`_may_write` for cases the batch names but does not bring the item of (a case number taken by another
    item, a joint parent): the item's department read once per item, in one query per batch."""

    def __init__(self, client: ApiClient | None, by: Staff | None, items: dict[str, ServiceItem],
                 window_for: int | None = None):
        self.client, self.by, self.window_for = client, by, window_for
        self._known = {it.id: _may_write(it.department, client, by, window_for) for it in items.values()}

    def load(self, item_ids) -> None:
        wanted = [i for i in set(item_ids) if i not in self._known]
        for part in _chunks(wanted):
            for pk, dept_id, path in ServiceItem.objects.filter(pk__in=part).values_list(
                "id", "department_id", "department__path"
            ):
                self._known[pk] = _in_scope(dept_id, path, self.client, self.by, self.window_for)

    def writes(self, item_id: int) -> bool:
        if item_id not in self._known:
            self.load([item_id])
        return self._known[item_id]


# Refusals about case numbers the sender does not own say the same whether the number exists elsewhere or not
# at all: an answer must not tell a department which numbers other departments use (issue 9).
def case_no_unavailable(case_no: str) -> str:
    return f"办件编号“{case_no}”不可用：请确认编号属于本部门的事项。"


def parent_unavailable(case_no: str) -> str:
    return (f"联办主件编号“{case_no}”不可用：parent_case_no 只能是本部门已设立的联办主件，"
            "或同一批事件中设立的联办主件。")


def not_a_joint_parent(case_no: str) -> str:
    return (f"办件“{case_no}”不是联办主件：联办主件只能在首次登记时设立（在其事件中注明 is_joint_parent: true，"
            "或与引用它的子件同批提交），已登记的办件不能再改为联办主件。")


def _one_item_per_new_case(ok: list, reject) -> list:
    """A new case takes the item of its first event in the batch; a later event of the same number naming
    another item is refused on its own — folded in, it would be stored under an item it does not belong to.
    (Existing cases were checked against their stored item already.)"""
    first: dict[str, ServiceItem] = {}
    kept = []
    for i, ev, item in ok:
        have = first.setdefault(ev.case_no, item)
        if have.id != item.id:
            reject(i, ev, f"办件“{ev.case_no}”在本批中已按事项“{have.code}”登记，同一办件不能同时登记为事项“{item.code}”。")
            continue
        kept.append((i, ev, item))
    return kept


def load_versions(item_ids) -> dict[int, list[VersionInfo]]:
    """Every version of the given items with its workflow steps, sorted by valid_from (two queries)."""
    by_item: dict[int, list[VersionInfo]] = defaultdict(list)
    by_id: dict[int, VersionInfo] = {}
    item_ids = list(item_ids)
    for part in _chunks(item_ids):
        rows = ServiceItemVersion.objects.filter(item_id__in=part).values_list(
            "id", "item_id", "valid_from", "committed_limit_value", "committed_limit_unit", "statutory_limit_value",
            "statutory_limit_unit", "item_type", "deemed_approval",
        )
        for vid, iid, vf, cv, cu, sv, su, it, da in rows:
            v = VersionInfo(vid, vf, cv, cu, sv, su, it, da, [])
            by_item[iid].append(v)
            by_id[vid] = v
    for part in _chunks(by_id):
        for vid, kind, name, lv, lu in WorkflowStep.objects.filter(version_id__in=part).order_by(
            "version_id", "position"
        ).values_list("version_id", "kind", "name", "limit_value", "limit_unit"):
            by_id[vid].steps.append((kind, name, lv, lu))
    for v in by_id.values():
        v.steps = tuple(v.steps)
    for lst in by_item.values():
        lst.sort(key=lambda v: v.valid_from)
    return by_item


def pin_version(versions: list[VersionInfo], at: dt.datetime | None) -> VersionInfo | None:
    """The version in force at `at`; cases older than the catalogue's first version use the first one
    (legacy imports predate the catalogue) — catalog.selectors.version_in_force in memory."""
    if not versions:
        return None
    if at is None:
        return versions[-1]
    i = bisect.bisect_right([v.valid_from for v in versions], at)
    return versions[i - 1] if i else versions[0]


def case_events_ingest(
    *, events: list, client: ApiClient | None = None, by: Staff | None = None, channel: str = Channel.API,
    now: dt.datetime, source: str | None = None, window_for: int | None = None,
) -> IngestResult:
    """Store a batch of case events and bring every touched case up to date.

    Each bad event is reported (`index`, `event_id`, `error` in Chinese) and applies nothing; the good ones
    are applied. An event already stored under the same source and event_id counts as a duplicate.
    `client` writes only its own department's cases; `by` (staff) only cases within their department
    scope; neither (an import run by an operator) writes anywhere. `window_for` (a department id) is for the
    window services only: a service centre's window acting for a hosted department, which the service has
    checked (cases.services); the API never passes it. Atomic: when this returns, the batch is
    committed (or the caller's transaction holds it).
    """
    _require_watcher()
    if len(events) > MAX_BATCH:
        raise DomainError(f"一次最多提交 {MAX_BATCH} 个事件，本次 {len(events)} 个，请分批提交。",
                          field="events", code="batch_too_large")
    _check_writer(client, by)
    result = IngestResult()
    src = source_key(client=client, by=by, source=source)
    good: list[tuple[int, NormEvent]] = []
    seen: set[str] = set()
    for i, raw in enumerate(events):
        try:
            ev = normalize(raw, now=now)
            _check_staff_event(ev, client, by)
        except EventInvalid as exc:
            eid = raw.get("event_id") if isinstance(raw, dict) else None
            # Echoed only when it is a plain value: str() of a deeply nested list would recurse.
            eid = str(eid)[:100] if isinstance(eid, str | int) and not isinstance(eid, bool) else None
            result.errors.append({"index": i, "event_id": eid, "error": exc.message})
            continue
        if ev.event_id in seen:
            result.duplicates += 1
            continue
        seen.add(ev.event_id)
        good.append((i, ev))
    if good:
        with gc_paused(), transaction.atomic():
            _apply(good, result, client=client, by=by, channel=channel, now=now, src=src, window_for=window_for)
    result.errors.sort(key=lambda e: e["index"])
    return result


def _require_watcher() -> None:
    """The cases app runs in one mode: with the clocks' judge, which judges every case as it is folded and
    owns the tick schedule. Without one nothing would ever card a case, so the ingest refuses to run at all
    (`clocks.judge()` raises ImproperlyConfigured, naming the missing app)."""
    clocks.judge()


def _apply(good, result: IngestResult, *, client, by, channel, now, src, window_for=None) -> None:
    def reject(i: int, ev: NormEvent, message: str) -> None:
        result.errors.append({"index": i, "event_id": ev.event_id, "error": message})

    codes = {ev.service_code for _, ev in good}
    items = {}
    for part in _chunks(codes):
        for it in ServiceItem.objects.filter(code__in=part).select_related("department"):
            items[it.code] = it
    case_nos = {ev.case_no for _, ev in good}
    existing = {}
    for part in _chunks(case_nos):
        for row in _where_in(Case.objects, "case_no", part).values_list("case_no", "service_item_id", "department_id",
                                                                         "is_joint_parent"):
            existing[row[0]] = row
    item_scope = _ItemScope(client, by, items, window_for)

    ok: list[tuple[int, NormEvent, ServiceItem]] = []
    for i, ev in good:
        item = items.get(ev.service_code)
        if item is None:
            reject(i, ev, f"事项编码“{ev.service_code}”不存在（请先在事项目录中登记）。")
            continue
        if not _may_write(item.department, client, by, window_for):
            reject(i, ev, f"无权写入其他部门的办件：事项“{ev.service_code}”属于{item.department.name}。")
            continue
        row = existing.get(ev.case_no)
        if row is not None and row[1] != item.id:
            # The number is taken. Only the sender's own cases may be named as such: whether a number is used
            # by another department must not be learnt from the answer (issue 9).
            if item_scope.writes(row[1]):
                reject(i, ev, f"办件“{ev.case_no}”已登记为其他事项，不能改为“{ev.service_code}”。")
            else:
                reject(i, ev, case_no_unavailable(ev.case_no))
            continue
        if ev.is_joint_parent and row is not None and not row[3]:
            reject(i, ev, not_a_joint_parent(ev.case_no))
            continue
        ok.append((i, ev, item))
    ok = _one_item_per_new_case(ok, reject)
    ok, parent_ids = _check_joint(ok, existing, reject, item_scope)
    if not ok:
        return

    first_contact = by.pk if (by is not None and channel == Channel.WINDOW) else None
    first_item: dict[str, ServiceItem] = {}
    for _i, ev, item in ok:
        first_item.setdefault(ev.case_no, item)
    # Existing cases are locked first, in id order, so two batches touching the same cases serialise and cannot
    # deadlock; duplicates are decided under that lock. A parent named by a child is not locked: it is never
    # written by its children's events (its joint flag was set when it was created).
    refs = {ev.parent_case_no for _, ev, _ in ok if ev.parent_case_no}
    locked = _lock({no for no in first_item if no in existing})
    dup_ids = _duplicates(src, [ev.event_id for _, ev, _ in ok])
    by_no: dict[str, list[tuple[NormEvent, int]]] = defaultdict(list)
    kept: list[tuple[int, NormEvent]] = []
    for i, ev, _item in ok:
        if ev.event_id in dup_ids:
            result.duplicates += 1
            continue
        by_no[ev.case_no].append(ev)
        kept.append((i, ev))
    # A parent new in this batch exists only if some event of it is stored: its children are refused otherwise.
    orphans = {no for no in refs if no not in by_no and no not in locked and no not in parent_ids}
    order: list[NormEvent] = []
    by_no.clear()
    for i, ev in kept:
        if ev.parent_case_no in orphans:
            reject(i, ev, parent_unavailable(ev.parent_case_no))
            continue
        # The position in the batch stands in for the id when a new case is folded from this batch alone:
        # ids are handed out in insertion order, so the tie-break (recorded order) is the same.
        by_no[ev.case_no].append((ev, len(order)))
        order.append(ev)
    if not order:
        return
    # A case is a joint parent (联办主件) from its creation or never: named as parent by a child in the batch
    # that creates it, or declared so by its own events (is_joint_parent). An existing case is never flipped.
    joint_new = {ev.parent_case_no for ev in order if ev.parent_case_no} | {
        ev.case_no for ev in order if ev.is_joint_parent}

    cal = get_calendar()
    versions = load_versions({first_item[no].id for no in by_no} | {c["service_item_id"] for c in locked.values()})
    watcher = clocks.judge()
    pending = []  # what the watcher evaluated, committed once the rows are written
    handlers = _handler_index(order, locked, items)

    # New cases are folded in memory and inserted with their full state in one statement; a number that a
    # concurrent batch inserted first is skipped (ON CONFLICT DO NOTHING) and joins the refold path below.
    new_nos = sorted(no for no in by_no if no not in locked)
    case_ids = {no: c["id"] for no, c in locked.items()}
    link_later: list[tuple[str, str]] = []  # (child, parent) both new in this batch
    if new_nos:
        new_rows = []
        judged = []
        for no in new_nos:
            item = first_item[no]
            case = {"id": None, "case_no": no, "service_item_id": item.id, "department_id": item.department_id,
                    "events_count": 0, "applicant_name": "", "applicant_id_no": "", "applicant_phone": "",
                    "first_contact_id": None, "parent_id": None, "is_joint_parent": no in joint_new,
                    "handler_id": None, "deemed_approved_at": None, "handler_assigned_at": None}
            parent_no = next((ev.parent_case_no for ev, _n in by_no[no] if ev.parent_case_no), "")
            if parent_no in locked:
                case["parent_id"] = locked[parent_no]["id"]
            elif parent_no in parent_ids:
                case["parent_id"] = parent_ids[parent_no]
            elif parent_no:
                link_later.append((no, parent_no))
            evs = [_ev(ev, n) for ev, n in by_no[no]]
            state, version = _fold_state(case, evs, by_no[no], versions, cal, now=now, first_contact=first_contact,
                                         handlers=handlers)
            new_rows.append((case, state))
            judged.append((case, state, version, [ev for ev, _n in by_no[no]]))
        pending.append(_evaluate(watcher, judged, now=now))
        won = _insert_cases(new_rows, channel=channel, now=now)
        case_ids.update(won)
        schedule_write((won[case["case_no"]], due_of(state)) for case, state in new_rows
                       if case["case_no"] in won and due_of(state) is not None)
        for row in pending[0][1]:
            row.id = won.get(row.case_no)  # None for a number a concurrent batch won: refolded below
        lost = [no for no in new_nos if no not in won]
        if lost:
            locked.update(_lock(set(lost)))
            taken = [no for no in lost if locked[no]["service_item_id"] != first_item[no].id]
            if taken:
                # A concurrent batch created the number first for another item (maybe another department's):
                # these events must not be folded into that case. Rare (one number, one instant, two items), so
                # the whole batch is refused and rolled back; re-sent, the number is refused alone.
                raise CaseNoConflict(case_no_unavailable(taken[0]) + "本批事件均未写入，请去掉该编号的事件后重发。",
                                     field="case_no", code="case_no_unavailable")
            case_ids.update({no: locked[no]["id"] for no in lost})
            again = _duplicates(src, [ev.event_id for no in lost for ev, _n in by_no[no]])
            if again:
                for no in lost:
                    kept = [(ev, n) for ev, n in by_no[no] if ev.event_id not in again]
                    result.duplicates += len(by_no[no]) - len(kept)
                    by_no[no] = kept
                order = [ev for ev in order if ev.event_id not in again]

    client_id = client.pk if client is not None else None
    staff_id = by.pk if by is not None else None
    rows = [(case_ids[ev.case_no], src, client_id, staff_id, ev.event_id, ev.type, ev.occurred_at, now, ev.step,
             ev.handler, ev.reason, ev.missing_materials, ev.fee_item, ev.amount, ev.granted_days, ev.payload)
            for ev in order]
    if not rows:
        return
    _insert_events(rows)
    result.accepted = len(rows)

    # Joint cases: link children to a parent created in this batch. Nothing else of the parent changes: its
    # joint limit was set when it was created, and a decided parent's verdict stays frozen.
    if link_later:
        write_case_columns([(case_ids[child], {"parent_id": case_ids[parent]}) for child, parent in link_later],
                           ("parent_id",))
    refold: set[str] = set()
    for no, case in locked.items():
        if by_no.get(no):
            refold.add(no)
            parent_no = next((ev.parent_case_no for ev, _n in by_no[no] if ev.parent_case_no), "")
            if parent_no and case["parent_id"] is None:
                case["parent_id"] = case_ids.get(parent_no) or parent_ids[parent_no]
    result.case_ids = sorted({case_ids[no] for no in by_no} | {case_ids[no] for no in refold})
    if refold:
        _refold([locked[no] for no in sorted(refold)], by_no, versions, cal, now=now, first_contact=first_contact,
                watcher=watcher, pending=pending, handlers=handlers)

    def fill_event_ids(events) -> None:
        wanted = {e.event_id: e for e in events}
        for part in _chunks(wanted):
            for eid, pk in _where_in(CaseEvent.objects.filter(source=src), "event_id", part).values_list(
                "event_id", "id"
            ):
                wanted[eid].pk = pk

    for token, _rows in pending:
        watcher.commit(token, now=now, fill_event_ids=fill_event_ids)


def _check_joint(ok, existing: dict, reject, scope: _ItemScope):
    """Joint cases (联办件, 并联审批): which events may name a parent, and the ids of the existing parents named.

    A joint case's parent (联办主件) is set up by whoever coordinates it (the centre or the lead department)
    when it is created: named as `parent_case_no` by a child in the batch that creates it, or declared by its
    own events (`is_joint_parent: true`). A child may name only a parent the sender may write (`_may_write`
    on the parent's item department) that is a joint parent already or is created in this batch: otherwise a
    department could give any case (another department's, or its own, even a decided one) the joint limit
    and so move its deadlines, turn an overdue verdict into an early one and withdraw its cards. A refusal
    reads the same for a parent that does not exist and one the sender may not name (`parent_unavailable`).
    A §42 extension beyond 10 wd is for a joint parent only."""
    new_nos = {ev.case_no for _, ev, _ in ok} - existing.keys()
    wanted = {ev.parent_case_no for _, ev, _ in ok if ev.parent_case_no} - new_nos
    parents: dict[str, tuple[int, int, bool]] = {}  # case_no → (id, service item, is_joint_parent)
    for part in _chunks(wanted):
        for no, pk, item_id, joint in _where_in(Case.objects, "case_no", part).values_list(
            "case_no", "id", "service_item_id", "is_joint_parent"
        ):
            parents[no] = (pk, item_id, joint)
    scope.load(p[1] for p in parents.values())
    joint_new = {ev.parent_case_no for _, ev, _ in ok if ev.parent_case_no in new_nos} | {
        ev.case_no for _, ev, _ in ok if ev.is_joint_parent and ev.case_no in new_nos}
    out = []
    for i, ev, item in ok:
        parent_no = ev.parent_case_no
        if parent_no and parent_no not in new_nos:
            parent = parents.get(parent_no)
            if parent is None or not scope.writes(parent[1]):
                reject(i, ev, parent_unavailable(parent_no))
                continue
            if not parent[2]:
                reject(i, ev, not_a_joint_parent(parent_no))
                continue
        if ev.type == "extended" and ev.granted_days is not None and ev.granted_days > EXTENSION_MAX_WD:
            row = existing.get(ev.case_no)
            if not ((row is not None and row[3]) or (row is None and ev.case_no in joint_new)):
                reject(i, ev, f"granted_days（延长天数）不能超过 {EXTENSION_MAX_WD} 个工作日：办件“{ev.case_no}”不是联办件，"
                              f"行政许可法第四十二条只允许延长十日（联办件十五日）。本次为 {ev.granted_days}。")
                continue
        out.append((i, ev, item))
    return out, {no: p[0] for no, p in parents.items() if scope.writes(p[1]) and p[2]}


_LOCK_COLS = ("id", "case_no", "service_item_id", "department_id", "events_count", "applicant_name",
              "applicant_id_no", "applicant_phone", "first_contact_id", "parent_id", "is_joint_parent", "version_id",
              "handler_id", "deemed_approved_at", "handler_assigned_at", "handler_name")


def _lock(case_nos: set[str]) -> dict[str, dict]:
    """Read (and on PostgreSQL lock, FOR UPDATE in id order) the given cases."""
    locked: dict[str, dict] = {}
    for part in _chunks(sorted(case_nos)):
        qs = _where_in(Case.objects, "case_no", part).order_by("id")
        if connection.features.has_select_for_update:
            qs = qs.select_for_update(of=("self",))
        for row in qs.values_list(*_LOCK_COLS):
            locked[row[1]] = dict(zip(_LOCK_COLS, row, strict=True))
    return locked


def _duplicates(src: str, event_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for part in _chunks(event_ids):
        found.update(_where_in(CaseEvent.objects.filter(source=src), "event_id", part).values_list("event_id",
                                                                                               flat=True))
    return found


def _ev(ev: NormEvent, n: int) -> Ev:
    return Ev(n, ev.type, ev.occurred_at, ev.step, ev.handler, ev.reason, ev.amount, ev.granted_days, ev.fee_item)


def _handler_index(order: list[NormEvent], locked: dict[str, dict], items: dict) -> HandlerIndex:
    """Staff by name for every handler name this batch's folds can end with (see cases.handlers)."""
    names = {ev.handler for ev in order if ev.handler} | {c["handler_name"] for c in locked.values()}
    return HandlerIndex(names, {it.department_id: it.department.path for it in items.values()})


def _fold_state(case: dict, evs: list[Ev], pairs, versions, cal, *, now, first_contact, handlers=None):
    """The columns of a case folded from `evs` (all its events), and the version it pins."""
    facts = fold_events(evs)
    version = pin_version(versions.get(case["service_item_id"], []), facts.received_at or facts.first_at)
    clock = compute_clock(cal, facts, version, is_joint_parent=case["is_joint_parent"])
    state = case_state(facts, clock, now=now)
    name, id_no, phone = _applicant(case, pairs)
    state.update(
        version_id=version.id if version else None, applicant_name=name, applicant_id_no=id_no,
        applicant_phone=phone,
        first_contact_id=case["first_contact_id"] or (first_contact if facts.registered else None),
        parent_id=case["parent_id"], is_joint_parent=case["is_joint_parent"], updated_at=now,
        handler_id=handlers.handler_for(case, facts.handler_name) if handlers is not None else case["handler_id"],
    )
    return state, version


class CaseRow:
    """A case as the watcher sees it before it is written: the Case columns as attributes (plain, no ORM)."""

    def __init__(self, case: dict, state: dict, version):
        self.__dict__.update(case)
        self.__dict__.update(state)
        self.version = version

    def __repr__(self) -> str:
        return f"<CaseRow {self.case_no} {self.status}>"


def _evaluate(watcher, judged, *, now):
    """Hand the folded rows to the watcher and take its schedule into the state to be written."""
    pairs = [(CaseRow(case, state, version), events) for case, state, version, events in judged]
    token = watcher.evaluate("case", pairs, now=now)
    for (row, _evs), (_c, state, _v, _e) in zip(pairs, judged, strict=True):
        state["next_check_at"] = row.next_check_at
    return token, [row for row, _evs in pairs]


def _refold(cases: list[dict], by_no, versions, cal, *, now, first_contact, watcher, pending,
            handlers=None) -> None:
    """Fold existing cases from all their events (read in one query) and write them back in one statement."""
    evs: dict[int, list[Ev]] = defaultdict(list)
    for part in _chunks([c["id"] for c in cases]):
        for row in _where_in(CaseEvent.objects, "case", part).values_list(*EV_FIELDS, "case_id"):
            evs[row[-1]].append(Ev(*row[:-1]))
    rows = []
    judged = []
    for c in cases:
        new = by_no.get(c["case_no"], ())
        state, version = _fold_state(c, evs[c["id"]], new, versions, cal, now=now, first_contact=first_contact,
                                     handlers=handlers)
        rows.append((c["id"], state))
        judged.append((c, state, version, [ev for ev, _n in new]))
    pending.append(_evaluate(watcher, judged, now=now))
    write_case_columns(rows, WRITE_FIELDS)
    schedule_write((pk, due_of(state)) for pk, state in rows)


def _applicant(case: dict, pairs) -> tuple[str, str, str]:
    """The applicant data a batch brings: a `received` event's wins, else the latest one if the case has
    none yet; otherwise the case keeps what it has."""
    best = None
    for ev, _o in pairs:
        if ev.applicant:
            key = (ev.type == "received", ev.occurred_at)
            if best is None or key > best[0]:
                best = (key, ev.applicant)
    if best is not None and (best[0][0] or not case["applicant_name"]):
        a = best[1]
        return a["name"], a["id_no"], a["phone"]
    return case["applicant_name"], case["applicant_id_no"], case["applicant_phone"]


# ------------------------------------------------------------------------------------------ writing rows
_orjson_dumps = orjson.dumps


def _json(v) -> str:
    # orjson: the stdlib encoder was ~10 % of the ingest profile (payload, materials, steps, suspensions of
    # every row). Values orjson does not know (Decimal in a payload) fall back to the stdlib's error/format.
    try:
        return _orjson_dumps(v).decode()
    except TypeError:
        return json.dumps(v)


def _converters(model_fields, *, copy: bool) -> list:
    """Per column: a function turning a Python value into what the driver takes (None: as is)."""
    pg = connection.vendor == "postgresql"
    out = []
    for f in model_fields:
        t = f.get_internal_type()
        if t == "JSONField":
            # COPY and SQLite take JSON text; psycopg parameters want Django's own adapter (Jsonb).
            out.append(_json if (copy or not pg) else (lambda v, f=f: f.get_db_prep_save(v, connection)))
        elif t == "DateTimeField" and not pg:
            out.append(sqlite_datetime)
        else:
            out.append(None)
    return out


def _prepared(rows, converters) -> list[list]:
    data = []
    for row in rows:
        vals = list(row)
        for i, conv in enumerate(converters):
            if conv is not None and vals[i] is not None:
                vals[i] = conv(vals[i])
        data.append(vals)
    return data


_EVENT_COLUMNS = ("case", "source", "client", "staff", "event_id", "type", "occurred_at", "recorded_at", "step",
                  "handler", "reason", "missing_materials", "fee_item", "amount", "granted_days", "payload")


def _insert_events(rows: list[tuple]) -> None:
    """Insert event rows (in _EVENT_COLUMNS order): COPY on PostgreSQL, executemany on SQLite — the ORM's
    bulk_create spends most of its time compiling SQL per value, which at 50,000 events/s is the budget."""
    meta = CaseEvent._meta
    fields = [meta.get_field(c) for c in _EVENT_COLUMNS]
    cols = [f.column for f in fields]
    q = connection.ops.quote_name
    table = q(meta.db_table)
    pg = connection.vendor == "postgresql"
    data = _prepared(rows, _converters(fields, copy=pg))
    with connection.cursor() as cur:
        if pg:
            with cur.cursor.copy(f"COPY {table} ({', '.join(q(c) for c in cols)}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(cols))
            cur.executemany(f"INSERT INTO {table} ({', '.join(q(c) for c in cols)}) VALUES ({marks})", data)


def _insert_cases(new_rows: list[tuple[dict, dict]], *, channel: str, now: dt.datetime) -> dict[str, int]:
    """Insert new cases with their folded state; returns {case_no: id} of the rows this call inserted.
    A number a concurrent batch inserted first is skipped (ON CONFLICT DO NOTHING … RETURNING tells which)."""
    meta = Case._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    template = Case(case_no="", department_id=0, service_item_id=0, channel=channel, created_at=now, updated_at=now)
    base = {f.attname: getattr(template, f.attname) for f in fields}
    convs = _converters(fields, copy=False)
    names = [f.attname for f in fields]
    data = []
    codes = new_query_codes(len(new_rows))  # one look-up code per new case (the template's would be shared)
    for (case, state), code in zip(new_rows, codes, strict=True):
        values = dict(base, case_no=case["case_no"], department_id=case["department_id"],
                      service_item_id=case["service_item_id"], query_code=code)
        values.update(state)
        data.append([values[n] for n in names])
    q = connection.ops.quote_name
    if connection.vendor == "postgresql":
        return _pg_copy_insert_cases(fields, _prepared(data, _converters(fields, copy=True)))
    data = _prepared(data, convs)
    cols = ", ".join(q(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per = max(1, 30_000 // len(fields))  # inside SQLite's 32,766 parameters per statement
    won: dict[str, int] = {}
    with connection.cursor() as cur:
        for i in range(0, len(data), per):
            part = data[i : i + per]
            cur.execute(
                f"INSERT INTO {q(meta.db_table)} ({cols}) VALUES {', '.join([one] * len(part))} "
                f"ON CONFLICT ({q('case_no')}) DO NOTHING RETURNING {q('id')}, {q('case_no')}",
                [v for row in part for v in row],
            )
            won.update((no, pk) for pk, no in cur.fetchall())
    return won


def _pg_copy_insert_cases(fields, data: list[list]) -> dict[str, int]:
    q = connection.ops.quote_name
    table = q(Case._meta.db_table)
    decl = ", ".join(f"{q(f.column)} {f.db_type(connection)}" for f in fields)
    cols = ", ".join(q(f.column) for f in fields)
    with connection.cursor() as cur:
        copy_into_temp(cur, "_xn_case_new", decl, cols, data)
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _xn_case_new ORDER BY {q('case_no')} "
                    f"ON CONFLICT ({q('case_no')}) DO NOTHING RETURNING {q('id')}, {q('case_no')}")
        won = {no: pk for pk, no in cur.fetchall()}
        cur.execute("DROP TABLE _xn_case_new")
    return won


def write_case_columns(rows: list[tuple[int, dict]], fields: tuple[str, ...]) -> None:
    """UPDATE cases_case SET <fields> for many rows: executemany, or COPY into a temporary table and one
    UPDATE … FROM on PostgreSQL when the batch is large (several times faster than row-wise updates)."""
    if not rows:
        return
    meta = Case._meta
    model_fields = [meta.get_field(f[:-3] if f.endswith("_id") else f) for f in fields]
    columns = [f.column for f in model_fields]
    copy = connection.vendor == "postgresql" and len(rows) >= 200
    data = _prepared(([state[name] for name in fields] + [pk] for pk, state in rows),
                     _converters(model_fields, copy=copy))
    table = connection.ops.quote_name(meta.db_table)
    if copy:
        _pg_copy_update(table, columns, model_fields, data)
        return
    sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", data)


def _pg_copy_update(table: str, columns: list[str], model_fields, data: list[list]) -> None:
    q = connection.ops.quote_name
    types = [f.db_type(connection) for f in model_fields]
    decl = ", ".join(f"{q(c)} {t}" for c, t in zip(columns, types, strict=True))
    with connection.cursor() as cur:
        col_list = ", ".join(q(c) for c in columns)
        copy_into_temp(cur, "_xn_case_update", f"id bigint, {decl}", f"{col_list}, id", data)
        sets = ", ".join(f"{q(c)} = u.{q(c)}" for c in columns)
        cur.execute(f"UPDATE {table} AS t SET {sets} FROM _xn_case_update AS u WHERE t.id = u.id")
        cur.execute("DROP TABLE _xn_case_update")
