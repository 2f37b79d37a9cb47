"""The leader's view (领导驾驶舱, issue 13 §4): reads of published evaluations only — the chosen period's ranking and
grades by group, score trends per department over the last periods of that kind, and the seeds' headline
metrics county-wide, summed from the frozen ScoreLines (never recomputed from the data below, so the figures a
leader reads are those that were published), with the drill-down of one metric in one period.

Who: leaders and the office (supervisor). Drafts are never shown here, to anyone: the office reviews drafts on
its own pages. Every read is a fixed number of queries whatever the number of departments or periods shown.

How a headline metric is summed (the same rule for every period and the drill-down):
- a rate or ratio indicator: Σ numerators ÷ Σ denominators over the departments' indicator lines of that code
  (a department not scored on it has neither and adds nothing); for `avg_working_days_ratio` the numerator is
  the sum of the cases' ratios, so the quotient is the county-wide mean per case;
- a count (cards by level, substantiated complaints): Σ units of the deduction lines of that code; a period
  whose scheme has no such deduction shows —, one whose scheme has it but no department had any shows 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Case, Count, DecimalField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.accounts import roles as R
from xiaoneng.core.errors import DomainError
from xiaoneng.core.periods import KIND_LABELS, KINDS, QUARTER, Period

from . import indicators as reg
from .models import (
    Evaluation,
    EvaluationStatus,
    Grade,
    LineKind,
    SchemeAdjustment,
    SchemeIndicator,
    Score,
    ScoreLine,
)

TREND_PERIODS = 8  # the trend charts show at most this many published periods of the chosen kind
DASHBOARD_ROLES = (R.SUPERVISOR, R.LEADER)


@dataclass(frozen=True)
class Metric:
    code: str  # the ScoreLine code it sums
    kind: str  # LineKind.INDICATOR (Σnum ÷ Σden) or LineKind.DEDUCTION (Σunits)
    label: str  # lazy (gettext_lazy): translated where shown
    unit: str  # "%" (a share 0..1), "倍", or a counting word (张, 件)
    chart: str  # which headline chart shows it: "rates", "ratio", "counts"
    higher_is_better: bool = True


METRICS: tuple[Metric, ...] = (
    Metric("on_time_rate", LineKind.INDICATOR, gettext_lazy("按时办结率"), "%", "rates"),
    Metric("rating_good_rate", LineKind.INDICATOR, gettext_lazy("好差评满意率"), "%", "rates"),
    Metric("complaint_on_time_rate", LineKind.INDICATOR, gettext_lazy("投诉按时答复率"), "%", "rates"),
    Metric("complaint_satisfaction_rate", LineKind.INDICATOR, gettext_lazy("投诉人满意率"), "%", "rates"),
    Metric("avg_working_days_ratio", LineKind.INDICATOR, gettext_lazy("平均用时与时限之比"), "倍", "ratio",
           higher_is_better=False),
    Metric("complaint_substantiated", LineKind.DEDUCTION, gettext_lazy("查实投诉"), "件", "counts",
           higher_is_better=False),
    Metric("card_reminder", LineKind.DEDUCTION, gettext_lazy("预警提醒"), "张", "counts", higher_is_better=False),
    Metric("card_yellow", LineKind.DEDUCTION, gettext_lazy("黄牌"), "张", "counts", higher_is_better=False),
    Metric("card_red", LineKind.DEDUCTION, gettext_lazy("红牌"), "张", "counts", higher_is_better=False),
)
METRIC_BY_CODE = {m.code: m for m in METRICS}
GRADES = [(g.value, g.label) for g in Grade]  # labels lazy: translated where shown, not at import


def can_view(user) -> bool:
    return user is not None and user.is_authenticated and user.has_any_role(*DASHBOARD_ROLES)


def published() -> list[Evaluation]:
    """Every published evaluation (the revision in force of each period), oldest first: the picker's choices."""
    return list(Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED).order_by("starts_at", "period_kind"))


@dataclass
class Choice:
    kind: str
    evaluation: Evaluation | None
    trend: list  # the published evaluations of the kind up to the chosen one, oldest first (≤ TREND_PERIODS)
    kinds: list  # [(kind, label, [evaluations of that kind, newest first])] — only kinds with a published one
    errors: list


def choose(evaluations: list[Evaluation], *, kind: str | None, period: str | None) -> Choice:
    """The evaluation the page shows: `period` when published (its kind wins), else the latest of `kind`, else
    the latest quarter, else the latest of any kind. Bad input is named in `errors` (in Chinese) and ignored."""
    errors = []
    by_kind: dict[str, list[Evaluation]] = {}
    for ev in evaluations:
        by_kind.setdefault(ev.period_kind, []).append(ev)
    kinds = [(k, KIND_LABELS[k], list(reversed(by_kind[k]))) for k in KINDS if k in by_kind]
    kind = (kind or "").strip()
    if kind and kind not in KINDS:
        errors.append(DomainError(_("考核周期类型无效，已显示最近一期。"), field="kind").message)
        kind = ""
    chosen = None
    code = (period or "").strip()
    if code:
        try:
            p = Period.parse(code)
        except DomainError:
            errors.append(DomainError(_("考核期格式不正确，应如 2026Q3、2026-07、2026H2 或 2026。"), field="period")
                          .message)
        else:
            if not kind or kind == p.kind:
                chosen = next((e for e in by_kind.get(p.kind, []) if e.period == p.code), None)
                if chosen is None:
                    errors.append(DomainError(_("%(period)s尚无已发布的考核结果，已显示最近一期。") % {"period": p.label},
                                              field="period").message)
    if chosen is None:
        k = kind or (QUARTER if QUARTER in by_kind else (evaluations[-1].period_kind if evaluations else QUARTER))
        chosen = by_kind[k][-1] if by_kind.get(k) else None
        kind = k
    else:
        kind = chosen.period_kind
    trend = []
    if chosen is not None:
        same = by_kind[chosen.period_kind]
        upto = same[: same.index(chosen) + 1]
        trend = upto[-TREND_PERIODS:]
    return Choice(kind, chosen, trend, kinds, errors)


PLACES = 10  # each group's top and bottom places the dashboard shows (`?places=`, within PLACES_MIN..PLACES_MAX)
PLACES_MIN, PLACES_MAX = 1, 50


def ranking_by_group(ev: Evaluation, *, places: int = PLACES) -> list[dict]:
    """The chosen evaluation's groups (in the order of their codes), each with its grade counts over all its
    departments, its size, and only its `places` first and `places` last scores (`top`, `bottom`; `scores` both,
    in rank order; `hidden` how many lie between), so that a province's 2,000 departments are not all drawn: the
    full ranking is the office's paged page. Two queries whatever the number of departments: the grade counts
    (one GROUP BY) and the shown scores (rank ≤ places, or rank > the group's size − places)."""
    counts = (Score.objects.filter(evaluation=ev).order_by().values("group_code", "group_name", "grade")
              .annotate(n=Count("id")))
    groups: dict[str, dict] = {}
    for r in sorted(counts, key=lambda r: r["group_code"]):
        g = groups.setdefault(r["group_code"], {"code": r["group_code"], "name": r["group_name"], "size": 0,
                                                "top": [], "bottom": [], "grades": {code: 0 for code, _label in GRADES}})
        g["grades"][r["grade"]] = g["grades"].get(r["grade"], 0) + r["n"]
        g["size"] += r["n"]
    shown = (Score.objects.filter(evaluation=ev).filter(Q(rank__lte=places) | Q(rank__gt=F("group_size") - places))
             .select_related("department").order_by("group_code", "rank"))
    for s in shown:
        g = groups.get(s.group_code)
        if g is not None:
            (g["top"] if s.rank <= places else g["bottom"]).append(s)
    for g in groups.values():
        g["scores"] = g["top"] + g["bottom"]
        g["hidden"] = g["size"] - len(g["scores"])
        g["grade_rows"] = [(label, g["grades"][code]) for code, label in GRADES]
    return list(groups.values())


def score_of(ev: Evaluation, department_code: str) -> Score | None:
    """One department's score in `ev` by the department's code (the trend's department), or None. One query."""
    return Score.objects.filter(evaluation=ev, department__code=department_code).select_related("department").first()


def trends(trend: list[Evaluation], department_id: int | None) -> dict:
    """Scores per period for one department beside the mean of all scored departments. Two queries."""
    ids = [e.pk for e in trend]
    means = {r["evaluation_id"]: r for r in Score.objects.filter(evaluation_id__in=ids).values("evaluation_id")
             .annotate(mean=Avg("score"), n=Count("id"))}
    mine = {}
    if department_id is not None:
        mine = {s.evaluation_id: s for s in Score.objects.filter(evaluation_id__in=ids, department_id=department_id)}
    rows = []
    for e in trend:
        m = means.get(e.pk)
        rows.append({"evaluation": e, "label": e.period_label, "score": mine.get(e.pk),
                     "mean": Decimal(m["mean"]).quantize(Decimal("0.01")) if m and m["mean"] is not None else None,
                     "count": m["n"] if m else 0})
    return {"rows": rows}


def headline(trend: list[Evaluation]) -> list[dict]:
    """The headline metrics per period (oldest first), summed from the ScoreLines of each published evaluation.
    Three queries: the lines' sums, and which metrics each period's scheme measured."""
    ids = [e.pk for e in trend]
    codes = [m.code for m in METRICS]
    sums = {(r["score__evaluation_id"], r["code"], r["kind"]): r for r in ScoreLine.objects
            .filter(score__evaluation_id__in=ids, code__in=codes, kind__in=(LineKind.INDICATOR, LineKind.DEDUCTION))
            .values("score__evaluation_id", "code", "kind")
            .annotate(num=Sum("numerator"), den=Sum("denominator"), units=Sum("units"))}
    scheme_ids = {e.scheme_id for e in trend}
    in_scheme = {(r["scheme_id"], LineKind.INDICATOR, r["code"]) for r in SchemeIndicator.objects
                 .filter(scheme_id__in=scheme_ids, code__in=codes).values("scheme_id", "code")}
    in_scheme |= {(r["scheme_id"], r["kind"], r["code"]) for r in SchemeAdjustment.objects
                  .filter(scheme_id__in=scheme_ids, code__in=codes).values("scheme_id", "kind", "code")}
    out = []
    for e in trend:
        figures = {}
        for m in METRICS:
            measured = (e.scheme_id, m.kind, m.code) in in_scheme
            r = sums.get((e.pk, m.code, m.kind))
            fig = {"value": None, "numerator": None, "denominator": None, "measured": measured}
            if measured and m.kind == LineKind.INDICATOR and r and r["den"]:
                fig.update(numerator=r["num"], denominator=r["den"], value=r["num"] / r["den"])
            elif measured and m.kind == LineKind.DEDUCTION:
                fig["value"] = (r["units"] if r and r["units"] is not None else Decimal(0))
            figures[m.code] = fig
        out.append({"evaluation": e, "label": e.period_label, "figures": figures})
    return out


def drill(ev: Evaluation, metric: Metric):
    """One metric of one period opened: every department's line of that code, the best first (by value for an
    indicator, fewest units for a count), ties by overall rank; departments not scored on it last. A queryset
    ordered in the database, for the page to show a page of it (`drill_rows`): a count and one page, whatever
    the number of departments (+ the score page and the line's evidence page link from each row)."""
    qs = (ScoreLine.objects.filter(score__evaluation=ev, code=metric.code, kind=metric.kind)
          .select_related("score", "score__department"))
    if metric.kind == LineKind.INDICATOR:
        scored = Q(scored=True, value__isnull=False)
        qs = qs.annotate(unscored=Case(When(scored, then=Value(0)), default=Value(1), output_field=IntegerField()),
                         sort_value=Case(When(scored, then=F("value")), default=None))
        best = F("sort_value").desc(nulls_last=True) if metric.higher_is_better else F("sort_value").asc(nulls_last=True)
        return qs.order_by("unscored", best, "score__rank_overall", "pk")
    return (qs.annotate(n=Coalesce("units", Value(Decimal(0)), output_field=DecimalField(max_digits=14, decimal_places=4)))
            .order_by("-n", "score__rank_overall", "pk"))


def drill_rows(lines, metric: Metric) -> list[dict]:
    """The rows of the drill-down's table for `lines` (one page of `drill`): each line with its score and
    department, and whether its evidence opens (a scored indicator line, or any count, whose calculation has an
    evidence list)."""
    reg.load()
    has_evidence = _has_evidence(metric)
    return [{"line": ln, "score": ln.score, "department": ln.score.department, "evidence": has_evidence and
             (ln.kind != LineKind.INDICATOR or ln.scored)} for ln in lines]


def _has_evidence(metric: Metric) -> bool:
    registry = reg.INDICATORS if metric.kind == LineKind.INDICATOR else reg.DEDUCTIONS
    calc = registry.get(metric.code)
    return bool(calc and calc.evidence)


def chart_data(choice: Choice, groups: list[dict], trend_data: dict, head: list[dict], urls: dict) -> dict:
    """What the charts draw (json_script), from the same answers as the tables under them: nothing is computed
    in the browser. Rates travel as percentages with one decimal, ratios with two, counts as integers."""
    grade_labels = [label for _c, label in GRADES]
    data = {
        "grades": {"groups": [g["name"] for g in groups], "labels": grade_labels,
                   "series": [[g["grades"][code] for g in groups] for code, _l in GRADES]},
        "trend": {"periods": [r["label"] for r in trend_data["rows"]],
                  "score": [float(r["score"].score) if r["score"] else None for r in trend_data["rows"]],
                  "mean": [float(r["mean"]) if r["mean"] is not None else None for r in trend_data["rows"]],
                  "label_score": trend_data.get("department_name") or "", "label_mean": _("全部单位平均分")},
        "metrics": {"periods": [h["label"] for h in head], "charts": {}},
    }
    for chart in ("rates", "ratio", "counts"):
        series = []
        for m in METRICS:
            if m.chart != chart:
                continue
            values, links = [], []
            for h in head:
                v = h["figures"][m.code]["value"]
                if v is None:
                    values.append(None)
                elif m.unit == "%":
                    values.append(round(float(v) * 100, 1))
                elif m.unit == "倍":
                    values.append(round(float(v), 2))
                else:
                    values.append(int(v))
                links.append(urls["drill"](h["evaluation"], m) if v is not None else None)
            if any(v is not None for v in values):
                series.append({"name": m.label, "unit": m.unit, "values": values, "links": links})
        data["metrics"]["charts"][chart] = series
    return data


def landing_leader(user, *, now) -> dict | None:
    """The leaders' landing panel: the latest published quarter (else the latest published period of any kind) —
    grade counts and the bottom of the overall ranking, linking to the dashboard. None when nothing is published
    yet. Three queries (one when nothing is published): the evaluation, its grades counted, its last five."""
    from django.db.models import Case, IntegerField, Value, When
    from django.urls import reverse

    if not can_view(user):
        return None
    ev = (Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED)
          .annotate(not_quarter=Case(When(period_kind=QUARTER, then=Value(0)), default=Value(1),
                                     output_field=IntegerField()))
          .order_by("not_quarter", "-starts_at").first())
    if ev is None:
        return None
    url = reverse("evaluation:dashboard") + f"?kind={ev.period_kind}&period={ev.period}"
    # Counted in the database and only the last five read: a province publishes thousands of scores a quarter.
    counts = dict.fromkeys(Grade.values, 0)
    counts.update(Score.objects.filter(evaluation=ev).order_by().values_list("grade").annotate(n=Count("pk")))
    rows = list(Score.objects.filter(evaluation=ev).order_by("-rank_overall")
                .values("pk", "grade", "score", "rank_overall", "department__name")[:5])
    labels = dict(Grade.choices)
    return {
        "key": "leader-evaluation", "title": _("%(period)s效能考核") % {"period": ev.period_label}, "url": url,
        "link": _("打开领导驾驶舱"),
        "tiles": [{"label": str(label), "value": counts[code], "url": url,
                   "tone": "danger" if code == Grade.FAIL and counts[code] else "", "hint": ""}
                  for code, label in Grade.choices],
        "rows_title": _("总排名末位"), "empty": "",
        "rows": [{"text": r["department__name"], "url": reverse("evaluation:score_detail", args=[r["pk"]]),
                  "meta": _("第%(rank)s名 · %(score)s分 · %(grade)s")
                  % {"rank": r["rank_overall"], "score": r["score"], "grade": labels.get(r["grade"], "")},
                  "tone": "danger" if r["grade"] == Grade.FAIL else ""} for r in rows],
    }
