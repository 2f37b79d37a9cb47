"""Written notices to the complainant by SMS and e-mail (`ComplainantMessage`): queued with the notice by
the service that writes it (`_message_complainant`), sent after commit and by the tick
(`complainant_messages_send`), retried by the office (`complainant_message_retry`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from xiaoneng.accounts.models import Staff
from xiaoneng.core.errors import DomainError
from xiaoneng.core.sms import sms_backend

from ..models import ComplainantIdentity, ComplainantMessage, Complaint, IdentityMode, TimelineEntry
from ..privacy import mask_personal_data
from ._common import _log, _require_office, _speaking

log = logging.getLogger(__name__)

# ----------------------------------------------------------------------------------------------- notices by SMS / e-mail
MESSAGE_MAX_ATTEMPTS = 5
_FOLLOW_UP_TOKEN = re.compile(r"(/complaints/follow-up/)[A-Za-z0-9_-]+/?")


def _public_url(path: str) -> str:
    return getattr(settings, "XIAONENG_PUBLIC_URL", "").rstrip("/") + path


def _message_complainant(c: Complaint, entry: TimelineEntry, *, now: dt.datetime, what: str, link: str = "") -> int:
    """Queue the written notice `entry` for the complainant by SMS and e-mail, where they gave a phone number
    or an e-mail address and did not complain anonymously (an anonymous complainant is never contacted).
    One row per channel, unique per notice, sent after the transaction commits (and retried by the
    supervision tick). The text is the notice itself, with the tracking link and, for a reply, the one-time
    follow-up link; never anything the complainant did not write or receive already."""
    if c.identity_mode == IdentityMode.ANONYMOUS:
        return 0
    contacts = ComplainantIdentity.objects.filter(complaint=c).values_list("phone", "email").first()
    if not contacts:
        return 0
    phone, email = contacts
    track = _public_url(reverse("complaints:track", args=[c.tracking_code]))
    with _speaking(c):  # `what` and the notice were written in it by the caller, under the same override
        body = _("【效能办】您的投诉（编号 %(number)s）%(notice)s") % {"number": c.number, "notice": entry.public_text}
        if link:
            body += _(" 请对答复作出评价：%(link)s") % {"link": link}
        body += _(" 查询办理进度：%(link)s") % {"link": track}
        subject = _("效能投诉 %(number)s：%(what)s") % {"number": c.number, "what": what}
    rows = [ComplainantMessage(complaint=c, entry=entry, channel=ch, subject=subject[:200], body=body,
                               created_at=now)
            for ch, to in ((ComplainantMessage.MessageChannel.SMS, phone),
                           (ComplainantMessage.MessageChannel.EMAIL, email)) if to]
    if not rows:
        return 0
    ComplainantMessage.objects.bulk_create(rows, ignore_conflicts=True)
    pk = c.pk
    transaction.on_commit(lambda: complainant_messages_send(now=now, complaint_ids=[pk]))
    return len(rows)


def complainant_messages_send(*, now: dt.datetime, complaint_ids: list[int] | None = None, limit: int = 200) -> int:
    """Send the complainant messages not sent yet (all, or those of `complaint_ids`), through the platform's
    SMS backend (settings.XIAONENG_SMS_BACKEND) and Django's mail. Rows are locked (SKIP LOCKED on
    PostgreSQL) and marked in the same transaction, so each is handed to its backend once; a failure is kept
    and retried up to MESSAGE_MAX_ATTEMPTS times. The recipient is read from the identity only here. A sent
    message's follow-up link is erased (it is a one-time password). Returns how many were sent."""
    from django.db import connection

    sent = 0
    with transaction.atomic():
        qs = ComplainantMessage.objects.filter(sent_at__isnull=True, attempts__lt=MESSAGE_MAX_ATTEMPTS)
        if complaint_ids is not None:
            qs = qs.filter(complaint_id__in=complaint_ids)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        batch = list(qs.order_by("created_at", "id")[:limit])
        if not batch:
            return 0
        contacts = {cid: (phone, email) for cid, phone, email in ComplainantIdentity.objects.filter(
            complaint_id__in={m.complaint_id for m in batch}).values_list("complaint_id", "phone", "email")}
        sms = None
        if any(m.channel == ComplainantMessage.MessageChannel.SMS for m in batch):
            sms = sms_backend()
        for m in batch:
            phone, email = contacts.get(m.complaint_id, ("", ""))
            sent += _message_send_one(m, phone=phone, email=email, sms=sms, now=now)
    return sent


def _message_send_one(m: ComplainantMessage, *, phone: str, email: str, sms, now: dt.datetime,
                      final: bool = False) -> bool:
    """Hand one locked message to its backend and record the attempt. A failure stays PENDING for the tick
    until MESSAGE_MAX_ATTEMPTS (or at once with `final`, a staff member's retry) and is then FAILED. The error
    text is kept without the recipient: backends quote the address they refused, and this table must not
    tell who complained."""
    m.attempts += 1
    try:
        if m.channel == ComplainantMessage.MessageChannel.SMS:
            sms.send(phone, m.body)
        else:
            send_mail(m.subject, m.body, None, [email], fail_silently=False)
    except Exception as exc:  # a backend failure must not stop the others; it is retried
        log.warning("complainant message %s not sent: %s", m.pk, type(exc).__name__)
        m.error = mask_personal_data(str(exc), contacts=[phone, email])[:300]
        m.status = (ComplainantMessage.MessageStatus.FAILED if final or m.attempts >= MESSAGE_MAX_ATTEMPTS
                    else ComplainantMessage.MessageStatus.PENDING)
        ok = False
    else:
        m.status, m.sent_at, m.error = ComplainantMessage.MessageStatus.SENT, now, ""
        m.body = _FOLLOW_UP_TOKEN.sub(r"\1…", m.body)
        ok = True
    m.save(update_fields=["attempts", "status", "sent_at", "error", "body"])
    return ok


@transaction.atomic
def complainant_message_retry(*, message: ComplainantMessage, by: Staff, now: dt.datetime) -> ComplainantMessage:
    """Send a failed notice again now (效能办 only), after the tick gave up on it: e.g. the SMS gateway was down
    for a day. One more attempt, recorded on the message and as an internal timeline entry; the recipient is
    read from the identity by the system while sending and shown to nobody, so it is not a recorded read."""
    _require_office(by)
    m = ComplainantMessage.objects.select_for_update().select_related("complaint").get(pk=message.pk)
    if m.status != ComplainantMessage.MessageStatus.FAILED or m.sent_at is not None:
        raise DomainError(_("只有发送失败的通知可以重发。"), code="bad_status")
    phone, email = ComplainantIdentity.objects.filter(complaint_id=m.complaint_id).values_list(
        "phone", "email").first() or ("", "")
    if not (phone if m.channel == ComplainantMessage.MessageChannel.SMS else email):
        raise DomainError(_("投诉人未留下该渠道的联系方式，无法重发。"), code="no_recipient")
    sms = None
    if m.channel == ComplainantMessage.MessageChannel.SMS:
        sms = sms_backend()
    ok = _message_send_one(m, phone=phone, email=email, sms=sms, now=now, final=True)
    _log(m.complaint, TimelineEntry.Kind.MESSAGE_RETRIED, now=now, by=by,
         detail=_("%(channel)s通知“%(subject)s”重发：%(result)s") % {
             "channel": m.get_channel_display(), "subject": m.subject,
             "result": _("已发送") if ok else _("仍未成功")})
    return m
