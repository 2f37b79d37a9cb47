"""Reading who complained: the complainant's identity and the complaint's text as written, each read
recorded (`IdentityAccess`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from xiaoneng.accounts.models import Staff
from xiaoneng.core.errors import DomainError, NotPermitted

from ..models import ComplainantIdentity, Complaint, IdentityAccess, IdentityMode


# ----------------------------------------------------------------------------------------------- identity
def complainant_identity_read(*, complaint: Complaint, by: Staff, now: dt.datetime, purpose: str,
                              ip: str | None = None) -> ComplainantIdentity:
    """Return the complainant's identity to an office handler and record the read (who, when, why)."""
    from ..privacy import can_read_identity

    if not can_read_identity(by, complaint):
        raise NotPermitted("投诉人身份信息仅对承办本件的效能办监察员可见。")
    with transaction.atomic():
        IdentityAccess.objects.create(complaint=complaint, staff=by, at=now, purpose=(purpose or "办理")[:100], ip=ip)
        return ComplainantIdentity.objects.get(complaint=complaint)


ORIGINAL_BY_HANDLER = "承办监察员查看投诉原文"
ORIGINAL_REVEALED = "查看投诉原文："
ORIGINAL_REASON_MIN = 4


@transaction.atomic
def complaint_original_read(*, complaint: Complaint, by: Staff, now: dt.datetime, reason: str = "",
                            ip: str | None = None) -> Complaint:
    """Record that `by` reads the complaint's text as the complainant wrote it (facts, request, rating comment,
    reopening and withdrawal reasons) and return the complaint: the text names the complainant more often than
    not, so each view is an identity read in `IdentityAccess`. The office handler reads it on the complaint's
    page (no reason asked); any other supervisor must state why (查看原文), and the reason is recorded with the
    read. Nobody else reads it: departments, leaders, administrators and API clients get the masked text only."""
    from ..privacy import may_reveal_original, reads_original

    if not may_reveal_original(by):
        raise NotPermitted(_("只有效能办监察员可以查看投诉原文。"))
    reason = " ".join((reason or "").split())
    if reads_original(by, complaint) and not reason:
        purpose = ORIGINAL_BY_HANDLER
    else:
        limit = 100 - len(ORIGINAL_REVEALED)
        if len(reason) < ORIGINAL_REASON_MIN:
            raise DomainError(_("请说明查看投诉原文的理由（至少 %(n)s 个字）：原文可能含有投诉人的姓名和联系方式，"
                                "理由将与查看记录一并保存。") % {"n": ORIGINAL_REASON_MIN}, field="reason")
        if len(reason) > limit:
            raise DomainError(_("查看原文的理由不能超过 %(n)s 个字。") % {"n": limit}, field="reason")
        purpose = ORIGINAL_REVEALED + reason
    IdentityAccess.objects.create(complaint=complaint, staff=by, at=now, purpose=purpose, ip=ip)
    return complaint


def identity_mode_label(mode: str) -> str:
    return IdentityMode(mode).label if mode in IdentityMode.values else ""
