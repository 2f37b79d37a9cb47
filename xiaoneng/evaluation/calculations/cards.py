"""Calculations over cards (预警提醒、黄牌、红牌) issued in the period: deductions per level, the red-card veto."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q
from django.urls import reverse

from xiaoneng.supervision.models import Level, Warning, WarningStatus

from ..indicators import DEDUCTIONS, VETOES, Adjustment, Context, EvidenceRow, Veto, register

# A card counts once issued to the department and not withdrawn: one awaiting the office's confirmation was
# never issued, a withdrawn one was a mistake.
NOT_COUNTED = (WarningStatus.WITHDRAWN, WarningStatus.PENDING_CONFIRMATION)


def _issued(ctx: Context):
    return Warning.objects.filter(issued_at__gte=ctx.start, issued_at__lt=ctx.end).exclude(status__in=NOT_COUNTED)


def _level_counts(ctx: Context) -> dict[int, dict]:
    if "card_levels" not in ctx.cache:
        rows = (_issued(ctx).values("department_id")
                .annotate(**{lv: Count("id", filter=Q(level=lv)) for lv in Level.values}))
        ctx.cache["card_levels"] = {owner: {lv: sum(r[lv] for r in items) for lv in Level.values}
                                    for owner, items in ctx.roll_up(rows).items()}
    return ctx.cache["card_levels"]


def _by_level(level: str):
    def compute(ctx: Context) -> dict[int, Decimal]:
        return {d: Decimal(c[level]) for d, c in _level_counts(ctx).items() if c[level]}

    def evidence(ctx: Context, department) -> list[EvidenceRow]:
        ids = [d for d, owner in ctx.owner_of.items() if owner == department.pk]
        rows = _issued(ctx).filter(department_id__in=ids, level=level).order_by("issued_at", "id")
        return [EvidenceRow("预警", f"{w.get_level_display()} {w.detail}"[:120], w.issued_at,
                            reverse("supervision:warning_detail", args=[w.pk]), w.get_status_display())
                for w in rows]

    return compute, evidence


for _level, _name in ((Level.REMINDER, "预警提醒"), (Level.YELLOW, "黄牌"), (Level.RED, "红牌")):
    _c, _e = _by_level(_level)
    register(Adjustment(f"card_{_level}", _name, f"本期（按发牌时间）发出的{_name}张数，已撤销和待确认的不计。", _c, _e,
                        unit="张"), DEDUCTIONS)


def red_card_count(ctx: Context) -> dict[int, int]:
    return {d: c[Level.RED] for d, c in _level_counts(ctx).items() if c[Level.RED]}


register(Veto("red_cards", "红牌数量达到否决标准", "本期发出的红牌（不含已撤销）达到规定张数的，实行一票否决。",
              red_card_count, _by_level(Level.RED)[1]), VETOES)
