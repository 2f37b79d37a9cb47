"""The consequences objects the permission matrix names (evaluation, issue 13 §3): a published quarter (2026Q3,
under a one-indicator scheme of its own unless a scheme is already in force), its bulletin (generated, not yet
published), and per bureau a decided sanction against the bureau's handler. `w.obj["cons"]` holds the ids:
{"bulletin": pk, "sanctions": {"a": pk, "b": pk}, "staff": {"a": pk, "b": pk}, "evaluation": pk}."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _published_quarter():
    from xiaoneng.core.errors import DomainError
    from xiaoneng.core.periods import Period
    from xiaoneng.evaluation.models import Evaluation, EvaluationStatus
    from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run
    from xiaoneng.evaluation.services.schemes import scheme_create_version, scheme_for

    ev = Evaluation.objects.filter(period="2026Q3", status=EvaluationStatus.PUBLISHED).first()
    if ev is not None:
        return ev
    try:
        scheme_for(Period.parse("2026Q3"))
    except DomainError:
        scheme_create_version({
            "period_kind": "quarter", "name": "测试方案", "valid_from": date(2026, 1, 1), "total": Decimal(100),
            "excellent_at": Decimal(90), "good_at": Decimal(80), "pass_at": Decimal(60), "min_sample": 2,
            "bulletin_top": 8, "bulletin_bottom": 8, "escalation_bottom": 5,
            "indicators": [{"code": "on_time_rate", "weight": Decimal(100), "floor": Decimal("0.5"),
                            "target": Decimal(1)}],
            "deductions": [{"code": "card_red", "points": Decimal(10), "cap": None}], "bonuses": [], "vetoes": []},
            now=NOW)
    draft = Evaluation.objects.filter(period="2026Q3", status=EvaluationStatus.DRAFT).first()
    return evaluation_publish(draft or evaluation_run("2026Q3", now=NOW), now=NOW)


def build_evaluation_cons(w) -> None:
    from xiaoneng.evaluation.services.bulletins import bulletin_generate
    from xiaoneng.evaluation.services.sanctions import sanction_confirm, sanction_propose

    ev = _published_quarter()
    bulletin = bulletin_generate(ev, now=NOW)
    sanctions = {}
    for key in ("a", "b"):
        handler = w.staff[f"handler_{key}"]
        s = sanction_propose(kind="warning", department=w.obj["depts"][key], staff=handler,
                             reason="一个季度内被发出红牌3张。", now=NOW, by=w.staff["supervisor"])
        sanctions[key] = sanction_confirm(s, now=NOW, by=w.staff["supervisor"]).pk
    w.obj["cons"] = {"bulletin": bulletin.pk, "sanctions": sanctions, "evaluation": ev.pk,
                     "staff": {k: w.staff[f"handler_{k}"].pk for k in ("a", "b")}}
