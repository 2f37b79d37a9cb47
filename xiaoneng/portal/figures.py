"""What the public may read of the evaluation (issue 14 §1 and §3): a department's figures, the published ranking
of a period, the published bulletins. Reads only; no account.

Only PUBLISHED evaluations are read — the revision in force of each period; drafts and superseded revisions
never appear — and only bulletins the office has published (印发). Every figure is the frozen ScoreLine of the
published score, so the portal says exactly what the bulletin and the office's pages say, with its period; a
rate over fewer cases than the scheme's minimum sample carries the evaluation's own flag (样本较少) and its
interval. Every read answers in a fixed number of queries, whatever the number of periods or departments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.accounts.models import Department
from xiaoneng.core.errors import DomainError
from xiaoneng.core.periods import QUARTER, Period
from xiaoneng.evaluation.models import (
    Bulletin,
    DepartmentGroup,
    Evaluation,
    EvaluationStatus,
    LineKind,
    Score,
    ScoreLine,
)

SMALL_SAMPLE = "样本较少"  # the evaluation's flag text (services/evaluate.py), matched at its start


@dataclass(frozen=True)
class Metric:
    code: str  # evaluation.ScoreLine code (an indicator)
    label: object
    unit: str  # "%" (a rate 0..1) or "倍" (a ratio)
    help: object


METRICS = (
    Metric("on_time_rate", gettext_lazy("按时办结率"), "%", gettext_lazy("本期办结的办件中，在承诺期限内办结的比例（补正、特别程序期间不计时）。")),
    Metric("avg_working_days_ratio", gettext_lazy("平均用时比"), "倍",
           gettext_lazy("办结办件实际用时（工作日）与承诺时限之比的平均值；小于 1 表示平均提前办结，越低越好。")),
    Metric("complaint_on_time_rate", gettext_lazy("投诉按期答复率"), "%", gettext_lazy("本期已答复的效能投诉中，在答复期限内答复的比例。")),
    Metric("rating_good_rate", gettext_lazy("好评率（好差评）"), "%", gettext_lazy("本期办事群众有效评价中“非常满意”“满意”所占比例。")),
)
METRIC_CODES = tuple(m.code for m in METRICS)


def fmt_value(value: Decimal | None, unit: str) -> str:
    """0.875 → '87.5%'; 0.8 (倍) → '0.80 倍'; None → '—'."""
    if value is None:
        return "—"
    if unit == "%":
        text = f"{(Decimal(value) * 100).quantize(Decimal('0.1'))}"
        return (text[:-2] if text.endswith(".0") else text) + "%"
    return f"{Decimal(value).quantize(Decimal('0.01'))} " + _("倍")


def _num(d: Decimal | None) -> str:
    if d is None:
        return ""
    n = Decimal(d).normalize()
    return f"{n:f}"


@dataclass
class Figure:
    metric: Metric
    measured: bool = False  # the scheme of that period had this indicator
    scored: bool = False  # the department had data for it
    value: Decimal | None = None
    text: str = "—"
    numerator: str = ""
    denominator: str = ""
    interval: str = ""
    small_sample: bool = False
    flags: list = field(default_factory=list)


@dataclass
class PeriodRow:
    evaluation: Evaluation
    score: Score
    figures: dict  # code → Figure


def _figure(metric: Metric, line: ScoreLine | None) -> Figure:
    f = Figure(metric=metric)
    if line is None:
        return f
    f.measured = True
    f.scored = bool(line.scored) and line.value is not None
    f.value = line.value if f.scored else None
    f.text = fmt_value(f.value, metric.unit) if f.scored else _("无数据")
    f.numerator, f.denominator = _num(line.numerator), _num(line.denominator)
    f.flags = [str(x) for x in line.flags or []]
    f.small_sample = any(x.startswith(SMALL_SAMPLE) for x in f.flags)
    if f.small_sample and line.low is not None and line.high is not None:
        f.interval = f"{fmt_value(line.low, '%')} – {fmt_value(line.high, '%')}"
    return f


def department_get(code: str) -> Department:
    """An active department by its code; 404 otherwise (the page names nobody)."""
    dept = Department.objects.filter(code=(code or "")[:32], is_active=True).first()
    if dept is None:
        raise Http404
    return dept


def department_figures(dept: Department, *, periods: int = 8) -> dict:
    """The department's published quarters, oldest first (at most `periods`), each with its score, grade,
    ranks and the four public figures; `latest` is the newest. Two queries (scores with their evaluations,
    the lines of the four indicators)."""
    lines = Prefetch("lines", queryset=ScoreLine.objects.filter(kind=LineKind.INDICATOR, code__in=METRIC_CODES),
                     to_attr="public_lines")
    scores = list(Score.objects.select_related("evaluation")
                  .filter(department=dept, evaluation__status=EvaluationStatus.PUBLISHED,
                          evaluation__period_kind=QUARTER)
                  .prefetch_related(lines).order_by("-evaluation__starts_at")[:periods])
    rows = []
    for s in reversed(scores):
        by_code = {ln.code: ln for ln in s.public_lines}
        rows.append(PeriodRow(evaluation=s.evaluation, score=s,
                              figures={m.code: _figure(m, by_code.get(m.code)) for m in METRICS}))
    return {"department": dept, "rows": rows, "latest": rows[-1] if rows else None, "metrics": METRICS}


def chart_data(fig: dict) -> dict:
    """What the trend chart draws (json_script): the same numbers as the table under it — rates in percent."""
    rows = fig["rows"]
    out = {"periods": [r.evaluation.period_label for r in rows],
           "score": [float(r.score.score) for r in rows], "score_label": _("总分"), "series": []}
    for m in METRICS:
        vals = [r.figures[m.code].value for r in rows]
        if not any(v is not None for v in vals):
            continue
        scale = 100 if m.unit == "%" else 1
        out["series"].append({"name": str(m.label), "unit": m.unit,
                              "data": [None if v is None else round(float(v) * scale, 2) for v in vals]})
    return out


def figures_tables(fig: dict) -> list[tuple[str, list[list]]]:
    """The department's figures as tables for CSV/Excel (formulas neutralised by core.spreadsheet)."""
    head = [_("考核期"), _("总分"), _("等次"), _("组内名次"), _("组内单位数"), _("总名次")]
    for m in METRICS:
        head += [str(m.label), _("%(m)s分子") % {"m": m.label}, _("%(m)s分母") % {"m": m.label},
                 _("%(m)s提示") % {"m": m.label}]
    rows = [head]
    for r in fig["rows"]:
        row = [r.evaluation.period_label, str(r.score.score), str(r.score.get_grade_display()), r.score.rank,
               r.score.group_size, r.score.rank_overall]
        for m in METRICS:
            f = r.figures[m.code]
            row += [f.text if f.measured else _("未考核"), f.numerator, f.denominator, "；".join(f.flags)]
        rows.append(row)
    return [(fig["department"].name[:31] or _("部门数据"), rows)]


# ----------------------------------------------------------------------------------------------- rankings
def published_periods() -> list[Evaluation]:
    """Every published evaluation (the revision in force of each period), newest first (one query)."""
    return list(Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED).order_by("-starts_at", "period_kind"))


def ranking_choose(raw_period: str | None, published: list[Evaluation]) -> Evaluation | None:
    """The published evaluation of `raw_period` (DomainError naming "period" when malformed; Http404 when that
    period has nothing published), or the newest published one when none is asked for."""
    raw = (raw_period or "").strip()[:20]
    if not raw:
        return published[0] if published else None
    code = Period.parse(raw).code
    ev = next((e for e in published if e.period == code), None)
    if ev is None:
        raise Http404
    return ev


def ranking_groups(ev: Evaluation, *, group: str = "") -> dict:
    """The published ranking of `ev` per group (in the groups' order), or of one group; two queries."""
    group = (group or "").strip()[:32]
    qs = ev.scores.select_related("department").order_by("group_code", "rank", "rank_overall")
    order = {c: n for n, (c, _n) in enumerate(DepartmentGroup.objects.values_list("code", "name"))}
    groups: dict[str, dict] = {}
    for s in qs:
        groups.setdefault(s.group_code, {"code": s.group_code, "name": s.group_name, "scores": []})["scores"].append(s)
    if group and group not in groups:
        raise DomainError(_("该考核期没有这个考核分组。"), field="group")
    listed = sorted(groups.values(), key=lambda g: (order.get(g["code"], 999), g["code"]))
    if group:
        listed = [g for g in listed if g["code"] == group]
    return {"groups": listed, "all_groups": sorted(groups.values(), key=lambda g: (order.get(g["code"], 999), g["code"])),
            "has_veto": any(s.veto for g in listed for s in g["scores"]),
            "has_small": any(s.small_sample for g in listed for s in g["scores"])}


def ranking_tables(ev: Evaluation, ranking: dict) -> list[tuple[str, list[list]]]:
    head = [_("考核分组"), _("组内名次"), _("单位"), _("总分"), _("等次"), _("总名次"), _("一票否决"), _("样本较少"), _("提示")]
    rows = [head]
    for g in ranking["groups"]:
        for s in g["scores"]:
            rows.append([g["name"], s.rank, s.department.name, str(s.score), str(s.get_grade_display()),
                         s.rank_overall, (s.veto or {}).get("name", "") if s.veto else "",
                         _("是") if s.small_sample else "", "；".join(str(x) for x in s.flags or [])])
    return [(ev.period_label[:31], rows)]


# ----------------------------------------------------------------------------------------------- bulletins
def bulletins_public():
    """Published bulletins (印发), newest first, with their evaluation (one query)."""
    return (Bulletin.objects.select_related("evaluation").filter(published_at__isnull=False)
            .exclude(evaluation__status=EvaluationStatus.DRAFT).order_by("-published_at", "-id"))


def bulletin_public_get(pk: int) -> Bulletin:
    """A published bulletin; 404 for one not (yet) published, exactly like one that does not exist."""
    if not 0 < pk < 2**63:  # an id no database holds (and SQLite cannot bind)
        raise Http404
    b = bulletins_public().filter(pk=pk).first()
    if b is None:
        raise Http404
    return b


def bulletin_public_content(b: Bulletin) -> dict:
    """The bulletin's stored content for the public page: the same words, without the staff links (score ids)."""
    c = dict(b.content or {})

    def clean(rows):
        return [{k: v for k, v in r.items() if k != "score_id"} for r in rows or []]

    c["groups"] = [{**g, "commended": clean(g.get("commended")), "named": clean(g.get("named"))}
                   for g in c.get("groups", [])]
    c["ranking"] = clean(c.get("ranking"))
    return c
