"""Evaluation's disclosure calculations (政务公开), replacing the placeholders evaluation registers
(evaluation/calculations/others.py) from `DisclosureConfig.ready()` through `indicators.replace`:

- indicator `disclosure`: the share of due catalogue items published, over the published unified-disclosure-day
  checks dated in the period (Σ published ÷ Σ due of the department's check lines, sub-units rolled up; a
  department with no catalogue counts one item due and missing). No published check in the period: the
  department is not scored on it (its weight goes to the others, as before). One GROUP BY.
- deduction `disclosure_late`: the findings of those checks not put right by their rectification deadline —
  still open after it (as of the evaluation), or rectified after it. One GROUP BY.
Evidence: the findings of the period's checks, with their deadline and state; no personal data.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from xiaoneng.evaluation.calculations.common import ids_under, share, url
from xiaoneng.evaluation.indicators import (
    DEDUCTIONS,
    INDICATORS,
    Adjustment,
    Context,
    EvidenceRow,
    Indicator,
    Measure,
    replace,
)

from .models import CheckFinding, CheckLine, CheckStatus, FindingStatus

DEFINITION = ("本期统一公开日检查（已通报，按公开日计）中，本单位（含下属单位）公开目录应公开事项的已公开比例："
              "已公开项数 ÷ 应公开项数；没有备案公开目录的单位按应公开1项、未公开1项计。本期没有通报的检查则不计分。")
LATE_DEFINITION = ("本期统一公开日检查发现的问题中，超过整改期限仍未整改，或整改晚于整改期限的项数（按项扣分）。")


def _checks(ctx: Context) -> Q:
    return Q(disclosure_check__status=CheckStatus.PUBLISHED, disclosure_check__date__gte=ctx.start.date(),
             disclosure_check__date__lt=ctx.end.date())


def disclosure(ctx: Context) -> dict[int, Measure]:
    rows = (CheckLine.objects.filter(_checks(ctx)).values("department_id").order_by()
            .annotate(due=Sum("due"), published=Sum("published")))
    out = {}
    for owner, items in ctx.roll_up(rows).items():
        m = share(sum(r["published"] or 0 for r in items), sum(r["due"] or 0 for r in items))
        if m is not None:
            out[owner] = m
    return out


def _late_q(ctx: Context) -> Q:
    return (Q(status=FindingStatus.OPEN, due_at__lt=ctx.now)
            | Q(status=FindingStatus.RECTIFIED, rectified_at__gt=F("due_at")))


def disclosure_late(ctx: Context) -> dict[int, Decimal]:
    rows = (CheckFinding.objects.filter(_checks(ctx)).filter(_late_q(ctx)).values("department_id").order_by()
            .annotate(n=Count("id")))
    out: dict[int, Decimal] = {}
    for owner, items in ctx.roll_up(rows).items():
        out[owner] = Decimal(sum(r["n"] for r in items))
    return out


def _evidence(late_only: bool):
    def evidence(ctx: Context, department) -> list[EvidenceRow]:
        qs = CheckFinding.objects.filter(_checks(ctx), department_id__in=ids_under(ctx, department))
        if late_only:
            qs = qs.filter(_late_q(ctx))
        out = []
        for f in qs.select_related("disclosure_check").order_by("disclosure_check__date", "id"):
            state = str(f.get_status_display())
            if f.status == FindingStatus.RECTIFIED and f.rectified_at and f.rectified_at > f.due_at:
                state = "逾期整改"
            elif f.status == FindingStatus.OPEN and f.due_at < ctx.now:
                state = "逾期未整改"
            out.append(EvidenceRow("公开检查", f"{f.number} {f.item_name}（{f.get_kind_display()}）",
                                   f.disclosure_check.published_at,
                                   url("disclosure:check_detail", f.disclosure_check.date.isoformat()), state))
        return out

    return evidence


def register_calculations() -> None:
    """Replace evaluation's placeholders (called once from DisclosureConfig.ready)."""
    replace(Indicator("disclosure", "政务公开", DEFINITION, disclosure, _evidence(False),
                      default_floor=Decimal("0.8"), default_target=Decimal("1")), INDICATORS)
    replace(Adjustment("disclosure_late", "政务公开逾期", LATE_DEFINITION, disclosure_late, _evidence(True), unit="项"),
            DEDUCTIONS)
