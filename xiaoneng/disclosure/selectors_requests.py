"""Reads of information requests that depend on who asks.

- Staff: the supervision office (supervisors) and leaders every department; heads and handlers their unit
  and those below (accounts.selectors decides); window clerks, administrators, invited supervisors and
  accounts without a role nothing. Out of scope is 404 — never a hint that the number exists.
- The applicant's identity (name, ID, phone, e-mail, address, organisation code) is for those who must answer
  or check the answer: the department's heads and handlers and the office. Leaders read it masked.
- A department system's token reads its own department's requests only.
- The public reads the published answers (department, dates, outcome, the request and the answer with every
  personal datum masked) and, with the number AND its tracking code, one request's progress: its public
  events, status, due date and answer — never who asked.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department
from xiaoneng.accounts.selectors import department_scope_q
from xiaoneng.complaints.privacy import mask_name, mask_phone
from xiaoneng.core.masking import mask_personal_data

from .models import ANSWER_REASONS, AnswerType, InformationRequest, RequestStatus
from .services.requests import (
    ANSWERING_KINDS,
    OPEN_STATUSES,
    correction_notice_due,
    number_normalise,
    tracking_code_normalise,
)

READERS = (R.SUPERVISOR, R.LEADER, R.HEAD, R.HANDLER)
IDENTITY_READERS = (R.SUPERVISOR, R.HEAD, R.HANDLER)
REGISTRARS = (R.WINDOW, R.HANDLER, R.HEAD, R.SUPERVISOR)
REASON_LABELS = {code: text for rows in ANSWER_REASONS.values() for code, text in rows}


def request_scope_q(staff) -> Q:
    if staff is None or not staff.is_authenticated or not staff.has_any_role(*READERS):
        return Q(pk__in=[])
    return department_scope_q(staff)


def requests_for(staff) -> QuerySet[InformationRequest]:
    return InformationRequest.objects.filter(request_scope_q(staff)).select_related("department", "handler")


def request_list_desk(staff, *, status: str = "", department: Department | None = None,
                      q: str = "") -> QuerySet[InformationRequest]:
    """The desk: open requests first, due soonest first; then answered and withdrawn ones, newest first."""
    qs = requests_for(staff)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in RequestStatus.values:
        qs = qs.filter(status=status)
    if department is not None:
        qs = qs.filter(department__path__startswith=department.path)
    q = (q or "").strip()[:40]
    if q:
        qs = qs.filter(number__icontains=q)
    from django.db.models import Case, IntegerField, Value, When

    return qs.annotate(open_first=Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1),
                                       output_field=IntegerField())).order_by("open_first", "due_at", "-id")


def request_get_for(staff, number: str) -> InformationRequest:
    req = requests_for(staff).filter(number=number_normalise(number)).first()
    if req is None:
        raise Http404("未找到该申请，或不在您的权限范围内。")
    return req


def may_read_identity(staff, req: InformationRequest) -> bool:
    return staff is not None and staff.is_authenticated and staff.has_any_role(*IDENTITY_READERS)


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    organisation_code: str
    id_number: str
    phone: str
    email: str
    address: str
    masked: bool


def _mask_id(value: str) -> str:
    return value[:3] + "*" * max(len(value) - 7, 1) + value[-4:] if len(value) > 7 else "*" * len(value)


def _mask_email(value: str) -> str:
    if "@" not in value:
        return "*" * len(value)
    user, _, host = value.partition("@")
    return (user[:1] or "*") + "***@" + host


def applicant_for(staff, req: InformationRequest) -> Applicant:
    """The applicant as the reader may see them: in full for the department and the office, masked else."""
    full = may_read_identity(staff, req)
    kind = str(req.get_applicant_kind_display())
    if full:
        return Applicant(kind, req.applicant_name, req.organisation_code, req.id_number, req.phone, req.email,
                         req.address, False)
    person = req.applicant_kind == "person"
    return Applicant(kind, mask_name(req.applicant_name) if person else req.applicant_name,
                     req.organisation_code, _mask_id(req.id_number) if req.id_number else "",
                     mask_phone(req.phone) if req.phone else "", _mask_email(req.email) if req.email else "",
                     "***" if req.address else "", True)


def text_for(staff, req: InformationRequest, text: str) -> str:
    """The request's free text: as written for who may read the identity, personal data masked otherwise."""
    if may_read_identity(staff, req):
        return text
    return public_text(req, text)


def public_text(req: InformationRequest, text: str) -> str:
    """Free text with the applicant's name and contacts and every other personal datum masked (public pages)."""
    names = [req.applicant_name] if req.applicant_kind == "person" and req.applicant_name else []
    contacts = [c for c in (req.phone, req.email, req.id_number) if c]
    return mask_personal_data(text or "", names=names, contacts=contacts)


def answer_label(req: InformationRequest) -> str:
    if not req.answer_type:
        return ""
    label = str(AnswerType(req.answer_type).label)
    reason = REASON_LABELS.get(req.answer_reason)
    return f"{label}（{reason}）" if reason else label


def correction_notice_late(req: InformationRequest) -> bool | None:
    """Whether the correction notice went after the 7 working days of §30 (None when there is none)."""
    ev = next((e for e in req.events.all() if e.kind == "correction_notice"), None)
    if ev is None:
        return None
    return ev.at > correction_notice_due(req.received_at)


def working_days_left(req: InformationRequest, *, now: dt.datetime) -> int | None:
    """Working days from today to the due day (negative: overdue), for a running clock; None otherwise."""
    if req.status != RequestStatus.RECEIVED:
        return None
    from xiaoneng.workdays.calendar import get_calendar

    cal = get_calendar()
    today, due = timezone.localtime(now).date(), timezone.localtime(req.due_at).date()
    try:
        if due >= today:
            return cal.working_days_between(today, due).working_days
        return -cal.working_days_between(due, today).working_days
    except Exception:  # noqa: BLE001 (a calendar year missing: the page shows the date alone)
        return None


def department_choices() -> QuerySet[Department]:
    """The organs a citizen may address (public form, staff entry)."""
    return Department.objects.filter(is_active=True, kind__in=ANSWERING_KINDS).order_by("path")


# ------------------------------------------------------------------------------------------------ public
def published_answers() -> QuerySet[InformationRequest]:
    return (InformationRequest.objects.filter(status=RequestStatus.ANSWERED, publish_answer=True)
            .select_related("department").order_by("-answered_at", "-id"))


def request_by_pair(number: str, code: str) -> InformationRequest | None:
    """The request with this number AND this tracking code; None for a wrong pair exactly as for an unknown
    number (compared in constant time)."""
    number, code = number_normalise(number), tracking_code_normalise(code)
    if not number or not code:
        return None
    req = InformationRequest.objects.select_related("department").filter(number=number).first()
    if req is None:
        hmac.compare_digest(code, code)  # the same work either way
        return None
    return req if hmac.compare_digest(req.tracking_code, code) else None


def public_events(req: InformationRequest):
    return [e for e in req.events.all() if e.public]
