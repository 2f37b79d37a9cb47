"""The SMS invitation to rate an ended case (好差评短信邀评), as a source of the outbox (core/outbox.py),
registered by RatingsConfig.ready().

Only where the office turned invitations on (`RatingPolicy.sms_invite`). Once per case: when the case has ended (at least `RatingPolicy.sms_invite_after_days` days ago — 0: at the
next send in office hours after the end), its link is still valid, the applicant left a phone number and
the case has no rating yet. The outbox's caller decides office hours (these wait for them), its one retry
policy applies (`RatingLink.sms_attempts`), and `RatingLink.sms_sent_at` is set once when it went out. The
phone is read from the Case at sending time (personal data lives there only), normalised (spaces, dashes,
+86/0086 dropped); a number that is no mobile number is not tried again. Logs carry it masked."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence

from django.db import connection
from django.db.models.functions import Coalesce

from xiaoneng.cases.models import Case
from xiaoneng.core.masking import mask_recipient
from xiaoneng.core.outbox import SEND_ATTEMPTS, SMS, Outcome, Outgoing

from .models import RatingLink, RatingPolicy
from .services.links import link_absolute_url, links_for_cases
from .services.rating import ENDED_STATUSES

log = logging.getLogger(__name__)

_SEPARATORS = re.compile(r"[\s\-‐－—()（）.]+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(raw: str) -> str:
    """A mobile number as an SMS gateway takes it (11 digits), or "" when it is none: spaces, dashes and
    brackets dropped, the country code (+86, 0086, 86) removed."""
    s = _SEPARATORS.sub("", (raw or "").strip())
    for prefix in ("+86", "0086", "86"):
        if s.startswith(prefix) and len(s) - len(prefix) == 11:
            s = s[len(prefix):]
            break
    return s if _MOBILE.match(s) else ""


def _ended():
    return Coalesce("closed_at", "completed_at", "delivered_at")


def _due_cases(now: dt.datetime, policy: RatingPolicy):
    """Cases whose invitation is due now: ended at least the policy's delay ago, link still valid, a phone
    on file, no rating."""
    return (Case.objects.annotate(_ended_at=_ended())
            .filter(status__in=ENDED_STATUSES, rating__isnull=True,
                    _ended_at__lte=now - dt.timedelta(days=policy.sms_invite_after_days),
                    _ended_at__gt=now - dt.timedelta(days=policy.link_valid_days))
            .exclude(applicant_phone__regex=r"^\s*$"))


def invite_text(link: RatingLink) -> str:
    case = link.case
    return (f"【政务服务好差评】您在{case.department.name}办理的事项（办件编号 {case.case_no}）已办结，"
            f"请对本次服务作出评价：{link_absolute_url(link)} 。感谢您的支持！")


class RatingInvitations:
    """Rating links whose SMS invitation is due (see the module's docstring). Links are made here for the due
    cases that have none yet (one INSERT for the batch)."""

    kind = "rating_invite"
    waits_for_office_hours = True

    def due(self, *, now: dt.datetime, limit: int) -> list[RatingLink]:
        # One SELECT while invitations are off (the tick asks every minute); the row is not made here.
        policy = RatingPolicy.objects.order_by("id").first()
        if policy is None or not policy.sms_invite:
            return []
        cases = _due_cases(now, policy)
        missing = list(cases.filter(rating_link__isnull=True).order_by("_ended_at", "id")
                       .values_list("id", flat=True)[:limit])
        if missing:
            links_for_cases(missing, now)
        qs = RatingLink.objects.filter(sms_sent_at__isnull=True, sms_attempts__lt=SEND_ATTEMPTS,
                                       case__in=cases.values("id"))
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        return list(qs.select_related("case__department").order_by("created_at", "id")[:limit])

    def outgoing(self, rows: Sequence[RatingLink]) -> list[Outgoing]:
        return [Outgoing(row=link, pk=link.pk, attempts=link.sms_attempts, channel=SMS,
                         to=normalise_phone(link.case.applicant_phone), subject="", body=invite_text(link))
                for link in rows]

    def record(self, outcomes: Sequence[Outcome], *, now: dt.datetime) -> None:
        for o in outcomes:
            link = o.row
            link.sms_attempts += 1
            if o.sent:
                link.sms_sent_at, link.sms_error = now, ""
                log.info("rating invitation for case %s sent to %s", link.case_id, mask_recipient(o.message.to))
            else:
                link.sms_error = o.error
                if not o.message.to:  # no mobile number: a landline or a typo is not tried again
                    link.sms_attempts = max(link.sms_attempts, SEND_ATTEMPTS)
                    link.sms_error = "申请人联系电话不是手机号码，未发送短信邀请。"
            link.save(update_fields=["sms_attempts", "sms_sent_at", "sms_error"])


SOURCE = RatingInvitations()
