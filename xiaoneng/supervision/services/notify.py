"""Notifications to staff (in-app, e-mail, SMS) and the sending of what waits for office hours: staff
notifications and the SMS to applicants (cases.ApplicantMessage)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.cases.models import ApplicantMessage
from xiaoneng.core.bulk import pg_copy_insert
from xiaoneng.core.errors import DomainError
from xiaoneng.core.masking import mask_personal_data
from xiaoneng.core.sms import sms_backend
from xiaoneng.core.text import sentence
from xiaoneng.workdays.calendar import get_calendar

from ..models import (
    Channel,
    Notification,
    NotificationKind,
    SupervisionOrder,
)

log = logging.getLogger(__name__)

SEND_LIMIT = 500
SEND_ATTEMPTS = 5  # e-mails and SMS (staff, applicants) are tried this often, then left failed


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
