"""Public figures (no account, issue 14 §1 and §3): a department's figures /departments/<code>/ with their trend and
downloads, the published ranking /rankings/ with its download, the published bulletins /bulletins/ with the
bulletin's PDF — the same PDF the evaluation generates. Thin views over portal/figures.py; charts draw from a
json_script through static/portal/figures.js (CSP: no inline script), with a table under each."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xiaoneng.core.errors import DomainError
from xiaoneng.core.spreadsheet import tables_bytes
from xiaoneng.evaluation import pdf
from xiaoneng.evaluation.models import EvaluationStatus

from . import figures as F

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _download(request, tables, name: str, template: str, ctx: dict):
    fmt = (request.GET.get("fmt") or "csv").strip()[:8]
    try:
        data = tables_bytes(tables, fmt, default_width=16)
    except DomainError as exc:
        return render(request, template, {**ctx, "error": exc.message}, status=400)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _department_context(code: str) -> dict:
    dept = F.department_get(code)
    fig = F.department_figures(dept)
    return {"fig": fig, "dept": dept, "latest": fig["latest"], "chart": F.chart_data(fig) if fig["rows"] else None}


@require_GET
def department(request, code: str):
    """One department's public figures: the latest published quarter's score, grade, rank and four figures (each
    with its period and small-sample flag), the trend over the published quarters (chart + table), downloads."""
    return render(request, "portal/department.html", _department_context(code))


@require_GET
def department_export(request, code: str):
    ctx = _department_context(code)
    return _download(request, F.figures_tables(ctx["fig"]), f"figures-{ctx['dept'].code}", "portal/department.html", ctx)


def _ranking_context(request) -> tuple[dict, int]:
    published = F.published_periods()
    ctx = {"published": published, "ev": None, "ranking": None, "error": ""}
    try:
        ev = F.ranking_choose(request.GET.get("period"), published)
        ctx["ev"] = ev
        if ev is not None:
            ctx["ranking"] = F.ranking_groups(ev, group=request.GET.get("group", ""))
            ctx["group"] = (request.GET.get("group") or "").strip()[:32]
    except DomainError as exc:
        ctx["error"] = exc.message
        return ctx, 400
    return ctx, 200


@require_GET
def rankings(request):
    """The published ranking of a period (default: the newest published), per group: score, grade, rank; vetoes
    and small samples explained."""
    ctx, status = _ranking_context(request)
    return render(request, "portal/rankings.html", ctx, status=status)


@require_GET
def rankings_export(request):
    ctx, status = _ranking_context(request)
    if status != 200 or ctx["ev"] is None:
        if status == 200:
            ctx["error"] = _("尚无已发布的考核结果，无法下载。")
        return render(request, "portal/rankings.html", ctx, status=400 if status == 200 else status)
    return _download(request, F.ranking_tables(ctx["ev"], ctx["ranking"]), f"ranking-{ctx['ev'].period}",
                     "portal/rankings.html", ctx)


@require_GET
def bulletins(request):
    """Published bulletins, newest first, 20 a page."""
    page = Paginator(F.bulletins_public(), 20).get_page(request.GET.get("page"))
    return render(request, "portal/bulletins.html", {"page": page})


@require_GET
def bulletin(request, pk: int):
    b = F.bulletin_public_get(pk)
    return render(request, "portal/bulletin.html", {
        "b": b, "c": F.bulletin_public_content(b),
        "superseded": b.evaluation.status == EvaluationStatus.SUPERSEDED})


@require_GET
def bulletin_pdf(request, pk: int):
    """The bulletin's PDF as the evaluation prints it (evaluation.pdf.bulletin_pdf of the stored content)."""
    b = F.bulletin_public_get(pk)
    try:
        data = pdf.bulletin_pdf(b.content)
    except pdf.FontMissing as exc:
        return render(request, "portal/bulletin.html", {
            "b": b, "c": F.bulletin_public_content(b), "error": exc.message}, status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bulletin-{b.evaluation.period}.pdf"'
    return response
