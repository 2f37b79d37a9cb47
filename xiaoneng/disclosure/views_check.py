"""Pages of the unified disclosure day and its check. Thin: selectors_check reads (scoped), services write; a
refused form re-renders with the error beside its field (400), nothing stored.

Who: the office (supervisors; leaders read) sees every check, runs one (a draft, re-runnable), publishes it and
sets the quarters' own days; heads and handlers read their department's findings and deadlines (本单位整改);
everyone, without an account, reads published checks, their bulletin as a page, PDF and Excel, and the year's
days."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.core.errors import DomainError
from xiaoneng.evaluation.pdf import FontMissing

from . import exports_check as X
from . import selectors_check as S
from .days import disclosure_days
from .models import FindingStatus
from .services import check as svc

PAGE_SIZE = 50


def _date(raw: str) -> dt.date:
    try:
        if len(raw) != 10:
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Http404 from None


def _year(raw, default: int) -> tuple[int, str]:
    raw = (raw or "").strip()
    if not raw:
        return default, ""
    if raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100:
        return int(raw), ""
    return default, _("年度无效，已显示今年。")


def _days(year: int):
    try:
        return disclosure_days(year), ""
    except DomainError as exc:
        return [], exc.message


# --------------------------------------------------------------------------------------------- the office
def _list(request, *, error: str = "", field: str = "", form=None, status: int = 200):
    today = timezone.localdate()
    page = Paginator(S.check_list_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    days, days_error = _days(today.year)
    return render(request, "disclosure/check/list.html", {
        "page": page, "office": request.user.has_role(R.SUPERVISOR), "error": error, "field": field,
        "form": form or {"date": "", "rectify_wd": svc.DEFAULT_RECTIFY_WD}, "days": days, "days_error": days_error,
        "year": today.year, "rules": svc.RULES}, status=status)


@role_required(*S.OFFICE_READERS)
@require_http_methods(["GET", "POST"])
def check_list(request):
    """Checks, newest first; this year's disclosure days; the office runs a day's check (a draft)."""
    if request.method == "GET":
        return _list(request)
    if not request.user.has_role(R.SUPERVISOR):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("只有效能办可以进行统一公开日检查。"))
    form = {k: request.POST.get(k, "").strip()[:20] for k in ("date", "rectify_wd")}
    try:
        c = svc.disclosure_check_run(date=form["date"], rectify_wd=form["rectify_wd"], now=timezone.now(),
                                     by=request.user)
    except DomainError as exc:
        return _list(request, error=exc.message, field=exc.field or "date", form=form, status=400)
    messages.success(request, _("检查已完成（待发布），请核对后通报。"))
    return redirect("disclosure:check_detail", date=c.date.isoformat())


def _detail(request, c, *, error: str = "", status: int = 200):
    return render(request, "disclosure/check/detail.html", {
        "c": c, "lines": S.check_lines(c), "findings": S.check_findings(c), "totals": svc.check_totals(c),
        "office": request.user.has_role(R.SUPERVISOR), "error": error, "rules": svc.RULES,
        "paras": (c.summary or "").split("\n\n") if c.summary else []}, status=status)


@role_required(*S.OFFICE_READERS)
@require_GET
def check_detail(request, date: str):
    """One check: totals, a line per department, the findings with their deadlines; publish while a draft."""
    c = S.check_get_for(request.user, _date(date))
    if c is None:
        raise Http404
    return _detail(request, c)


@role_required(R.SUPERVISOR)
@require_POST
def check_publish(request, date: str):
    c = S.check_get_for(request.user, _date(date))
    if c is None:
        raise Http404
    try:
        svc.disclosure_check_publish(check=c, now=timezone.now(), by=request.user)
    except DomainError as exc:
        return _detail(request, c, error=exc.message, status=400)
    messages.success(request, _("检查结果已通报，整改期限开始计算。"))
    return redirect("disclosure:check_detail", date=c.date.isoformat())


@role_required(*S.OFFICE_READERS)
@require_http_methods(["GET", "POST"])
def check_days(request):
    """The unified disclosure days of a year; the office sets a quarter's own date (a working day, with its
    reason) or goes back to the computed one."""
    this_year = timezone.localdate().year
    year, year_error = _year(request.GET.get("year") or request.POST.get("year"), this_year)
    error, field, status = "", "", 200
    form = {"quarter": "", "date": "", "note": ""}
    if request.method == "POST":
        if not request.user.has_role(R.SUPERVISOR):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("只有效能办可以设置统一公开日。"))
        form = {k: request.POST.get(k, "").strip()[:300] for k in ("quarter", "date", "note")}
        try:
            if request.POST.get("op") == "clear":
                svc.disclosure_day_clear(year=year, quarter=form["quarter"], now=timezone.now(), by=request.user)
                messages.success(request, _("已恢复按规则计算的统一公开日。"))
            else:
                svc.disclosure_day_set(year=year, quarter=form["quarter"], date=form["date"], note=form["note"],
                                       now=timezone.now(), by=request.user)
                messages.success(request, _("统一公开日已调整。"))
            return redirect(f"{request.path}?year={year}")
        except DomainError as exc:
            error, field, status = exc.message, exc.field or "date", 400
    days, days_error = _days(year)
    return render(request, "disclosure/check/days.html", {
        "year": year, "days": days, "days_error": days_error or year_error, "error": error, "field": field,
        "form": form, "office": request.user.has_role(R.SUPERVISOR), "years": range(this_year - 1, this_year + 2)},
        status=status)


@role_required(*S.FINDING_READERS)
@require_GET
def check_findings(request):
    """本单位整改: the findings of published checks the reader's department must put right, with deadlines."""
    status = request.GET.get("status", "").strip()[:12]
    error = ""
    if status and status not in FindingStatus.values:
        status, error = "", _("状态筛选无效。")
    qs = S.findings_for(request.user, status=status)
    number = request.GET.get("finding", "").strip()[:40]
    if number:  # a card's link to its subject (clocks.url_of)
        qs = qs.filter(number=number)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "disclosure/check/findings.html", {
        "page": page, "status": status, "statuses": FindingStatus.choices, "error": error,
        "now": timezone.now(), "query": f"status={status}" if status else ""})


# ---------------------------------------------------------------------------------------------- the public
@require_GET
def check_public_list(request):
    """Published checks (全区通报) and the year's unified disclosure days, for everyone."""
    this_year = timezone.localdate().year
    year, year_error = _year(request.GET.get("year"), this_year)
    days, days_error = _days(year)
    return render(request, "disclosure/check/public_list.html", {
        "checks": list(S.check_public_list()[:40]), "days": days, "days_error": days_error or year_error,
        "year": year, "years": range(this_year - 1, this_year + 2)})


def _published(request, date: str):
    c = S.check_get_for(None, _date(date))
    if c is None:
        raise Http404
    return c


@require_GET
def check_public(request, date: str):
    """A published check's bulletin as a page: the text, a table per department, the findings."""
    c = _published(request, date)
    return render(request, "disclosure/check/public_detail.html", {
        "c": c, "lines": S.check_lines(c), "findings": S.check_findings(c), "totals": svc.check_totals(c),
        "paras": (c.summary or "").split("\n\n"), "title": X.title_of(c), "issuer": svc.bulletin_issuer(),
        "rules": svc.RULES})


@require_GET
def check_public_pdf(request, date: str):
    c = _published(request, date)
    try:
        data = X.check_pdf(c, S.check_lines(c), S.check_findings(c), svc.bulletin_issuer())
    except FontMissing as exc:
        return render(request, "disclosure/check/pdf_error.html", {"message": exc.message, "c": c}, status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="disclosure-check-{c.date:%Y%m%d}.pdf"'
    return response


@require_GET
def check_public_xlsx(request, date: str):
    c = _published(request, date)
    response = HttpResponse(X.check_xlsx(c, S.check_lines(c), S.check_findings(c)), content_type=X.XLSX)
    response["Content-Disposition"] = f'attachment; filename="disclosure-check-{c.date:%Y%m%d}.xlsx"'
    return response
