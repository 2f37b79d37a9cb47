"""What a yellow or red card brings by itself (DOMAIN.md §4): the automatic supervision order (督办) and the
draft rectification proposal (整改建议书), in bulk for the tick and one card at a time for the office."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.db import connection

from xiaoneng.accounts.models import Department
from xiaoneng.core.bulk import pg_copy_insert
from xiaoneng.core.errors import DomainError
from xiaoneng.core.text import sentence
from xiaoneng.workdays.calendar import get_calendar

from ..engine import FollowUp
from ..models import (
    ActionKind,
    Level,
    NotificationKind,
    OrderStatus,
    ProposalStatus,
    SupervisionOrder,
    SupervisionProposal,
    Warning,
    WarningAction,
    WarningStatus,
)
from ..subjects import subject_label
from ._common import MAX_ORDER_WD
from .notify import _heads, _write_notifications

if TYPE_CHECKING:
    from .tick import TickResult


log = logging.getLogger(__name__)

PROPOSAL_SUGGESTION = ("请对照有关规定查明原因，立即纠正，依照有关规定追究相关人员责任，建立健全防止问题再次发生的制度，"
                       "并在整改期限内将整改情况书面报送效能监察机关。")
_ORDER_COLUMNS = ("number", "warning_id", "subject_kind", "subject_id", "automatic", "department_id", "issued_by_id",
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
        rows.append((f"tmp-auto-{i.warning_id}", i.warning_id, i.subject_kind, i.subject_id, True, i.department_id, None,
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
        subject = f"【督办】{number_of[oid]} {subject_label(i.subject_kind, stored=True)} {i.subject_no}"
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
        types = ("text", "bigint", "text", "bigint", "boolean", "bigint", "bigint", "timestamptz", "integer",
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


_PROPOSAL_COLUMNS = ("warning_id", "subject_kind", "subject_id", "department_id", "status", "number", "problem",
                     "suggestion", "due_wd", "created_at", "discard_reason")


def _draft_proposals(items: list[FollowUp], *, now: dt.datetime) -> int:
    """Draft proposals of red cards (unnumbered until the office confirms one), one INSERT … ON CONFLICT
    (warning) DO NOTHING: a card that has one already keeps it. Returns how many were drafted."""
    rows, seen = [], set()
    for i in items:
        if i.warning_id in seen:
            continue
        seen.add(i.warning_id)
        what = subject_label(i.subject_kind, stored=True)
        rows.append((i.warning_id, i.subject_kind, i.subject_id, i.department_id, ProposalStatus.DRAFT.value, "",
                     sentence(f"{what} {i.subject_no} 被亮红牌（{i.rule.name}）：{i.detail}"), PROPOSAL_SUGGESTION, 15, now, ""))
    if not rows:
        return 0
    suffix = "ON CONFLICT (warning_id) DO NOTHING RETURNING id"
    if connection.vendor == "postgresql":
        types = ("bigint", "text", "bigint", "bigint", "text", "text", "text", "text", "integer", "timestamptz", "text")
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
        w.pk, w.rule, w.level, w.department_id, w.subject_kind, w.subject_id, w.subject_no, w.handler_id, w.detail,
    )], now=now)
