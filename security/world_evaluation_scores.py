"""The evaluation's scores in the permission matrix's world (issue 13): 2026Q3 evaluated and published, so both
bureaus have a score and a breakdown line (the "on-time rate" line) for each department's principals to be
tried on the other's ids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D


def build_evaluation_scores(w) -> None:
    from django.utils import timezone

    from xiaoneng.evaluation.models import Scheme, Score
    from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run
    from xiaoneng.evaluation.services.schemes import scheme_create_version

    now = timezone.now()
    if not Scheme.objects.filter(period_kind="quarter").exists():
        scheme_create_version({
            "period_kind": "quarter", "name": "矩阵测试方案", "valid_from": dt.date(2026, 1, 1), "total": D(100),
            "excellent_at": D(90), "good_at": D(80), "pass_at": D(60), "min_sample": 20, "bulletin_top": 8,
            "bulletin_bottom": 8, "escalation_bottom": 5,
            "indicators": [{"code": "on_time_rate", "weight": D(100), "floor": D("0.5"), "target": D(1)}],
            "deductions": [{"code": "card_red", "points": D(10), "cap": None}], "bonuses": [], "vetoes": []}, now=now)
    ev = evaluation_run("2026Q3", now=now)
    evaluation_publish(ev, now=now)
    depts = w.obj["depts"]
    scores = {k: Score.objects.get(evaluation=ev, department=depts[k]) for k in ("a", "b")}
    w.obj["eval_scores"] = {k: s.pk for k, s in scores.items()}
    w.obj["eval_lines"] = {k: s.lines.get(code="on_time_rate").pk for k, s in scores.items()}
    w.obj["evaluation"] = ev.pk
