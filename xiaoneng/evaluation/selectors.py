"""Reads of evaluations that depend on who asks (效能考核), and a score's breakdown and evidence.

Who sees what (the issue: "supervisors and leaders see all; a department sees its own breakdown and the
published ranking"):
- the supervision office (supervisor) every evaluation, drafts included;
- leaders every published (and superseded) evaluation;
- a department's head its own department's scores (and the units below it) in published evaluations, and the
  published ranking of every department;
- everyone else nothing. Out of scope answers 404, never telling it exists.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from xiaoneng.accounts import roles as R
from xiaoneng.core.periods import Period

from . import indicators as reg
from .models import Evaluation, EvaluationStatus, LineKind, Score, ScoreLine

VISIBLE_TO_READERS = (EvaluationStatus.PUBLISHED, EvaluationStatus.SUPERSEDED)


def sees_drafts(user) -> bool:
    return user is not None and user.is_authenticated and user.has_any_role(R.SUPERVISOR)


def sees_all(user) -> bool:
    """Every department's breakdown (of the evaluations the user may read)."""
    return user is not None and user.is_authenticated and user.has_any_role(R.SUPERVISOR, R.LEADER)


def can_read(user) -> bool:
    return user is not None and user.is_authenticated and user.has_any_role(R.SUPERVISOR, R.LEADER, R.HEAD)


def evaluations_visible(user) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.select_related("scheme")
    if sees_drafts(user):
        return qs
    if can_read(user):
        return qs.filter(status__in=VISIBLE_TO_READERS)
    return qs.none()


def evaluation_get(user, pk: int) -> Evaluation:
    ev = evaluations_visible(user).filter(pk=pk).first()
    if ev is None:
        raise Http404
    return ev


def latest_published(period: Period | str) -> Evaluation | None:
    """The published revision of `period` (the one in force), if any."""
    code = period.code if isinstance(period, Period) else period
    return (Evaluation.objects.select_related("scheme").filter(period=code, status=EvaluationStatus.PUBLISHED)
            .order_by("-revision").first())


def ranking(ev: Evaluation, *, group: str | None = None) -> list[Score]:
    """The scores of `ev` in rank order: overall, or within `group` (a group code)."""
    qs = ev.scores.select_related("department")
    if group:
        return list(qs.filter(group_code=group).order_by("rank"))
    return list(qs.order_by("rank_overall"))


def score_readable(user, score: Score) -> bool:
    ev = score.evaluation
    if ev.status == EvaluationStatus.DRAFT:
        return sees_drafts(user)
    if sees_all(user):
        return True
    if user is None or not user.is_authenticated or not user.has_any_role(R.HEAD) or user.department_id is None:
        return False
    return score.department.path.startswith(user.department.path)


def score_get(user, pk: int) -> Score:
    score = (Score.objects.select_related("evaluation", "evaluation__scheme", "department").filter(pk=pk).first())
    if score is None or not score_readable(user, score):
        raise Http404
    return score


def line_definition(line: ScoreLine) -> str:
    registry = {LineKind.INDICATOR: reg.INDICATORS, LineKind.DEDUCTION: reg.DEDUCTIONS, LineKind.BONUS: reg.BONUSES,
                LineKind.VETO: reg.VETOES}[line.kind]
    calc = registry.get(line.code)
    return calc.definition if calc else ""


def _unit(line: ScoreLine) -> str:
    calc = reg.INDICATORS.get(line.code) if line.kind == LineKind.INDICATOR else None
    return calc.unit if calc else ""


def score_breakdown(score: Score) -> dict:
    """A score opened: its indicators (with the calculation in words, the unit), deductions, bonuses and veto."""
    reg.load()
    lines = list(score.lines.all())
    for ln in lines:
        ln.definition = line_definition(ln)
        ln.unit = _unit(ln)
        ln.has_evidence = _evidence_fn(ln) is not None
    return {
        "indicators": [ln for ln in lines if ln.kind == LineKind.INDICATOR],
        "deductions": [ln for ln in lines if ln.kind == LineKind.DEDUCTION],
        "bonuses": [ln for ln in lines if ln.kind == LineKind.BONUS],
        "veto": [ln for ln in lines if ln.kind == LineKind.VETO],
    }


def _evidence_fn(line: ScoreLine):
    registry = {LineKind.INDICATOR: reg.INDICATORS, LineKind.DEDUCTION: reg.DEDUCTIONS, LineKind.BONUS: reg.BONUSES,
                LineKind.VETO: reg.VETOES}[line.kind]
    calc = registry.get(line.code)
    return getattr(calc, "evidence", None) if calc else None


def line_get(user, pk: int) -> ScoreLine:
    line = ScoreLine.objects.select_related("score", "score__evaluation", "score__department").filter(pk=pk).first()
    if line is None or not score_readable(user, line.score):
        raise Http404
    return line


def line_evidence(line: ScoreLine, *, now) -> list[reg.EvidenceRow]:
    """What lies behind one line of one department's score, read now (the score itself stays as computed; the
    page says when the count today differs from the frozen one)."""
    from .services.evaluate import placement

    reg.load()
    fn = _evidence_fn(line)
    if fn is None:
        return []
    where = placement()
    ctx = reg.Context(period=line.score.evaluation.period_obj, departments=where.departments,
                      owner_of=where.owner_of, now=now)
    return fn(ctx, line.score.department)


# ---------------------------------------------------------------------------------------------------------
# Office pages, the API and a head's own scores (helper "pages"). Every read answers in a fixed number of queries
# whatever the number of departments.


def can_read_rankings(user) -> bool:
    """The published ranking: the office, leaders and heads (a department token too, in the API)."""
    return can_read(user)


def evaluation_list(user) -> list[Evaluation]:
    """Every evaluation the user may see, newest period first, its revisions newest first (one query)."""
    return list(evaluations_visible(user).select_related("computed_by", "published_by")
                .order_by("-starts_at", "period", "-revision"))


def evaluations_of_period(user, period_code: str) -> list[Evaluation]:
    """The revisions of one period the user may see, newest first (the revisions history)."""
    return list(evaluations_visible(user).filter(period=period_code).order_by("-revision"))


def period_status(period: Period) -> tuple[str, Evaluation | None]:
    """This period's state for the office's landing panel: ("none" | "draft" | "published", the latest revision)."""
    ev = Evaluation.objects.filter(period=period.code).order_by("-revision").first()
    if ev is None:
        return "none", None
    if ev.status == EvaluationStatus.DRAFT:
        return "draft", ev
    return "published", latest_published(period) or ev


RANKING_PAGE = 50  # rows of one ranking table on the office's page; the rest one click away, paged


def _ranked(ev: Evaluation, small_sample: str) -> QuerySet[Score]:
    """`ev`'s scores under the small-sample filter: "" all, "only" the small-sample ones, "apart" the others (the
    small-sample ones then go in a table of their own)."""
    qs = ev.scores.select_related("department")
    if small_sample == "only":
        return qs.filter(small_sample=True)
    if small_sample == "apart":
        return qs.filter(small_sample=False)
    return qs


def ranking_by_group(ev: Evaluation, *, small_sample: str = "", head: int = RANKING_PAGE) -> dict:
    """An evaluation's ranking tables for the office's page, each cut to its first `head` rows so that a
    province's 2,000 departments are not drawn at once: per group (in the groups' order) its scores in rank
    order and how many there are (`count`); overall (`overall`, `overall_count`); and with `small_sample="apart"`
    the small-sample ones (`apart`, `apart_count`). `small_sample` as in `_ranked`.

    A fixed number of queries whatever the number of departments or groups: the groups' order, the counts per
    group (one GROUP BY), the groups' first rows (one query: a row number per group, a window function), the
    overall first rows, and with "apart" those rows and their count."""
    from django.db.models import Count, F, Window
    from django.db.models.functions import RowNumber

    from .models import DepartmentGroup

    qs = _ranked(ev, small_sample)
    counts = {r["group_code"]: r for r in qs.order_by().values("group_code", "group_name").annotate(n=Count("id"))}
    heads: dict[str, list[Score]] = {}
    for s in (qs.annotate(pos=Window(RowNumber(), partition_by=[F("group_code")], order_by=[F("rank").asc()]))
              .filter(pos__lte=head).order_by("group_code", "rank")):
        heads.setdefault(s.group_code, []).append(s)
    order = {code: n for n, code in enumerate(DepartmentGroup.objects.values_list("code", flat=True))}
    groups = [{"code": code, "name": c["group_name"], "scores": heads.get(code, []), "count": c["n"]}
              for code, c in counts.items()]
    groups.sort(key=lambda g: (order.get(g["code"], 999), g["code"]))
    out = {"groups": groups, "overall": list(qs.order_by("rank_overall")[:head]),
           "overall_count": sum(g["count"] for g in groups), "apart": [], "apart_count": 0}
    if small_sample == "apart":
        apart = ev.scores.select_related("department").filter(small_sample=True).order_by("rank_overall")
        out["apart"] = list(apart[:head])
        out["apart_count"] = apart.count() if len(out["apart"]) == head else len(out["apart"])
    return out


def ranking_groups(ev: Evaluation) -> list[tuple[str, str]]:
    """The (code, name) of the groups `ev` ranked, in the groups' order (two queries)."""
    from .models import DepartmentGroup

    order = {code: n for n, code in enumerate(DepartmentGroup.objects.values_list("code", flat=True))}
    pairs = set(ev.scores.order_by().values_list("group_code", "group_name").distinct())
    return sorted(pairs, key=lambda p: (order.get(p[0], 999), p[0]))


def ranking_rows(ev: Evaluation, *, group: str | None = None, small_sample: str = "") -> QuerySet[Score]:
    """One full ranking table, to be paged: `group`'s scores in rank order, or (None) every score in overall
    rank order; `small_sample` as in `_ranked` (the small-sample ones' own table is `small_sample="only"`)."""
    qs = _ranked(ev, small_sample)
    if group:
        return qs.filter(group_code=group).order_by("rank")
    return qs.order_by("rank_overall")


def my_scores(user) -> list[Score]:
    """A head's department's scores (the department and the units under it that are evaluated) in published
    evaluations, newest period first (one query)."""
    if user is None or not user.is_authenticated or user.department_id is None:
        return []
    return list(Score.objects.select_related("evaluation", "department")
                .filter(evaluation__status=EvaluationStatus.PUBLISHED,
                        department__path__startswith=user.department.path)
                .order_by("-evaluation__starts_at", "department__code"))


def scheme_list() -> dict:
    """Every scheme version per period kind, newest first, with how many evaluations used each (two queries)."""
    from django.db.models import Count

    from .models import PeriodKind, Scheme

    by_kind = {k: [] for k in PeriodKind.values}
    for s in Scheme.objects.annotate(used=Count("evaluations")).select_related("created_by").order_by(
            "period_kind", "-version"):
        by_kind.setdefault(s.period_kind, []).append(s)
    return {"kinds": [(value, label, by_kind[value]) for value, label in PeriodKind.choices]}


def scheme_get(pk: int):
    from .models import Scheme

    scheme = (Scheme.objects.select_related("created_by")
              .prefetch_related("indicators", "adjustments", "vetoes").filter(pk=pk).first())
    if scheme is None:
        raise Http404
    return scheme


def groups_overview() -> dict:
    """The ranking groups with their kinds, explicit placements and every active department with the group it
    falls in (explicitly or by its kind), for the groups page."""
    from xiaoneng.accounts.models import Department

    from .models import DepartmentGroup, GroupMember
    from .services.evaluate import groups_ensure_default

    groups_ensure_default()
    groups = list(DepartmentGroup.objects.all())
    members = {m.department_id: m for m in GroupMember.objects.select_related("group", "department")}
    by_kind = {}
    for g in groups:
        for k in g.kinds or []:
            by_kind.setdefault(k, g)
    depts = list(Department.objects.filter(is_active=True).order_by("code"))
    by_id = {d.pk: d for d in depts}
    rows = []
    for d in depts:
        m = members.get(d.pk)
        group = m.group if m else by_kind.get(d.kind)
        owner = None
        if group is None:  # a section or village counts in the nearest evaluated department above it
            for anc in reversed([int(x) for x in d.path.strip("/").split("/") if x][:-1]):
                a = by_id.get(anc)
                if a is not None and (members.get(a.pk) or by_kind.get(a.kind)):
                    owner = a.name
                    break
        rows.append({"department": d, "member": m, "group": group, "owner": owner})
    return {"groups": groups, "rows": rows, "kinds": Department.Kind.choices}
