"""Calendar pages: the staff calendar (administrators edit, supervisors read) and the public calculator."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.core.errors import DomainError, RowErrors
from xiaoneng.workdays import services
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.forms import (
    AddDaysForm,
    BetweenForm,
    DayForm,
    ImportForm,
    OfficeHoursForm,
    YearCreateForm,
    YearStatusForm,
)
from xiaoneng.workdays.selectors import (
    calendar_day_list,
    calendar_month_grid,
    calendar_year_get,
    calendar_year_list,
    calendar_years_expected,
    office_hours_get,
)

READERS = (R.ADMIN, R.SUPERVISOR)


def _can_edit(request) -> bool:
    return request.user.has_role(R.ADMIN)


# ------------------------------------------------------------------------------------------- year list
def _calendar_page(request, *, year_form=None, status=200):
    years = list(calendar_year_list())
    loaded = {y.year for y in years}
    today = timezone.localdate()
    missing = [y for y in calendar_years_expected(today) if y not in loaded]
    return render(request, "workdays/calendar.html", {
        "years": years, "missing": missing, "can_edit": _can_edit(request),
        "year_form": year_form or YearCreateForm(initial={"year": today.year + 1}),
        "office_hours": office_hours_get(),
    }, status=status)


@role_required(*READERS)
@require_GET
def calendar(request):
    return _calendar_page(request)


@role_required(R.ADMIN)
@require_POST
def calendar_year_create(request):
    form = YearCreateForm(request.POST)
    if form.is_valid():
        try:
            cy = services.calendar_year_create(year=form.cleaned_data["year"], status=form.cleaned_data["status"],
                                               by=request.user, now=timezone.now())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("已新建 %(year)s 年日历。") % {"year": cy.year})
            return redirect("workdays:calendar_year", year=cy.year)
    return _calendar_page(request, year_form=form, status=400)


# ------------------------------------------------------------------------------------------- one year
def _year_page(request, year: int, *, day_form=None, status_form=None, status=200):
    cy = calendar_year_get(year)
    if cy is None:
        raise Http404
    days = list(calendar_day_list(year))
    edit = None
    if day_form is None:
        edit_date = request.GET.get("edit")
        initial = {}
        if edit_date:
            edit = next((d for d in days if d.date.isoformat() == edit_date), None)
            if edit is not None:
                initial = {"date": edit.date, "kind": edit.kind, "name": edit.name}
            else:
                try:
                    d = dt.date.fromisoformat(edit_date)
                except ValueError:
                    d = None
                if d is not None and d.year == year:
                    initial = {"date": d, "kind": "workday" if d.weekday() >= 5 else "holiday"}
        day_form = DayForm(initial=initial)
    hours = office_hours_get()
    return render(request, "workdays/year.html", {
        "cy": cy, "days": days, "months": calendar_month_grid(year, days), "can_edit": _can_edit(request),
        "day_form": day_form, "editing": edit,
        "status_form": status_form or YearStatusForm(initial={"status": cy.status}),
        "office_hours": hours,
        "prev_year": calendar_year_get(year - 1) and year - 1, "next_year": calendar_year_get(year + 1) and year + 1,
    }, status=status)


@role_required(*READERS)
@require_GET
def calendar_year(request, year: int):
    return _year_page(request, year)


@role_required(R.ADMIN)
@require_POST
def calendar_day_save(request, year: int):
    form = DayForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data["date"]
        if d.year != year:
            form.add_error("date", _("日期必须在 %(year)s 年内。") % {"year": year})
        else:
            try:
                services.calendar_day_set(date=d, kind=form.cleaned_data["kind"], name=form.cleaned_data["name"],
                                          by=request.user, now=timezone.now())
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("已保存 %(date)s。") % {"date": d.isoformat()})
                return redirect(reverse("workdays:calendar_year", args=[year]) + "#days")
    form.full_clean_marks()
    return _year_page(request, year, day_form=form, status=400)


@role_required(R.ADMIN)
@require_POST
def calendar_day_delete(request, year: int, date: str):
    try:
        d = dt.date.fromisoformat(date)
    except ValueError as exc:
        raise Http404 from exc
    try:
        services.calendar_day_delete(date=d, by=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除 %(date)s 的设置，该日恢复为普通工作日或周末。") % {"date": date})
    return redirect(reverse("workdays:calendar_year", args=[year]) + "#days")


@role_required(R.ADMIN)
@require_POST
def calendar_year_status(request, year: int):
    form = YearStatusForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_year_set_status(year=year, status=form.cleaned_data["status"], by=request.user,
                                              now=timezone.now())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("已更新 %(year)s 年的状态。") % {"year": year})
            return redirect("workdays:calendar_year", year=year)
    form.full_clean_marks()
    return _year_page(request, year, status_form=form, status=400)


@role_required(R.ADMIN)
@require_POST
def calendar_year_delete(request, year: int):
    try:
        services.calendar_year_delete(year=year, by=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除 %(year)s 年日历。") % {"year": year})
    return redirect("workdays:calendar")


# ------------------------------------------------------------------------------------------- import
@role_required(R.ADMIN)
@require_http_methods(["GET", "POST"])
def calendar_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        fmt = form.cleaned_data["format"]
        if fmt == "auto":
            fmt = "ical" if upload.name.lower().endswith((".ics", ".ical")) or data.lstrip().startswith(
                b"BEGIN:VCALENDAR") else "csv"
        service = services.calendar_import_ical if fmt == "ical" else services.calendar_import_csv
        try:
            counts = service(data=data, status=form.cleaned_data["status"], by=request.user, now=timezone.now(),
                             filename=upload.name)
        except RowErrors as exc:
            row_errors = exc.errors
            form.add_error("file", exc.message)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            summary = "、".join(f"{y} 年 {n} 天" for y, n in sorted(counts.items()))
            messages.success(request, _("导入成功：%(summary)s。") % {"summary": summary})
            return redirect("workdays:calendar")
    if form.is_bound:
        form.full_clean_marks()
    status = 400 if request.method == "POST" else 200
    return render(request, "workdays/import.html", {"form": form, "row_errors": row_errors}, status=status)


# ------------------------------------------------------------------------------------------- office hours
@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def office_hours(request):
    hours = office_hours_get()
    can_edit = _can_edit(request)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有系统管理员可以修改办公时间。"))
        form = OfficeHoursForm(request.POST)
        if form.is_valid():
            try:
                services.office_hours_set(**form.cleaned_data, by=request.user, now=timezone.now())
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("已更新办公时间。"))
                return redirect("workdays:office_hours")
        form.full_clean_marks()
        status = 400
    else:
        form = OfficeHoursForm(initial={f: getattr(hours, f) for f in OfficeHoursForm.base_fields})
        status = 200
    return render(request, "workdays/office_hours.html", {"form": form, "hours": hours, "can_edit": can_edit},
                  status=status)


# ------------------------------------------------------------------------------------------- public
@require_GET
def public_calculator(request):
    """A citizen's calculator: a date plus N working days, and the working days between two dates."""
    mode = request.GET.get("mode")
    # Both forms have a "start" field: distinct ids keep each label tied to its own input.
    add_form = AddDaysForm(request.GET if mode == "add" else None, auto_id="add_%s")
    between_form = BetweenForm(request.GET if mode == "between" else None, auto_id="between_%s")
    add_result = between_result = None
    if mode == "add" and add_form.is_valid():
        start, days = add_form.cleaned_data["start"], add_form.cleaned_data["days"]
        try:
            cal = get_calendar()
            r = cal.add_working_days(start, days)
            lo, hi = (start, r.date) if r.date >= start else (r.date, start)
            skipped = cal.non_working_days(lo + dt.timedelta(days=1) if days else lo, hi)
            add_result = {"date": r.date, "provisional": r.provisional, "skipped": skipped,
                          "start": start, "days": days, "close": cal.close_time,
                          "holidays": [s for s in skipped if s[1] not in ("星期六", "星期日")]}
        except DomainError as exc:
            add_form.add_error("start" if exc.field in ("start", "date") else "days", exc.message)
    if mode == "between" and between_form.is_valid():
        start, end = between_form.cleaned_data["start"], between_form.cleaned_data["end"]
        try:
            r = get_calendar().working_days_between(start, end)
            between_result = {"working_days": r.working_days, "provisional": r.provisional, "start": start,
                              "end": end, "natural_days": (end - start).days}
        except DomainError as exc:
            between_form.add_error("end" if exc.field == "end" else "start", exc.message)
    for f in (add_form, between_form):
        if f.is_bound:
            f.full_clean_marks()
    status = 400 if (mode == "add" and add_form.errors) or (mode == "between" and between_form.errors) else 200
    return render(request, "workdays/calculator.html", {
        "add_form": add_form, "between_form": between_form, "add_result": add_result,
        "between_result": between_result,
    }, status=status)
