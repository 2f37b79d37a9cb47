"""A score's page (its breakdown, the explainable score of issue 13 §2) and a line's evidence (the drill-down to the
cases, cards, complaints and ratings behind it). Every ranking, bulletin and dashboard links here.

Who: as selectors decides (the office every score, drafts included; leaders every published one; a head its own
department's published ones); anyone else 404."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required

from . import selectors as S
from . import selectors_dashboard as dashboard
from .models import EvaluationStatus
from .services.evaluate import RULES

READERS = (R.SUPERVISOR, R.LEADER, R.HEAD)
EVIDENCE_PAGE = 100


def _url(name: str, *args) -> str | None:
    """A link to a page another part of the app may not have yet (the evaluation's own page)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@require_GET
@role_required(*READERS)
def score_detail(request, pk: int):
    score = S.score_get(request.user, pk)
    ev = score.evaluation
    revisions = list(S.evaluations_visible(request.user).filter(period=ev.period).order_by("-revision"))
    others = {s.evaluation_id: s for s in type(score).objects.filter(evaluation__in=revisions, department=score.department)}
    # The department's score over the periods (the dashboard's trend), for those who may open the dashboard: the
    # way to a department the dashboard does not draw (a province's middle places).
    trend_url = None
    if ev.status == EvaluationStatus.PUBLISHED and dashboard.can_view(request.user):
        trend_url = reverse("evaluation:dashboard") + "?" + urlencode(
            {"kind": ev.period_kind, "period": ev.period, "department": score.department.code}) + "#h-trend"
    return render(request, "evaluation/score.html", {
        "score": score, "ev": ev, "b": S.score_breakdown(score), "rules": RULES,
        "revisions": [(r, others.get(r.pk)) for r in revisions],
        "evaluation_url": _url("evaluation:evaluation_detail", ev.pk), "trend_url": trend_url,
    })


@require_GET
@role_required(*READERS)
def line_evidence(request, pk: int):
    line = S.line_get(request.user, pk)
    rows = S.line_evidence(line, now=timezone.now())
    page = Paginator(rows, EVIDENCE_PAGE).get_page(request.GET.get("page"))
    frozen = line.denominator if line.kind == "indicator" else line.units
    return render(request, "evaluation/evidence.html", {
        "line": line, "score": line.score, "ev": line.score.evaluation, "page": page, "count": len(rows),
        "frozen": frozen, "changed": frozen is not None and line.kind == "indicator" and len(rows) != frozen,
        "definition": S.line_definition(line),
    })
