"""Writes on complaints. Each service is atomic, takes keyword arguments, the actor `by` and the clock `now`,
checks who may do it and in which status, changes the complaint, records a timeline entry (with the written
notice to the complainant where the rules require one) and re-evaluates the complaint's clock.

The clocks (working days from the platform calendar, configurable in conf.py):
acceptance decision within ACCEPT_LIMIT_WD of receipt; handling within the dispatch limit (HANDLING_LIMIT_WD,
URGENT_LIMIT_WD) from dispatch, stopped while paused, moved by approved extensions; reply within
REPLY_LIMIT_WD of the department's result. The supervision engine watches them (its rules raise reminder /
yellow / red cards, supervision/complaint_watch.py) and calls `complaints_clock_checked` and
`complaints_follow_up_expire` from its tick.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import math
import re
import secrets
from difflib import SequenceMatcher

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.core.government import mailbox_title
from xiaoneng.core.sms import sms_backend
from xiaoneng.workdays.calendar import get_calendar

from . import hooks
from .conf import cfg, rate
from .intake import Intake
from .models import (
    OPEN_STATUSES,
    RATED_LEVELS,
    STAFF_CHANNELS,
    UNSATISFIED_LEVELS,
    Attachment,
    BlockEntry,
    Channel,
    ComplainantIdentity,
    ComplainantMessage,
    Complaint,
    ComplaintCategory,
    ComplaintNumberSeries,
    Dispatch,
    Extension,
    Flag,
    IdentityAccess,
    IdentityMode,
    Note,
    Outcome,
    Pause,
    RateCounter,
    Rating,
    RefusalReason,
    Reply,
    Stage,
    Status,
    TimelineEntry,
    channel_label,
)
from .privacy import contact_key, mask_personal_data, public_reply_text, scrub_identity
from .uploads import CleanFile

log = logging.getLogger(__name__)

OFFICE = "效能办"
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone without mistakes
CODE_LENGTH = 16  # 32^16 = 2^80 codes: unguessable, and a wrong guess is rate-limited like a submission


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


# ----------------------------------------------------------------------------------------------- helpers
def tracking_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def tracking_code_normalise(raw: str) -> str:
    """What a person types ("abcd-efgh ijkl…") as the stored code."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:32]


def tracking_code_display(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def complainant_language(code: str | None = None) -> str:
    """`code` (by default the active language) as one of settings.LANGUAGES, or settings.LANGUAGE_CODE when
    it is none of them: "en-us" is "en", "zh-cn" is "zh-hans", "fr" is the platform's language."""
    try:
        return translation.get_supported_language_variant(code or translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def _speaking(c: Complaint):
    """Translate what the complainant reads into their language (Complaint.language), not the language of the
    staff member or API client whose request acts on the complaint. Staff-facing texts stay outside it."""
    return translation.override(c.language or settings.LANGUAGE_CODE)


def _day(at: dt.datetime) -> str:
    """A date as notices print it, in the platform's time zone (not the server's UTC)."""
    return at.astimezone(get_calendar().tz).strftime(_("%Y年%m月%d日"))


def _due(start: dt.datetime, wd: int) -> dt.datetime:
    """The close of the wd-th working day of a clock started at `start` — at the next working day's opening
    when `start` is after the close or on a day off (DOMAIN.md §4; WorkCalendar.deadline)."""
    return get_calendar().deadline(start, wd, "wd").at


def _shift(due: dt.datetime | None, wd: int) -> dt.datetime | None:
    """A due date moved on by wd working days (a pause, an extension): counted from the due date's own day,
    which is a close of office hours and so still belongs to that day."""
    if due is None or wd <= 0:
        return due
    return get_calendar().deadline(due, wd, "wd").at


def number_allocate(year: int, count: int = 1) -> int:
    """Reserve `count` consecutive numbers of `year`; returns the first. Row-locked, so two processes never
    hand out the same number."""
    for _attempt in range(3):
        series = ComplaintNumberSeries.objects.select_for_update().filter(year=year).first()
        if series is None:
            try:
                with transaction.atomic():
                    ComplaintNumberSeries.objects.create(year=year, last_number=0)
            except IntegrityError:
                pass
            continue
        first = series.last_number + 1
        ComplaintNumberSeries.objects.filter(pk=series.pk).update(last_number=F("last_number") + count)
        return first
    raise DomainError("投诉编号分配失败，请重试。", code="number_busy")  # pragma: no cover


def number_text(year: int, n: int) -> str:
    return f"TS{year}-{n:06d}"


def _log(c: Complaint, kind: str, *, now, by=None, label: str = "", detail: str = "", public_text: str = ""):
    return TimelineEntry.objects.create(
        complaint=c, kind=kind, at=now, actor=by, actor_label=label or _label(by), detail=detail,
        public=bool(public_text), public_text=public_text,
    )


def _label(by) -> str:
    if by is None:
        return "投诉人"
    if by.has_role(R.SUPERVISOR):
        return OFFICE
    return by.department.name if by.department_id else by.display_name


def _lock(c: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().select_related("department", "category").get(pk=c.pk)


def _require_office(by: Staff) -> None:
    if by is None or not by.has_role(R.SUPERVISOR):
        raise NotPermitted("只有效能办监察员可以执行此操作。")


def _require_status(c: Complaint, *allowed: str, action: str) -> None:
    if c.status not in allowed:
        raise DomainError(f"投诉当前状态为“{c.get_status_display()}”，不能{action}。", code="bad_status")


def _text(value: str, field: str, label: str, *, min_len: int = 2, max_len: int = 5000) -> str:
    value = (value or "").strip()
    if len(value) < min_len:
        raise DomainError(f"请填写{label}。", field=field)
    if len(value) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 个字。", field=field)
    return value


# ----------------------------------------------------------------------------------------------- clocks
def _stage_of(c: Complaint) -> tuple[str, dt.datetime | None]:
    if c.status == Status.RECEIVED:
        return Stage.ACCEPT, c.acceptance_due_at
    if c.status in (Status.ACCEPTED, Status.DISPATCHED):
        return Stage.HANDLE, c.handling_due_at
    if c.status in (Status.RESULT, Status.REPLY_REVIEW):
        return Stage.REPLY, c.reply_due_at
    return "", None


def _evaluate(c: Complaint, now: dt.datetime) -> None:
    """Set the complaint's current clock (stage and due date), reset its flag when the clock changed, and
    the next moment the supervision tick must look at it (no save). The thresholds are the supervision
    engine's rules, so the moment comes from its provider (hooks.next_check_provider); the flag and the
    cards are raised by that tick (supervision/complaint_watch.py)."""
    stage, due = _stage_of(c)
    if stage != c.due_stage or due != c.due_at:
        c.flag = Flag.NONE  # a new clock (or a moved due date) starts clean
    c.due_stage, c.due_at = stage, due
    if c.status == Status.PAUSED:
        c.is_open, c.next_check_at = True, None  # the clock stands still: nothing can become due
        return
    if c.status == Status.REPLIED:
        c.is_open, c.next_check_at = True, c.follow_up_due_at
        return
    if not stage or due is None:
        c.is_open, c.next_check_at = c.status in OPEN_STATUSES, None
        return
    c.is_open = True
    c.next_check_at = hooks.next_check(c, now)


def _save(c: Complaint, now: dt.datetime) -> Complaint:
    _evaluate(c, now)
    c.updated_at = now
    c.save()
    return c


def complaints_clock_checked(*, checks: list[tuple[int, str, str, dt.datetime | None]], now: dt.datetime) -> int:
    """Write back what the supervision tick found on complaint clocks: for each (complaint id, flag before,
    flag now, next check) the flag and the next check; a raised flag is also an internal timeline entry.
    Called inside the tick's transaction, on rows it has locked. Returns how many flags were raised."""
    order = {Flag.NONE: 0, Flag.REMINDER: 1, Flag.YELLOW: 2, Flag.RED: 3}
    raised = []
    for pk, before, flag, next_at in checks:
        Complaint.objects.filter(pk=pk).update(flag=flag, next_check_at=next_at)
        if order.get(flag, 0) > order.get(before or Flag.NONE, 0):
            raised.append((pk, flag))
    if raised:
        info = dict(Complaint.objects.filter(pk__in=[pk for pk, _f in raised]).values_list("pk", "due_stage"))
        dues = dict(Complaint.objects.filter(pk__in=[pk for pk, _f in raised]).values_list("pk", "due_at"))
        TimelineEntry.objects.bulk_create([
            TimelineEntry(complaint_id=pk, kind=TimelineEntry.Kind.FLAG, at=now, actor_label="系统",
                          detail=f"{Stage(info[pk]).label if info.get(pk) else ''}{Flag(flag).label}"
                                 f"（期限 {_day(dues[pk]) if dues.get(pk) else '—'}）")
            for pk, flag in raised
        ])
    return len(raised)


@transaction.atomic
def complaints_follow_up_expire(*, ids: list[int], now: dt.datetime) -> int:
    """Close the replied complaints among `ids` whose follow-up period has run out without a rating: the
    complaint closes with rating "none" (未评价). The supervision tick calls this for the complaints it
    selected; it is safe to call twice (only REPLIED complaints past their follow-up date change)."""
    n = 0
    qs = Complaint.objects.select_for_update().filter(pk__in=ids, status=Status.REPLIED, follow_up_due_at__lte=now)
    for c in qs:
        c.status, c.rating, c.closed_at, c.follow_up_token_hash = Status.CLOSED, Rating.NONE, now, ""
        with _speaking(c):
            public = _("回访期满未收到评价，本投诉按未评价办结。")
        _log(c, TimelineEntry.Kind.FOLLOW_UP_EXPIRED, now=now, label="系统", public_text=public)
        _save(c, now)
        n += 1
    return n


def rate_counters_prune(*, now: dt.datetime) -> int:
    """Delete rate-limit counters older than two days (they only matter within their window)."""
    return RateCounter.objects.filter(window_start__lt=now - dt.timedelta(days=2)).delete()[0]


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


def _attach(c: Complaint, f: CleanFile, *, now, by=None, note=None, shared=False) -> Attachment:
    a = Attachment(complaint=c, note=note, original_name=f.name, content_type=f.content_type, size=len(f.content),
                   sha256=f.sha256, uploaded_at=now, uploaded_by=by, shared_with_department=shared)
    a.file.save(f"{secrets.token_hex(16)}.{f.ext}", ContentFile(f.content), save=False)
    a.save()
    return a


# ----------------------------------------------------------------------------------------------- acceptance
@transaction.atomic
def complaint_accept(*, complaint: Complaint, by: Staff, now: dt.datetime, notice: str = "") -> Complaint:
    """Accept the complaint (受理): the office takes it on, `by` becomes its office handler, the complainant is
    told in writing, and the handling clock starts."""
    _require_office(by)
    c = _lock(complaint)
    _require_status(c, Status.RECEIVED, action="受理")
    c.status, c.decided_at, c.accepted_at = Status.ACCEPTED, now, now
    c.office_handler = c.office_handler or by
    c.handling_due_at = _due(now, cfg("URGENT_LIMIT_WD") if c.urgent else cfg("HANDLING_LIMIT_WD"))
    with _speaking(c):
        text = (notice or "").strip()[:2000] or (
            _("您反映的问题属于效能投诉受理范围，效能办已于 %(day)s 决定受理，将转交有关单位调查处理，处理结果将及时答复您。")
            % {"day": _day(now)})
        entry = _log(c, TimelineEntry.Kind.ACCEPTED, now=now, by=by,
                     public_text=_("受理告知：%(text)s") % {"text": text})
        _message_complainant(c, entry, now=now, what=_("受理告知"))
    return _save(c, now)


@transaction.atomic
def complaint_refuse(*, complaint: Complaint, by: Staff, now: dt.datetime, reason: str, text: str) -> Complaint:
    """Refuse the complaint (不予受理) with a reason from the list and a written explanation."""
    _require_office(by)
    c = _lock(complaint)
    _require_status(c, Status.RECEIVED, action="作出不予受理决定")
    if reason not in RefusalReason.values:
        raise DomainError("请选择不予受理的理由。", field="reason")
    text = _text(text, "text", "不予受理的具体说明", min_len=5, max_len=2000)
    c.status, c.decided_at, c.closed_at = Status.REFUSED, now, now
    c.refusal_reason, c.decision_text = reason, text
    c.office_handler = c.office_handler or by
    label = RefusalReason(reason).label
    with _speaking(c):
        entry = _log(c, TimelineEntry.Kind.REFUSED, now=now, by=by,
                     public_text=_("不予受理告知：经审查，您的投诉%(reason)s，决定不予受理。%(text)s")
                     % {"reason": label, "text": text})
        _message_complainant(c, entry, now=now, what=_("不予受理告知"))
    return _save(c, now)


@transaction.atomic
def complaint_transfer(*, complaint: Complaint, by: Staff, now: dt.datetime, authority: str, text: str) -> Complaint:
    """Hand the complaint to another authority (移送), e.g. the discipline commission or a court, with a notice."""
    _require_office(by)
    c = _lock(complaint)
    _require_status(c, Status.RECEIVED, Status.ACCEPTED, action="移送")
    authority = _text(authority, "authority", "移送机关", max_len=100)
    text = _text(text, "text", "移送说明", min_len=5, max_len=2000)
    c.status, c.decided_at, c.closed_at = Status.TRANSFERRED, c.decided_at or now, now
    c.transfer_to, c.decision_text = authority, text
    c.office_handler = c.office_handler or by
    with _speaking(c):
        entry = _log(c, TimelineEntry.Kind.TRANSFERRED, now=now, by=by,
                     public_text=_("移送告知：您反映的问题依法应由%(authority)s处理，效能办已于 %(day)s 移送。%(text)s")
                     % {"authority": authority, "day": _day(now), "text": text})
        _message_complainant(c, entry, now=now, what=_("移送告知"))
    return _save(c, now)


# ----------------------------------------------------------------------------------------------- dispatch
@transaction.atomic
def complaint_dispatch(
    *,
    complaint: Complaint,
    by: Staff,
    now: dt.datetime,
    departments: list[Department],
    lead: Department | None = None,
    limit_wd: int | None = None,
    urgent: bool | None = None,
    instructions: str = "",
) -> list[Dispatch]:
    """Dispatch (转办/交办) the complaint to one or several departments with a handling limit; the lead's
    limit is the complaint's handling clock. Each department may dispute within DISPUTE_LIMIT_WD."""
    _require_office(by)
    c = _lock(complaint)
    _require_status(c, Status.ACCEPTED, action="转办")
    departments = list(dict.fromkeys(d for d in departments if d is not None))
    if not departments:
        raise DomainError("请至少选择一个承办单位。", field="departments")
    if len(departments) > 10:
        raise DomainError("承办单位最多 10 个。", field="departments")
    lead = lead or departments[0]
    if lead not in departments:
        raise DomainError("主办单位必须是承办单位之一。", field="lead")
    if urgent is not None:
        c.urgent = urgent
    default = cfg("URGENT_LIMIT_WD") if c.urgent else cfg("HANDLING_LIMIT_WD")
    limit = default if limit_wd is None else limit_wd
    if not isinstance(limit, int) or not 1 <= limit <= 60:
        raise DomainError("办理时限应为 1 至 60 个工作日。", field="limit_wd")
    due = _due(now, limit)
    dispute_due = _due(now, cfg("DISPUTE_LIMIT_WD"))
    rnd = c.reopen_count + 1
    rows = [Dispatch(complaint=c, department=d, is_lead=(d == lead), instructions=instructions.strip()[:2000],
                     limit_wd=limit, dispatched_at=now, dispatched_by=by, due_at=due, dispute_due_at=dispute_due,
                     round=rnd) for d in departments]
    Dispatch.objects.bulk_create(rows)
    c.status, c.dispatched_at, c.handling_due_at = Status.DISPATCHED, now, due
    names = "、".join(d.name for d in departments)
    with _speaking(c):
        public = _("效能办已将您的投诉转交%(names)s调查处理，办理期限至 %(day)s。") % {"names": names, "day": _day(due)}
    _log(c, TimelineEntry.Kind.DISPATCHED, now=now, by=by,
         detail=f"主办：{lead.name}；时限 {limit} 个工作日（{_day(due)}）。{instructions.strip()[:500]}",
         public_text=public)
    _save(c, now)
    return list(Dispatch.objects.filter(complaint=c, round=rnd, dispatched_at=now))


def _dispatch_for(dispatch: Dispatch, by: Staff) -> Dispatch:
    """The dispatch, locked, if `by` is staff (handler or head) of its department or above it."""
    d = Dispatch.objects.select_for_update().select_related("department", "complaint").get(pk=dispatch.pk)
    if by is None or not by.has_any_role(R.HANDLER, R.HEAD) or by.department_id is None \
            or not d.department.path.startswith(by.department.path):
        raise NotPermitted("只有承办单位的工作人员可以办理本件。")
    return d


@transaction.atomic
def dispatch_dispute(*, dispatch: Dispatch, by: Staff, now: dt.datetime, reason: str) -> Dispatch:
    """A department disputes the dispatch (not its responsibility) within the dispute limit; the office decides."""
    d = _dispatch_for(dispatch, by)
    if d.state != Dispatch.State.ACTIVE or d.result_at:
        raise DomainError("该转办已不能提出异议。", code="bad_status")
    if now > d.dispute_due_at:
        raise DomainError(f"异议期限（{cfg('DISPUTE_LIMIT_WD')} 个工作日）已过，不能再提出异议。", code="too_late")
    reason = _text(reason, "reason", "异议理由", min_len=5, max_len=2000)
    d.state, d.dispute_reason, d.disputed_at = Dispatch.State.DISPUTED, reason, now
    d.save()
    _log(d.complaint, TimelineEntry.Kind.DISPUTED, now=now, by=by, detail=f"{d.department.name}：{reason}")
    return d


@transaction.atomic
def dispatch_dispute_decide(*, dispatch: Dispatch, by: Staff, now: dt.datetime, uphold: bool, text: str,
                            redirect_to: Department | None = None) -> Dispatch:
    """The office decides a dispute: uphold it (the dispatch is withdrawn, optionally re-dispatched to
    `redirect_to`) or reject it (the department keeps the complaint, its clock unchanged)."""
    _require_office(by)
    d = Dispatch.objects.select_for_update().select_related("department").get(pk=dispatch.pk)
    if d.state != Dispatch.State.DISPUTED:
        raise DomainError("该转办没有待处理的异议。", code="bad_status")
    text = _text(text, "text", "异议处理意见", max_len=2000)
    c = _lock(d.complaint)
    d.dispute_decision = text
    if not uphold:
        d.state = Dispatch.State.ACTIVE
        d.save()
        _log(c, TimelineEntry.Kind.DISPUTE_DECIDED, now=now, by=by, detail=f"异议不成立，{d.department.name}继续办理：{text}")
        return d
    d.state = Dispatch.State.WITHDRAWN
    d.save()
    _log(c, TimelineEntry.Kind.DISPUTE_DECIDED, now=now, by=by, detail=f"异议成立，撤回对{d.department.name}的转办：{text}")
    others = c.dispatches.filter(state__in=(Dispatch.State.ACTIVE, Dispatch.State.DISPUTED), round=d.round)
    if redirect_to is not None:
        c.status = Status.ACCEPTED
        c.save(update_fields=["status"])
        complaint_dispatch(complaint=c, by=by, now=now, departments=[redirect_to], limit_wd=d.limit_wd,
                           instructions=f"原承办单位异议成立后改派。{text}")
    elif d.is_lead and others.exists():
        new_lead = others.first()
        Dispatch.objects.filter(pk=new_lead.pk).update(is_lead=True)
        c.handling_due_at = new_lead.due_at
        _save(c, now)
    elif not others.exists():
        c.status = Status.ACCEPTED  # back to the office to dispatch elsewhere
        _save(c, now)
    return d


# ----------------------------------------------------------------------------------------------- handling
def _require_handler_or_office(c: Complaint, by: Staff) -> Department | None:
    """The office, or staff of a department the complaint is actively dispatched to. Returns that department."""
    if by is not None and by.has_role(R.SUPERVISOR):
        return None
    if by is None or not by.has_any_role(R.HANDLER, R.HEAD) or by.department_id is None:
        raise NotPermitted()
    d = c.dispatches.filter(state=Dispatch.State.ACTIVE, department__path__startswith=by.department.path).first()
    if d is None:
        raise NotPermitted("本件未转交您的单位办理。")
    return d.department


@transaction.atomic
def complaint_note_add(*, complaint: Complaint, by: Staff, now: dt.datetime, text: str,
                       files: list[CleanFile] = ()) -> Note:
    """Record an investigation note (调查记录) with evidence files. Internal: never shown to the complainant."""
    c = _lock(complaint)
    dept = _require_handler_or_office(c, by)
    if c.status in (Status.CLOSED, Status.REFUSED, Status.TRANSFERRED, Status.WITHDRAWN, Status.MERGED):
        raise DomainError("投诉已终结，不能再添加调查记录。", code="bad_status")
    note = Note.objects.create(complaint=c, author=by, department=dept, text=_text(text, "text", "调查记录"), at=now)
    for f in files:
        _attach(c, f, now=now, by=by, note=note, shared=True)
    _log(c, TimelineEntry.Kind.NOTE, now=now, by=by, detail=note.text[:300])
    c.updated_at = now
    c.save(update_fields=["updated_at"])
    return note


@transaction.atomic
def complaint_pause(*, complaint: Complaint, by: Staff, now: dt.datetime, reason: str) -> Complaint:
    """Pause the complaint (中止): its clock stops until it is resumed, e.g. while the complainant cannot be
    reached or another procedure must finish first."""
    _require_office(by)
    c = _lock(complaint)
    _require_status(c, Status.RECEIVED, Status.ACCEPTED, Status.DISPATCHED, Status.RESULT, Status.REPLY_REVIEW,
                    action="中止")
    reason = _text(reason, "reason", "中止理由", max_len=1000)
    Pause.objects.create(complaint=c, reason=reason, started_at=now, by=by)
    c.paused_from_status, c.status, c.paused_at = c.status, Status.PAUSED, now
    with _speaking(c):
        public = (_("中止告知：因%(reason)s，本投诉自 %(day)s 中止办理，中止期间不计入办理期限。")
                  % {"reason": reason, "day": _day(now)})
    _log(c, TimelineEntry.Kind.PAUSED, now=now, by=by, detail=reason, public_text=public)
    return _save(c, now)


@transaction.atomic
def complaint_resume(*, complaint: Complaint, by: Staff, now: dt.datetime) -> Complaint:
    """Resume a paused complaint: every running due date moves by the working days it stood still."""
    _require_office(by)
    c = _lock(complaint)
    _require_status(c, Status.PAUSED, action="恢复")
    cal = get_calendar()
    days = cal.working_days_between(c.paused_at.astimezone(cal.tz).date(), now.astimezone(cal.tz).date()).working_days
    Pause.objects.filter(complaint=c, ended_at=None).update(ended_at=now, working_days=days)
    c.status, c.paused_at = c.paused_from_status or Status.ACCEPTED, None
    c.paused_working_days += days
    if c.status == Status.RECEIVED:
        c.acceptance_due_at = _shift(c.acceptance_due_at, days)
    elif c.status in (Status.ACCEPTED, Status.DISPATCHED):
        c.handling_due_at = _shift(c.handling_due_at, days)
        for d in c.dispatches.filter(state__in=(Dispatch.State.ACTIVE, Dispatch.State.DISPUTED)):
            d.due_at = _shift(d.due_at, days)
            d.save(update_fields=["due_at"])
    else:
        c.reply_due_at = _shift(c.reply_due_at, days)
    with _speaking(c):
        public = _("本投诉已于 %(day)s 恢复办理（中止 %(days)s 个工作日，不计入期限）。") % {"day": _day(now), "days": days}
    _log(c, TimelineEntry.Kind.RESUMED, now=now, by=by, detail=f"中止 {days} 个工作日", public_text=public)
    return _save(c, now)


@transaction.atomic
def complaint_withdraw(*, complaint: Complaint, by: Staff | None, now: dt.datetime, reason: str) -> Complaint:
    """Close the complaint without a result (撤销), e.g. at the complainant's request, with the reason. `by`
    is an office supervisor, or None when the complainant withdraws with the tracking code."""
    if by is not None:
        _require_office(by)
    c = _lock(complaint)
    _require_status(c, *OPEN_STATUSES, action="撤销")
    reason = _text(reason, "reason", "撤销理由", max_len=1000)
    c.status, c.closed_at, c.withdraw_reason, c.paused_at = Status.WITHDRAWN, now, reason, None
    Pause.objects.filter(complaint=c, ended_at=None).update(ended_at=now)
    c.dispatches.filter(state__in=(Dispatch.State.ACTIVE, Dispatch.State.DISPUTED)).update(
        state=Dispatch.State.WITHDRAWN)
    with _speaking(c):
        public = _("撤销告知：本投诉已于 %(day)s 撤销。理由：%(reason)s") % {"day": _day(now), "reason": reason}
    _log(c, TimelineEntry.Kind.WITHDRAWN, now=now, by=by, detail=reason, public_text=public)
    return _save(c, now)


@transaction.atomic
def extension_request(*, dispatch: Dispatch, by: Staff, now: dt.datetime, days: int, reason: str) -> Extension:
    """A department asks for more time on its dispatch; the office approves or refuses (extension_decide)."""
    d = _dispatch_for(dispatch, by)
    if d.state != Dispatch.State.ACTIVE or d.result_at:
        raise DomainError("该转办不在办理中，不能申请延期。", code="bad_status")
    if not isinstance(days, int) or not 1 <= days <= cfg("MAX_EXTENSION_WD"):
        raise DomainError(f"延期应为 1 至 {cfg('MAX_EXTENSION_WD')} 个工作日。", field="days")
    if d.extensions.filter(approved=None).exists():
        raise DomainError("已有待审批的延期申请。", code="pending")
    ext = Extension.objects.create(complaint=d.complaint, dispatch=d, days=days, requested_at=now, requested_by=by,
                                   reason=_text(reason, "reason", "延期理由", min_len=5, max_len=1000))
    _log(d.complaint, TimelineEntry.Kind.EXTENSION_REQUESTED, now=now, by=by, detail=f"{days} 个工作日：{ext.reason}")
    return ext


@transaction.atomic
def extension_decide(*, extension: Extension, by: Staff, now: dt.datetime, approve: bool, comment: str = "") -> Extension:
    """The office approves (the dispatch's due date, and the complaint's if it is the lead, move by the days)
    or refuses an extension."""
    _require_office(by)
    ext = Extension.objects.select_for_update().get(pk=extension.pk)
    if ext.approved is not None:
        raise DomainError("该延期申请已审批。", code="bad_status")
    ext.approved, ext.decided_at, ext.decided_by, ext.comment = bool(approve), now, by, (comment or "").strip()[:1000]
    ext.save()
    c = _lock(ext.complaint)
    d = ext.dispatch
    if approve:
        d.due_at = _shift(d.due_at, ext.days)
        d.save(update_fields=["due_at"])
        if d.is_lead:
            c.handling_due_at = d.due_at
            c.extension_working_days += ext.days
        public = ""
        if d.is_lead:
            with _speaking(c):
                public = _("经批准，办理期限延长 %(days)s 个工作日，至 %(day)s。") % {"days": ext.days,
                                                                                "day": _day(d.due_at)}
        _log(c, TimelineEntry.Kind.EXTENSION_DECIDED, now=now, by=by, detail=f"批准延期 {ext.days} 个工作日",
             public_text=public)
    else:
        _log(c, TimelineEntry.Kind.EXTENSION_DECIDED, now=now, by=by, detail=f"不批准延期：{ext.comment}")
    _save(c, now)
    return ext


@transaction.atomic
def dispatch_result(*, dispatch: Dispatch, by: Staff, now: dt.datetime, outcome: str, findings: str,
                    measures: str, sanction: bool = False) -> Dispatch:
    """A department reports its result: substantiated / partly / not, what it found, what it did. The lead's
    result is the complaint's result and starts the reply clock; `sanction` proposes accountability (the
    evaluation capability records sanctions)."""
    d = _dispatch_for(dispatch, by)
    if d.state != Dispatch.State.ACTIVE or d.result_at:
        raise DomainError("该转办不在办理中。", code="bad_status")
    if outcome not in Outcome.values:
        raise DomainError("请选择核查结论。", field="outcome")
    d.outcome, d.result_at, d.state = outcome, now, Dispatch.State.DONE
    d.findings = _text(findings, "findings", "调查情况", min_len=5)
    d.measures = _text(measures, "measures", "处理措施", max_len=3000)
    d.save()
    c = _lock(d.complaint)
    if c.status == Status.PAUSED:
        raise DomainError("投诉已中止，恢复后才能报送结果。", code="bad_status")
    _log(c, TimelineEntry.Kind.RESULT, now=now, by=by,
         detail=f"{d.department.name}：{d.get_outcome_display()}。{d.findings[:300]}")
    if d.is_lead:
        c.outcome, c.findings, c.measures = outcome, d.findings, d.measures
        c.sanction_proposed = bool(sanction) and outcome != Outcome.NOT_SUBSTANTIATED
        c.status, c.result_at = Status.RESULT, now
        c.reply_due_at = _due(now, cfg("REPLY_LIMIT_WD"))
        _save(c, now)
    return d


# ----------------------------------------------------------------------------------------------- reply
@transaction.atomic
def reply_draft(*, complaint: Complaint, by: Staff, now: dt.datetime, text: str, submit: bool = True) -> Reply:
    """Write (or rewrite) the reply to the complainant from the result: the lead department or the office.
    Submitted drafts wait for the office's approval (reply_review)."""
    c = _lock(complaint)
    if by is None or not by.has_role(R.SUPERVISOR):
        dept = _require_lead_after_result(c, by)
        del dept
    _require_status(c, Status.RESULT, Status.REPLY_REVIEW, action="起草答复")
    text = _text(text, "text", "答复内容", min_len=10, max_len=5000)
    reply = c.replies.exclude(state=Reply.State.SENT).order_by("-id").first()
    if reply is None:
        reply = Reply(complaint=c, drafted_at=now)
    reply.text, reply.drafted_by, reply.drafted_at = text, by, now
    reply.state = Reply.State.SUBMITTED if submit else Reply.State.DRAFT
    reply.save()
    if submit:
        c.status = Status.REPLY_REVIEW
        _save(c, now)
    _log(c, TimelineEntry.Kind.REPLY_DRAFTED, now=now, by=by, detail="提交审核" if submit else "保存草稿")
    return reply


def _require_lead_after_result(c: Complaint, by: Staff) -> Department:
    if by is None or not by.has_any_role(R.HANDLER, R.HEAD) or by.department_id is None:
        raise NotPermitted()
    d = c.dispatches.filter(is_lead=True, state=Dispatch.State.DONE, round=c.reopen_count + 1,
                            department__path__startswith=by.department.path).first()
    if d is None:
        raise NotPermitted("只有主办单位可以起草答复。")
    return d.department


@transaction.atomic
def reply_review(*, reply: Reply, by: Staff, now: dt.datetime, approve: bool, comment: str = "",
                 publishable: bool = False) -> tuple[Reply, str | None]:
    """The office approves the reply (it is sent: the complainant sees it with the tracking code, the
    follow-up starts) or returns it for rework. Returns (reply, one-time follow-up token or None); the raw
    token is shown once, to be sent to the complainant by SMS or e-mail, and only its hash is kept."""
    _require_office(by)
    r = Reply.objects.select_for_update().get(pk=reply.pk)
    c = _lock(r.complaint)
    _require_status(c, Status.REPLY_REVIEW, action="审核答复")
    if r.state != Reply.State.SUBMITTED:
        raise DomainError("该答复不在待审核状态。", code="bad_status")
    r.reviewed_by, r.reviewed_at, r.review_comment = by, now, (comment or "").strip()[:2000]
    if not approve:
        if len(r.review_comment) < 2:
            raise DomainError("退回修改请写明审核意见。", field="comment")
        r.state = Reply.State.RETURNED
        r.save()
        c.status = Status.RESULT
        _log(c, TimelineEntry.Kind.REPLY_RETURNED, now=now, by=by, detail=r.review_comment)
        _save(c, now)
        return r, None
    r.state, r.sent_at = Reply.State.SENT, now
    r.save()
    raw = secrets.token_urlsafe(24)
    c.status, c.replied_at = Status.REPLIED, now
    c.follow_up_due_at = now + dt.timedelta(days=cfg("FOLLOW_UP_DAYS"))
    c.follow_up_token_hash = token_hash(raw)
    c.rating, c.rated_at = "", None
    with _speaking(c):
        entry = _log(c, TimelineEntry.Kind.REPLIED, now=now, by=by, detail=f"审核通过并答复。{r.review_comment}",
                     public_text=_("答复：%(text)s") % {"text": r.text})
        _message_complainant(c, entry, now=now, what=_("答复"),
                             link=_public_url(reverse("complaints:follow_up", args=[raw])))
    _save(c, now)
    complaint_set_publishable(complaint=c, by=by, now=now, publishable=publishable)
    return r, raw


@transaction.atomic
def complaint_set_publishable(*, complaint: Complaint, by: Staff, now: dt.datetime, publishable: bool) -> Complaint:
    """Mark the sent reply for the public mailbox (县长信箱), storing its masked text (greeting neutrally:
    "您好", not "【投诉人】您好"), or take it down."""
    _require_office(by)
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    reply = c.replies.filter(state=Reply.State.SENT).order_by("-sent_at").first()
    if publishable and reply is None:
        raise DomainError("尚无已发出的答复，不能公开。", code="bad_status")
    if publishable:
        identity = ComplainantIdentity.objects.filter(complaint=c).first()
        names = [identity.name] if identity else []
        contacts = [identity.phone, identity.email, identity.address] if identity else []
        reply.public_text = public_reply_text(reply.text, names=names + [c.staff_text], contacts=contacts)
        reply.save(update_fields=["public_text"])
    if c.publishable != publishable:
        c.publishable = publishable
        c.updated_at = now
        c.save(update_fields=["publishable", "updated_at"])
        _log(c, TimelineEntry.Kind.PUBLISHED, now=now, by=by, detail=f"在{mailbox_title()}公开" if publishable else "撤下公开")
    return c


# ----------------------------------------------------------------------------------------------- notices by SMS / e-mail
MESSAGE_MAX_ATTEMPTS = 5
_FOLLOW_UP_TOKEN = re.compile(r"(/complaints/follow-up/)[A-Za-z0-9_-]+/?")


def _public_url(path: str) -> str:
    return getattr(settings, "XIAONENG_PUBLIC_URL", "").rstrip("/") + path


def _message_complainant(c: Complaint, entry: TimelineEntry, *, now: dt.datetime, what: str, link: str = "") -> int:
    """Queue the written notice `entry` for the complainant by SMS and e-mail, where they gave a phone number
    or an e-mail address and did not complain anonymously (an anonymous complainant is never contacted).
    One row per channel, unique per notice, sent after the transaction commits (and retried by the
    supervision tick). The text is the notice itself, with the tracking link and, for a reply, the one-time
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


def complainant_messages_send(*, now: dt.datetime, complaint_ids: list[int] | None = None, limit: int = 200) -> int:
    """Send the complainant messages not sent yet (all, or those of `complaint_ids`), through the platform's
    SMS backend (settings.XIAONENG_SMS_BACKEND) and Django's mail. Rows are locked (SKIP LOCKED on
    PostgreSQL) and marked in the same transaction, so each is handed to its backend once; a failure is kept
    and retried up to MESSAGE_MAX_ATTEMPTS times. The recipient is read from the identity only here. A sent
    message's follow-up link is erased (it is a one-time password). Returns how many were sent."""
    from django.db import connection

    sent = 0
    with transaction.atomic():
        qs = ComplainantMessage.objects.filter(sent_at__isnull=True, attempts__lt=MESSAGE_MAX_ATTEMPTS)
        if complaint_ids is not None:
            qs = qs.filter(complaint_id__in=complaint_ids)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        batch = list(qs.order_by("created_at", "id")[:limit])
        if not batch:
            return 0
        contacts = {cid: (phone, email) for cid, phone, email in ComplainantIdentity.objects.filter(
            complaint_id__in={m.complaint_id for m in batch}).values_list("complaint_id", "phone", "email")}
        sms = None
        if any(m.channel == ComplainantMessage.MessageChannel.SMS for m in batch):
            sms = sms_backend()
        for m in batch:
            phone, email = contacts.get(m.complaint_id, ("", ""))
            sent += _message_send_one(m, phone=phone, email=email, sms=sms, now=now)
    return sent


def _message_send_one(m: ComplainantMessage, *, phone: str, email: str, sms, now: dt.datetime,
                      final: bool = False) -> bool:
    """Hand one locked message to its backend and record the attempt. A failure stays PENDING for the tick
    until MESSAGE_MAX_ATTEMPTS (or at once with `final`, a staff member's retry) and is then FAILED. The error
    text is kept without the recipient: backends quote the address they refused, and this table must not
    tell who complained."""
    m.attempts += 1
    try:
        if m.channel == ComplainantMessage.MessageChannel.SMS:
            sms.send(phone, m.body)
        else:
            send_mail(m.subject, m.body, None, [email], fail_silently=False)
    except Exception as exc:  # a backend failure must not stop the others; it is retried
        log.warning("complainant message %s not sent: %s", m.pk, type(exc).__name__)
        m.error = mask_personal_data(str(exc), contacts=[phone, email])[:300]
        m.status = (ComplainantMessage.MessageStatus.FAILED if final or m.attempts >= MESSAGE_MAX_ATTEMPTS
                    else ComplainantMessage.MessageStatus.PENDING)
        ok = False
    else:
        m.status, m.sent_at, m.error = ComplainantMessage.MessageStatus.SENT, now, ""
        m.body = _FOLLOW_UP_TOKEN.sub(r"\1…", m.body)
        ok = True
    m.save(update_fields=["attempts", "status", "sent_at", "error", "body"])
    return ok


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
    sms = None
    if m.channel == ComplainantMessage.MessageChannel.SMS:
        sms = sms_backend()
    ok = _message_send_one(m, phone=phone, email=email, sms=sms, now=now, final=True)
    _log(m.complaint, TimelineEntry.Kind.MESSAGE_RETRIED, now=now, by=by,
         detail=_("%(channel)s通知“%(subject)s”重发：%(result)s") % {
             "channel": m.get_channel_display(), "subject": m.subject,
             "result": _("已发送") if ok else _("仍未成功")})
    return m


# ----------------------------------------------------------------------------------------------- follow-up
@transaction.atomic
def complaint_rate(*, complaint: Complaint, now: dt.datetime, rating: str, comment: str = "",
                   reopen: bool = False, reopen_reason: str = "", token: str | None = None) -> Complaint:
    """The complainant rates the reply (回访), with the tracking code or the one-time link (`token`, which
    is spent). "Not satisfied" may reopen the complaint once, with a reason: it goes back to the office for
    a new dispatch. Otherwise the complaint is closed."""
    c = _lock(complaint)
    if token is not None and (not c.follow_up_token_hash or not secrets.compare_digest(c.follow_up_token_hash,
                                                                                      token_hash(token))):
        raise DomainError("评价链接无效或已使用。", code="bad_token")
    if c.status != Status.REPLIED:
        raise DomainError("本投诉当前不能评价（尚未答复或已评价）。", code="bad_status")
    if now > c.follow_up_due_at:
        raise DomainError("评价期限已过。", code="too_late")
    if rating not in RATED_LEVELS:
        raise DomainError(_("请选择非常满意、满意、基本满意、不满意或非常不满意。"), field="rating")
    comment = (comment or "").strip()[:1000]
    c.rating, c.rating_comment, c.rated_at, c.follow_up_token_hash = rating, comment, now, ""
    label = Rating(rating).label
    with _speaking(c):
        public = _("您的评价：%(rating)s。%(comment)s") % {"rating": label, "comment": comment}
    _log(c, TimelineEntry.Kind.RATED, now=now, label="投诉人", detail=comment, public_text=public)
    if reopen:
        if rating not in UNSATISFIED_LEVELS:
            raise DomainError(_("只有“不满意”或“非常不满意”可以申请重新办理。"), field="reopen")
        if c.reopen_count >= 1:
            raise DomainError("本投诉已重新办理过一次，不能再次申请。", field="reopen")
        c.reopen_reason = _text(reopen_reason, "reopen_reason", "重新办理的理由", min_len=5, max_len=1000)
        c.reopen_count += 1
        c.status = Status.ACCEPTED
        c.result_at = c.reply_due_at = c.replied_at = c.follow_up_due_at = None
        c.outcome = ""
        c.handling_due_at = _due(now, cfg("HANDLING_LIMIT_WD"))
        with _speaking(c):
            public = _("您对答复不满意并申请重新办理，效能办已重新受理，将另行转办并答复。")
        _log(c, TimelineEntry.Kind.REOPENED, now=now, label="投诉人", detail=c.reopen_reason, public_text=public)
    else:
        c.status, c.closed_at = Status.CLOSED, now
    return _save(c, now)


@transaction.atomic
def complaint_merge(*, complaint: Complaint, into: Complaint, by: Staff, now: dt.datetime) -> Complaint:
    """Merge a duplicate into another complaint (same complainant, same matter): it closes as MERGED and the
    complainant is told which complaint carries the matter."""
    _require_office(by)
    if complaint.pk == into.pk:
        raise DomainError("不能与自身合并。", field="into")
    c = _lock(complaint)
    target = _lock(into)
    _require_status(c, Status.RECEIVED, Status.ACCEPTED, action="合并")
    if target.status in (Status.MERGED, Status.REFUSED, Status.TRANSFERRED, Status.WITHDRAWN):
        raise DomainError("目标投诉已终结，不能合并到该投诉。", field="into")
    c.status, c.merged_into, c.closed_at, c.decided_at = Status.MERGED, target, now, c.decided_at or now
    with _speaking(c):
        public = _("您反映的问题与编号 %(number)s 的投诉属同一事项，已合并办理，答复将一并作出。") % {"number": target.number}
    _log(c, TimelineEntry.Kind.MERGED, now=now, by=by, detail=f"合并至 {target.number}", public_text=public)
    _log(target, TimelineEntry.Kind.MERGED, now=now, by=by, detail=f"合并了重复投诉 {c.number}")
    return _save(c, now)


@transaction.atomic
def complaint_assign(*, complaint: Complaint, by: Staff, now: dt.datetime, handler: Staff) -> Complaint:
    """Make `handler` (a supervisor) the complaint's office handler: the one who sees the identity."""
    _require_office(by)
    if not handler.has_role(R.SUPERVISOR):
        raise DomainError("承办监察员必须是效能办监察员。", field="handler")
    c = _lock(complaint)
    c.office_handler = handler
    _log(c, TimelineEntry.Kind.ASSIGNED, now=now, by=by, detail=f"承办监察员：{handler.display_name}")
    return _save(c, now)


@transaction.atomic
def attachment_share(*, attachment: Attachment, by: Staff, shared: bool) -> Attachment:
    """The office decides whether a complainant's file may be seen by the departments (it may identify them)."""
    _require_office(by)
    attachment.shared_with_department = bool(shared)
    attachment.save(update_fields=["shared_with_department"])
    return attachment


@transaction.atomic
def attachment_publish(*, attachment: Attachment, by: Staff, now: dt.datetime, published: bool) -> Attachment:
    """The office makes one of the complainant's images public (Open311 `media_url`, the public image address)
    or withdraws it. Only images the complainant sent (not staff evidence, not PDFs), and only without metadata:
    uploads were re-encoded without EXIF, and this checks the stored bytes again. A new random token each time,
    so an address handed out before a withdrawal stays dead. Recorded on the internal timeline."""
    from .uploads import PUBLIC_IMAGE_TYPES, image_has_metadata

    _require_office(by)
    a = Attachment.objects.select_for_update().select_related("complaint").get(pk=attachment.pk)
    if published:
        if a.note_id is not None or a.content_type not in PUBLIC_IMAGE_TYPES:
            raise DomainError(_("只有投诉人提交的图片可以公开。"), field="attachment")
        with a.file.open("rb") as fh:
            if image_has_metadata(fh.read()):
                raise DomainError(_("该图片含有元数据（如拍摄位置），不能公开。"), field="attachment")
        if a.public_token is None:
            a.public_token = secrets.token_urlsafe(24)
    else:
        a.public_token = None
    a.save(update_fields=["public_token"])
    _log(a.complaint, TimelineEntry.Kind.PUBLISHED, now=now, by=by,
         detail=(_("公开图片附件 %(id)s") if published else _("撤回公开图片附件 %(id)s")) % {"id": a.pk})
    return a


# ----------------------------------------------------------------------------------------------- identity
def complainant_identity_read(*, complaint: Complaint, by: Staff, now: dt.datetime, purpose: str,
                              ip: str | None = None) -> ComplainantIdentity:
    """Return the complainant's identity to an office handler and record the read (who, when, why)."""
    from .privacy import can_read_identity

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
    from .privacy import may_reveal_original, reads_original

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
        from .privacy import mask_phone

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


def identity_mode_label(mode: str) -> str:
    return IdentityMode(mode).label if mode in IdentityMode.values else ""
