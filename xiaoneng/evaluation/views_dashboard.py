"""The leader's view (领导驾驶舱, issue 13 §4): one page for leaders and the office — the chosen published period's
ranking and grades by group, one department's score over the last periods beside the mean, the headline metrics
over time, and the drill-down of one metric in one period (each department → its score → the line's evidence →
the case). Charts (ECharts, the vendored static) draw what the tables under them say (json_script; no inline
script, CSP). Published evaluations only; heads and everyone else 403."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xiaoneng.accounts.access import role_required

from . import selectors_dashboard as S

DRILL_PAGE = 50  # departments per page of a metric's drill-down


def _drill_url(ev, metric) -> str:
    return reverse("evaluation:dashboard") + "?" + urlencode(
        {"kind": ev.period_kind, "period": ev.period, "metric": metric.code}) + "#drill"


def _places(raw: str | None, errors: list) -> int:
    """How many top and bottom places of each group to show (`?places=`): S.PLACES when absent; a number outside
    S.PLACES_MIN..S.PLACES_MAX or not a number is named in `errors` and the default shown."""
    raw = (raw or "").strip()[:6]
    if not raw:
        return S.PLACES
    if raw.isdigit() and S.PLACES_MIN <= int(raw) <= S.PLACES_MAX:
        return int(raw)
    errors.append(_("每组显示的名次数应为 %(low)s 至 %(high)s 之间的整数，已按 %(n)s 名显示。")
                  % {"low": S.PLACES_MIN, "high": S.PLACES_MAX, "n": S.PLACES})
    return S.PLACES


@require_GET
@role_required(*S.DASHBOARD_ROLES)
def dashboard(request):
    q = request.GET
    choice = S.choose(S.published(), kind=q.get("kind"), period=q.get("period"))
    ctx = {"choice": choice, "ev": choice.evaluation, "errors": list(choice.errors), "metrics": S.METRICS}
    ev = choice.evaluation
    if ev is None:
        return render(request, "evaluation/dashboard/dashboard.html", ctx)
    places = _places(q.get("places"), ctx["errors"])
    groups = S.ranking_by_group(ev, places=places)
    full_url = reverse("evaluation:evaluation_detail", args=[ev.pk])
    for g in groups:
        g["full_url"] = full_url + "?" + urlencode({"group": g["code"]})
    # The departments drawn (each group's top and bottom places) are the trend's picker; any other department
    # is chosen by its code (the score page and the full ranking link here with it).
    scores = sorted((s for g in groups for s in g["scores"]), key=lambda s: s.rank_overall)
    dept_code = (q.get("department") or "").strip()[:32]
    chosen = None
    if dept_code:
        chosen = next((s for s in scores if s.department.code == dept_code), None) or S.score_of(ev, dept_code)
        if chosen is None:
            ctx["errors"].append(_("所选单位不在本期考核范围内，已显示本期总排名第一的单位。"))
        elif chosen not in scores:
            scores.append(chosen)
    chosen = chosen or (scores[0] if scores else None)
    trend_data = S.trends(choice.trend, chosen.department_id if chosen else None)
    trend_data["department_name"] = chosen.department.name if chosen else ""
    head = S.headline(choice.trend)
    metric_code = (q.get("metric") or "").strip()
    metric = S.METRIC_BY_CODE.get(metric_code)
    if metric_code and metric is None:
        ctx["errors"].append(_("所选指标不存在，请从下表选择。"))
    drill_page = drill_rows = None
    if metric:
        drill_page = Paginator(S.drill(ev, metric), DRILL_PAGE).get_page(q.get("page"))
        drill_rows = S.drill_rows(drill_page.object_list, metric)
    head_rows = [{"label": h["label"], "evaluation": h["evaluation"],
                  "cells": [{"metric": m, "fig": h["figures"][m.code],
                             "url": _drill_url(h["evaluation"], m) if h["figures"][m.code]["value"] is not None
                             else None} for m in S.METRICS]} for h in head]
    measured = [i for i, m in enumerate(S.METRICS) if any(r["cells"][i]["fig"]["measured"] for r in head_rows)]
    for r in head_rows:
        r["shown"] = [r["cells"][i] for i in measured]
    keep = {"kind": ev.period_kind, "period": ev.period, **({"department": chosen.department.code} if chosen else {}),
            **({"places": places} if places != S.PLACES else {})}
    ctx.update({
        "groups": groups, "scores": scores, "chosen": chosen, "trend": trend_data, "head_rows": head_rows,
        "head_metrics": [S.METRICS[i] for i in measured], "places": places, "places_default": S.PLACES,
        "places_min": S.PLACES_MIN, "places_max": S.PLACES_MAX,
        "metric": metric, "drill_rows": drill_rows, "drill_page": drill_page,
        "drill_query": urlencode({**keep, "metric": metric.code}) if metric else "",
        "chart": S.chart_data(choice, groups, trend_data, head, {"drill": _drill_url}),
        "print_query": urlencode(keep),
    })
    return render(request, "evaluation/dashboard/dashboard.html", ctx)
