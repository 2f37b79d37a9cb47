"""Calculations over 好差评: the good rate and the rectification rate, counted exactly as the ratings figures page
counts them (xiaoneng.ratings.selectors: rating_counts, rectification_counts and complaint_rating_counts — the
complaint follow-up ratings —, DEFINITIONS), summed over the department and its sub-units; and the rating appeals a department lost."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery

from xiaoneng.ratings import selectors as rs
from xiaoneng.ratings.models import Appeal, Rating, Rectification

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
from .common import ids_under, shares, url


def _rating_rows(ctx: Context) -> dict[int, dict]:
    """{evaluated department: {"good", "ratings"}}: the figures page's counts (valid ratings of the period by
    rating time, complaint follow-up ratings under the complaint's lead department), rolled up."""
    if "ratings" not in ctx.cache:
        out: dict[int, dict] = {}

        def add(dept, counts):
            owner = ctx.owner_of.get(dept)
            if owner is None:
                return
            c = out.setdefault(owner, {"good": 0, "ratings": 0})
            c["good"] += counts.get("l5", 0) + counts.get("l4", 0)
            c["ratings"] += sum(counts.get(f"l{n}", 0) for n in range(1, 6))

        for dept, counts in rs.rating_counts(ctx.period).items():
            add(dept, counts)
        for dept, counts in rs.complaint_rating_counts(ctx.period).items():
            add(dept, counts)
        ctx.cache["ratings"] = out
    return ctx.cache["ratings"]


def good_rate(ctx: Context) -> dict[int, Measure]:
    return shares(_rating_rows(ctx), "good", "ratings")


def good_evidence(ctx: Context, department) -> list[EvidenceRow]:
    rows = (Rating.objects.filter(rated_at__gte=ctx.start, rated_at__lt=ctx.end, voided_at__isnull=True,
                                  department_id__in=ids_under(ctx, department))
            .order_by("rated_at", "id").values("pk", "level", "defaulted", "rated_at", "case__case_no",
                                               "contact__number"))
    labels = dict(Rating._meta.get_field("level").choices)
    out = []
    for r in rows:
        subject = r["case__case_no"] or r["contact__number"] or ""
        kind = "好评" if r["level"] >= 4 else ("中评" if r["level"] == 3 else "差评")
        counted = f"{labels.get(r['level'], '')}（{kind}{'，默认评价' if r['defaulted'] else ''}）"
        out.append(EvidenceRow("评价", f"评价{r['pk']} {subject}".strip(), r["rated_at"],
                               url("ratings:office_detail", r["pk"]), counted))
    # The complaint centre's follow-up ratings, under the complaint's lead department (as the figures count them).
    from xiaoneng.complaints.models import Complaint, Dispatch

    lead = (Dispatch.objects.filter(complaint=OuterRef("pk"), is_lead=True).exclude(state="withdrawn")
            .order_by("-dispatched_at", "-id").values("department_id")[:1])
    follow = (Complaint.objects.filter(rated_at__gte=ctx.start, rated_at__lt=ctx.end,
                                       rating__in=list(rs.COMPLAINT_LEVELS)).exclude(status="merged")
              .annotate(lead=Subquery(lead)).filter(lead__in=ids_under(ctx, department))
              .order_by("rated_at", "id").values("number", "rating", "rated_at"))
    levels = dict(Complaint._meta.get_field("rating").choices)
    for c in follow:
        n = rs.COMPLAINT_LEVELS[c["rating"]]
        kind = "好评" if n >= 4 else ("中评" if n == 3 else "差评")
        out.append(EvidenceRow("投诉回访评价", c["number"], c["rated_at"], url("complaints:detail", c["number"]),
                               f"{levels.get(c['rating'], '')}（{kind}）"))
    out.sort(key=lambda e: e.at)
    return out


def _rect_rows(ctx: Context) -> dict[int, dict]:
    if "rectifications" not in ctx.cache:
        out: dict[int, dict] = {}
        for dept, c in rs.rectification_counts(ctx.period).items():
            owner = ctx.owner_of.get(dept)
            if owner is not None:
                o = out.setdefault(owner, {"due": 0, "rectified": 0})
                o["due"] += c["due"]
                o["rectified"] += c["rectified"]
        ctx.cache["rectifications"] = out
    return ctx.cache["rectifications"]


def rectification_rate(ctx: Context) -> dict[int, Measure]:
    return shares(_rect_rows(ctx), "rectified", "due")


def rectification_evidence(ctx: Context, department) -> list[EvidenceRow]:
    rows = (Rectification.objects.filter(rating__level__lte=2, rating__rated_at__gte=ctx.start,
                                         rating__rated_at__lt=ctx.end, rating__voided_at__isnull=True,
                                         rating__department_id__in=ids_under(ctx, department))
            .order_by("rating__rated_at", "id").values("number", "status", "rating__rated_at"))
    labels = dict(Rectification._meta.get_field("status").choices)
    return [EvidenceRow("差评整改", r["number"], r["rating__rated_at"], url("ratings:rectify_detail", r["number"]),
                        f"{labels.get(r['status'], '')}（{'计为已整改' if r['status'] == 'accepted' else '未计为已整改'}）")
            for r in rows]


def appeals_lost(ctx: Context) -> dict[int, Decimal]:
    rows = (Appeal.objects.filter(decision=Appeal.Decision.REJECTED, decided_at__gte=ctx.start, decided_at__lt=ctx.end)
            .values("department_id").order_by().annotate(n=Count("id")))
    out = {}
    for owner, items in ctx.roll_up(rows).items():
        n = sum(r["n"] for r in items)
        if n:
            out[owner] = Decimal(n)
    return out


def appeal_evidence(ctx: Context, department) -> list[EvidenceRow]:
    rows = (Appeal.objects.filter(decision=Appeal.Decision.REJECTED, decided_at__gte=ctx.start,
                                  decided_at__lt=ctx.end, department_id__in=ids_under(ctx, department))
            .order_by("decided_at", "id").values("rating_id", "decided_at"))
    return [EvidenceRow("差评申诉", f"评价{r['rating_id']}的申诉", r["decided_at"],
                        url("ratings:office_detail", r["rating_id"]), "申诉驳回") for r in rows]


register(Indicator(
    "rating_good_rate", "好评率",
    "本期（按评价时间）有效评价中好评（非常满意、满意）所占比例；评价含逾期默认评价和投诉回访评价，不含已作废的评价"
    "（与好差评统计的好评率口径相同，下级单位计入所属单位）。",
    good_rate, good_evidence, default_floor=Decimal("0.8"), default_target=Decimal("0.98")), INDICATORS)
register(Indicator(
    "rating_rectification_rate", "差评整改率",
    "本期（按评价时间）应整改的差评（未作废的差评）中，整改已审核通过的比例（与好差评统计的整改率口径相同）。",
    rectification_rate, rectification_evidence, default_floor=Decimal("0.6"), default_target=Decimal("1")),
    INDICATORS)
register(Adjustment(
    "appeal_lost", "差评申诉被驳回",
    "本期（按审核时间）被效能办驳回的本单位差评申诉件数。",
    appeals_lost, appeal_evidence, unit="件"), DEDUCTIONS)
