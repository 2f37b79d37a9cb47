"""Writes of electronic supervision: the tick, event-based checks, rule edits, the life of a card, supervision
orders and notifications. Each service is atomic, takes keyword arguments, the moment `now` and the actor
`by`; none reads the clock itself, so a test or a replay can run "as of" any moment.

Permissions (checked here, not only in views): department staff (handler, head) answer cards and orders of
their own department subtree — a card of another department is "not found", exactly like a missing one;
the supervision office (supervisor) confirms, withdraws, escalates, decides appeals and issues orders for
every department; leaders only read; administrators and supervisors edit rules.
"""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field

import orjson
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.accounts.selectors import scope_to_staff
from xiaoneng.cases.ingest import _where_in
from xiaoneng.cases.models import ApplicantMessage, Case, CaseCheck
from xiaoneng.cases.schedule import schedule_due_now, schedule_write
from xiaoneng.cases.services import (
    case_clocks_sync,
    case_deemed_approval_record,
    case_deemed_approval_withdraw,
    document_number_next,
)
from xiaoneng.catalog.models import ServiceItem, ServiceItemVersion, WorkflowStep
from xiaoneng.complaints.privacy import mask_personal_data
from xiaoneng.core.bulk import gc_paused, pg_copy_insert
from xiaoneng.core.errors import DomainError, NotFound, NotPermitted
from xiaoneng.core.sms import sms_backend
from xiaoneng.core.text import sentence
from xiaoneng.workdays.calendar import get_calendar

from . import complaint_watch
from .defaults import THRESHOLD_FIELDS
from .engine import LEVEL_UP, STATE_CHECKS, Card, Evaluation, FollowUp, RuleSet, current_keys, evaluate_case
from .models import (
    COMPLAINT_CHECKS,
    OPEN_STATUSES,
    ActionKind,
    Channel,
    Level,
    Notification,
    NotificationKind,
    OrderStatus,
    ProposalStatus,
    Rule,
    RuleChange,
    RuleKind,
    RuleMode,
    RuleScope,
    SupervisionOrder,
    SupervisionProposal,
    Warning,
    WarningAction,
    WarningStatus,
)
from .rulecache import rule_set, rules_invalidate

log = logging.getLogger(__name__)

TICK_BATCH = 5000
INSERT_CHUNK = 1000
SEND_LIMIT = 500
SEND_ATTEMPTS = 5  # e-mails and SMS (staff, applicants) are tried this often, then left failed
DEPARTMENT_ROLES = (R.HANDLER, R.HEAD)
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


# ============================================================================================ the tick
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
    Warning.objects.filter(id__in=ids).update(status=WarningStatus.WITHDRAWN, closed_at=now, updated_at=now)
    orders_close_for_withdrawn(ids, now=now)
    WarningAction.objects.bulk_create([
        WarningAction(warning_id=wid, kind=ActionKind.AUTO_WITHDRAW, by=None, at=now, from_status=status,
                      to_status=WarningStatus.WITHDRAWN,
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


# ============================================================================================== rules
def _rule_snapshot(rule: Rule) -> dict:
    return {
        "name": rule.name, "enabled": rule.enabled, "level": rule.level, "thresholds": dict(rule.thresholds or {}),
        "scope": rule.scope, "scope_department": rule.scope_department.code if rule.scope_department_id else None,
        "scope_item": rule.scope_item.code if rule.scope_item_id else None, "mode": rule.mode,
        "auto_order": rule.auto_order, "order_due_wd": rule.order_due_wd, "auto_proposal": rule.auto_proposal,
    }


def _check_rule_editor(by: Staff) -> None:
    if by is None or not by.has_any_role(R.SUPERVISOR, R.ADMIN):
        raise NotPermitted("只有效能监察员或系统管理员可以修改监察规则。")


def _clean_rule_data(check: str, data: dict) -> dict:
    out = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            raise DomainError("规则名称不能为空。", field="name")
        out["name"] = name[:100]
    if "enabled" in data:
        out["enabled"] = bool(data["enabled"])
    if "level" in data:
        if data["level"] not in Level.values:
            raise DomainError("等级应为预警提醒、黄牌或红牌。", field="level")
        out["level"] = data["level"]
    for key in ("auto_order", "auto_proposal"):
        if key in data:
            out[key] = bool(data[key])
    if "order_due_wd" in data:
        v = data["order_due_wd"]
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_ORDER_WD:
            raise DomainError(f"自动督办答复期限应为 1—{MAX_ORDER_WD} 个工作日。", field="order_due_wd")
        out["order_due_wd"] = v
    if "mode" in data:
        if data["mode"] not in RuleMode.values:
            raise DomainError("发牌方式无效。", field="mode")
        out["mode"] = data["mode"]
    if "thresholds" in data:
        raw = data["thresholds"] or {}
        if not isinstance(raw, dict):
            raise DomainError("阈值应为 JSON 对象。", field="thresholds")
        allowed = {k: (label, lo, hi) for k, label, lo, hi in THRESHOLD_FIELDS.get(check, [])}
        clean = {}
        for k, v in raw.items():
            if k not in allowed:
                raise DomainError(f"此规则没有阈值“{k}”。", field="thresholds")
            label, lo, hi = allowed[k]
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise DomainError(f"{label}应为 {lo}—{hi} 的整数。", field=f"thresholds.{k}")
            clean[k] = v
        out["thresholds"] = clean
    if "scope" in data:
        scope = data["scope"]
        if scope not in RuleScope.values:
            raise DomainError("适用范围无效。", field="scope")
        dept = data.get("scope_department")
        item = data.get("scope_item")
        if scope == RuleScope.DEPARTMENT and not isinstance(dept, Department):
            raise DomainError("请选择适用部门。", field="scope_department")
        if scope == RuleScope.ITEM and not isinstance(item, ServiceItem):
            raise DomainError("请选择适用事项。", field="scope_item")
        out["scope"] = scope
        out["scope_department"] = dept if scope == RuleScope.DEPARTMENT else None
        out["scope_item"] = item if scope == RuleScope.ITEM else None
    return out


def _reschedule_for(rule: Rule, now: dt.datetime) -> int:
    """Make the next tick look again at every open case the rule may concern (thresholds moved)."""
    qs = Case.objects.filter(is_open=True)
    if rule.scope == RuleScope.DEPARTMENT and rule.scope_department_id:
        qs = qs.filter(department__path__startswith=rule.scope_department.path)
    elif rule.scope == RuleScope.ITEM and rule.scope_item_id:
        qs = qs.filter(service_item_id=rule.scope_item_id)
    return schedule_due_now(qs, now=now)


@transaction.atomic
def rule_update(*, rule: Rule, data: dict, by: Staff, now: dt.datetime, note: str = "") -> Rule:
    """Change a rule (name, enabled, level, thresholds, scope, mode, escalation: automatic order and its
    due working days, automatic draft proposal). Records a `RuleChange` with the values
    before and after, and takes effect at once: the rules cache is dropped and, for time-based rules,
    every open case in the rule's scope (old and new) is due at the next tick so its thresholds are re-read.
    Cards already issued stay as they are until an event on their case re-judges them."""
    _check_rule_editor(by)
    rule = Rule.objects.select_for_update(of=("self",)).select_related("scope_department", "scope_item").get(pk=rule.pk)
    clean = _clean_rule_data(rule.check_code, data)
    before = _rule_snapshot(rule)
    old_scope = (rule.scope, rule.scope_department, rule.scope_item)
    for k, v in clean.items():
        setattr(rule, k, v)
    after = _rule_snapshot(rule)
    if after == before:
        return rule
    rule.updated_by = by
    rule.updated_at = now
    rule.save()
    RuleChange.objects.create(rule=rule, changed_by=by, changed_at=now, before=before, after=after,
                              note=(note or "").strip()[:200])
    if rule.check_code in COMPLAINT_CHECKS:
        complaint_watch.reschedule(now)
    elif rule.kind == RuleKind.TIME:
        _reschedule_for(rule, now)
        if old_scope != (rule.scope, rule.scope_department, rule.scope_item):
            old = Rule(scope=old_scope[0], scope_department=old_scope[1], scope_item=old_scope[2])
            old.scope_department_id = old_scope[1].pk if old_scope[1] else None
            old.scope_item_id = old_scope[2].pk if old_scope[2] else None
            _reschedule_for(old, now)
    transaction.on_commit(rules_invalidate)
    rules_invalidate()
    return rule


# ============================================================================== the life of a card
def _card_for(by: Staff, warning: Warning | int) -> Warning:
    """The card, locked, if `by` may see it (accounts scoping); NotFound otherwise."""
    pk = warning.pk if isinstance(warning, Warning) else warning
    qs = scope_to_staff(Warning.objects.select_for_update(of=("self",)) if connection.features.has_select_for_update
                        else Warning.objects.all(), by)
    w = qs.select_related("rule", "case", "complaint", "department").filter(pk=pk).first()
    if w is None:
        raise NotFound("预警纠错卡不存在或不在您的权限范围内。")
    return w


def _require(by: Staff, roles: tuple[str, ...], message: str) -> None:
    if by is None or not by.is_authenticated or not by.has_any_role(*roles):
        raise NotPermitted(message)


def _text(text: str, label: str, *, field_name: str = "text", required: bool = True, max_len: int = 2000) -> str:
    text = (text or "").strip()
    if required and not text:
        raise DomainError(f"请填写{label}。", field=field_name)
    if len(text) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 字。", field=field_name)
    return text


def _transition(w: Warning, *, kind: str, to: str, by: Staff | None, now, text: str = "", attachment=None,
                attachment_name: str = "") -> WarningAction:
    action = WarningAction(warning=w, kind=kind, by=by, at=now, text=text, from_status=w.status, to_status=to,
                           attachment_name=attachment_name[:200])
    if attachment is not None:
        action.attachment.save(attachment.name, attachment, save=False)
    action.save()
    w.status = to
    w.updated_at = now
    if to in (WarningStatus.CONFIRMED, WarningStatus.WITHDRAWN):
        w.closed_at = now
    w.save(update_fields=["status", "updated_at", "closed_at", "answered_at", "level"])
    if to == WarningStatus.WITHDRAWN:
        orders_close_for_withdrawn([w.pk], now=now)
    return action


def orders_close_for_withdrawn(warning_ids: list[int], *, now: dt.datetime) -> int:
    """A withdrawn card takes its open supervision orders with it (closed, with a note saying why), so the
    department is not left answering, nor the tick escalating, an order whose ground is gone. Drafts of
    proposals about it are declined the same way (one statement each)."""
    if not warning_ids:
        return 0
    n = _where_in(SupervisionOrder.objects.filter(status__in=(OrderStatus.ISSUED, OrderStatus.ANSWERED)),
                  "warning_id", warning_ids).update(
        status=OrderStatus.CLOSED, closed_at=now, close_note="预警纠错卡已撤销，督办随之办结。")
    _where_in(SupervisionProposal.objects.filter(status=ProposalStatus.DRAFT), "warning_id", warning_ids).update(
        status=ProposalStatus.DISCARDED, discarded_at=now, discard_reason="预警纠错卡已撤销，不再发出。")
    return n


def _allowed(w: Warning, allowed: tuple[str, ...], what: str) -> None:
    if w.status not in allowed:
        raise DomainError(f"此卡当前状态为“{w.get_status_display()}”，不能{what}。", field="status", code="wrong_status")


@transaction.atomic
def warning_explain(*, warning: Warning | int, by: Staff, now: dt.datetime, text: str) -> Warning:
    """The department explains the card (情况说明): issued or escalated → explained."""
    _require(by, DEPARTMENT_ROLES, "只有本部门的承办人或负责人可以答复预警纠错卡。")
    w = _card_for(by, warning)
    _allowed(w, (WarningStatus.ISSUED, WarningStatus.ESCALATED, WarningStatus.EXPLAINED), "作出说明")
    w.answered_at = now
    _transition(w, kind=ActionKind.EXPLAIN, to=WarningStatus.EXPLAINED, by=by, now=now, text=_text(text, "情况说明"))
    return w


@transaction.atomic
def warning_correct(*, warning: Warning | int, by: Staff, now: dt.datetime, text: str) -> Warning:
    """The department reports what it corrected (纠正整改): → corrected."""
    _require(by, DEPARTMENT_ROLES, "只有本部门的承办人或负责人可以答复预警纠错卡。")
    w = _card_for(by, warning)
    _allowed(w, (WarningStatus.ISSUED, WarningStatus.ESCALATED, WarningStatus.EXPLAINED), "报告整改")
    w.answered_at = now
    _transition(w, kind=ActionKind.CORRECT, to=WarningStatus.CORRECTED, by=by, now=now, text=_text(text, "整改情况"))
    return w


@transaction.atomic
def warning_confirm(*, warning: Warning | int, by: Staff, now: dt.datetime, text: str = "") -> Warning:
    """The supervision office confirms. A card awaiting confirmation (rule in confirm mode) is thereby
    issued to the department (and notified); an answered card is confirmed and closed."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以确认预警纠错卡。")
    w = _card_for(by, warning)
    if w.status == WarningStatus.PENDING_CONFIRMATION:
        w.issued_at = now
        w.save(update_fields=["issued_at"])
        _transition(w, kind=ActionKind.CONFIRM_ISSUE, to=WarningStatus.ISSUED, by=by, now=now,
                    text=_text(text, "意见", required=False))
        if w.complaint_id:
            complaint_watch.notify_card(w, kind=NotificationKind.WARNING_ISSUED, now=now, text=w.detail)
        else:
            _notify_cards([(w.pk, w.department_id, w.handler_id, w.level, w.rule.name, w.case.case_no, w.detail)],
                          kind=NotificationKind.WARNING_ISSUED, now=now)
        _card_follow_up(w, now=now)  # a card held for confirmation brings its order now
        return w
    _allowed(w, (WarningStatus.ISSUED, WarningStatus.EXPLAINED, WarningStatus.CORRECTED, WarningStatus.ESCALATED),
             "确认")
    _transition(w, kind=ActionKind.CONFIRM, to=WarningStatus.CONFIRMED, by=by, now=now,
                text=_text(text, "意见", required=False))
    return w


@transaction.atomic
def warning_withdraw(*, warning: Warning | int, by: Staff, now: dt.datetime, text: str) -> Warning:
    """The supervision office withdraws a card (撤销), with a reason."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以撤销预警纠错卡。")
    w = _card_for(by, warning)
    _allowed(w, tuple(s for s in OPEN_STATUSES if s != WarningStatus.APPEALED), "撤销（申诉中的卡请作出申诉决定）")
    _transition(w, kind=ActionKind.WITHDRAW, to=WarningStatus.WITHDRAWN, by=by, now=now, text=_text(text, "撤销理由"))
    return w


@transaction.atomic
def warning_escalate(*, warning: Warning | int, by: Staff | None, now: dt.datetime, text: str) -> Warning:
    """Escalate a card (升级): one level up (reminder → yellow → red; red stays red) and back to the
    department to answer; the handler and the head are notified again."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以升级预警纠错卡。")
    w = _card_for(by, warning)
    _allowed(w, (WarningStatus.ISSUED, WarningStatus.EXPLAINED, WarningStatus.CORRECTED, WarningStatus.ESCALATED),
             "升级")
    _escalate(w, by=by, now=now, text=_text(text, "升级理由"))
    return w


def _escalate(w: Warning, *, by, now, text: str) -> None:
    w.level = LEVEL_UP[w.level]
    _transition(w, kind=ActionKind.ESCALATE, to=WarningStatus.ESCALATED, by=by, now=now, text=text)
    if w.complaint_id:
        complaint_watch.notify_card(w, kind=NotificationKind.WARNING_ESCALATED, now=now, text=text)
    else:
        _notify_cards([(w.pk, w.department_id, w.handler_id, w.level, w.rule.name, w.case.case_no, text)],
                      kind=NotificationKind.WARNING_ESCALATED, now=now)
    # The new level brings what it brings (an order if the card has no automatic one yet; a draft proposal
    # at red): a reminder raised to yellow is then ordered like any yellow card.
    _card_follow_up(w, now=now)


# Attachments of appeals: checked by their content, not by what the client says they are.
ALLOWED_ATTACHMENTS = {"pdf": "PDF", "png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "docx": "DOCX"}


def _sniff(head: bytes, upload) -> str | None:
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"PK\x03\x04"):
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as z:
                names = set(z.namelist())
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                return "DOCX"
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
    return None


def check_attachment(upload) -> str:
    """Validate an appeal attachment: size, then type by its first bytes (PDF, PNG, JPEG, DOCX) agreeing
    with its extension. Returns the original file name (kept for display only)."""
    limit = int(getattr(settings, "XIAONENG_APPEAL_MAX_BYTES", 10 * 1024 * 1024))
    if upload.size > limit:
        raise DomainError(f"附件不能超过 {limit // (1024 * 1024)} MB。", field="attachment")
    if upload.size == 0:
        raise DomainError("附件是空文件。", field="attachment")
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = _sniff(head, upload)
    if kind is None or ext not in ALLOWED_ATTACHMENTS or ALLOWED_ATTACHMENTS[ext] != kind:
        raise DomainError("附件只能是 PDF、PNG、JPEG 或 Word（.docx）文件，且内容须与扩展名一致。", field="attachment")
    return name


@transaction.atomic
def warning_appeal(*, warning: Warning | int, by: Staff, now: dt.datetime, reason: str, attachment=None) -> Warning:
    """The department appeals the card (申诉) with a reason and optionally one attachment; once per card.
    Only the department head (or a head above it) may appeal in the department's name."""
    _require(by, (R.HEAD,), "只有部门负责人可以代表部门提出申诉。")
    w = _card_for(by, warning)
    _allowed(w, (WarningStatus.ISSUED, WarningStatus.EXPLAINED, WarningStatus.CORRECTED, WarningStatus.ESCALATED),
             "申诉")
    if w.actions.filter(kind=ActionKind.APPEAL).exists():
        raise DomainError("此卡已经申诉过一次，不能再次申诉。", field="reason", code="already_appealed")
    reason = _text(reason, "申诉理由", field_name="reason")
    name = check_attachment(attachment) if attachment is not None else ""
    _transition(w, kind=ActionKind.APPEAL, to=WarningStatus.APPEALED, by=by, now=now, text=reason,
                attachment=attachment, attachment_name=name)
    return w


@transaction.atomic
def appeal_decide(*, warning: Warning | int, by: Staff, now: dt.datetime, upheld: bool, text: str) -> Warning:
    """The supervision office decides an appeal: upheld → the card is withdrawn; rejected → confirmed."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以处理申诉。")
    w = _card_for(by, warning)
    _allowed(w, (WarningStatus.APPEALED,), "作出申诉决定")
    text = _text(text, "申诉处理意见")
    if upheld:
        _transition(w, kind=ActionKind.APPEAL_UPHELD, to=WarningStatus.WITHDRAWN, by=by, now=now, text=text)
    else:
        _transition(w, kind=ActionKind.APPEAL_REJECTED, to=WarningStatus.CONFIRMED, by=by, now=now, text=text)
    return w


# ======================================================================================== escalation
PROPOSAL_SUGGESTION = ("请对照有关规定查明原因，立即纠正，依照有关规定追究相关人员责任，建立健全防止问题再次发生的制度，"
                       "并在整改期限内将整改情况书面报送效能监察机关。")
_ORDER_COLUMNS = ("number", "warning_id", "case_id", "complaint_id", "automatic", "department_id", "issued_by_id",
                  "issued_at", "due_wd", "due_at", "instructions", "status", "answer", "close_note")
_ACTION_COLUMNS = ("warning_id", "kind", "by_id", "at", "text", "from_status", "to_status", "attachment",
                   "attachment_name")


def escalation_follow_up(items: list[FollowUp], *, now: dt.datetime, result: TickResult | None = None) -> None:
    """What a yellow or red card brings (DOMAIN.md §4), in a constant number of statements whatever the batch:
    a supervision order (督办) when its rule says `auto_order`, due in the rule's `order_due_wd` working days
    and recorded in the card's history, its department's heads and the handler told; and for a red card under
    `auto_proposal` a draft rectification proposal (整改建议书) for the office to confirm. Each at most once
    per card (partial unique constraints, ON CONFLICT DO NOTHING): a tick repeated or run twice adds nothing."""
    orders = [i for i in items if i.level in (Level.YELLOW, Level.RED) and i.rule.auto_order and i.rule.order_due_wd]
    proposals = [i for i in items if i.level == Level.RED and i.rule.auto_proposal]
    if orders:
        n_orders, n_notes = _auto_orders(orders, now=now)
        if result is not None:
            result.orders_issued += n_orders
            result.notifications_created += n_notes
    if proposals:
        n = _draft_proposals(proposals, now=now)
        if result is not None:
            result.proposals_drafted += n


def _auto_orders(items: list[FollowUp], *, now: dt.datetime) -> tuple[int, int]:
    cal = get_calendar()
    year = f"{now.astimezone(cal.tz):%Y}"
    due: dict[int, dt.datetime | None] = {}
    rows, meta = [], {}
    for i in items:
        wd = min(int(i.rule.order_due_wd), MAX_ORDER_WD)
        if wd not in due:
            try:
                # An order issued after the close or on a day off counts from the next working day (DOMAIN.md §4).
                due[wd] = cal.deadline(now, wd, "wd").at
            except DomainError:  # a calendar year missing: no due date can be given, never guessed
                log.warning("automatic supervision orders not issued: %s", "calendar year missing")
                due[wd] = None
        if due[wd] is None or i.warning_id in meta:
            continue
        text = order_instructions(i.rule.name, i.detail, due[wd].astimezone(cal.tz), wd)
        meta[i.warning_id] = (i, text, due[wd])
        rows.append((f"tmp-auto-{i.warning_id}", i.warning_id, i.case_id, i.complaint_id, True, i.department_id, None,
                     now, wd, due[wd], text, OrderStatus.ISSUED.value, "", ""))
    q = connection.ops.quote_name
    table = q(SupervisionOrder._meta.db_table)
    if connection.vendor == "postgresql" and rows:
        # The ids drawn first (one statement), so each row is inserted with its final number: no second
        # UPDATE of every new row. An id lost to a conflict is a gap in the numbers, as a rolled-back one is.
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                        [SupervisionOrder._meta.db_table, len(rows)])
            ids = [r[0] for r in cur.fetchall()]
        rows = [(f"DB{year}-{oid:06d}", *r[1:], oid) for r, oid in zip(rows, ids, strict=True)]
        created = _insert_orders(rows)
    else:
        created = _insert_orders(rows)
        if created:
            with connection.cursor() as cur:
                cur.executemany(f"UPDATE {table} SET {q('number')} = %s WHERE {q('id')} = %s",
                                [(f"DB{year}-{oid:06d}", oid) for oid, _wid in created])
    if not created:
        return 0, 0
    number_of = {oid: f"DB{year}-{oid:06d}" for oid, _wid in created}
    actions, targets = [], []
    heads = _heads({meta[wid][0].department_id for _o, wid in created})
    for oid, wid in created:
        i, text, due_at = meta[wid]
        actions.append((wid, ActionKind.ORDER.value, None, now, f"系统自动发出督办 {number_of[oid]}。{text}",
                        WarningStatus.ISSUED.value, WarningStatus.ISSUED.value, "", ""))
        who = set(heads.get(i.department_id, ()))
        if i.handler_id:
            who.add(i.handler_id)
        what = "办件" if i.case_id else "投诉"
        subject = f"【督办】{number_of[oid]} {what} {i.subject_no}"
        body = f"{subject}。督办要求：{sentence(text)}答复期限：{due_at.astimezone(cal.tz):%Y-%m-%d %H:%M}。"
        targets.extend((None, oid, rid, subject, body) for rid in who)
    _insert_actions(actions)
    return len(created), _write_notifications(targets, kind=NotificationKind.ORDER_ISSUED, now=now)


def order_instructions(rule_name: str, detail: str, due_local: dt.datetime, wd: int) -> str:
    """The text of an automatic order (also what the demo's history writes for the orders it dates back)."""
    return f"{rule_name}：{detail}。请于 {due_local:%Y-%m-%d %H:%M}（{wd} 个工作日）前纠正，并书面答复纠正情况。"


def proposal_number_text(issuer: Department, year: int, serial: int) -> str:
    """'清源县效能办效建〔2026〕第3号': the issuing office's short name, 效建 (效能监察建议), year, serial."""
    return f"{issuer.short_name or issuer.name}效建〔{year}〕第{serial}号"


def _insert_orders(rows: list[tuple]) -> list[tuple[int, int]]:
    """INSERT … ON CONFLICT (warning) WHERE automatic DO NOTHING RETURNING id, warning_id: only the orders
    this call created come back (one automatic order per card, whatever runs concurrently)."""
    if not rows:
        return []
    conflict = "ON CONFLICT (warning_id) WHERE automatic DO NOTHING RETURNING id, warning_id"
    if connection.vendor == "postgresql":  # rows carry their id (drawn from the sequence by the caller)
        types = ("text", "bigint", "bigint", "bigint", "boolean", "bigint", "bigint", "timestamptz", "integer",
                 "timestamptz", "text", "text", "text", "text", "bigint")
        return pg_copy_insert(SupervisionOrder._meta.db_table, _ORDER_COLUMNS + ("id",), types, rows, suffix=conflict)
    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    cols = ", ".join(q(c) for c in _ORDER_COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_ORDER_COLUMNS)) + ")"
    out = []
    with connection.cursor() as cur:
        for k in range(0, len(rows), 500):
            part = rows[k : k + 500]
            params = []
            for r in part:
                params.extend((*r[:7], adapt(r[7]), r[8], adapt(r[9]), *r[10:]))
            # SQLite matches the partial index by its predicate as Django wrote it ("automatic" = 1).
            cur.execute(f"INSERT INTO {q(SupervisionOrder._meta.db_table)} ({cols}) VALUES "
                        f"{', '.join([one] * len(part))} ON CONFLICT (warning_id) WHERE {q('automatic')} = 1 "
                        "DO NOTHING RETURNING id, warning_id", params)
            out.extend(cur.fetchall())
    return out


def _insert_actions(rows: list[tuple]) -> None:
    """Card history rows written by the platform in bulk (no model instance per row)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        types = ("bigint", "text", "bigint", "timestamptz", "text", "text", "text", "text", "text")
        pg_copy_insert(WarningAction._meta.db_table, _ACTION_COLUMNS, types, rows)
        return
    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {q(WarningAction._meta.db_table)} ({', '.join(q(c) for c in _ACTION_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(_ACTION_COLUMNS))})",
            [(r[0], r[1], r[2], adapt(r[3]), *r[4:]) for r in rows])


_PROPOSAL_COLUMNS = ("warning_id", "case_id", "complaint_id", "department_id", "status", "number", "problem",
                     "suggestion", "due_wd", "created_at", "discard_reason")


def _draft_proposals(items: list[FollowUp], *, now: dt.datetime) -> int:
    """Draft proposals of red cards (unnumbered until the office confirms one), one INSERT … ON CONFLICT
    (warning) DO NOTHING: a card that has one already keeps it. Returns how many were drafted."""
    rows, seen = [], set()
    for i in items:
        if i.warning_id in seen:
            continue
        seen.add(i.warning_id)
        what = "办件" if i.case_id else "投诉"
        rows.append((i.warning_id, i.case_id, i.complaint_id, i.department_id, ProposalStatus.DRAFT.value, "",
                     sentence(f"{what} {i.subject_no} 被亮红牌（{i.rule.name}）：{i.detail}"), PROPOSAL_SUGGESTION, 15, now, ""))
    if not rows:
        return 0
    suffix = "ON CONFLICT (warning_id) DO NOTHING RETURNING id"
    if connection.vendor == "postgresql":
        types = ("bigint", "bigint", "bigint", "bigint", "text", "text", "text", "text", "integer", "timestamptz", "text")
        return len(pg_copy_insert(SupervisionProposal._meta.db_table, _PROPOSAL_COLUMNS, types, rows, suffix=suffix))
    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    one = "(" + ", ".join(["%s"] * len(_PROPOSAL_COLUMNS)) + ")"
    n = 0
    with connection.cursor() as cur:
        for k in range(0, len(rows), 500):
            part = rows[k : k + 500]
            params = [v for r in part for v in (*r[:9], adapt(r[9]), r[10])]
            cur.execute(f"INSERT INTO {q(SupervisionProposal._meta.db_table)} "
                        f"({', '.join(q(c) for c in _PROPOSAL_COLUMNS)}) VALUES {', '.join([one] * len(part))} {suffix}",
                        params)
            n += len(cur.fetchall())
    return n


def _card_follow_up(w: Warning, *, now: dt.datetime) -> None:
    """Escalation for one card the office confirmed or raised a level (ORM card with its rule)."""
    escalation_follow_up([FollowUp(
        w.pk, w.rule, w.level, w.department_id, w.case_id, w.complaint_id, w.subject_no, w.handler_id, w.detail,
    )], now=now)


# ================================================================================= supervision proposals
PROPOSAL_SERIES = "supervision_proposal"
MAX_PROPOSAL_WD = 60


def _proposal_for(by: Staff, proposal) -> SupervisionProposal:
    pk = proposal.pk if isinstance(proposal, SupervisionProposal) else proposal
    qs = SupervisionProposal.objects.all()
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    p = scope_to_staff(qs, by).select_related("warning", "case", "complaint", "department").filter(pk=pk).first()
    if p is None:
        raise NotFound("整改建议书不存在或不在您的权限范围内。")
    return p


@transaction.atomic
def supervision_proposal_issue(*, proposal: SupervisionProposal | int, by: Staff, now: dt.datetime,
                               problem: str, suggestion: str, due_wd: int) -> SupervisionProposal:
    """The office confirms a draft proposal (确认发出): the text as reviewed, a rectification period in working
    days; numbered now in the office's series of the year ('清源县效建〔2026〕第3号'), shown to the department,
    its heads told. Only a supervisor; only a draft."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以确认发出整改建议书。")
    p = _proposal_for(by, proposal)
    if p.status != ProposalStatus.DRAFT:
        raise DomainError(f"此建议书当前状态为“{p.get_status_display()}”，不能再次发出。", field="status",
                          code="wrong_status")
    if isinstance(due_wd, bool) or not isinstance(due_wd, int) or not 1 <= due_wd <= MAX_PROPOSAL_WD:
        raise DomainError(f"整改期限应为 1—{MAX_PROPOSAL_WD} 个工作日。", field="due_wd")
    p.problem = _text(problem, "存在问题", field_name="problem", max_len=5000)
    p.suggestion = _text(suggestion, "整改建议", field_name="suggestion", max_len=5000)
    cal = get_calendar()
    local = now.astimezone(cal.tz)
    p.due_at = cal.deadline(now, due_wd, "wd").at  # after hours: from the next working day; a missing year: DomainError
    issuer_id = complaint_watch._office_department()
    if issuer_id is None:
        raise DomainError("尚未设置效能监察机关（部门类型为“效能监察机关”），不能发文。", field="issuer")
    issuer = Department.objects.get(pk=issuer_id)
    p.year = local.year
    p.serial = document_number_next(department=issuer, kind=PROPOSAL_SERIES, year=p.year)
    p.number = proposal_number_text(issuer, p.year, p.serial)
    p.issuer = issuer
    p.due_wd = due_wd
    p.status = ProposalStatus.ISSUED
    p.issued_at = now
    p.issued_by = by
    p.save()
    WarningAction.objects.create(warning=p.warning, kind=ActionKind.PROPOSAL, by=by, at=now,
                                 text=f"发出整改建议书 {p.number}，整改期限 {p.due_at.astimezone(cal.tz):%Y-%m-%d %H:%M}。",
                                 from_status=p.warning.status, to_status=p.warning.status)
    subject = f"【整改建议书】{p.number} {'办件' if p.case_id else '投诉'} {p.subject_no}"
    body = (f"{subject}。效能监察机关向你单位发出整改建议书，请在 {p.due_at.astimezone(cal.tz):%Y-%m-%d %H:%M} 前"
            "将整改情况书面报送。请登录效能监察平台查看全文。")
    who = _heads({p.department_id}).get(p.department_id, set())
    _write_notifications([(p.warning_id, None, rid, subject, body) for rid in who],
                         kind=NotificationKind.PROPOSAL_ISSUED, now=now)
    return p


@transaction.atomic
def supervision_proposal_discard(*, proposal: SupervisionProposal | int, by: Staff, now: dt.datetime,
                                 reason: str) -> SupervisionProposal:
    """The office decides not to send a draft (不予发出), with a reason; it keeps no number."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以决定不予发出整改建议书。")
    p = _proposal_for(by, proposal)
    if p.status != ProposalStatus.DRAFT:
        raise DomainError(f"此建议书当前状态为“{p.get_status_display()}”，不能决定不予发出。", field="status",
                          code="wrong_status")
    p.discard_reason = _text(reason, "不予发出理由", field_name="reason")
    p.status = ProposalStatus.DISCARDED
    p.discarded_at = now
    p.discarded_by = by
    p.save(update_fields=["discard_reason", "status", "discarded_at", "discarded_by"])
    return p


# ================================================================================= supervision orders
MAX_ORDER_WD = 60


@transaction.atomic
def supervision_order_issue(
    *, by: Staff, now: dt.datetime, due_wd: int, instructions: str, warning: Warning | int | None = None,
    case: Case | None = None,
) -> SupervisionOrder:
    """Issue a supervision order (督办) about a card (of a case or of a complaint) or a case, due in `due_wd`
    working days (at the close of office hours of that day). The department's heads and the handler are
    notified."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以发出督办。")
    if isinstance(due_wd, bool) or not isinstance(due_wd, int) or not 1 <= due_wd <= MAX_ORDER_WD:
        raise DomainError(f"督办期限应为 1—{MAX_ORDER_WD} 个工作日。", field="due_wd")
    instructions = _text(instructions, "督办要求", field_name="instructions")
    w = None
    if warning is not None:
        w = _card_for(by, warning)
        if w.status == WarningStatus.WITHDRAWN:
            raise DomainError("已撤销的卡不能督办。", field="warning")
        case = w.case
    if case is None and (w is None or w.complaint_id is None):
        raise DomainError("请指定督办的办件或预警纠错卡。", field="case")
    cal = get_calendar()
    due_at = cal.deadline(now, due_wd, "wd").at  # after hours: counted from the next working day (DOMAIN.md §4)
    # The card's department answers (for a complaint card: the lead department, or the office itself).
    dept = w.department_id if w is not None else case.department_id
    order = SupervisionOrder.objects.create(
        number=f"tmp-{now.timestamp()}-{by.pk}-{w.pk if w else case.pk}", warning=w, case=case,
        complaint=w.complaint if w is not None and w.complaint_id else None, department_id=dept,
        issued_by=by, issued_at=now, due_wd=due_wd, due_at=due_at, instructions=instructions,
    )
    order.number = f"DB{now.astimezone(cal.tz):%Y}-{order.pk:06d}"
    order.save(update_fields=["number"])
    if w is not None:
        WarningAction.objects.create(warning=w, kind=ActionKind.ORDER, by=by, at=now, text=instructions,
                                     from_status=w.status, to_status=w.status)
    _notify_order(order, kind=NotificationKind.ORDER_ISSUED, now=now, handler_id=_order_handler(order))
    return order


def _order_handler(o: SupervisionOrder) -> int | None:
    """Who answers an order besides the heads: the case's handler now, else the card's handler."""
    if o.case_id and o.case.handler_id:
        return o.case.handler_id
    return o.warning.handler_id if o.warning_id else None


def _order_for(by: Staff, order: SupervisionOrder | int) -> SupervisionOrder:
    pk = order.pk if isinstance(order, SupervisionOrder) else order
    qs = SupervisionOrder.objects.all()
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    o = scope_to_staff(qs, by).select_related("case", "complaint", "warning").filter(pk=pk).first()
    if o is None:
        raise NotFound("督办单不存在或不在您的权限范围内。")
    return o


@transaction.atomic
def supervision_order_answer(*, order: SupervisionOrder | int, by: Staff, now: dt.datetime, answer: str) -> SupervisionOrder:
    """The department answers a supervision order (督办答复). A late answer is accepted and stays marked late."""
    _require(by, DEPARTMENT_ROLES, "只有本部门的承办人或负责人可以答复督办。")
    o = _order_for(by, order)
    if o.status != OrderStatus.ISSUED:
        raise DomainError("此督办单已答复或已办结。", field="status", code="wrong_status")
    o.answer = _text(answer, "答复内容", field_name="answer", max_len=5000)
    o.answered_at = now
    o.answered_by = by
    o.status = OrderStatus.ANSWERED
    o.save(update_fields=["answer", "answered_at", "answered_by", "status"])
    return o


@transaction.atomic
def supervision_order_close(*, order: SupervisionOrder | int, by: Staff, now: dt.datetime, note: str = "") -> SupervisionOrder:
    """The supervision office closes an order (办结), normally after the answer; with a note."""
    _require(by, (R.SUPERVISOR,), "只有效能监察员可以办结督办。")
    o = _order_for(by, order)
    if o.status == OrderStatus.CLOSED:
        raise DomainError("此督办单已办结。", field="status", code="wrong_status")
    o.close_note = _text(note, "办结意见", field_name="note", required=o.status != OrderStatus.ANSWERED)
    o.status = OrderStatus.CLOSED
    o.closed_at = now
    o.closed_by = by
    o.save(update_fields=["close_note", "status", "closed_at", "closed_by"])
    return o


def _escalate_late_orders(*, now, result: TickResult) -> int:
    """Orders unanswered past their due date: marked late once, the linked card raised one level, the head
    and the issuing supervisor told. Locked with SKIP LOCKED so concurrent ticks do it once."""
    qs = SupervisionOrder.objects.filter(status=OrderStatus.ISSUED, escalated_at__isnull=True, due_at__lt=now)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    orders = list(qs.select_related("warning__rule", "warning__case", "warning__complaint", "case", "complaint")[:1000])
    for o in orders:
        o.escalated_at = now
        o.save(update_fields=["escalated_at"])
        w = o.warning
        if w is not None and w.status in OPEN_STATUSES and w.status != WarningStatus.PENDING_CONFIRMATION:
            _escalate(w, by=None, now=now, text=f"督办单 {o.number} 逾期未答复，系统自动升级。")
        result.notifications_created += _notify_order(o, kind=NotificationKind.ORDER_OVERDUE, now=now,
                                                      handler_id=_order_handler(o), extra=[o.issued_by_id])
    return len(orders)


# ====================================================================================== notifications
def in_office_hours(now: dt.datetime) -> bool:
    """Whether `now` falls in office hours of a working day (never guessed for a year not loaded)."""
    cal = get_calendar()
    local = now.astimezone(cal.tz)
    try:
        if not cal.is_working_day(local.date()):
            return False
    except DomainError:
        return False
    t = local.timetz().replace(tzinfo=None)
    return any(a <= t < b for a, b in cal.periods)


def _heads(dept_ids: set[int]) -> dict[int, set[int]]:
    """Department heads: the department's appointed head and its staff holding the head role."""
    out: dict[int, set[int]] = defaultdict(set)
    if not dept_ids:
        return out
    for did, head in Department.objects.filter(id__in=dept_ids, head__isnull=False).values_list("id", "head_id"):
        out[did].add(head)
    for sid, did in Staff.objects.filter(department_id__in=dept_ids, is_active=True, groups__name=R.HEAD).values_list(
        "id", "department_id"
    ):
        out[did].add(sid)
    return out


LEVEL_TEXT = {"reminder": "预警提醒", "yellow": "黄牌", "red": "红牌"}


def _notify_cards(items: list[tuple], *, kind: str, now) -> int:
    """Notifications about cards: (warning id, department id, handler id, level, rule name, case no,
    detail) each, to the handler and the department heads, in-app plus e-mail/SMS where known."""
    heads = _heads({i[1] for i in items})
    targets = []
    for wid, dept, handler, level, rule_name, case_no, detail in items:
        who = set(heads.get(dept, ()))
        if handler:
            who.add(handler)
        verb = "升级为" if kind == NotificationKind.WARNING_ESCALATED else ""
        subject = f"【{verb}{LEVEL_TEXT.get(level, level)}】办件 {case_no}：{rule_name}"
        body = f"{subject}。{sentence(detail)}请登录效能监察平台，在“预警纠错”中查看并答复。"
        for rid in who:
            targets.append((wid, None, rid, subject, body))
    return _write_notifications(targets, kind=kind, now=now)


def _notify_order(order: SupervisionOrder, *, kind: str, now, handler_id=None, extra=()) -> int:
    who = set(_heads({order.department_id}).get(order.department_id, ()))
    if handler_id:
        who.add(handler_id)
    who.update(x for x in extra if x)
    what = "办件" if order.case_id else "投诉"
    if kind == NotificationKind.ORDER_OVERDUE:
        subject = f"【督办逾期】{order.number} {what} {order.subject_no}"
    else:
        subject = f"【督办】{order.number} {what} {order.subject_no}"
    due = order.due_at.astimezone(get_calendar().tz)
    body = f"{subject}。督办要求：{sentence(order.instructions)}答复期限：{due:%Y-%m-%d %H:%M}。"
    return _write_notifications([(None, order.pk, rid, subject[:200], body) for rid in who], kind=kind, now=now)


def _write_notifications(targets: list[tuple], *, kind: str, now) -> int:
    if not targets:
        return 0
    contacts = {
        pk: (email, phone)
        for pk, email, phone in Staff.objects.filter(id__in={t[2] for t in targets}, is_active=True).values_list(
            "id", "email", "phone"
        )
    }
    rows = []
    for wid, oid, rid, subject, body in targets:
        if rid not in contacts:
            continue
        email, phone = contacts[rid]
        subject = subject[:200]
        rows.append((rid, wid, oid, kind, Channel.IN_APP, subject, body, now, now))  # in-app: visible at once
        if email:
            rows.append((rid, wid, oid, kind, Channel.EMAIL, subject, body, now, None))
        if phone:
            rows.append((rid, wid, oid, kind, Channel.SMS, subject, body, now, None))
    _insert_notifications(rows)
    return len(rows)


_NOTIFICATION_COLUMNS = ("recipient_id", "warning_id", "order_id", "kind", "channel", "subject", "body", "created_at",
                         "sent_at", "error", "attempts")


def _insert_notifications(rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO NOTHING (a notification exists once per card or order, recipient, channel and
    kind): one statement of arrays on PostgreSQL, executemany on SQLite. The ORM's bulk_create built a model
    instance per row, which in a batch of thousands of new cards cost more than the cards themselves."""
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(Notification._meta.db_table)
    cols = ", ".join(q(c) for c in _NOTIFICATION_COLUMNS)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            types = ("bigint", "bigint", "bigint", "text", "text", "text", "text", "timestamptz", "timestamptz", "text",
                     "smallint")
            pg_copy_insert(Notification._meta.db_table, _NOTIFICATION_COLUMNS, types, [r + ("", 0) for r in rows],
                           suffix="ON CONFLICT DO NOTHING")
            return
        adapt = connection.ops.adapt_datetimefield_value
        marks = ", ".join(["%s"] * len(_NOTIFICATION_COLUMNS))
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT DO NOTHING",
                        [r[:7] + (adapt(r[7]), adapt(r[8]), "", 0) for r in rows])


def notifications_send_due(*, now: dt.datetime, limit: int = SEND_LIMIT) -> int:
    """Send the e-mails and SMS waiting for office hours (none outside them). Each is handed to its backend
    once: rows are locked (SKIP LOCKED on PostgreSQL) and marked sent in the same transaction."""
    if not in_office_hours(now):
        return 0
    sent = 0
    with transaction.atomic():
        qs = Notification.objects.filter(sent_at__isnull=True, attempts__lt=SEND_ATTEMPTS).exclude(channel=Channel.IN_APP)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        batch = list(qs.select_related("recipient").order_by("created_at", "id")[:limit])
        sms = sms_backend() if any(n.channel == Channel.SMS for n in batch) else None
        done, failed = [], []
        for n in batch:
            try:
                if n.channel == Channel.EMAIL:
                    send_mail(n.subject, n.body, None, [n.recipient.email], fail_silently=False)
                else:
                    sms.send(n.recipient.phone, n.body)
                done.append(n.pk)
            except Exception as exc:  # a backend failure must not stop the other messages; it is retried
                err = _send_error(exc, n.recipient.email, n.recipient.phone)
                log.warning("notification %s not sent: %s", n.pk, err)
                failed.append((n.pk, err))
        Notification.objects.filter(pk__in=done).update(sent_at=now, attempts=F("attempts") + 1, error="")
        for pk, err in failed:
            Notification.objects.filter(pk=pk).update(attempts=F("attempts") + 1, error=err)
        sent = len(done) + _send_applicant_messages(now=now, limit=limit)  # same transaction: one query more
    return sent


def _send_error(exc: Exception, *recipient: str) -> str:
    """A send failure as it is stored and logged: gateways and SMTP servers quote the number or address they
    refused, and neither the message tables nor the logs may hold the recipient's personal data (the
    applicant's phone lives on the Case only, staff contacts on the account). The recipient's own strings are
    scrubbed, then anything else that looks like a phone, ID number or e-mail is masked."""
    return mask_personal_data(f"{type(exc).__name__}: {exc}", contacts=[r for r in recipient if r])[:300]


def applicant_messages_send_due(*, now: dt.datetime, limit: int = SEND_LIMIT) -> int:
    """Send the SMS to applicants waiting for office hours (cases.ApplicantMessage: the deemed-approval
    notice); notifications_send_due does this too, so the tick sends them."""
    if not in_office_hours(now):
        return 0
    with transaction.atomic():
        return _send_applicant_messages(now=now, limit=limit)


def _send_applicant_messages(*, now: dt.datetime, limit: int) -> int:
    """The phone is read from the case at sending time and never stored with the message. Each message is
    handed to the backend once (rows locked, SKIP LOCKED on PostgreSQL, marked in the caller's
    transaction); a failure is retried by later ticks, five attempts in all."""
    qs = ApplicantMessage.objects.filter(status=ApplicantMessage.Status.PENDING)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    batch = list(qs.select_related("case").order_by("created_at", "id")[:limit])
    if not batch:
        return 0
    backend = sms_backend()
    sent = 0
    for m in batch:
        m.attempts += 1
        try:
            backend.send(m.case.applicant_phone.strip(), m.body)
        except Exception as exc:  # a backend failure must not stop the other messages; it is retried
            m.error = _send_error(exc, m.case.applicant_phone)
            log.warning("applicant message %s not sent: %s", m.pk, m.error)
            if m.attempts >= SEND_ATTEMPTS:
                m.status = ApplicantMessage.Status.FAILED
        else:
            m.status, m.sent_at, m.error = ApplicantMessage.Status.SENT, now, ""
            sent += 1
        m.save(update_fields=["attempts", "error", "status", "sent_at"])
    return sent


def notification_mark_read(*, by: Staff, now: dt.datetime, ids: list[int] | None = None) -> int:
    """Mark `by`'s in-app notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.filter(recipient=by, channel=Channel.IN_APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now)

