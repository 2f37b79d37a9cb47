"""Unwanted submissions: the block list (IP addresses and contacts, by keyed hash) and possible duplicates
of a complaint for staff to merge.
"""

from __future__ import annotations

import datetime as dt
from difflib import SequenceMatcher

from django.db import transaction

from xiaoneng.accounts.models import Staff
from xiaoneng.core.errors import DomainError

from ..conf import cfg
from ..models import BlockEntry, ComplainantIdentity, Complaint, Status
from ..privacy import contact_key
from ._common import _require_office, _text


# ----------------------------------------------------------------------------------------------- block list
@transaction.atomic
def block_add(*, by: Staff, now: dt.datetime, kind: str, value: str, reason: str,
              expires_at: dt.datetime | None = None) -> BlockEntry:
    """Block an IP address or a contact (phone / e-mail, kept only as its keyed hash) from submitting."""
    import ipaddress

    _require_office(by)
    value = (value or "").strip()
    reason = _text(reason, "reason", "理由", max_len=200)
    if kind == BlockEntry.Kind.IP:
        try:
            value = str(ipaddress.ip_address(value))
        except ValueError:
            raise DomainError("IP 地址格式不正确。", field="value") from None
        key, label = value, value
    elif kind == BlockEntry.Kind.CONTACT:
        is_email = "@" in value
        key = contact_key(email=value) if is_email else contact_key(phone=value)
        if not key:
            raise DomainError("请填写电话号码或电子邮箱。", field="value")
        from ..privacy import mask_phone

        label = ("***@" + value.split("@", 1)[1]) if is_email else mask_phone(value)
    else:
        raise DomainError("类型无效。", field="kind")
    return BlockEntry.objects.create(kind=kind, value=key, label=label, reason=reason, created_by=by, created_at=now,
                                     expires_at=expires_at)


@transaction.atomic
def block_remove(*, entry: BlockEntry, by: Staff, now: dt.datetime) -> BlockEntry:
    _require_office(by)
    entry.removed_at = now
    entry.save(update_fields=["removed_at"])
    return entry


@transaction.atomic
def block_complaint_sender(*, complaint: Complaint, by: Staff, now: dt.datetime, reason: str) -> BlockEntry:
    """Block the sender of a (spam) complaint by its contact key or IP without anyone reading the identity."""
    _require_office(by)
    reason = _text(reason, "reason", "理由", max_len=200)
    if complaint.contact_key:
        return BlockEntry.objects.create(kind=BlockEntry.Kind.CONTACT, value=complaint.contact_key,
                                         label=f"{complaint.number} 的联系方式", reason=reason, created_by=by,
                                         created_at=now)
    ip = ComplainantIdentity.objects.filter(complaint=complaint).values_list("submitted_ip", flat=True).first()
    if not ip:
        raise DomainError("该投诉没有可屏蔽的联系方式或网络地址。", code="nothing_to_block")
    return BlockEntry.objects.create(kind=BlockEntry.Kind.IP, value=ip, label=f"{complaint.number} 的网络地址",
                                     reason=reason, created_by=by, created_at=now)


# ----------------------------------------------------------------------------------------------- duplicates
def duplicates_for(complaint: Complaint, *, limit: int = 10) -> list[tuple[Complaint, float]]:
    """Possible duplicates of `complaint` for staff to merge: the same complainant (contact key) or, for
    anonymous ones, any complainant; the same department; within DUPLICATE_DAYS; similar facts."""
    days = dt.timedelta(days=cfg("DUPLICATE_DAYS"))
    qs = (Complaint.objects.filter(department_id=complaint.department_id,
                                   received_at__gte=complaint.received_at - days,
                                   received_at__lte=complaint.received_at + days)
          .exclude(pk=complaint.pk).exclude(status=Status.MERGED).select_related("category")
          .only("id", "number", "facts", "status", "received_at", "category__name", "contact_key"))
    threshold = cfg("DUPLICATE_SIMILARITY")
    out = []
    for other in qs[:300]:
        same_person = bool(complaint.contact_key) and other.contact_key == complaint.contact_key
        ratio = SequenceMatcher(None, complaint.facts[:1000], other.facts[:1000]).ratio()
        if (same_person and ratio >= threshold) or ratio >= max(threshold, 0.85):
            out.append((other, round(ratio, 2)))
    out.sort(key=lambda p: -p[1])
    return out[:limit]
