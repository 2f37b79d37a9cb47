"""Bulletins (考核通报): generated from a published evaluation, per ranking group the top `scheme.bulletin_top`
commended and the bottom `scheme.bulletin_bottom` named (never more than half a group each, said so), each named
one with its main failings in words from its frozen ScoreLines. The content is stored as JSON when generated, so
the page, the workbook and the PDF always say the same thing; publishing fixes it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xiaoneng.accounts.models import Department
from xiaoneng.core.errors import DomainError

from .. import indicators as reg
from ..models import Bulletin, Evaluation, EvaluationStatus, Grade, LineKind, Score
from .sanctions import SERIES_BULLETIN, bottom_size, county_short_name, document_number, series_next

D = Decimal
FAILINGS_N = 3  # the indicators that lost most points, named in a bulletin


def pct(value) -> str:
    """0.875 → '87.5%' (one decimal, trailing .0 dropped)."""
    text = f"{(D(value) * 100).quantize(D('0.1'))}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def num(value) -> str:
    text = f"{D(value).quantize(D('0.01'))}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def value_text(code: str, value) -> str:
    ind = reg.INDICATORS.get(code)
    if value is None:
        return ""
    if ind is None or ind.unit == "%":
        return pct(value)
    return f"{num(value)}{ind.unit}"


def failings(score: Score, lines) -> str:
    """The department's main failings in words: the indicators that lost most points (with their values), the
    cards, substantiated complaints and other deductions, the veto."""
    parts = []
    lost = []
    for ln in lines:
        if ln.kind == LineKind.INDICATOR and ln.scored and ln.effective_weight is not None:
            gap = D(ln.effective_weight) - D(ln.points)
            if gap >= D("0.01"):
                lost.append((gap, ln))
    lost.sort(key=lambda x: (-x[0], x[1].position))
    for gap, ln in lost[:FAILINGS_N]:
        parts.append(f"{ln.name}为{value_text(ln.code, ln.value)}，失{num(gap)}分")
    for ln in lines:
        if ln.kind == LineKind.DEDUCTION and ln.units:
            unit = reg.DEDUCTIONS[ln.code].unit if ln.code in reg.DEDUCTIONS else "项"
            parts.append(f"{ln.name}{num(ln.units)}{unit}，扣{num(ln.points)}分")
    indicators = [ln for ln in lines if ln.kind == LineKind.INDICATOR]
    if indicators and not any(ln.scored for ln in indicators):
        parts.insert(0, "本期各项指标均无可计分的数据")
    text = "；".join(parts)
    if score.veto:
        text = (score.veto.get("text") or score.veto.get("name", "")) + ("；" + text if text else "")
    return (text + "。") if text else "各项指标均未失分。"


def strengths(score: Score, lines) -> str:
    full = [ln for ln in lines if ln.kind == LineKind.INDICATOR and ln.scored and ln.effective_weight
            and D(ln.points) >= D(ln.effective_weight)]
    text = f"总分{num(score.score)}分，等次{score.get_grade_display()}"
    if full:
        text += "；" + "、".join(f"{ln.name}{value_text(ln.code, ln.value)}" for ln in full[:3]) + "，均得满分"
    bonus = [ln for ln in lines if ln.kind == LineKind.BONUS and ln.points]
    if bonus:
        text += "；" + "、".join(f"{ln.name}加{num(ln.points)}分" for ln in bonus)
    return text + "。"


def _row(s: Score, text: str) -> dict:
    return {"department_id": s.department_id, "score_id": s.pk, "department": s.department.name, "rank": s.rank,
            "group_size": s.group_size, "score": num(s.score), "grade": str(s.get_grade_display()),
            "veto": bool(s.veto), "text": text}


def _local_date(at: dt.datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.year}年{local.month}月{local.day}日"


def bulletin_content(ev: Evaluation, *, number: str, now: dt.datetime) -> dict:
    """The bulletin as data (what the page, the workbook and the PDF print)."""
    scheme = ev.scheme
    scores = list(ev.scores.select_related("department").prefetch_related("lines").order_by("rank_overall"))
    groups: dict[str, dict] = {}
    for s in scores:
        groups.setdefault(s.group_code, {"code": s.group_code, "name": s.group_name, "scores": []})["scores"].append(s)
    out_groups = []
    for g in groups.values():
        ss = sorted(g["scores"], key=lambda s: s.rank)
        size = len(ss)
        top, bottom = bottom_size(scheme.bulletin_top, size), bottom_size(scheme.bulletin_bottom, size)
        notes = []
        if top < scheme.bulletin_top or bottom < scheme.bulletin_bottom:
            notes.append(f"本组共{size}个单位，表扬和通报的单位各不超过半数，故表扬至多{top}个、通报{bottom}个。"
                         if top or bottom else f"本组仅{size}个单位，不作表扬和通报。")
        # Only a department that passed (合格 or better, no veto) is commended, whatever its rank.
        praised = [s for s in ss[:top] if not s.veto and s.grade != Grade.FAIL]
        if len(praised) < top:
            notes.append(f"考核等次为不合格或被一票否决的单位不予表扬，本组表扬{len(praised)}个。")
        note = "".join(notes)
        commended = [_row(s, strengths(s, list(s.lines.all()))) for s in praised]
        named = [_row(s, failings(s, list(s.lines.all()))) for s in ss[size - bottom:]] if bottom else []
        numeral = "一二三四五六七八九十"[len(out_groups) % 10]
        out_groups.append({"code": g["code"], "name": g["name"], "size": size, "top": top, "bottom": bottom,
                           "heading": f"{numeral}、{g['name']}（共{size}个单位）",
                           "note": note, "commended": commended, "named": named})
    office = Department.objects.filter(kind=Department.Kind.OFFICE).order_by("path").first()
    issuer = office.name if office else f"{county_short_name()}机关效能建设领导小组办公室"
    label = ev.period_label
    return {
        "title": f"关于{label}机关效能考核结果的通报",
        "number": number, "period": ev.period, "period_label": label, "revision": ev.revision,
        "intro": (f"根据机关效能考核方案（{scheme.name}，第{scheme.version}版），对全县{len(scores)}个单位"
                  f"{label}的机关效能情况进行了考核。现将考核结果通报如下。"),
        "groups": out_groups,
        "ranking": [{"group": s.group_name, "rank": s.rank, "department": s.department.name, "score_id": s.pk, "score": num(s.score),
                     "grade": str(s.get_grade_display()), "veto": (s.veto or {}).get("name", "")} for s in scores],
        "closing": ("受到表扬的单位要再接再厉，继续发挥示范作用；被通报的单位要认真查找问题、分析原因，"
                    "于通报印发之日起10个工作日内将整改情况书面报送效能办。连续排名后进的，按规定予以问责。"),
        "issuer": issuer,
        "date_text": _local_date(now),
    }


@transaction.atomic
def bulletin_generate(evaluation: Evaluation, *, now: dt.datetime, by=None) -> Bulletin:
    """Generate the bulletin of a published evaluation (numbered in the year's series 「清源县效通〔2026〕N号」).
    A bulletin not yet published is re-generated in place (its number kept); a published one is final."""
    ev = Evaluation.objects.select_for_update(of=("self",)).select_related("scheme").get(pk=evaluation.pk)
    if ev.status != EvaluationStatus.PUBLISHED:
        raise DomainError("只能根据已发布的考核结果生成通报。", field="evaluation")
    existing = Bulletin.objects.select_for_update().filter(evaluation=ev).order_by("-id").first()
    if existing is not None and existing.published_at is not None:
        raise DomainError(f"{ev.period_label}的通报已经印发（{existing.number}），不能重新生成。",
                          field="evaluation")
    if existing is not None:
        b = existing
    else:
        year = timezone.localtime(now).year
        b = Bulletin(evaluation=ev, number=document_number(SERIES_BULLETIN, year, series_next(SERIES_BULLETIN, year)))
    b.content = bulletin_content(ev, number=b.number, now=now)
    b.title = b.content["title"]
    b.generated_at, b.generated_by = now, by
    b.save()
    return b


@transaction.atomic
def bulletin_publish(bulletin: Bulletin, *, now: dt.datetime, by=None) -> Bulletin:
    """Issue the bulletin (印发): fixed from now on (the portal shows published bulletins when it exists)."""
    b = Bulletin.objects.select_for_update(of=("self",)).select_related("evaluation").get(pk=bulletin.pk)
    if b.published_at is not None:
        raise DomainError("该通报已经印发。", field="status")
    if b.evaluation.status != EvaluationStatus.PUBLISHED:
        raise DomainError("考核结果已被更正，请根据更正后的结果重新生成通报。", field="evaluation")
    b.content = {**b.content, "date_text": _local_date(now)}
    b.published_at, b.published_by = now, by
    b.save(update_fields=["content", "published_at", "published_by"])
    return b
