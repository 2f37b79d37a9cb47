"""Notices to the complainant (`ComplainantMessage`, by SMS and e-mail) as a source of the outbox
(core/outbox.py), registered by `ComplaintsConfig.ready()`. They do not wait for office hours: a notice goes
as soon as the act it tells of is committed (`services.messages`), and the worker's loop retries the ones a
backend refused, at any hour, as the complaint centre always did."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.db import connection

from xiaoneng.core.outbox import EMAIL, SEND_ATTEMPTS, SMS, Outcome, Outgoing

from .models import ComplainantIdentity, ComplainantMessage

# The one-time follow-up token in a reply's notice: erased from the stored body once the message is sent.
_FOLLOW_UP_TOKEN = re.compile(r"(/complaints/follow-up/)[A-Za-z0-9_-]+/?")


class ComplainantMessages:
    """Complainant notices not sent yet (all, or those of `complaint_ids`: a service sending its own notices
    at once). The recipient is read from the complaint's identity only here, by the system, for the backend:
    it is never stored with the message, logged or kept in an error, so this table tells nobody who
    complained. An anonymous complainant has no rows (none are queued)."""

    kind = "complainant"
    waits_for_office_hours = False

    def __init__(self, complaint_ids: Sequence[int] | None = None) -> None:
        self.complaint_ids = None if complaint_ids is None else list(complaint_ids)

    def due(self, *, now: dt.datetime, limit: int) -> list[ComplainantMessage]:
        # PENDING leads the filter for the index (status, created_at): the loop asks every minute, and sent
        # notices pile up over the years. (Pending means unsent and not given up; the other two say so too.)
        qs = ComplainantMessage.objects.filter(status=ComplainantMessage.MessageStatus.PENDING, sent_at__isnull=True,
                                               attempts__lt=SEND_ATTEMPTS)
        if self.complaint_ids is not None:
            qs = qs.filter(complaint_id__in=self.complaint_ids)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        return list(qs.order_by("created_at", "id")[:limit])

    def outgoing(self, rows: Sequence[ComplainantMessage]) -> list[Outgoing]:
        contacts = {cid: (phone, email) for cid, phone, email in ComplainantIdentity.objects.filter(
            complaint_id__in={m.complaint_id for m in rows}).values_list("complaint_id", "phone", "email")}
        out = []
        for m in rows:
            phone, email = contacts.get(m.complaint_id, ("", ""))
            sms = m.channel == ComplainantMessage.MessageChannel.SMS
            out.append(Outgoing(row=m, pk=m.pk, attempts=m.attempts, channel=SMS if sms else EMAIL,
                                to=phone if sms else email, subject=m.subject, body=m.body))
        return out

    def record(self, outcomes: Sequence[Outcome], *, now: dt.datetime) -> None:
        """A failure stays PENDING for the next run until the policy gives up (or at once for a person's retry
        by hand), then FAILED. A sent message's follow-up link is erased (it is a one-time password)."""
        for o in outcomes:
            m = o.row
            m.attempts += 1
            if o.sent:
                m.status, m.sent_at, m.error = ComplainantMessage.MessageStatus.SENT, now, ""
                m.body = _FOLLOW_UP_TOKEN.sub(r"\1…", m.body)
            else:
                m.error = o.error
                m.status = (ComplainantMessage.MessageStatus.FAILED if o.final
                            else ComplainantMessage.MessageStatus.PENDING)
            m.save(update_fields=["attempts", "status", "sent_at", "error", "body"])


SOURCE = ComplainantMessages()
