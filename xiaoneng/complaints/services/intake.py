"""Intake: a complaint from any channel (`complaint_submit`), its limits (blocked submitters, rate limits and
quotas by submitter) and idempotency keys; the tick's pruning of rate counters. (The content validator is
the app's own `complaints/intake.py`, `Intake`, imported here as `..intake`.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import math
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.core.government import mailbox_title
from xiaoneng.workdays.calendar import get_calendar

from ..conf import cfg, rate
from ..intake import Intake
from ..models import (
    STAFF_CHANNELS,
    BlockEntry,
    Channel,
    ComplainantIdentity,
    Complaint,
    ComplaintCategory,
    RateCounter,
    Status,
    TimelineEntry,
    channel_label,
)
from ..privacy import contact_key, scrub_identity
from ..uploads import CleanFile
from ._common import (
    OFFICE,
    _attach,
    _due,
    _log,
    _save,
    _speaking,
    complainant_language,
    number_allocate,
    number_text,
    tracking_code_new,
)


class RateLimited(DomainError):
    """A submission past its submitter's rate limit or quota (429). `retry_after`: seconds until the window
    in which it was counted ends (the Retry-After header of the API and Open311)."""

    status = 429

    def __init__(self, message: str, *, retry_after: int = 60):
        super().__init__(message, code="rate_limited")
        self.retry_after = max(int(retry_after), 1)


class IdempotencyConflict(DomainError):
    """An idempotency key its submitter already used for a complaint with other content (409). Nothing is
    created, and nothing about the first complaint is told."""

    status = 409

    def __init__(self):
        super().__init__(_("该 Idempotency-Key（提交标识）已用于一件内容不同的投诉，本次请求未登记。重试时请原样重发相同内容；"
                           "登记另一件投诉请使用新的 Idempotency-Key。"),
                         field="idempotency_key", code="idempotency_conflict")


class Blocked(DomainError):
    status = 403

    def __init__(self):
        super().__init__("该网络地址或联系方式因多次恶意提交已被限制投诉。如有疑问，请拨打效能投诉热线 96150。",
                         code="blocked")


# ----------------------------------------------------------------------------------------------- intake
def _rate_hit(key: str, period: int, now: dt.datetime) -> tuple[int, int]:
    """Count one hit on `key` in the fixed window of `period` seconds around `now`: (hits so far, seconds until
    the window ends)."""
    start_ts = int(now.timestamp()) // period * period
    start = dt.datetime.fromtimestamp(start_ts, tz=dt.UTC)
    rows = RateCounter.objects.filter(key=key, window_start=start)
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window_start=start, count=1)
        except IntegrityError:  # another process created the row first
            rows.update(count=F("count") + 1)
    return rows.values_list("count", flat=True).get(), math.ceil(start_ts + period - now.timestamp())


def _per(period: int) -> str:
    """A rate's period as a person says it: 每小时, 每 10 分钟."""
    for unit, label in ((86400, _("天")), (3600, _("小时")), (60, _("分钟")), (1, _("秒"))):
        if period % unit == 0:
            n = period // unit
            return _("每%(unit)s") % {"unit": label} if n == 1 else _("每 %(n)s %(unit)s") % {"n": n, "unit": label}
    return ""  # pragma: no cover (every period is a whole number of seconds)


def _wait(seconds: int) -> str:
    """A wait as a person says it, rounded up: 40 秒, 12 分钟, 2 小时 (a quota's window can be a day long)."""
    if seconds < 60:
        return _("%(n)s 秒") % {"n": seconds}
    if seconds < 3600:
        return _("%(n)s 分钟") % {"n": -(-seconds // 60)}
    return _("%(n)s 小时") % {"n": -(-seconds // 3600)}


def rate_check(*, ip: str | None = None, contact: str = "", client=None, by: Staff | None = None,
               now: dt.datetime) -> None:
    """Count this submission against its submitter's limit; RateLimited (429, with the seconds to wait) past it.

    Who submits decides what is counted. A department system's token (API, Open311) forwards many citizens'
    complaints — a 12345 hotline platform — from one address: it has its own quota, RATE_PER_TOKEN, and is
    held neither to the per-IP limit nor to the per-contact one (a repeat caller must not lose a complaint).
    A supervisor entering complaints counts against their account, RATE_PER_STAFF (a call centre's clerks
    share one address). Anonymous submissions count per IP address and per contact (RATE_PER_IP,
    RATE_PER_CONTACT): those limits are about abuse by people nobody can call to account."""
    if client is not None:
        checks = [(f"client:{client.pk}", "RATE_PER_TOKEN",
                   _("接口令牌“%(name)s”的投诉提交已超出其配额（%(per)s最多 %(limit)s 件），"
                     "本次未登记。请在 %(retry)s后重试；如确需更高配额，请联系平台管理员。"),
                   {"name": client.name})]
    elif by is not None:
        checks = [(f"staff:{by.pk}", "RATE_PER_STAFF",
                   _("您的账户登记投诉过于频繁（%(per)s最多 %(limit)s 件），本次未登记。"
                     "请在 %(retry)s后重试；如确有大量来件需要登记，请联系平台管理员调整配额。"), {})]
    else:
        urgent = _("情况紧急的，请拨打效能投诉热线 96150。")
        checks = [(ip and f"ip:{ip}", "RATE_PER_IP",
                   _("来自同一网络地址的投诉提交过于频繁（%(per)s最多 %(limit)s 件），请稍后再试。") + urgent, {}),
                  (contact and f"c:{contact}", "RATE_PER_CONTACT",
                   _("同一联系方式的投诉提交过于频繁（%(per)s最多 %(limit)s 件），请稍后再试。") + urgent, {})]
    for key, name, message, extra in checks:
        if not key:
            continue
        limit, period = rate(name)
        hits, retry = _rate_hit(key, period, now)
        if hits > limit:
            raise RateLimited(message % {"per": _per(period), "limit": limit, "retry": _wait(retry), **extra},
                              retry_after=retry)


def is_blocked(*, ip: str | None, contact: str, now: dt.datetime) -> bool:
    from django.db.models import Q

    q = Q()
    if ip:
        q |= Q(kind=BlockEntry.Kind.IP, value=ip)
    if contact:
        q |= Q(kind=BlockEntry.Kind.CONTACT, value=contact)
    if not q:
        return False
    return BlockEntry.objects.filter(q, removed_at=None).filter(Q(expires_at=None) | Q(expires_at__gt=now)).exists()


IDEMPOTENCY_KEY_MAX = 64
_IDEMPOTENCY_KEY = re.compile(rf"^[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX}}}$")  # visible ASCII: a UUID, an order id


def idempotency_scope(*, by: Staff | None = None, client=None, submitter: str | None = None) -> str | None:
    """Whose idempotency keys a submission's key is among: the department system's token, the staff member, or
    the public form's session (`submitter`, a random id the session holds). None for a submitter nobody can
    name: its key is not used, since a key shared by every anonymous request is a key to others' complaints."""
    if client is not None:
        return f"client:{client.pk}"
    if by is not None:
        return f"staff:{by.pk}"
    if submitter:
        return f"web:{submitter}"[:48]
    return None


def submission_hash(*, intake: Intake, channel: str, files=(), urgent: bool = False,
                    language: str | None = None) -> str:
    """A keyed hash of what a submission asks for: its checked content (so "139 1234 5678" and "13912345678"
    are the same request), channel, urgency, the language given and the attachments' digests. Kept with the
    idempotency key, it tells a retry (same hash) from another request reusing the key. Keyed with the
    server's secret: the content holds the complainant's contacts, which a plain hash would let anyone
    confirm by guessing."""
    content = {}
    for f in dataclasses.fields(Intake):
        value = getattr(intake, f.name)
        content[f.name] = (value.code if isinstance(value, ComplaintCategory | Department)
                           else value.isoformat() if isinstance(value, dt.date) else value)
    content.update(channel=str(channel), urgent=bool(urgent), language=language or "",
                   files=[f.sha256 for f in files])
    payload = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(settings.SECRET_KEY.encode(), f"submission:{payload}".encode(), hashlib.sha256).hexdigest()


def _replayed(existing: Complaint, digest: str) -> Complaint:
    """The submitter's own earlier complaint for a repeated key, if the request is the same; else 409."""
    if not existing.request_hash or not hmac.compare_digest(existing.request_hash, digest):
        raise IdempotencyConflict()
    existing.idempotent_replay = True
    return existing


def complaint_submit(
    *,
    intake: Intake,
    channel: str,
    now: dt.datetime,
    files: list[CleanFile] = (),
    by: Staff | None = None,
    client=None,
    ip: str | None = None,
    idempotency_key: str | None = None,
    submitter: str | None = None,
    urgent: bool = False,
    language: str | None = None,
) -> Complaint:
    """Register a complaint from any channel: number, unguessable tracking code, identity kept apart,
    attachments (already checked by uploads.clean_uploads), acceptance clock started.

    The complainant's language (`Complaint.language`, the language of every notice they will get) is
    `language` when the caller knows it — a staff member entering the complaint on the citizen's behalf
    (hotline, letter, visit …) asks them; one of the codes of settings.LANGUAGES, anything else is a
    DomainError on "language" and nothing is created. Without it: the active language of the submitting
    request (public form, API client, Open311), or the platform's for a staff entry.

    Limits first: blocked submitters are refused (403) and every submission, a repeated one included, is
    counted against its submitter's limit (rate_check: a token's quota, a staff account's, or per IP and
    contact; 429). Then the `idempotency_key` (API `Idempotency-Key`, a form's submission token) is looked up
    among its submitter's own keys only (idempotency_scope: the token, the staff member, or the public form's
    session named by `submitter`; an anonymous key without a `submitter` is not used). The same key with the
    same request (submission_hash) returns the submitter's first complaint, marked `idempotent_replay`, and
    creates nothing; the same key with other content is IdempotencyConflict (409) and creates nothing.
    Another submitter's key never meets this one, so no request gets a complaint — or its tracking code — that
    it did not submit."""
    if idempotency_key is not None:
        idempotency_key = str(idempotency_key).strip()
        if not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise DomainError(_("Idempotency-Key（提交标识）应为 1 至 %(n)s 个可见 ASCII 字符，例如一个 UUID。")
                              % {"n": IDEMPOTENCY_KEY_MAX}, field="idempotency_key", code="bad_idempotency_key")
    if channel not in Channel.values:
        raise DomainError("来源渠道无效。", field="channel")
    if by is not None and channel not in STAFF_CHANNELS:
        raise DomainError(f"工作人员登记时请选择来源渠道（热线、来信、来访、{mailbox_title()}、媒体、明查暗访）。",
                          field="channel")
    if by is not None and not by.has_role(R.SUPERVISOR):
        raise NotPermitted("只有效能办监察员可以登记投诉。")
    if language is not None:
        language = _language_checked(language)
    key = contact_key(phone=intake.phone, email=intake.email)
    # A department system's address is not the citizen's: its submissions are checked by contact only.
    if by is None and is_blocked(ip=ip if client is None else None, contact=key, now=now):
        raise Blocked()
    scope = idempotency_scope(by=by, client=client, submitter=submitter)
    if scope is None:
        idempotency_key = None
    digest = (submission_hash(intake=intake, channel=channel, files=files, urgent=urgent, language=language)
              if idempotency_key else "")
    try:
        with transaction.atomic():
            rate_check(ip=ip, contact=key, client=client, by=by, now=now)
            if idempotency_key:
                existing = Complaint.objects.filter(idempotency_scope=scope, idempotency_key=idempotency_key).first()
                if existing is not None:
                    return _replayed(existing, digest)
            c = _create(intake=intake, channel=channel, now=now, files=files, by=by, client=client, ip=ip,
                        key=key, idempotency_key=idempotency_key, scope=scope, digest=digest, urgent=urgent,
                        language=language)
    except IntegrityError:
        if idempotency_key:  # the same submitter's same key raced us in another process
            existing = Complaint.objects.filter(idempotency_scope=scope, idempotency_key=idempotency_key).first()
            if existing is not None:
                return _replayed(existing, digest)
        raise
    c.idempotent_replay = False
    return c


def _language_checked(code) -> str:
    """A complainant's language given explicitly (staff entry, staff API session): exactly one of the codes of
    settings.LANGUAGES. Unlike complainant_language(), nothing is guessed: a code the clerk or the calling
    system got wrong must not silently become Chinese notices to someone who cannot read them."""
    if not isinstance(code, str) or code not in {c for c, _label in settings.LANGUAGES}:
        choices = "、".join(f"{c}（{label}）" for c, label in settings.LANGUAGES)
        raise DomainError(_("投诉人使用的语言无效：%(value)s。可选：%(choices)s。")
                          % {"value": str(code)[:20], "choices": choices}, field="language")
    return code


def _create(*, intake, channel, now, files, by, client, ip, key, idempotency_key, scope, digest, urgent,
            language) -> Complaint:
    from django.apps import apps

    year = now.astimezone(get_calendar().tz).year
    n = number_allocate(year)
    contacts = [intake.phone, intake.email, intake.address, intake.id_no]
    case = None
    if intake.case_no:
        Case = apps.get_model("cases", "Case")
        case = Case.objects.filter(case_no=intake.case_no).first()
    c = Complaint(
        number=number_text(year, n), tracking_code=tracking_code_new(), idempotency_key=idempotency_key or None,
        idempotency_scope=(scope or "") if idempotency_key else "", request_hash=digest,
        channel=channel, category=intake.category, department=intake.department, window_text=intake.window,
        staff_text=intake.staff_name, case_no_text=intake.case_no, case=case, occurred_on=intake.occurred_on,
        facts=intake.facts, request=intake.request, litigation=intake.litigation, media_url=intake.media_url,
        facts_redacted=scrub_identity(intake.facts, names=[intake.name], contacts=contacts),
        request_redacted=scrub_identity(intake.request, names=[intake.name], contacts=contacts),
        identity_mode=intake.identity_mode, urgent=bool(urgent), status=Status.RECEIVED, received_at=now,
        acceptance_due_at=_due(now, cfg("ACCEPT_LIMIT_WD")), created_by=by, client=client, contact_key=key,
        language=language or (settings.LANGUAGE_CODE if by is not None else complainant_language()), updated_at=now,
    )
    _save(c, now)
    ComplainantIdentity.objects.create(
        complaint=c, name=intake.name, phone=intake.phone, email=intake.email, address=intake.address,
        id_no=intake.id_no, submitted_ip=ip if by is None else None,
    )
    for f in files:
        _attach(c, f, now=now, by=by)
    via = channel_label(channel)
    with _speaking(c):
        public = (_("您的投诉已登记（%(via)s），编号 %(number)s。效能办将在 %(wd)s 个工作日内作出是否受理的决定。")
                  % {"via": via, "number": c.number, "wd": cfg("ACCEPT_LIMIT_WD")})
    _log(c, TimelineEntry.Kind.RECEIVED, now=now, by=by, label=OFFICE if by else "投诉人",
         detail=f"来源：{via}", public_text=public)
    return c


def rate_counters_prune(*, now: dt.datetime) -> int:
    """Delete rate-limit counters older than two days (they only matter within their window)."""
    return RateCounter.objects.filter(window_start__lt=now - dt.timedelta(days=2)).delete()[0]
