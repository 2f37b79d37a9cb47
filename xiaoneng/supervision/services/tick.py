"""The tick (every minute) and the judging of cases it shares with ingest (`rejudge`): for every clock owner
(core/clocks.py), which rows are due, the cards their evaluations call for (inserted once whatever runs
concurrently), automatic withdrawal, the consequences a card has on its subject (deemed approval), and the
subjects' cards as their owners show them. The tick imports no owner: it asks `clocks.owners()`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse

from xiaoneng.accounts.models import Staff
from xiaoneng.catalog.models import WorkflowStep
from xiaoneng.core import clocks
from xiaoneng.core.bulk import gc_paused, where_in
from xiaoneng.core.clocks import DEADLINE_FAMILY, Checked, ClockRow
from xiaoneng.core.errors import DomainError
from xiaoneng.workdays.calendar import get_calendar

from .. import deadlines
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
from .issue import cards_insert
from .notify import _notify_cards, in_office_hours, messages_send_due
from .orders import _escalate_late_orders

TICK_BATCH = 5000
CASE = "case"  # the kind the case owner registers (cases/clocks.py); the case family judges only its rows
@dataclass
class TickResult:
    """What one tick did."""

    now: dt.datetime
    checked: dict[str, int] = field(default_factory=dict)  # rows judged, by subject kind
    counts: dict[str, int] = field(default_factory=dict)  # what owners did when their clocks were looked at
    clocks_recomputed: int = 0
    issued: dict[str, int] = field(default_factory=lambda: {"reminder": 0, "yellow": 0, "red": 0})
    pending_confirmation: int = 0
    deemed_approved: int = 0
    orders_escalated: int = 0
    orders_issued: int = 0  # automatic supervision orders (督办) of new yellow and red cards
    proposals_drafted: int = 0  # draft rectification proposals (整改建议书) of new red cards
    notifications_created: int = 0
    notifications_sent: int = 0  # e-mails and SMS to staff and applicants (they wait for office hours)
    complainant_messages_sent: int = 0  # notices to complainants retried by the outbox (any hour)
    in_office_hours: bool = False

    @property
    def cases_checked(self) -> int:
        return self.checked.get("case", 0)

    @property
    def complaints_checked(self) -> int:
        return self.checked.get("complaint", 0)

    @property
    def follow_ups_expired(self) -> int:
        return self.counts.get("follow_ups_expired", 0)

    @property
    def cards_issued(self) -> int:
        return sum(self.issued.values())

    def summary(self) -> str:
        return (
            f"监察时点 {self.now.isoformat()}："
            f"{f'工作日历已变更，{self.clocks_recomputed} 件办件期限重算；' if self.clocks_recomputed else ''}"
            f"检查{'、'.join(f'{clocks.kinds().get(k, k)} {n} 件' for k, n in self.checked.items()) or '办件 0 件'}；新发预警提醒 {self.issued['reminder']} 张、"
            f"黄牌 {self.issued['yellow']} 张、红牌 {self.issued['red']} 张，待确认 {self.pending_confirmation} 张；"
            f"自动督办 {self.orders_issued} 件，起草整改建议书 {self.proposals_drafted} 份；"
            f"超时默许 {self.deemed_approved} 件；回访期满办结 {self.follow_ups_expired} 件；"
            f"督办逾期升级 {self.orders_escalated} 件；"
            f"生成通知 {self.notifications_created} 条，发送 {self.notifications_sent} 条"
            f"{f'，投诉人通知发送 {self.complainant_messages_sent} 条' if self.complainant_messages_sent else ''}"
            f"{'' if self.in_office_hours else '（非办公时间，邮件和短信待办公时间发送）'}。"
        )


def supervise_tick(*, now: dt.datetime, batch_size: int = TICK_BATCH) -> TickResult:
    """Evaluate every time-based rule as of `now` and do what follows.

    For every clock owner (core/clocks.py, in registration order: cases, complaints, …): its clocks synced to
    the calendar, its due rows (cases: one range scan of `cases_check_due`) judged by its rule family, the cards
    inserted with ON CONFLICT DO NOTHING (a card exists once per subject, rule and deadline whatever runs
    concurrently), each row's flag and next check handed back to the owner. Then supervision orders past their
    due date are escalated and the outbox's one send loop runs (staff and applicant messages in office
    hours, complainant notices at any hour). Batches of `batch_size` rows,
    each its own transaction; on PostgreSQL the batch is locked with SKIP LOCKED so several workers share the
    work instead of repeating it.
    """
    if now.tzinfo is None:
        raise DomainError("监察时点必须带时区。", field="now")
    result = TickResult(now=now)
    owners = clocks.owners()
    for owner in owners:
        result.clocks_recomputed += owner.sync(now=now)
    rules = rule_set(fresh=True)
    cal = get_calendar()
    skip_locked = connection.features.has_select_for_update_skip_locked
    for owner in owners:
        _watch(owner, cal, rules, now=now, result=result, batch_size=batch_size, skip_locked=skip_locked)
    with transaction.atomic():
        result.orders_escalated = _escalate_late_orders(now=now, result=result)
    result.in_office_hours = in_office_hours(now)
    # The one send loop of every message to a person (core/outbox.py), once per tick.
    sent: dict[str, int] = {}
    messages_send_due(now=now, counts=sent)
    result.notifications_sent = sent.get("staff", 0) + sent.get("applicant", 0)
    result.complainant_messages_sent = sent.get("complainant", 0)
    return result


def _watch(owner, cal, rules: RuleSet, *, now, result: TickResult, batch_size: int, skip_locked: bool) -> None:
    """One owner's due rows, batch by batch, each batch its own transaction (rows locked SKIP LOCKED on
    PostgreSQL, so several workers share them); judged by the owner's rule family, written back by the owner."""
    seen: set[int] = set()
    judged = 0
    if not owner.any_due(now=now):
        return
    while True:
        with gc_paused(), transaction.atomic():
            rows = owner.due(now=now, limit=batch_size, skip_locked=skip_locked)
            fresh = [r for r in rows if r.id not in seen]
            if not fresh:
                break
            seen.update(r.id for r in fresh)
            judged += len(fresh)
            if owner.family == DEADLINE_FAMILY:
                done = deadlines.judge_rows(cal, rules, fresh, now=now, result=result)
            else:
                done = _case_batch(owner, cal, rules, fresh, now=now, result=result)
            for k, n in (owner.checked(done, now=now) or {}).items():
                result.counts[k] = result.counts.get(k, 0) + n
        if len(rows) < batch_size:
            break
    result.checked[owner.kind] = result.checked.get(owner.kind, 0) + judged


def _case_batch(owner, cal, rules: RuleSet, rows: list[ClockRow], *, now, result: TickResult) -> list[Checked]:
    """The case family: the licensing law's checks on each row's case facts (engine.evaluate_case)."""
    results = []
    done = []
    facts = [r.facts for r in rows]
    steps = _version_steps({f.version_id for f in facts if f.version_id and f.current_step})
    for row, f in zip(rows, facts, strict=True):
        ev = evaluate_case(cal, rules, f, now=now, deemed=f.deemed, time_only=True,
                           version_steps=steps.get(f.version_id))
        results.append((f, ev))
        done.append(Checked(row, "", ev.next_check))
    rejudge(rules, results, now=now, result=result, facts_changed=False, owner=owner)
    return done


def rejudge(rules: RuleSet, results: list[tuple[object, Evaluation]], *, now, result: TickResult | None = None,
            facts_changed: bool = True, owner=None) -> None:
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
        for wid, case_id, rule_id, key, status in where_in(
            Warning.objects.filter(subject_kind=CASE, status__in=OPEN_STATUSES), "subject_id", watched
        ).values_list("id", "subject_id", "rule_id", "deadline_key", "status"):
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
    owner = owner or clocks.owner("case")
    if undeemed:
        owner.consequence("deemed_approval_undo", [(pk, now) for pk in undeemed], now=now)
    _issue(new_cards, now=now, result=result)
    # Deemed approval (超时默许): the cases service marks the case, issues the applicant's notice and records
    # the SMS to them (sent in office hours), once per case.
    n = owner.consequence("deemed_approval", deemed, now=now) if deemed else 0
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
        values.append((CASE, row.id, rule.id, rule.level, card.key, pending if rule.mode == confirm else issued,
                       row.department_id, get_handler(row.id), card.crossed_at, now, card.detail[:300], now))
    created = cards_insert(values)
    to_notify = []
    counts = result.issued if result is not None else defaultdict(int)
    for wid, _kind, case_id, rule_id, key in created:
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
            [FollowUp(wid, card.rule, card.rule.level, row.department_id, CASE, row.id, row.case_no,
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


def warnings_for_cases(kind: str, ids: list[int]) -> dict[int, list[dict]]:
    """The cards of each subject of `kind` (one query), as owners show them on their pages and API."""
    out: dict[int, list[dict]] = defaultdict(list)
    if not ids:
        return out
    for w in Warning.objects.filter(subject_kind=kind, subject_id__in=ids).select_related("rule").order_by(
            "issued_at", "id"):
        out[w.subject_id].append({
            "rule": w.rule.code, "rule_name": w.rule.name, "level": w.level, "issued_at": w.issued_at,
            "status": w.status, "id": w.pk, "level_label": w.get_level_display(),
            "status_label": w.get_status_display(), "detail": w.detail,
            "url": reverse("supervision:warning_detail", args=[w.pk]),
        })
    return out
