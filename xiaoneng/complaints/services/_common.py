"""The helpers every room of the complaint services shares: tracking codes and numbers, the complainant's
language, dates and working-day due dates, the timeline entry, locking and the checks of who and which
status, and the complaint's clock (`_evaluate` decides which clock runs and until when; `_save` re-evaluates
and saves: every service that changes a complaint ends with it). Nothing here imports another room.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.formats import date_format

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Staff
from xiaoneng.core import clocks
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.workdays.calendar import get_calendar

from ..clocks import COMPLAINT_CLOCKS
from ..models import (
    OPEN_STATUSES,
    Attachment,
    Complaint,
    ComplaintNumberSeries,
    Flag,
    Stage,
    Status,
    TimelineEntry,
)
from ..transitions import TRANSITIONS
from ..uploads import CleanFile

OFFICE = "效能办"
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone without mistakes
CODE_LENGTH = 16  # 32^16 = 2^80 codes: unguessable, and a wrong guess is rate-limited like a submission


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
    """A date as notices print it, in the platform's time zone (not the server's UTC), in the language spoken:
    Django's own date format, 2026年3月2日 in Chinese (unpadded, as official documents and the case documents
    write it; strftime gave 2026年03月02日), March 2, 2026 in English."""
    return date_format(at.astimezone(get_calendar().tz).date(), "DATE_FORMAT")


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


def _require_transition(c: Complaint, action: str) -> None:
    """`action` may start from the complaint's status (transitions.TRANSITIONS), else bad_status."""
    t = TRANSITIONS[action]
    _require_status(c, *t.sources, action=t.label)


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
    engine's rules, so the moment comes from the clocks' judge (core/clocks.py); the flag and the cards are
    raised by that tick (supervision/deadlines.py)."""
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
    c.next_check_at = clocks.judge().next_check(COMPLAINT_CLOCKS.row_of(c), now=now)


def _save(c: Complaint, now: dt.datetime) -> Complaint:
    _evaluate(c, now)
    c.updated_at = now
    c.save()
    return c


def _attach(c: Complaint, f: CleanFile, *, now, by=None, note=None, shared=False) -> Attachment:
    a = Attachment(complaint=c, note=note, original_name=f.name, content_type=f.content_type, size=len(f.content),
                   sha256=f.sha256, uploaded_at=now, uploaded_by=by, shared_with_department=shared)
    a.file.save(f"{secrets.token_hex(16)}.{f.ext}", ContentFile(f.content), save=False)
    a.save()
    return a
