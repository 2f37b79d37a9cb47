"""Reads for the portal's own pages (home, departments, contact): published things only, a fixed number of
queries whatever the county's size."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from xiaoneng.accounts.models import Department
from xiaoneng.evaluation.models import Bulletin, Evaluation, EvaluationStatus, LineKind, Score, ScoreLine

# The headline figures of the home page: score-line codes of the evaluation (evaluation/calculations) and
# the words the home page says about each.
HEADLINE_CODES = (
    ("on_time_rate", "办件按时办结率"),
    ("complaint_on_time_rate", "投诉按期答复率"),
    ("rating_good_rate", "好差评好评率"),
)
RANKING_EACH_END = 3
PUBLIC_DEPARTMENT_KINDS = (Department.Kind.OFFICE, Department.Kind.BUREAU, Department.Kind.CENTRE,
                           Department.Kind.TOWNSHIP)


def latest_published_evaluation() -> Evaluation | None:
    """The published evaluation of the latest period (its current revision)."""
    return (Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED)
            .order_by("-ends_at", "-revision", "-id").first())


def latest_bulletins(n: int = 5) -> list[Bulletin]:
    return list(Bulletin.objects.filter(published_at__isnull=False)
                .only("id", "number", "title", "published_at").order_by("-published_at", "-id")[:n])


@dataclass
class Headline:
    code: str
    label: str
    numerator: Decimal | None
    denominator: Decimal | None

    @property
    def rate(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator or 0) * 100 / Decimal(self.denominator)).quantize(Decimal("0.1"))


def headline_figures(ev: Evaluation | None) -> list[Headline]:
    """County-wide rates of the evaluation's period: the sums of the evaluated departments' numerators over
    the sums of their denominators (score lines as published; lines without data left out)."""
    if ev is None:
        return []
    sums = {r["code"]: r for r in ScoreLine.objects.filter(
        score__evaluation=ev, kind=LineKind.INDICATOR, scored=True, code__in=[c for c, _ in HEADLINE_CODES],
    ).values("code").annotate(num=Sum("numerator"), den=Sum("denominator"))}
    return [Headline(code, label, sums.get(code, {}).get("num"), sums.get(code, {}).get("den"))
            for code, label in HEADLINE_CODES]


@dataclass
class GroupEnds:
    name: str
    size: int
    top: list[Score]
    bottom: list[Score]


def ranking_ends(ev: Evaluation | None, n: int = RANKING_EACH_END) -> list[GroupEnds]:
    """Per group of the evaluation: the first `n` and the last `n` by rank (the last without those already
    among the first, for small groups)."""
    if ev is None:
        return []
    groups: dict[str, GroupEnds] = {}
    for s in (Score.objects.filter(evaluation=ev).select_related("department")
              .only("id", "group_code", "group_name", "rank", "score", "grade", "veto", "department__name",
                    "department__code").order_by("group_code", "rank", "id")):
        groups.setdefault(s.group_code, GroupEnds(s.group_name, 0, [], []))
        g = groups[s.group_code]
        g.size += 1
        g.top.append(s)
    for g in groups.values():
        ordered = g.top
        g.top = ordered[:n]
        g.bottom = [s for s in ordered[max(n, len(ordered) - n):]]
    return list(groups.values())


def public_departments():
    """Departments a citizen deals with (bureaus, the service centre, townships, the supervision office),
    active ones, in the tree's order."""
    return (Department.objects.filter(is_active=True, kind__in=PUBLIC_DEPARTMENT_KINDS)
            .only("code", "name", "kind", "address", "phone", "path").order_by("kind", "sort_order", "path"))


def supervision_office() -> Department | None:
    return (Department.objects.filter(is_active=True, kind=Department.Kind.OFFICE)
            .only("name", "address", "phone").order_by("path").first())
