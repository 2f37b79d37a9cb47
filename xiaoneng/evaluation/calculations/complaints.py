"""Calculations over efficiency complaints (效能投诉), charged to the complained-about department (被投诉单位):
answered on time, complainants' satisfaction (as the complaints 三率 define it: complaints.selectors), and
substantiated complaints as a deduction. Merged duplicates are never counted. One GROUP BY answers all three."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q

from xiaoneng.complaints.models import RATED_LEVELS, Complaint, Outcome, Status
from xiaoneng.complaints.selectors import satisfied_levels

from ..indicators import (
    DEDUCTIONS,
    INDICATORS,
    Adjustment,
    Context,
    EvidenceRow,
    Indicator,
    Measure,
    register,
)
from .common import ids_under, shares, summed, url

SUBSTANTIATED = (Outcome.SUBSTANTIATED, Outcome.PARTLY)
KEYS = ("replied", "replied_on_time", "rated", "satisfied", "substantiated")


def _in(ctx: Context, field: str) -> Q:
    return Q(**{f"{field}__gte": ctx.start, f"{field}__lt": ctx.end})


def _base():
    return Complaint.objects.exclude(status=Status.MERGED)


def _counts(ctx: Context) -> dict[int, dict]:
    if "complaints" not in ctx.cache:
        rated = _in(ctx, "rated_at") & Q(rating__in=RATED_LEVELS)
        replied = _in(ctx, "replied_at")
        result = _in(ctx, "result_at") & Q(outcome__in=SUBSTANTIATED)
        rows = (_base().filter(replied | rated | result).values("department_id").order_by()
                .annotate(replied=Count("id", filter=replied),
                          replied_on_time=Count("id", filter=replied & Q(replied_at__lte=F("reply_due_at"))),
                          rated=Count("id", filter=rated),
                          satisfied=Count("id", filter=rated & Q(rating__in=satisfied_levels())),
                          substantiated=Count("id", filter=result)))
        ctx.cache["complaints"] = summed(ctx, rows, KEYS)
    return ctx.cache["complaints"]


def _rate(num: str, den: str):
    def compute(ctx: Context) -> dict[int, Measure]:
        return shares(_counts(ctx), num, den)

    return compute


def _row(c: dict, counted: str) -> EvidenceRow:
    return EvidenceRow("投诉", f"{c['number']} {c['category__name']}", c["at"], url("complaints:detail", c["number"]),
                       counted)


def on_time_evidence(ctx: Context, department) -> list[EvidenceRow]:
    rows = (_base().filter(_in(ctx, "replied_at"), department_id__in=ids_under(ctx, department))
            .order_by("replied_at", "id").values("number", "category__name", "replied_at", "reply_due_at"))
    return [_row({**r, "at": r["replied_at"]},
                 "按期答复" if r["reply_due_at"] is not None and r["replied_at"] <= r["reply_due_at"] else "逾期答复")
            for r in rows]


def satisfaction_evidence(ctx: Context, department) -> list[EvidenceRow]:
    labels = dict(Complaint._meta.get_field("rating").choices)
    good = set(satisfied_levels())
    rows = (_base().filter(_in(ctx, "rated_at"), rating__in=RATED_LEVELS,
                           department_id__in=ids_under(ctx, department))
            .order_by("rated_at", "id").values("number", "category__name", "rated_at", "rating"))
    return [_row({**r, "at": r["rated_at"]}, f"{labels.get(r['rating'], '')}（{'满意' if r['rating'] in good else '不满意'}）")
            for r in rows]


def substantiated_evidence(ctx: Context, department) -> list[EvidenceRow]:
    labels = dict(Outcome.choices)
    rows = (_base().filter(_in(ctx, "result_at"), outcome__in=SUBSTANTIATED,
                           department_id__in=ids_under(ctx, department))
            .order_by("result_at", "id").values("number", "category__name", "result_at", "outcome"))
    return [_row({**r, "at": r["result_at"]}, str(labels.get(r["outcome"], ""))) for r in rows]


def substantiated(ctx: Context) -> dict[int, Decimal]:
    return {d: Decimal(c["substantiated"]) for d, c in _counts(ctx).items() if c["substantiated"]}


register(Indicator(
    "complaint_on_time_rate", "投诉按期答复率",
    "本期（按答复时间）已答复的投诉中，在答复期限内答复的比例；计入被投诉单位，合并的重复投诉不计。",
    _rate("replied_on_time", "replied"), on_time_evidence, default_floor=Decimal("0.8"),
    default_target=Decimal("1")), INDICATORS)
register(Indicator(
    "complaint_satisfaction_rate", "投诉满意率",
    "本期（按评价时间）投诉人作出回访评价的投诉中，评价为满意等级（与投诉统计的满意率口径相同，默认“非常满意”“满意”）"
    "的比例；未评价的不计；计入被投诉单位。",
    _rate("satisfied", "rated"), satisfaction_evidence, default_floor=Decimal("0.6"),
    default_target=Decimal("0.95")), INDICATORS)
register(Adjustment(
    "complaint_substantiated", "投诉属实",
    "本期（按作出办理结果的时间）核查结论为属实或部分属实的投诉件数，计入被投诉单位。",
    substantiated, substantiated_evidence, unit="件"), DEDUCTIONS)
