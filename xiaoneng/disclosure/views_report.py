"""The annual disclosure report's pages (政府信息公开工作年度报告): the office's list per year, a report with its
tables computed live and the texts to edit, publication, Excel and PDF; the public pages of published reports
(frozen at publication) with their Excel and PDF.

Who: supervisors (the office) read every report and write the texts and publish; leaders read every report;
a department's head reads the reports of their own reach (another bureau's answers 404, as an unknown one);
everyone else 403. The public reads published reports only. Thin: report.py reads, services/reports.py writes,
exports_report.py renders files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.core.errors import DomainError
from xiaoneng.evaluation.pdf import FontMissing

from . import exports_report as X
from . import report as S
from .services import reports as svc

WRITERS = (R.SUPERVISOR,)


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


def _issuer(department) -> str:
    return department.name if department is not None else S.county_issuer()


def _year(year: int) -> int:
    if not S.year_valid(year, now=timezone.now()):
        raise Http404(_("年度无效。"))
    return year


def _default_year() -> int:
    return timezone.localtime(timezone.now()).year - 1


# ----------------------------------------------------------------------------------------------- staff
@role_required(*S.REPORT_READERS)
@require_GET
def report_list(request):
    """The reports of a year the viewer may read (the county's for the office and leaders), with their state."""
    error = ""
    raw = request.GET.get("year", "").strip()[:10]
    year = _default_year()
    if raw:
        if raw.isascii() and raw.isdigit() and S.year_valid(int(raw), now=timezone.now()):
            year = int(raw)
        else:
            error = _("年度无效：应为2008年至今年之间的年份。")
    rows = S.report_rows_for_year(year)
    lines = []
    if request.user.has_any_role(*S.COUNTY_READERS):
        lines.append({"scope": S.COUNTY, "name": _("全县（区）汇总"), "row": rows.get(None)})
    for d in S.report_departments_for(request.user):
        lines.append({"scope": d.code, "name": d.name, "row": rows.get(d.pk)})
    now_year = timezone.localtime(timezone.now()).year
    years = list(range(now_year, max(S.FIRST_YEAR, now_year - 6) - 1, -1))
    return _private(render(request, "disclosure/report/list.html", {
        "year": year, "years": years, "lines": lines, "error": error}, status=400 if error else 200))


def _staff_context(request, year, scope, department, *, form=None, error="", field=""):
    row = S.annual_report_row(year=year, department=department)
    figures = S.annual_figures(year=year, department=department)
    texts = {k: getattr(row, k, "") if row else "" for k in svc.TEXT_FIELDS}
    if form is None:
        form = dict(texts)
        if not form["overview"]:
            form["overview"] = S.default_overview(figures, issuer=_issuer(department))
    changed = bool(row and row.published_at and not S.tables_equal(row.figures, figures))
    content = X.report_content(figures=figures, texts=texts, issuer=_issuer(department))
    return {"year": year, "scope": scope, "department": department, "row": row, "c": content, "f": figures,
            "form": form, "error": error, "field": field, "office": request.user.has_any_role(*WRITERS),
            "changed": changed, "public": False}


@role_required(*S.REPORT_READERS)
@require_http_methods(["GET", "POST"])
def report_detail(request, year: int, scope: str):
    """One report: its tables as the data stand now, the texts (the office edits them), its publication."""
    year = _year(year)
    department = S.report_scope_get(request.user, scope)
    if request.method == "POST":
        if not request.user.has_any_role(*WRITERS):
            raise PermissionDenied(_("只有效能办可以编辑年度报告。"))
        form = {k: request.POST.get(k, "") for k in svc.TEXT_FIELDS}
        try:
            svc.annual_report_save_texts(year=year, department=department, by=request.user, now=timezone.now(), **form)
        except DomainError as exc:
            ctx = _staff_context(request, year, scope, department, form=form, error=exc.message, field=exc.field or "")
            return _private(render(request, "disclosure/report/detail.html", ctx, status=400))
        messages.success(request, _("已保存。"))
        return redirect("disclosure:report_detail", year=year, scope=scope)
    return _private(render(request, "disclosure/report/detail.html", _staff_context(request, year, scope, department)))


@role_required(*WRITERS)
@require_POST
def report_publish(request, year: int, scope: str):
    """Publish (or publish again, with a note) one report: the tables and texts are frozen and public."""
    year = _year(year)
    department = S.report_scope_get(request.user, scope)
    try:
        svc.annual_report_publish(year=year, department=department, by=request.user, now=timezone.now(),
                                  note=request.POST.get("note", ""))
    except DomainError as exc:
        ctx = _staff_context(request, year, scope, department, error=exc.message, field=exc.field or "")
        return _private(render(request, "disclosure/report/detail.html", ctx, status=400))
    messages.success(request, _("年度报告已发布。"))
    return redirect("disclosure:report_detail", year=year, scope=scope)


def _file(request, content: dict, fmt: str, *, back: str, name: str):
    if fmt == "xlsx":
        response = HttpResponse(X.report_xlsx(content), content_type=X.XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    try:
        data = X.report_pdf(content)
    except FontMissing as exc:
        return render(request, "disclosure/report/pdf_error.html", {"message": exc.message, "back": back}, status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


def _staff_file(request, year: int, scope: str, fmt: str):
    year = _year(year)
    department = S.report_scope_get(request.user, scope)
    row = S.annual_report_row(year=year, department=department)
    texts = {k: getattr(row, k, "") if row else "" for k in svc.TEXT_FIELDS}
    content = X.report_content(figures=S.annual_figures(year=year, department=department), texts=texts,
                               issuer=_issuer(department))
    back = f"/staff/disclosure/reports/{year}/{scope}/"
    return _private(_file(request, content, fmt, back=back, name=f"annual-report-{year}-{scope}-draft"))


@role_required(*S.REPORT_READERS)
@require_GET
def report_xlsx(request, year: int, scope: str):
    """The report as the page shows it (tables as the data stand now), as a workbook."""
    return _staff_file(request, year, scope, "xlsx")


@role_required(*S.REPORT_READERS)
@require_GET
def report_pdf(request, year: int, scope: str):
    return _staff_file(request, year, scope, "pdf")


# ----------------------------------------------------------------------------------------------- public
@require_GET
def public_report_year(request, year: int):
    """The published reports of one year: the county's and each department's, and the other years."""
    year = _year(year)
    reports = list(S.published_reports(year))
    return render(request, "disclosure/report/public_year.html", {
        "year": year, "reports": reports, "county": next((r for r in reports if r.department_id is None), None),
        "departments": [r for r in reports if r.department_id is not None], "years": S.published_years()})


def _public_content(row):
    f = row.figures
    return X.report_content(figures=f, texts=f.get("texts", {}), published_at=row.published_at,
                            revisions=f.get("revisions", []), issuer=_issuer(row.department))


@require_GET
def public_report_detail(request, year: int, scope: str):
    """A published report, as frozen at its (last) publication."""
    row = S.published_report_get(year=_year(year), scope=scope)
    content = _public_content(row)
    return render(request, "disclosure/report/public_detail.html", {
        "year": year, "scope": scope, "row": row, "c": content, "f": row.figures, "public": True})


def _public_file(request, year: int, scope: str, fmt: str):
    row = S.published_report_get(year=_year(year), scope=scope)
    return _file(request, _public_content(row), fmt, back=f"/disclosure/reports/{year}/{scope}/",
                 name=f"annual-report-{year}-{scope}")


@require_GET
def public_report_xlsx(request, year: int, scope: str):
    return _public_file(request, year, scope, "xlsx")


@require_GET
def public_report_pdf(request, year: int, scope: str):
    return _public_file(request, year, scope, "pdf")
