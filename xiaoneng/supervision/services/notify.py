"""Notifications to staff (in-app, e-mail, SMS), office hours, and the worker's one call of the outbox
(`messages_send_due`): every message to a person is sent by core/outbox.py's loop, staff notifications
through supervision/outbox.py's source."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core.bulk import pg_copy_insert
from xiaoneng.core.errors import DomainError
from xiaoneng.core.outbox import SEND_ATTEMPTS, SEND_LIMIT, outbox_send_due  # noqa: F401 (SEND_ATTEMPTS re-exported)
from xiaoneng.core.text import sentence
from xiaoneng.workdays.calendar import get_calendar

from ..models import (
    Channel,
    Notification,
    NotificationKind,
    SupervisionOrder,
)
from ..subjects import subject_label


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
    what = subject_label(order.subject_kind, stored=True)
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


def messages_send_due(*, now: dt.datetime, limit: int = SEND_LIMIT, counts: dict[str, int] | None = None) -> int:
    """Send every message to a person that is due — staff e-mail and SMS, the applicant's SMS (both only in
    office hours), notices to the complainant (at any hour) — through the outbox's one loop
    (core/outbox.py), with office hours from the working-day calendar. The tick calls it once. Returns how
    many were sent; `counts` receives them per kind ("staff", "applicant", "complainant")."""
    return outbox_send_due(now=now, office_open=in_office_hours, limit=limit, counts=counts)


def notification_mark_read(*, by: Staff, now: dt.datetime, ids: list[int] | None = None) -> int:
    """Mark `by`'s in-app notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.filter(recipient=by, channel=Channel.IN_APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now)
