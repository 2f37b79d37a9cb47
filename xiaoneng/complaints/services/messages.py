"""Written notices to the complainant by SMS and e-mail (`ComplainantMessage`): queued with the notice by
the service that writes it (`_message_complainant`), sent after commit (`complainant_messages_send`) and
retried by the worker through the platform's one outbox (core/outbox.py; this app's source is
complaints/outbox.py), sent once more by the office (`complainant_message_retry`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from xiaoneng.accounts.models import Staff
from xiaoneng.core.errors import DomainError
from xiaoneng.core.outbox import SEND_ATTEMPTS, SEND_LIMIT, outbox_deliver, outbox_send_due

from ..models import ComplainantIdentity, ComplainantMessage, Complaint, IdentityMode, TimelineEntry
from ..outbox import ComplainantMessages
from ._common import _log, _require_office, _speaking

# ----------------------------------------------------------------------------------------------- notices by SMS / e-mail
# The outbox's one retry policy (the same five attempts as staff and applicant messages), under the name the
# complaint pages and tests have always read.
MESSAGE_MAX_ATTEMPTS = SEND_ATTEMPTS


def _public_url(path: str) -> str:
    return getattr(settings, "XIAONENG_PUBLIC_URL", "").rstrip("/") + path


def _message_complainant(c: Complaint, entry: TimelineEntry, *, now: dt.datetime, what: str, link: str = "") -> int:
    """Queue the written notice `entry` for the complainant by SMS and e-mail, where they gave a phone number
    or an e-mail address and did not complain anonymously (an anonymous complainant is never contacted).
    One row per channel, unique per notice, sent after the transaction commits (and retried by the
    worker's outbox loop). The text is the notice itself, with the tracking link and, for a reply, the one-time
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


def complainant_messages_send(*, now: dt.datetime, complaint_ids: list[int] | None = None,
                               limit: int = SEND_LIMIT) -> int:
    """Send the complainant notices not sent yet (all, or those of `complaint_ids`) through the outbox's one
    loop (core/outbox.py: locking, the SMS backend and Django's mail, the retry policy, masked errors),
    restricted to this app's own rows. Called after the act that queued them commits; the worker's loop
    retries what a backend refused. Returns how many were sent."""
    return outbox_send_due(now=now, sources=[ComplainantMessages(complaint_ids)], limit=limit)


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
    # One more attempt through the outbox's own delivery, given up at once if it fails again (`final`).
    source = ComplainantMessages()
    outcome = outbox_deliver(source.outgoing([m])[0], kind=source.kind, final=True)
    source.record([outcome], now=now)
    ok = outcome.sent
    _log(m.complaint, TimelineEntry.Kind.MESSAGE_RETRIED, now=now, by=by,
         detail=_("%(channel)s通知“%(subject)s”重发：%(result)s") % {
             "channel": m.get_channel_display(), "subject": m.subject,
             "result": _("已发送") if ok else _("仍未成功")})
    return m
