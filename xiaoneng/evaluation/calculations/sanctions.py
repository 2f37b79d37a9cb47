"""Calculations over the sanctions register (效能问责, this app's own models): the points sanctions carry into the
score (against the department or its staff) and the veto for a disciplinary sanction."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from ..indicators import DEDUCTIONS, VETOES, Adjustment, Context, EvidenceRow, Veto, register
from ..models import COUNTING_STATUSES, Sanction, SanctionKind
from .common import ids_under, url


def _decided(ctx: Context):
    """Sanctions decided in the period and still standing (confirmed, under appeal, or upheld on appeal)."""
    return Sanction.objects.filter(status__in=COUNTING_STATUSES, decided_at__gte=ctx.start, decided_at__lt=ctx.end)


def _counts(ctx: Context) -> dict[int, dict]:
    if "sanctions" not in ctx.cache:
        rows = (_decided(ctx).values("department_id", "kind").order_by()
                .annotate(points=Sum("points"), n=Count("id")))
        out: dict[int, dict] = {}
        for owner, items in ctx.roll_up(rows).items():
            c = out.setdefault(owner, {"points": Decimal(0), "disciplinary": 0})
            for r in items:
                c["points"] += r["points"] or 0
                if r["kind"] == SanctionKind.DISCIPLINARY:
                    c["disciplinary"] += r["n"]
        ctx.cache["sanctions"] = out
    return ctx.cache["sanctions"]


def sanction_points(ctx: Context) -> dict[int, Decimal]:
    return {d: c["points"] for d, c in _counts(ctx).items() if c["points"]}


def disciplinary(ctx: Context) -> dict[int, int]:
    return {d: c["disciplinary"] for d, c in _counts(ctx).items() if c["disciplinary"]}


def _evidence(kind: str | None):
    def evidence(ctx: Context, department) -> list[EvidenceRow]:
        qs = _decided(ctx).filter(department_id__in=ids_under(ctx, department))
        if kind:
            qs = qs.filter(kind=kind)
        out = []
        for s in qs.order_by("decided_at", "id"):
            whom = "人员" if s.staff_id else "单位"
            title = " ".join(x for x in (str(s.get_kind_display()), s.number) if x)
            out.append(EvidenceRow("问责", f"{title}（对{whom}）", s.decided_at,
                                   url("evaluation:sanction_detail", s.pk),
                                   f"{s.get_status_display()}，扣{s.points.normalize():f}分"))
        return out

    return evidence


register(Adjustment(
    "sanction", "效能问责",
    "本期（按决定时间）对本单位或本单位人员作出、未被申诉撤销的问责决定所带的扣分之和（每项10至50分，依处理方式轻重）。",
    sanction_points, _evidence(None), unit="分"), DEDUCTIONS)
register(Veto(
    "disciplinary_sanction", "纪律处分",
    "本期（按决定时间）对本单位或本单位人员作出纪律处分（未被申诉撤销）的，实行一票否决。",
    disciplinary, _evidence(SanctionKind.DISCIPLINARY)), VETOES)
