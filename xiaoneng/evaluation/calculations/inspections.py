"""The inspection indicator (明查暗访): the mean score of the department's accepted, published visits of the period
(xiaoneng.inspections.selectors.inspection_scores), failed items shown as flags."""

from __future__ import annotations

from decimal import Decimal

from xiaoneng.inspections.models import Visit, VisitStatus
from xiaoneng.inspections.selectors import inspection_scores

from ..indicators import INDICATORS, Context, EvidenceRow, Indicator, Measure, register
from .common import ids_under, url

TWO = Decimal("0.01")


def inspection_score(ctx: Context) -> dict[int, Measure]:
    """The mean visit score; a department whose sub-units were visited too: the visits' scores weighted by the
    number of visits of each unit (its own mean × its visits)."""
    acc: dict[int, list] = {}
    for dept, r in inspection_scores(ctx.start, ctx.end).items():
        owner = ctx.owner_of.get(dept)
        if owner is None:
            continue
        a = acc.setdefault(owner, [Decimal(0), 0, 0])
        if r["mean_score"] is not None:
            a[0] += Decimal(r["mean_score"]) * r["visits"]
            a[1] += r["visits"]
        a[2] += r["failed_items"]
    out = {}
    for dept, (total, visits, failed) in acc.items():
        if visits:
            flags = (f"检查发现不符合项 {failed} 项",) if failed else ()
            out[dept] = Measure(None, Decimal(visits), (total / visits).quantize(TWO), flags)
    return out


def inspection_evidence(ctx: Context, department) -> list[EvidenceRow]:
    rows = (Visit.objects.filter(status=VisitStatus.ACCEPTED, published_at__isnull=False, visited_at__gte=ctx.start,
                                 visited_at__lt=ctx.end, department_id__in=ids_under(ctx, department))
            .order_by("visited_at", "id").values("pk", "number", "visited_at", "score", "failed"))
    return [EvidenceRow("明查暗访", r["number"], r["visited_at"], url("inspections:visit", r["pk"]),
                        ("无适用项，不计分" if r["score"] is None else f"{r['score']}分")
                        + (f"，不符合项{r['failed']}项" if r["failed"] else "")) for r in rows]


register(Indicator(
    "inspection_score", "明查暗访得分",
    "本期（按检查时间）已审核并发布的明查暗访记录的平均得分（无适用项的记录不计分）；检查发现的不符合项一并列示。",
    inspection_score, inspection_evidence, is_rate=False, unit="分", default_floor=Decimal(60),
    default_target=Decimal(95)), INDICATORS)
