"""The applicant's SMS (`ApplicantMessage`: the deemed-approval notice) as a source of the outbox
(core/outbox.py), registered by `CasesConfig.ready()`. They wait for office hours, like staff e-mail and SMS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection

from xiaoneng.core.outbox import SMS, Outcome, Outgoing

from .models import ApplicantMessage


class ApplicantMessages:
    """Pending applicant messages. The phone is read from the Case at sending time and never stored with the
    message (personal data of the applicant lives on the Case only; a corrected number is the one used). A
    message is PENDING until sent, or FAILED when the outbox's retry policy gives up."""

    kind = "applicant"
    waits_for_office_hours = True

    def due(self, *, now: dt.datetime, limit: int) -> list[ApplicantMessage]:
        qs = ApplicantMessage.objects.filter(status=ApplicantMessage.Status.PENDING)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        return list(qs.select_related("case").order_by("created_at", "id")[:limit])

    def outgoing(self, rows: Sequence[ApplicantMessage]) -> list[Outgoing]:
        return [Outgoing(row=m, pk=m.pk, attempts=m.attempts, channel=SMS, to=m.case.applicant_phone.strip(),
                         subject="", body=m.body) for m in rows]

    def record(self, outcomes: Sequence[Outcome], *, now: dt.datetime) -> None:
        for o in outcomes:
            m = o.row
            m.attempts += 1
            if o.sent:
                m.status, m.sent_at, m.error = ApplicantMessage.Status.SENT, now, ""
            else:
                m.error = o.error
                if o.final:
                    m.status = ApplicantMessage.Status.FAILED
            m.save(update_fields=["attempts", "error", "status", "sent_at"])


SOURCE = ApplicantMessages()
