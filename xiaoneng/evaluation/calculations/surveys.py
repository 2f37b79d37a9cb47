"""The survey indicator (民主评议 / 满意度调查): the department's weighted survey score as the surveys app computes it
(xiaoneng.surveys.selectors.survey_scores: the surveys whose open period closes within the evaluation period)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from xiaoneng.surveys.selectors import survey_scores

from ..indicators import INDICATORS, Context, EvidenceRow, Indicator, Measure, register
from .common import ids_under, url

TWO = Decimal("0.01")


def _scores(ctx: Context) -> dict[int, dict]:
    if "surveys" not in ctx.cache:
        # The period's last day, inclusive (survey_scores takes local dates; it adds a day to the last one, so
        # the year 9999's last day is the day before).
        last = timezone.localtime(ctx.end - dt.timedelta(microseconds=1)).date()
        ctx.cache["surveys"] = survey_scores(ctx.start, min(last, dt.date.max - dt.timedelta(days=1)))
    return ctx.cache["surveys"]


def survey_score(ctx: Context) -> dict[int, Measure]:
    """The department's score; with sub-units rated too, their scores weighted by the responses that rated each."""
    acc: dict[int, list] = {}
    for dept, entry in _scores(ctx).items():
        owner = ctx.owner_of.get(dept)
        if owner is None:
            continue
        a = acc.setdefault(owner, [Decimal(0), 0, 0, []])
        a[3].extend(entry["flags"])
        if entry["score"] is not None:
            a[0] += entry["score"] * entry["responses"]
            a[1] += entry["responses"]
            a[2] += 1
        elif entry["responses"]:
            a[3].append("部分评议样本不足，未计分")
    out = {}
    for dept, (weighted, responses, scored, flags) in acc.items():
        if scored and responses:
            value = (weighted / responses).quantize(TWO)
            out[dept] = Measure(None, Decimal(responses), value, tuple(dict.fromkeys(flags))[:5])
    return out


def survey_evidence(ctx: Context, department) -> list[EvidenceRow]:
    ids = set(ids_under(ctx, department))
    out = []
    for dept, entry in _scores(ctx).items():
        if dept not in ids:
            continue
        for s in entry["surveys"]:
            survey = s["survey"]
            score = "未计分（样本不足）" if s["score"] is None else f"{s['score']}分"
            out.append(EvidenceRow("评议", f"{survey.title}（{entry['department'].name}，答卷{s['responses']}份）"[:120],
                                   survey.closes_at, url("surveys:results", survey.pk), score))
    out.sort(key=lambda e: (e.at, e.label))
    return out


register(Indicator(
    "survey_score", "评议得分",
    "本期结束的满意度评议（按评议截止时间）中本单位的加权得分（各群体平均分按权重加权，样本不足的群体不计并标注）；"
    "有多次评议的取平均；下级单位另被评议的，按答卷数加权计入所属单位。",
    survey_score, survey_evidence, is_rate=False, unit="分", default_floor=Decimal(60), default_target=Decimal(95)),
    INDICATORS)
