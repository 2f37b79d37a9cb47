"""Window contacts (一次一评) and the counter tablet (窗口评价器), issue 12 §1.

A clerk (window role; a handler or head of the department too) records a contact: what was done for whom at
the window, for an item of its own department, numbered CK<year>-<serial>. A head or window clerk pairs a
tablet with its department (`kiosk_create` → a one-time pairing URL; the tablet opening it gets a long-lived
signed cookie holding the device secret, of which the Kiosk keeps only the SHA-256). The clerk then puts a
contact, or an ended case of the department, on the tablet (`kiosk_push`); the applicant taps a level there
and it is recorded through rating_record (channel kiosk). A prompt lapses after PROMPT_MINUTES or when the
next replaces it; a revoked tablet shows a clear page. Everything of another department is "not found".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.core import signing
from django.db import IntegrityError, transaction

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.selectors import department_scope_q
from xiaoneng.cases.models import Case
from xiaoneng.catalog.models import ServiceItem
from xiaoneng.core.errors import DomainError, NotFound, NotPermitted
from xiaoneng.workdays.calendar import get_calendar

from ..models import Channel, ContactKind, Kiosk, Rating, WindowContact
from .rating import ENDED_STATUSES, rating_record

CLERK_ROLES = (R.WINDOW, R.HANDLER, R.HEAD)  # record contacts, push prompts
KIOSK_ROLES = (R.WINDOW, R.HEAD)  # pair and revoke tablets
PROMPT_MINUTES = 5
PAIRING_MINUTES = 30
PAIRING_SALT = "xiaoneng.ratings.kiosk-pairing"
DEVICE_SALT = "xiaoneng.ratings.kiosk-device"
DEVICE_COOKIE = "xn_kiosk"
DEVICE_COOKIE_AGE = 5 * 365 * 86400
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clerk(by, roles=CLERK_ROLES):
    if by is None or not by.is_active or not by.has_any_role(*roles) or by.department_id is None:
        raise NotPermitted("只有本部门的窗口人员、承办人或负责人可以办理。")
    return by


def _text(value, *, field: str, label: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DomainError(f"{label}必须是文字。", field=field)
    value = _CONTROL.sub("", value).strip()
    if len(value) > limit:
        raise DomainError(f"{label}最多 {limit} 字（现为 {len(value)} 字）。", field=field)
    return value


_PHONE = re.compile(r"^\+?[\d\s\-()（）]{5,20}$")


def _phone(value) -> str:
    value = _text(value, field="applicant_phone", label="联系电话", limit=32)
    if value and not _PHONE.match(value):
        raise DomainError("联系电话只能包含数字、空格、短横线和括号（例如 138 1234 5678）。", field="applicant_phone")
    return value


def contact_number_next(year: int) -> str:
    prefix = f"CK{year}-"
    last = (WindowContact.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    n = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{n:06d}"


def item_for_clerk(by, code_or_pk) -> ServiceItem | None:
    """An item of the clerk's department (subtree), by code or id; None for blank; NotFound otherwise."""
    if code_or_pk in (None, ""):
        return None
    qs = ServiceItem.objects.filter(department_scope_q(by))
    key = str(code_or_pk).strip()
    item = qs.filter(code=key).first() or (qs.filter(pk=int(key)).first() if key.isdigit() and len(key) < 10 else None)
    if item is None:
        raise DomainError("所选事项不是本部门的事项。", field="service_item")
    return item


@transaction.atomic
def contact_record(*, by, kind: str, service_item: ServiceItem | None = None, applicant_name: str = "",
                   applicant_phone: str = "", note: str = "", window_name: str = "", now: dt.datetime) -> WindowContact:
    """Record one service at the window that needs no case (一次一评), numbered CK<year>-<serial>, for the
    clerk's own department; the item, when given, must be one of that department's."""
    _clerk(by)
    if kind not in ContactKind.values:
        raise DomainError("请选择服务类型。", field="kind")
    if service_item is not None and not ServiceItem.objects.filter(department_scope_q(by), pk=service_item.pk).exists():
        raise DomainError("所选事项不是本部门的事项。", field="service_item")
    values = {
        "department_id": by.department_id, "service_item": service_item, "kind": kind, "clerk": by,
        "window_name": _text(window_name, field="window_name", label="窗口", limit=60),
        "applicant_name": _text(applicant_name, field="applicant_name", label="服务对象", limit=100),
        "applicant_phone": _phone(applicant_phone),
        "note": _text(note, field="note", label="办理情况", limit=300), "served_at": now,
    }
    year = now.astimezone(get_calendar().tz).year
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return WindowContact.objects.create(number=contact_number_next(year), **values)
        except IntegrityError:  # another clerk took the number: take the next
            continue
    raise DomainError("服务编号分配冲突，请重试。", field="number")  # pragma: no cover


def contact_get_for(by, number: str) -> WindowContact:
    c = (WindowContact.objects.filter(department_scope_q(by), number=str(number)[:40])
         .select_related("service_item__current_version", "department").first())
    if c is None:
        raise NotFound()
    return c


def kiosk_get_for(by, pk) -> Kiosk:
    try:
        pk = int(str(pk).strip())
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < 2**31:  # a huge id is no row (and would overflow an integer column on PostgreSQL)
        raise NotFound()
    k = Kiosk.objects.filter(department_scope_q(by), pk=pk).select_related("department").first()
    if k is None:
        raise NotFound()
    return k


# --------------------------------------------------------------------------------------------- kiosks
def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def pairing_code(kiosk: Kiosk) -> str:
    """The one-time pairing code of the tablet as it stands: signed, naming the kiosk and its current device
    hash — pairing changes the hash, so a code works once (and for PAIRING_MINUTES)."""
    return signing.dumps({"k": kiosk.pk, "h": kiosk.token_hash[:16]}, salt=PAIRING_SALT, compress=True)


@transaction.atomic
def kiosk_create(*, by, name: str, now: dt.datetime) -> Kiosk:
    """A new counter tablet of the clerk's department, waiting to be paired (pairing_code)."""
    _clerk(by, KIOSK_ROLES)
    name = _text(name, field="name", label="窗口名称", limit=60)
    if not name:
        raise DomainError("请填写窗口名称（例如 3号窗口）。", field="name")
    return Kiosk.objects.create(department_id=by.department_id, name=name, token_hash=_hash(secrets.token_urlsafe(32)),
                                created_at=now, created_by=by)


@transaction.atomic
def kiosk_repair(*, by, kiosk: Kiosk, now: dt.datetime) -> Kiosk:
    """Unpair the tablet (a new device, a lost one) and reopen it: the old device's cookie no longer works."""
    _clerk(by, KIOSK_ROLES)
    kiosk = kiosk_get_for(by, kiosk.pk)
    kiosk.token_hash, kiosk.revoked_at, kiosk.last_seen_at = _hash(secrets.token_urlsafe(32)), None, None
    kiosk.prompt_case = kiosk.prompt_contact = kiosk.prompted_at = kiosk.prompted_by = None
    kiosk.save()
    return kiosk


@transaction.atomic
def kiosk_revoke(*, by, kiosk: Kiosk, now: dt.datetime) -> Kiosk:
    _clerk(by, KIOSK_ROLES)
    kiosk = kiosk_get_for(by, kiosk.pk)
    if kiosk.revoked_at is None:
        kiosk.revoked_at = now
        kiosk.prompt_case = kiosk.prompt_contact = kiosk.prompted_at = None
        kiosk.save()
    return kiosk


class PairingInvalid(DomainError):
    status = 410

    def __init__(self):
        super().__init__("配对链接无效、已使用或已过期，请在窗口服务页面重新生成配对链接。", code="pairing_invalid")


@transaction.atomic
def kiosk_pair(*, code: str, now: dt.datetime) -> tuple[Kiosk, str]:
    """Pair the device that opened the one-time pairing URL: a new device secret (returned, for its signed
    cookie), of which the kiosk keeps the hash."""
    try:
        data = signing.loads(code, salt=PAIRING_SALT, max_age=PAIRING_MINUTES * 60)
    except signing.BadSignature:
        raise PairingInvalid() from None
    kiosk = Kiosk.objects.select_for_update().filter(pk=data.get("k")).first()
    if kiosk is None or kiosk.revoked_at is not None or kiosk.token_hash[:16] != data.get("h") \
            or kiosk.last_seen_at is not None:
        raise PairingInvalid()
    secret = secrets.token_urlsafe(32)
    kiosk.token_hash, kiosk.last_seen_at = _hash(secret), now
    kiosk.save(update_fields=["token_hash", "last_seen_at"])
    return kiosk, secret


def kiosk_by_secret(secret: str | None) -> Kiosk | None:
    """The tablet of a device secret (revoked ones too: the page says so), or None."""
    if not secret or not isinstance(secret, str) or len(secret) > 100:
        return None
    return Kiosk.objects.filter(token_hash=_hash(secret)).select_related("department").first()


@transaction.atomic
def kiosk_push(*, by, kiosk: Kiosk, contact: WindowContact | None = None, case: Case | None = None,
               now: dt.datetime) -> Kiosk:
    """Put a contact (or an ended case) of the clerk's department on its tablet ("推送到评价器"); it replaces
    whatever prompt was there."""
    _clerk(by)
    kiosk = kiosk_get_for(by, kiosk.pk)
    if kiosk.revoked_at is not None:
        raise DomainError("该评价器已停用。", field="kiosk")
    if (contact is None) == (case is None):
        raise DomainError("请指定要评价的窗口服务或办件。", field="contact")
    scope = department_scope_q(by)
    if contact is not None:
        if not WindowContact.objects.filter(scope, pk=contact.pk).exists():
            raise NotFound()
        if Rating.objects.filter(contact_id=contact.pk).exists():
            raise DomainError("该窗口服务已评价。", field="contact")
    else:
        if not Case.objects.filter(scope, pk=case.pk).exists():
            raise NotFound()
        if case.status not in ENDED_STATUSES:
            raise DomainError("该办件尚未办结，办结后才能评价。", field="case_no")
        if Rating.objects.filter(case_id=case.pk).exists():
            raise DomainError("该办件已评价。", field="case_no")
    kiosk.prompt_contact, kiosk.prompt_case = contact, case
    kiosk.prompted_at, kiosk.prompted_by = now, by
    kiosk.save(update_fields=["prompt_contact", "prompt_case", "prompted_at", "prompted_by"])
    return kiosk


def kiosk_prompt(kiosk: Kiosk, *, now: dt.datetime):
    """What the tablet asks now: the pushed contact or case, or None (none pushed, lapsed, rated, revoked)."""
    if kiosk.revoked_at is not None or kiosk.prompted_at is None:
        return None
    if now - kiosk.prompted_at >= dt.timedelta(minutes=PROMPT_MINUTES) or now < kiosk.prompted_at - dt.timedelta(minutes=1):
        return None
    if kiosk.prompt_contact_id:
        c = WindowContact.objects.filter(pk=kiosk.prompt_contact_id, rating__isnull=True) \
            .select_related("service_item__current_version", "department").first()
        return c
    if kiosk.prompt_case_id:
        return Case.objects.filter(pk=kiosk.prompt_case_id, rating__isnull=True) \
            .select_related("department", "version", "service_item").first()
    return None


@transaction.atomic
def kiosk_rate(*, kiosk: Kiosk, level, reasons=(), comment: str = "", now: dt.datetime) -> Rating:
    """Record the applicant's rating of the tablet's current prompt (channel kiosk) and clear the prompt."""
    kiosk = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
    subject = kiosk_prompt(kiosk, now=now)
    if subject is None:
        raise DomainError("当前没有待评价的服务，请联系窗口工作人员。", field="kiosk", code="no_prompt")
    if isinstance(subject, WindowContact):
        rating = rating_record(contact=subject, level=level, reasons=reasons, comment=comment,
                               channel=Channel.KIOSK, now=now)
    else:
        rating = rating_record(case=subject, level=level, reasons=reasons, comment=comment, channel=Channel.KIOSK,
                               now=now)
    kiosk.prompt_contact = kiosk.prompt_case = kiosk.prompted_at = None
    kiosk.last_seen_at = now
    kiosk.save(update_fields=["prompt_contact", "prompt_case", "prompted_at", "last_seen_at"])
    return rating
