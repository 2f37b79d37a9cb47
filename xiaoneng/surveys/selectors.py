"""Reads of the surveys app: lists for the office, the questionnaire as a respondent sees it, results per
question, and the survey score of each department.

The score (printed on the results page, `SCORE_DEFINITION`):
- each matrix answer about a department is turned into points: 非常满意 100, 满意 75, 基本满意 50, 不满意 25,
  非常不满意 0 (models.SCALE_POINTS, linear in the answer);
- a group's mean for a department = the mean of those points over its answers about the department (each
  response rates a department once per matrix question);
- a group with fewer responses about the department than its minimum, or with weight 0, is FLAGGED and left
  out, and the weights of the groups that count are renormalised to sum to 1;
- the department's survey score = Σ weight × group mean / Σ weight over the groups that count (0-100, two
  decimals); no group counting → no score, flagged "样本不足".

`survey_scores(period_start, period_end)` is what the next issue's survey indicator reads: for every department
rated in the surveys whose open period CLOSES within [period_start, period_end] (dates, both inclusive, in
Asia/Shanghai; a survey belongs to the period in which its result becomes final), a dict keyed by department id:

    {"department": Department, "score": Decimal | None (0-100; the mean of its scores over those surveys),
     "responses": int (responses that rated it, all surveys),
     "surveys": [{"survey": Survey, "score": Decimal | None, "responses": int,
                  "groups": [{"group": RespondentGroup, "weight": Decimal (as configured),
                              "effective_weight": Decimal (renormalised; 0 when left out),
                              "mean": Decimal | None, "responses": int, "counted": bool, "flag": str}],
                  "flags": [str]}],
     "flags": [str]}
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core.masking import mask_personal_data

from .models import (
    SCALE_LABELS,
    SCALE_POINTS,
    Answer,
    InvitationCode,
    Question,
    QuestionKind,
    RespondentGroup,
    Response,
    Survey,
    SurveyVersion,
)

TWO = Decimal("0.01")
OFFICE_ROLES = (R.SUPERVISOR,)
RESULT_ROLES = (R.SUPERVISOR, R.LEADER)


def score_definition() -> str:
    points = _("、").join(_("%(level)s %(points)s 分") % {"level": SCALE_LABELS[v], "points": SCALE_POINTS[v]}
                          for v in (5, 4, 3, 2, 1))
    return _("部门得分 = 各群体平均分按权重加权（%(points)s）；某群体对该部门的有效答卷少于其最少份数时，"
             "该群体不计入并标注，其余群体的权重按比例归一。") % {"points": points}


def _points_expr():
    return Case(*[When(value=v, then=Value(p)) for v, p in SCALE_POINTS.items()], output_field=IntegerField())


def _q2(x: Decimal) -> Decimal:
    return x.quantize(TWO, rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------------------------------ lists
def survey_list() -> Any:
    return (Survey.objects.select_related("current_version")
            .annotate(n_responses=Count("responses", distinct=True)).order_by("-opens_at", "-id"))


def survey_get(pk: Any) -> Survey:
    try:
        return Survey.objects.select_related("current_version").get(pk=int(pk))
    except (Survey.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def survey_get_public(token: str) -> Survey:
    """The survey behind a public link: published only (a draft's link does not exist yet)."""
    s = Survey.objects.select_related("current_version").filter(token=str(token)[:32],
                                                                status=Survey.Status.PUBLISHED).first()
    if s is None:
        raise Http404
    return s


def version_shown(survey: Survey) -> SurveyVersion:
    """The version the designer shows: the draft if there is one, else the published one."""
    return (survey.versions.filter(published_at__isnull=True).order_by("-number").first()
            or survey.current_version or survey.versions.order_by("-number").first())


def version_sections(version: SurveyVersion) -> list:
    """Sections with their questions, options and departments, in order (3 queries)."""
    sections = list(version.sections.prefetch_related("questions__options", "questions__departments"))
    for s in sections:
        s.question_list = list(s.questions.all())
        for q in s.question_list:
            q.option_list = list(q.options.all())
            q.department_list = sorted(q.departments.all(), key=lambda d: (d.sort_order, d.code))
    return sections


def code_counts(survey: Survey) -> list[dict]:
    rows = (InvitationCode.objects.filter(survey=survey).values("group_id")
            .annotate(total=Count("id"), used=Count("id", filter=Q(response__isnull=False))))
    by_group = {r["group_id"]: r for r in rows}
    return [{"group": g, "total": by_group.get(g.pk, {}).get("total", 0), "used": by_group.get(g.pk, {}).get("used", 0)}
            for g in survey.groups.all()]


# ------------------------------------------------------------------------------------------ scores
@dataclass
class GroupScore:
    group: RespondentGroup
    weight: Decimal
    mean: Decimal | None
    responses: int
    counted: bool
    flag: str = ""
    effective_weight: Decimal = Decimal(0)

    def as_dict(self) -> dict:
        return {"group": self.group, "weight": self.weight, "effective_weight": self.effective_weight,
                "mean": self.mean, "responses": self.responses, "counted": self.counted, "flag": self.flag}


@dataclass
class DepartmentScore:
    department: Department
    score: Decimal | None
    responses: int
    groups: list[GroupScore] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def left_out(self) -> str:
        """The groups not counted, by name (the page's short note; `flags` has the reasons)."""
        return "、".join(g.group.name for g in self.groups if not g.counted)


def combine_groups(groups: list[GroupScore]) -> tuple[Decimal | None, list[str]]:
    """The weighted mean over the groups that count (weights renormalised), and the flags. Sets each group's
    `effective_weight` (0 for a group left out). Pure: the hypothesis tests drive it directly."""
    counted = [g for g in groups if g.counted]
    total = sum((g.weight for g in counted), Decimal(0))
    flags = [f"{g.group.name}：{g.flag}" for g in groups if g.flag]
    if not counted or total <= 0:
        for g in groups:
            g.effective_weight = Decimal(0)
        return None, [*flags, _("样本不足，未计分")]
    acc = Decimal(0)
    for g in groups:
        g.effective_weight = (g.weight / total) if g.counted else Decimal(0)
        if g.counted:
            acc += g.effective_weight * g.mean
    return _q2(acc), flags


def department_scores(survey: Survey) -> list[DepartmentScore]:
    """Every department rated in the survey's matrices: its score, responses and group breakdown (one GROUP BY
    over the answers)."""
    groups = list(survey.groups.all())
    rows = (Answer.objects.filter(survey=survey, department__isnull=False, value__isnull=False)
            .values("department_id", "group_id")
            .annotate(n=Count("response_id", distinct=True), answers=Count("id"), points=Sum(_points_expr())))
    cells: dict[int, dict[int, dict]] = defaultdict(dict)
    for r in rows:
        cells[r["department_id"]][r["group_id"]] = r
    depts = {d.pk: d for d in Department.objects.filter(pk__in=list(cells))}
    totals = dict(Answer.objects.filter(survey=survey, department__isnull=False, value__isnull=False)
                  .values("department_id").annotate(n=Count("response_id", distinct=True))
                  .values_list("department_id", "n"))
    out = []
    for did, by_group in cells.items():
        gs = []
        for g in groups:
            r = by_group.get(g.pk)
            n = r["n"] if r else 0
            mean = _q2(Decimal(r["points"]) / r["answers"]) if r and r["answers"] else None
            if g.weight <= 0:
                gs.append(GroupScore(g, g.weight, mean, n, False, _("权重为 0，不计入")))
            elif n < g.min_responses or mean is None:
                gs.append(GroupScore(g, g.weight, mean, n, False,
                                     _("有效答卷 %(n)s 份，少于最少 %(m)s 份，不计入") % {"n": n, "m": g.min_responses}))
            else:
                gs.append(GroupScore(g, g.weight, mean, n, True))
        score, flags = combine_groups(gs)
        out.append(DepartmentScore(depts[did], score, totals.get(did, 0), gs, flags))
    out.sort(key=lambda d: (d.score is None, -(d.score or 0), d.department.sort_order, d.department.code))
    return out


def _local_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return lo, hi


def survey_scores(period_start: dt.date, period_end: dt.date) -> dict[int, dict]:
    """Per department, its survey score for the period (see the module docstring for the shape): the surveys
    whose open period closes within [period_start, period_end] (dates, inclusive)."""
    if isinstance(period_start, dt.datetime):
        period_start = timezone.localtime(period_start).date()
    if isinstance(period_end, dt.datetime):
        period_end = timezone.localtime(period_end).date()
    lo, hi = _local_bounds(period_start, period_end)
    surveys = Survey.objects.filter(status=Survey.Status.PUBLISHED, closes_at__gt=lo, closes_at__lte=hi).order_by("closes_at")
    out: dict[int, dict] = {}
    for s in surveys:
        for d in department_scores(s):
            entry = out.setdefault(d.department.pk, {"department": d.department, "score": None, "responses": 0,
                                                     "surveys": [], "flags": []})
            entry["responses"] += d.responses
            entry["surveys"].append({"survey": s, "score": d.score, "responses": d.responses,
                                     "groups": [g.as_dict() for g in d.groups], "flags": d.flags})
            entry["flags"].extend(f"{s.title}：{f}" for f in d.flags)
    for entry in out.values():
        scores = [x["score"] for x in entry["surveys"] if x["score"] is not None]
        entry["score"] = _q2(sum(scores, Decimal(0)) / len(scores)) if scores else None
    return out


def department_score_list_for(user: Staff, *, now: dt.datetime) -> list[dict]:
    """A department's head: its own score and group breakdown in each CLOSED survey that rated it."""
    if user.department_id is None:
        return []
    out = []
    for s in Survey.objects.filter(status=Survey.Status.PUBLISHED, closes_at__lte=now).order_by("-closes_at")[:20]:
        for d in department_scores(s):
            if d.department.pk == user.department_id:
                out.append({"survey": s, "score": d})
    return out


# ------------------------------------------------------------------------------------------ results
def fmt_count(n: int) -> str:
    return f"{n:,}"


def fmt_pct(part: int, whole: int) -> str:
    if not whole:
        return "0.00%"
    return f"{_q2(Decimal(part) * 100 / whole)}%"


def question_results(survey: Survey, version: SurveyVersion, *, text_limit: int = 50) -> list[dict]:
    """Per question of `version`: the responses that answered it and, by kind, counts and shares per option,
    the 1-5 distribution with its mean, per-department means, or the latest text answers (masked)."""
    questions = list(Question.objects.filter(section__version=version).prefetch_related("options", "departments")
                     .order_by("section__order", "section_id", "order", "id"))
    qids = [q.pk for q in questions]
    answered = dict(Answer.objects.filter(question_id__in=qids).values("question_id")
                    .annotate(n=Count("response_id", distinct=True)).values_list("question_id", "n"))
    by_option = dict(Answer.objects.filter(question_id__in=qids, option__isnull=False).values("option_id")
                     .annotate(n=Count("id")).values_list("option_id", "n"))
    by_value: dict[int, dict[int, int]] = defaultdict(dict)
    for r in (Answer.objects.filter(question_id__in=qids, value__isnull=False, department__isnull=True)
              .values("question_id", "value").annotate(n=Count("id"))):
        by_value[r["question_id"]][r["value"]] = r["n"]
    by_dept: dict[int, dict[int, dict]] = defaultdict(dict)
    for r in (Answer.objects.filter(question_id__in=qids, department__isnull=False).values("question_id", "department_id")
              .annotate(n=Count("id"), points=Sum(_points_expr()))):
        by_dept[r["question_id"]][r["department_id"]] = r
    out = []
    for q in questions:
        n = answered.get(q.pk, 0)
        item: dict[str, Any] = {"question": q, "answered": n, "answered_text": fmt_count(n), "rows": []}
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            for o in q.options.all():
                c = by_option.get(o.pk, 0)
                item["rows"].append({"label": o.label, "count": c, "count_text": fmt_count(c), "pct": fmt_pct(c, n),
                                     "sentence": _("%(pct)s 选择“%(label)s”，共 %(n)s 份") % {
                                         "pct": fmt_pct(c, n), "label": o.label, "n": fmt_count(n)}})
        elif q.kind == QuestionKind.SCALE:
            dist = by_value.get(q.pk, {})
            total = sum(dist.values())
            for v in (5, 4, 3, 2, 1):
                c = dist.get(v, 0)
                item["rows"].append({"label": str(SCALE_LABELS[v]), "count": c, "count_text": fmt_count(c),
                                     "pct": fmt_pct(c, total)})
            pts = sum(SCALE_POINTS[v] * c for v, c in dist.items())
            item["mean"] = _q2(Decimal(pts) / total) if total else None
        elif q.kind == QuestionKind.MATRIX:
            for d in sorted(q.departments.all(), key=lambda d: (d.sort_order, d.code)):
                r = by_dept.get(q.pk, {}).get(d.pk)
                c = r["n"] if r else 0
                item["rows"].append({"label": d.name, "count": c, "count_text": fmt_count(c),
                                     "mean": _q2(Decimal(r["points"]) / c) if c else None})
        else:
            texts = (Answer.objects.filter(question=q).exclude(text="").order_by("-response__submitted_at", "-id")
                     .values_list("text", "response__submitted_at")[:text_limit])
            item["texts"] = [{"text": mask_personal_data(t), "at": at} for t, at in texts]
        out.append(item)
    return out


def group_counts(survey: Survey) -> list[dict]:
    counts = dict(Response.objects.filter(survey=survey).values("group_id").annotate(n=Count("id"))
                  .values_list("group_id", "n"))
    return [{"group": g, "count": counts.get(g.pk, 0), "count_text": fmt_count(counts.get(g.pk, 0))}
            for g in survey.groups.all()]


def responses_today(now: dt.datetime) -> int:
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return Response.objects.filter(submitted_at__gte=start, submitted_at__lte=now).count()


def surveys_open(now: dt.datetime):
    return Survey.objects.filter(status=Survey.Status.PUBLISHED, opens_at__lte=now, closes_at__gt=now)
