"""Staff notifications (`Notification`) as a source of the outbox (core/outbox.py), registered by
`SupervisionConfig.ready()`. In-app rows are visible at once and never sent; the e-mail and SMS copies wait
for office hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection
from django.db.models import F

from xiaoneng.core.outbox import EMAIL, SEND_ATTEMPTS, SMS, Outcome, Outgoing

from .models import Channel, Notification


class StaffNotifications:
    """E-mail and SMS notifications not sent yet and not given up (fewer attempts than the policy allows). The
    address or phone is read from the staff account at sending time (a corrected one is the one used). A
    notification has no status column: sent means `sent_at` set, failed means the attempts used up."""

    kind = "staff"
    waits_for_office_hours = True

    def due(self, *, now: dt.datetime, limit: int) -> list[Notification]:
        qs = Notification.objects.filter(sent_at__isnull=True, attempts__lt=SEND_ATTEMPTS).exclude(
            channel=Channel.IN_APP)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        return list(qs.select_related("recipient").order_by("created_at", "id")[:limit])

    def outgoing(self, rows: Sequence[Notification]) -> list[Outgoing]:
        out = []
        for n in rows:
            email = n.channel == Channel.EMAIL
            out.append(Outgoing(row=n, pk=n.pk, attempts=n.attempts, channel=EMAIL if email else SMS,
                                to=n.recipient.email if email else n.recipient.phone, subject=n.subject,
                                body=n.body))
        return out

    def record(self, outcomes: Sequence[Outcome], *, now: dt.datetime) -> None:
        """The sent ones in one UPDATE; each failure with its own error."""
        Notification.objects.filter(pk__in=[o.row.pk for o in outcomes if o.sent]).update(
            sent_at=now, attempts=F("attempts") + 1, error="")
        for o in outcomes:
            if not o.sent:
                Notification.objects.filter(pk=o.row.pk).update(attempts=F("attempts") + 1, error=o.error)


SOURCE = StaffNotifications()
