"""The tick (every minute) and the judging of cases it shares with ingest (`rejudge`): which cases are due,
the cards their evaluations call for (inserted once whatever runs concurrently), automatic withdrawal,
deemed approval, and the cases' cards as the cases app shows them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field

import orjson
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse

from xiaoneng.accounts.models import Staff
from xiaoneng.cases.ingest import _where_in
from xiaoneng.cases.models import CaseCheck
from xiaoneng.cases.schedule import schedule_write
from xiaoneng.cases.services import (
    case_clocks_sync,
    case_deemed_approval_record,
    case_deemed_approval_withdraw,
)
from xiaoneng.catalog.models import ServiceItemVersion, WorkflowStep
from xiaoneng.core.bulk import gc_paused, pg_copy_insert
from xiaoneng.core.errors import DomainError
from xiaoneng.workdays.calendar import get_calendar

from .. import complaint_watch
from ..engine import STATE_CHECKS, Card, Evaluation, FollowUp, RuleSet, current_keys, evaluate_case
from ..models import (
    OPEN_STATUSES,
    NotificationKind,
    RuleMode,
    Warning,
    WarningAction,
    WarningStatus,
)
from ..rulecache import rule_set
from ..transitions import CARD_TRANSITIONS
from .cards import orders_close_for_withdrawn
from .escalation import escalation_follow_up
from .notify import _notify_cards, in_office_hours, notifications_send_due
from .orders import _escalate_late_orders

TICK_BATCH = 5000
INSERT_CHUNK = 1000
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
_Row = namedtuple("_Row", TICK_FIELDS + ("is_open", "deemed"))


@dataclass
class TickResult:
    """What one tick did."""

    now: dt.datetime
    cases_checked: int = 0
    clocks_recomputed: int = 0
    issued: dict[str, int] = field(default_factory=lambda: {"reminder": 0, "yellow": 0, "red": 0})
    pending_confirmation: int = 0
    deemed_approved: int = 0
    orders_escalated: int = 0
    orders_issued: int = 0  # automatic supervision orders (督办) of new yellow and red cards
    proposals_drafted: int = 0  # draft rectification proposals (整改建议书) of new red cards
    notifications_created: int = 0
    notifications_sent: int = 0
    in_office_hours: bool = False
    complaints_checked: int = 0
    follow_ups_expired: int = 0

    @property
    def cards_issued(self) -> int:
        return sum(self.issued.values())

    def summary(self) -> str:
        return (
            f"监察时点 {self.now.isoformat()}："
            f"{f'工作日历已变更，{self.clocks_recomputed} 件办件期限重算；' if self.clocks_recomputed else ''}"
            f"检查办件 {self.cases_checked} 件；新发预警提醒 {self.issued['reminder']} 张、"
            f"黄牌 {self.issued['yellow']} 张、红牌 {self.issued['red']} 张，待确认 {self.pending_confirmation} 张；"
            f"自动督办 {self.orders_issued} 件，起草整改建议书 {self.proposals_drafted} 份；"
            f"超时默许 {self.deemed_approved} 件；检查投诉 {self.complaints_checked} 件，回访期满办结 {self.follow_ups_expired} 件；"
            f"督办逾期升级 {self.orders_escalated} 件；"
            f"生成通知 {self.notifications_created} 条，发送 {self.notifications_sent} 条"
            f"{'' if self.in_office_hours else '（非办公时间，邮件和短信待办公时间发送）'}。"
        )


def supervise_tick(*, now: dt.datetime, batch_size: int = TICK_BATCH) -> TickResult:
    """Evaluate every time-based rule as of `now` and do what follows.

    Selects the cases whose next check (`CaseCheck.due_at`) has come (one range scan of `cases_check_due`),
    computes which thresholds they crossed, inserts the cards with ON CONFLICT DO NOTHING (a card exists once
    per case, rule and deadline whatever runs concurrently), moves each case's check to its next threshold, escalates supervision orders past their due date and sends the notifications that wait for
    office hours. Batches of `batch_size` cases, each its own transaction; on PostgreSQL the batch is
    locked with SKIP LOCKED so several workers share the work instead of repeating it.
    """
    if now.tzinfo is None:
        raise DomainError("监察时点必须带时区。", field="now")
    result = TickResult(now=now)
    # A calendar change first moves the deadlines of running cases (and marks those that moved as due now),
    # so this very tick re-judges them.
    result.clocks_recomputed = case_clocks_sync(now=now)
    rules = rule_set(fresh=True)
    cal = get_calendar()
    skip_locked = connection.features.has_select_for_update_skip_locked
    seen: set[int] = set()
    deemed: dict[int, bool] = {}  # version id → configured for deemed approval (read once per tick)
    while True:
        with gc_paused(), transaction.atomic():
            rows = _due_rows(now, batch_size, skip_locked)
            fresh = [r for r in rows if r[0] not in seen]
            if not fresh:
                break
            seen.update(r[0] for r in fresh)
            _tick_batch(cal, rules, _with_deemed(fresh, deemed), now=now, result=result)
        if len(rows) < batch_size:
            break
    complaint_watch.watch(cal, rules, now=now, result=result)
    with transaction.atomic():
        result.orders_escalated = _escalate_late_orders(now=now, result=result)
    result.in_office_hours = in_office_hours(now)
    if result.in_office_hours:
        result.notifications_sent = notifications_send_due(now=now)
    return result


def _tick_batch(cal, rules: RuleSet, rows: list[_Row], *, now, result: TickResult) -> None:
    result.cases_checked += len(rows)
    results = []
    schedule: list[tuple[int, dict]] = []
    steps = _version_steps({r.version_id for r in rows if r.version_id and r.current_step})
    for row in rows:
        ev = evaluate_case(cal, rules, row, now=now, deemed=row.deemed, time_only=True,
                           version_steps=steps.get(row.version_id))
        results.append((row, ev))
        # A closed case has nothing to schedule (its row should not exist; a stray one is removed here).
        schedule.append((row.id, ev.next_check if row.is_open else None))
    rejudge(rules, results, now=now, result=result, facts_changed=False)
    schedule_write(schedule)


_VERSION = TICK_FIELDS.index("version_id")
_STEPS = TICK_FIELDS.index("steps")


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


def _with_deemed(rows: list[tuple], known: dict[int, bool]) -> list[_Row]:
    """The rows with their pinned version's deemed-approval flag (one small query for the versions not seen
    yet this tick)."""
    missing = {r[_VERSION] for r in rows if r[_VERSION] is not None and r[_VERSION] not in known}
    if missing:
        known.update(ServiceItemVersion.objects.filter(id__in=missing).values_list("id", "deemed_approval"))
    make = _Row._make
    return [make((*r, known.get(r[_VERSION]))) for r in rows]


def rejudge(rules: RuleSet, results: list[tuple[object, Evaluation]], *, now, result: TickResult | None = None,
            facts_changed: bool = True) -> None:
    """Act on evaluations of cases (rows with `id`, `department_id`, `case_no`, `handler_id`, `handler_name`,
    `deemed_approved_at`): issue the cards not issued yet, withdraw automatically the open cards of a judged
    rule that the facts no longer support, and mark or unmark deemed approval. A constant number of queries.

    `facts_changed` (ingest: new events): every open card of a judged rule must still be deserved (a late
    `completed` before the threshold, a moved deadline). The tick (False) only withdraws cards whose deadline
    no longer exists (a calendar change moved it): a card whose deadline stands is not taken back because a
    supervisor later loosened the rule's threshold — it was right when issued."""
    if not results:
        return
    new_cards: list[tuple[object, Card]] = []
    deemed: list[tuple[int, dt.datetime]] = []
    by_id: dict[int, tuple[object, Evaluation]] = {}
    watched = []
    for row, ev in results:
        by_id[row.id] = (row, ev)
        if ev.judged:
            watched.append(row.id)
        for card in ev.cards:
            if card.issue:
                new_cards.append((row, card))
            if card.rule.check == "deemed_approval" and row.deemed_approved_at is None:
                deemed.append((row.id, card.crossed_at))
    stale, undeemed = [], []
    valid: dict[int, set[tuple[int, str]]] = {}  # built only for cases that have open cards (few, in a tick)
    if watched:
        for wid, case_id, rule_id, key, status in _where_in(
            Warning.objects.filter(status__in=OPEN_STATUSES), "case_id", watched
        ).values_list("id", "case_id", "rule_id", "deadline_key", "status"):
            info = rules.by_id.get(rule_id)
            if info is None or info.check not in STATE_CHECKS or not info.enabled:
                continue
            row, ev = by_id[case_id]
            if rule_id not in ev.judged or rule_id in ev.unsure:
                continue
            ok = valid.get(case_id)
            if ok is None:
                ok = valid[case_id] = {(c.rule.id, c.key) for c in ev.cards}
            if (rule_id, key) not in ok:
                if not facts_changed and key in current_keys(row):
                    continue
                stale.append((wid, status))
                if info.check == "deemed_approval":
                    undeemed.append(case_id)
    if stale:
        _auto_withdraw(stale, now=now)
    if undeemed:
        case_deemed_approval_withdraw(case_ids=undeemed, now=now)
    _issue(new_cards, now=now, result=result)
    n = _mark_deemed(deemed, now=now)
    if result is not None:
        result.deemed_approved += n


def _auto_withdraw(stale: list[tuple[int, str]], *, now) -> None:
    ids = [wid for wid, _s in stale]
    step = CARD_TRANSITIONS["auto_withdraw"]  # the cards come from rejudge's query of OPEN_STATUSES, its sources
    Warning.objects.filter(id__in=ids).update(status=step.to, closed_at=now, updated_at=now)
    orders_close_for_withdrawn(ids, now=now)
    WarningAction.objects.bulk_create([
        WarningAction(warning_id=wid, kind=step.kind, by=None, at=now, from_status=status,
                      to_status=step.to,
                      text="办件状态或期限已更正（后到的办件事件或工作日历调整），此卡的依据已不成立，系统自动撤销。")
        for wid, status in stale
    ])


def _version_steps(version_ids: set[int]) -> dict[int, list[tuple[str, str]]]:
    """[(kind, name)] of each version's workflow, in order (one query)."""
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if version_ids:
        for vid, kind, name in WorkflowStep.objects.filter(version_id__in=version_ids).order_by(
            "version_id", "position"
        ).values_list("version_id", "kind", "name"):
            out[vid].append((kind, name))
    return out


def _mark_deemed(pairs: list[tuple[int, dt.datetime]], *, now: dt.datetime) -> int:
    """Mark cases deemed approved (超时默许) through the cases service, which also issues the applicant's
    notice and records the SMS to them (sent by notifications_send_due in office hours), once per case."""
    if not pairs:
        return 0
    return len(case_deemed_approval_record(marks=pairs, now=now))


_INSERT_COLUMNS = ("case_id", "rule_id", "level", "deadline_key", "status", "department_id", "handler_id",
                   "crossed_at", "issued_at", "detail", "updated_at")


def _insert_cards(values: list[tuple]) -> list[tuple[int, int, int, str]]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: only the cards this call really created come back (both
    SQLite ≥ 3.35 and PostgreSQL), so actions and notifications follow each card exactly once."""
    out = []
    if not values:
        return out
    q = connection.ops.quote_name
    table = q(Warning._meta.db_table)
    cols = ", ".join(q(c) for c in _INSERT_COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
    returning = "RETURNING id, case_id, rule_id, deadline_key"
    conflict = "ON CONFLICT (case_id, rule_id, deadline_key) WHERE case_id IS NOT NULL DO NOTHING"
    if connection.vendor == "postgresql":
        # One statement with one array per column: no parameter list growing with the batch.
        types = ("bigint", "bigint", "text", "text", "text", "bigint", "bigint", "timestamptz", "timestamptz", "text",
                 "timestamptz")
        return pg_copy_insert(Warning._meta.db_table, _INSERT_COLUMNS, types, values, suffix=f"{conflict} {returning}")
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cur:
        for i in range(0, len(values), INSERT_CHUNK):
            part = values[i : i + INSERT_CHUNK]
            params = []
            for v in part:
                params.extend((v[0], v[1], v[2], v[3], v[4], v[5], v[6], adapt(v[7]), adapt(v[8]), v[9], adapt(v[10])))
            cur.execute(
                f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(part))} "
                f"ON CONFLICT (case_id, rule_id, deadline_key) WHERE case_id IS NOT NULL DO NOTHING "
                f"RETURNING id, case_id, rule_id, deadline_key",
                params,
            )
            out.extend(cur.fetchall())
    return out


def _issue(new_cards: list[tuple[object, Card]], *, now, result: TickResult | None = None) -> list[int]:
    """Insert the cards not issued yet; notify for those issued directly (not awaiting confirmation)."""
    if not new_cards:
        return []
    values = []
    meta: dict[tuple[int, int, str], tuple[object, Card]] = {}
    handlers = _resolve_handlers([row for row, _c in new_cards])
    # Plain strings hoisted out of the loops: a tick issues thousands of cards (enum member look-ups and
    # attribute chains per card were a tenth of the tick's Python time).
    confirm, pending, issued = RuleMode.CONFIRM.value, WarningStatus.PENDING_CONFIRMATION.value, WarningStatus.ISSUED.value
    get_handler = handlers.get
    for row, card in new_cards:
        rule = card.rule
        k = (row.id, rule.id, card.key)
        if k in meta:
            continue
        meta[k] = (row, card)
        values.append((row.id, rule.id, rule.level, card.key, pending if rule.mode == confirm else issued,
                       row.department_id, get_handler(row.id), card.crossed_at, now, card.detail[:300], now))
    created = _insert_cards(values)
    to_notify = []
    counts = result.issued if result is not None else defaultdict(int)
    for wid, case_id, rule_id, key in created:
        row, card = meta[(case_id, rule_id, key)]
        if card.rule.mode == confirm:
            if result is not None:
                result.pending_confirmation += 1
            continue
        counts[card.rule.level] += 1
        to_notify.append((wid, row, card))
    if to_notify:
        n = _notify_cards(
            [(wid, row.department_id, handlers.get(row.id), card.rule.level, card.rule.name, row.case_no, card.detail)
             for wid, row, card in to_notify],
            kind=NotificationKind.WARNING_ISSUED, now=now,
        )
        if result is not None:
            result.notifications_created += n
        escalation_follow_up(
            [FollowUp(wid, card.rule, card.rule.level, row.department_id, row.id, None, row.case_no,
                      handlers.get(row.id), card.detail) for wid, row, card in to_notify],
            now=now, result=result)
    return [c[0] for c in created]


def _resolve_handlers(rows) -> dict[int, int | None]:
    """The staff member answering for each case: the case's handler account, else the account of its
    department whose name or user name the department system reported as handler (one query)."""
    out: dict[int, int | None] = {}
    wanted: dict[tuple[int, str], list[int]] = defaultdict(list)
    for row in rows:
        out[row.id] = row.handler_id
        name = (getattr(row, "handler_name", "") or "").strip()
        if row.handler_id is None and name:
            wanted[(row.department_id, name)].append(row.id)
    if wanted:
        depts = {d for d, _n in wanted}
        names = {n for _d, n in wanted}
        for pk, dept, name, username in Staff.objects.filter(
            Q(name__in=names) | Q(username__in=names), department_id__in=depts, is_active=True
        ).values_list("id", "department_id", "name", "username"):
            for key in ((dept, name), (dept, username)):
                for case_id in wanted.get(key, ()):
                    out[case_id] = out[case_id] or pk
    return out


def warnings_for_cases(cases: list) -> dict[int, list[dict]]:
    """The cases app's `case_warnings_provider`: the cards of each case (one query)."""
    ids = [c.id for c in cases]
    out: dict[int, list[dict]] = defaultdict(list)
    if not ids:
        return out
    for w in Warning.objects.filter(case_id__in=ids).select_related("rule").order_by("issued_at", "id"):
        out[w.case_id].append({
            "rule": w.rule.code, "rule_name": w.rule.name, "level": w.level, "issued_at": w.issued_at,
            "status": w.status, "id": w.pk, "level_label": w.get_level_display(),
            "status_label": w.get_status_display(), "detail": w.detail,
            "url": reverse("supervision:warning_detail", args=[w.pk]),
        })
    return out
