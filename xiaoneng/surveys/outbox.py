"""Invitation codes sent by SMS (`InvitationMessage`) as a source of the platform's outbox (core/outbox.py),
registered by `SurveysConfig.ready()`. They wait for office hours, like the applicant's SMS: an invitation to a
survey is not worth waking anyone. The phone is erased from the row once the message is sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection

from xiaoneng.core.outbox import SEND_ATTEMPTS, SMS, Outcome, Outgoing

from .models import InvitationMessage


class InvitationMessages:
    kind = "survey-invitation"
    waits_for_office_hours = True

    def due(self, *, now: dt.datetime, limit: int) -> list[InvitationMessage]:
        qs = InvitationMessage.objects.filter(status=InvitationMessage.MessageStatus.PENDING,
                                              attempts__lt=SEND_ATTEMPTS)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        return list(qs.order_by("created_at", "id")[:limit])

    def outgoing(self, rows: Sequence[InvitationMessage]) -> list[Outgoing]:
        return [Outgoing(row=m, pk=m.pk, attempts=m.attempts, channel=SMS, to=m.phone, subject="", body=m.body)
                for m in rows]

    def record(self, outcomes: Sequence[Outcome], *, now: dt.datetime) -> None:
        for o in outcomes:
            m = o.row
            m.attempts += 1
            if o.sent:
                m.status, m.sent_at, m.error, m.phone = InvitationMessage.MessageStatus.SENT, now, "", ""
            else:
                m.error = o.error[:300]
                if o.final:
                    m.status, m.phone = InvitationMessage.MessageStatus.FAILED, ""
            m.save(update_fields=["attempts", "status", "sent_at", "error", "phone"])


SOURCE = InvitationMessages()
