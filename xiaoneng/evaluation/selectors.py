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
