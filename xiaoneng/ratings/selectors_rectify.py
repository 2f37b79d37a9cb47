"""Reads of rectifications (差评整改), scoped by who asks (accounts.selectors decides department scope, once):
supervisors, leaders and administrators read every department's; handlers and heads their own department's
and the units below it; nobody else any. Out of scope is "not found" (404), never "forbidden"."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Staff
from xiaoneng.accounts.selectors import scope_to_staff
from xiaoneng.cases.privacy import mask_name, mask_phone
from xiaoneng.core.masking import PH_NAME, mask_personal_data
from xiaoneng.workdays.calendar import get_calendar

from .models import Appeal, Rectification, RectificationStatus
from .services.rectification import in_department, is_department_head, is_office

S = RectificationStatus
READERS = (R.SUPERVISOR, R.LEADER, R.ADMIN, R.HANDLER, R.HEAD)
RUNNING = (S.OPEN, S.RETURNED, S.APPEALED)
RATER = "【评价人】"  # the masking's placeholder for the person's name, in the words of a rating
LIST_RELATED = ("department", "rating", "handler")


def rectification_scope(staff: Staff) -> QuerySet[Rectification]:
    qs = Rectification.objects.select_related(*LIST_RELATED)
    if staff is None or not staff.is_authenticated or not staff.has_any_role(*READERS):
        return qs.none()
    return scope_to_staff(qs, staff)


def rectification_get_for(staff: Staff, number: str) -> Rectification:
    r = rectification_scope(staff).filter(number=str(number)[:40]).first()
    if r is None:
        raise Http404("整改不存在或不在您的权限范围内。")
    return r


FLAGS = ("reminder", "yellow", "red")


def rectification_list(staff: Staff, *, status: str = "", department: str = "", flag: str = "") -> QuerySet[Rectification]:
    """The rectifications `staff` may read (filtered by status, department code and card level), running ones by
    due date first, then the latest closed. An unknown filter value filters nothing."""
    qs = rectification_scope(staff)
    if department:
        qs = qs.filter(department__code=str(department)[:40])
    if flag in FLAGS:
        qs = qs.filter(flag=flag)
    if status == "running":
        qs = qs.filter(status__in=RUNNING)
    elif status in S.values:
        qs = qs.filter(status=status)
    return qs.order_by("closed_at", "due_at", "id") if status in ("", "running") else qs.order_by("-opened_at", "-id")


def departments_with_rectifications(staff: Staff) -> list[tuple[str, str]]:
    """(code, name) of the departments whose rectifications `staff` may read, for the list's filter."""
    from xiaoneng.accounts.models import Department

    ids = rectification_scope(staff).order_by().values("department_id").distinct()
    return list(Department.objects.filter(pk__in=ids).order_by("code").values_list("code", "name"))


def review_queue(staff: Staff) -> tuple[QuerySet[Rectification], QuerySet[Appeal]]:
    """The office's queue: submissions waiting for review (oldest first) and appeals waiting for a decision."""
    if not is_office(staff):
        return Rectification.objects.none(), Appeal.objects.none()
    subs = Rectification.objects.select_related(*LIST_RELATED).filter(status=S.SUBMITTED).order_by("submitted_at", "id")
    appeals = (Appeal.objects.select_related("department", "rating__rectification", "filed_by")
               .filter(decision=Appeal.Decision.PENDING).order_by("filed_at", "id"))
    return subs, appeals


def working_days_left(r: Rectification, now: dt.datetime) -> int | None:
    """Working days from today to the due day (0: due today; negative: days overdue); None once closed or
    while nothing runs, or when the calendar does not cover the dates."""
    if r.status not in RUNNING:
        return None
    cal = get_calendar()
    today, due = now.astimezone(cal.tz).date(), r.due_at.astimezone(cal.tz).date()
    try:
        if due >= today:
            return cal.working_days_between(today, due).working_days
        return -cal.working_days_between(due, today).working_days
    except Exception:  # noqa: BLE001  a missing calendar year: show no count rather than guess
        return None


def sees_rater(staff: Staff, r: Rectification) -> bool:
    """Who reads the rater's name and phone: the office, the rated department's heads and the rectification's
    handler. Everyone else (leaders, administrators, the department's other handlers) reads them masked."""
    return is_office(staff) or is_department_head(staff, r) or (r.handler_id is not None and r.handler_id == staff.pk
                                                               and in_department(staff, r))


def rater_view(staff: Staff, r: Rectification) -> dict:
    rating = r.rating
    if sees_rater(staff, r):
        return {"name": rating.rater_name, "phone": rating.rater_phone, "comment": rating.comment, "masked": False}
    names = [rating.rater_name] if rating.rater_name else []
    contacts = [rating.rater_phone] if rating.rater_phone else []
    return {"name": mask_name(rating.rater_name) if rating.rater_name else "",
            "phone": mask_phone(rating.rater_phone) if rating.rater_phone else "",
            "comment": mask_personal_data(rating.comment, names=names, contacts=contacts).replace(PH_NAME, RATER),
            "masked": True}
