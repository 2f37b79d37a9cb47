"""Calculations over cases (办件): time limits, procedure, fees, early completion, committed limits, reporting."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q
from django.urls import reverse

from xiaoneng.cases.models import Case, Verdict

from ..indicators import INDICATORS, Context, EvidenceRow, Indicator, Measure, register

ON_TIME = (Verdict.EARLY, Verdict.ON_TIME)


def _completed(ctx: Context):
    """The cases completed (办结) in the period, with their frozen verdict (joint parents are counted through
    their sub-cases)."""
    return Case.objects.filter(completed_at__gte=ctx.start, completed_at__lt=ctx.end,
                               is_joint_parent=False).exclude(verdict="")


def _completion_counts(ctx: Context) -> dict[int, dict]:
    if "case_completion" not in ctx.cache:
        rows = (_completed(ctx).values("department_id")
                .annotate(n=Count("id"), on_time=Count("id", filter=Q(verdict__in=ON_TIME)),
                          early=Count("id", filter=Q(verdict=Verdict.EARLY))))
        out: dict[int, dict] = {}
        for owner, items in ctx.roll_up(rows).items():
            out[owner] = {k: sum(r[k] for r in items) for k in ("n", "on_time", "early")}
        ctx.cache["case_completion"] = out
    return ctx.cache["case_completion"]


def on_time_rate(ctx: Context) -> dict[int, Measure]:
    out = {}
    for dept, c in _completion_counts(ctx).items():
        if c["n"]:
            out[dept] = Measure(Decimal(c["on_time"]), Decimal(c["n"]), Decimal(c["on_time"]) / Decimal(c["n"]))
    return out


def on_time_evidence(ctx: Context, department) -> list[EvidenceRow]:
    ids = [d for d, owner in ctx.owner_of.items() if owner == department.pk]
    rows = (_completed(ctx).filter(department_id__in=ids).order_by("completed_at", "id")
            .values("case_no", "completed_at", "verdict"))
    labels = dict(Verdict.choices)
    return [EvidenceRow("办件", r["case_no"], r["completed_at"], reverse("cases:case_detail", args=[r["case_no"]]),
                        str(labels.get(r["verdict"], r["verdict"]))) for r in rows]


register(Indicator(
    "on_time_rate", "按时办结率",
    "本期办结（按办结时间）的办件中，在承诺期限内（无承诺时限的按法定期限）办结的比例；特别程序等暂停计时期间不计入用时。",
    on_time_rate, on_time_evidence, default_floor=Decimal("0.8"), default_target=Decimal("1")), INDICATORS)
