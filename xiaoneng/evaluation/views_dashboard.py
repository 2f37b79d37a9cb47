"""The leader's view (领导驾驶舱, issue 13 §4): one page for leaders and the office — the chosen published period's
ranking and grades by group, one department's score over the last periods beside the mean, the headline metrics
over time, and the drill-down of one metric in one period (each department → its score → the line's evidence →
the case). Charts (ECharts, the vendored static) draw what the tables under them say (json_script; no inline
script, CSP). Published evaluations only; heads and everyone else 403."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from xiaoneng.accounts.access import role_required

from . import selectors_dashboard as S


def _drill_url(ev, metric) -> str:
    return reverse("evaluation:dashboard") + "?" + urlencode(
        {"kind": ev.period_kind, "period": ev.period, "metric": metric.code}) + "#drill"


@require_GET
@role_required(*S.DASHBOARD_ROLES)
def dashboard(request):
    q = request.GET
    choice = S.choose(S.published(), kind=q.get("kind"), period=q.get("period"))
    ctx = {"choice": choice, "ev": choice.evaluation, "errors": list(choice.errors), "metrics": S.METRICS}
    ev = choice.evaluation
    if ev is None:
        return render(request, "evaluation/dashboard/dashboard.html", ctx)
    groups = S.ranking_by_group(ev)
    scores = sorted((s for g in groups for s in g["scores"]), key=lambda s: s.rank_overall)
    dept_code = (q.get("department") or "").strip()
    chosen = next((s for s in scores if s.department.code == dept_code), None) if dept_code else None
    if dept_code and chosen is None:
        ctx["errors"].append("所选单位不在本期考核范围内，已显示本期总排名第一的单位。")
    chosen = chosen or (scores[0] if scores else None)
    trend_data = S.trends(choice.trend, chosen.department_id if chosen else None)
    trend_data["department_name"] = chosen.department.name if chosen else ""
    head = S.headline(choice.trend)
    metric_code = (q.get("metric") or "").strip()
    metric = S.METRIC_BY_CODE.get(metric_code)
    if metric_code and metric is None:
        ctx["errors"].append("所选指标不存在，请从下表选择。")
    drill_rows = S.drill(ev, metric) if metric else None
    head_rows = [{"label": h["label"], "evaluation": h["evaluation"],
                  "cells": [{"metric": m, "fig": h["figures"][m.code],
                             "url": _drill_url(h["evaluation"], m) if h["figures"][m.code]["value"] is not None
                             else None} for m in S.METRICS]} for h in head]
    measured = [i for i, m in enumerate(S.METRICS) if any(r["cells"][i]["fig"]["measured"] for r in head_rows)]
    for r in head_rows:
        r["shown"] = [r["cells"][i] for i in measured]
    ctx.update({
        "groups": groups, "scores": scores, "chosen": chosen, "trend": trend_data, "head_rows": head_rows,
        "head_metrics": [S.METRICS[i] for i in measured],
        "metric": metric, "drill_rows": drill_rows,
        "chart": S.chart_data(choice, groups, trend_data, head, {"drill": _drill_url}),
        "print_query": urlencode({"kind": ev.period_kind, "period": ev.period,
                                  **({"department": chosen.department.code} if chosen else {})}),
    })
    return render(request, "evaluation/dashboard/dashboard.html", ctx)
