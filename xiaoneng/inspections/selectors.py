"""明查暗访: reads, scoped to who asks.

Who sees which visit (`visible_visits`) — the one place the covert rule lives, so every page, list, count,
API answer and landing panel goes through it:
- the supervision office (supervisor): every visit but invited supervisors' unsubmitted drafts;
- leaders and administrators: accepted visits;
- an invited supervisor: the visits it recorded, nothing else;
- a department's own roles (window, handler, head): its departments' visits the office has published — an
  open visit once accepted, a covert one only when the office publishes its findings;
- anyone else (an account without a role): nothing.

`inspection_scores(period_start, period_end)` is what the next issue's `inspection_score` indicator reads:
    {department_id: {"mean_score": Decimal | None, "visits": int, "failed_items": int}}
over the accepted, published visits whose `visited_at` lies in [period_start, period_end) (aware datetimes),
one GROUP BY over the visits' own columns (department, time and score are copied onto each visit). A visit
with no applicable item has no score and counts in `visits` but not in the mean.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Q, QuerySet, Sum

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.selectors import department_scope_q

from .models import Finding, Inspection, Visit, VisitStatus

DEPT_ROLES = (R.WINDOW, R.HANDLER, R.HEAD)


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def visible_visits(user) -> QuerySet[Visit]:
    qs = Visit.objects.all()
    if not _active(user):
        return qs.none()
    if user.has_role(R.SUPERVISOR):
        return qs.exclude(status=VisitStatus.DRAFT)
    if user.has_any_role(R.LEADER, R.ADMIN):
        return qs.filter(status=VisitStatus.ACCEPTED)
    if user.has_any_role(*DEPT_ROLES):
        return qs.filter(department_scope_q(user), status=VisitStatus.ACCEPTED, published_at__isnull=False)
    if user.has_role(R.INVITED):
        return qs.filter(recorded_by=user)
    return qs.none()


def visible_findings(user) -> QuerySet[Finding]:
    """Findings of the visits `user` sees; an invited supervisor's findings are the office's, not its own."""
    if not _active(user) or (user.has_role(R.INVITED) and not user.has_any_role(*R.ALL)):
        return Finding.objects.none()
    return Finding.objects.filter(visit__in=visible_visits(user))


def visible_plans(user) -> QuerySet[Inspection]:
    """The office and leaders see every plan; an invited supervisor the plans naming it. Departments never see
    plans (a covert plan names them before any visit)."""
    if not _active(user):
        return Inspection.objects.none()
    if user.has_any_role(R.SUPERVISOR, R.LEADER, R.ADMIN):
        return Inspection.objects.all()
    if user.has_role(R.INVITED):
        return Inspection.objects.filter(inspectors=user)
    return Inspection.objects.none()


def recordable_plans(user, *, today: dt.date) -> QuerySet[Inspection]:
    """Plans `user` may record a visit of today or before (the office: all; an invited supervisor: its own)."""
    qs = Inspection.objects.filter(starts_on__lte=today, checklist__isnull=False)
    if _active(user) and user.has_role(R.SUPERVISOR):
        return qs
    if _active(user) and user.has_role(R.INVITED):
        return qs.filter(inspectors=user)
    return qs.none()


def inspection_scores(period_start: dt.datetime, period_end: dt.datetime) -> dict[int, dict]:
    """Per department: mean visit score, visits, failed items of the accepted, published visits in the period
    (see the module docstring: the contract the next issue's indicator reads)."""
    rows = (Visit.objects.filter(status=VisitStatus.ACCEPTED, published_at__isnull=False,
                                 visited_at__gte=period_start, visited_at__lt=period_end)
            .values("department_id")
            .annotate(mean_score=Avg("score"), visits=Count("id"), failed_items=Sum("failed")))
    return {r["department_id"]: {"mean_score": r["mean_score"], "visits": r["visits"],
                                 "failed_items": r["failed_items"] or 0} for r in rows}


def counts_for(user) -> dict:
    """The landing panels' and menus' counts, scoped as the lists are."""
    visits = visible_visits(user)
    out = visits.aggregate(
        drafts=Count("id", filter=Q(status__in=(VisitStatus.DRAFT, VisitStatus.RETURNED))),
        submitted=Count("id", filter=Q(status=VisitStatus.SUBMITTED)),
        unpublished=Count("id", filter=Q(status=VisitStatus.ACCEPTED, published_at__isnull=True)),
    )
    findings = visible_findings(user)
    out.update(findings.aggregate(
        corrections=Count("id", filter=Q(correction="open")),
        late=Count("id", filter=Q(correction="open", flag__in=("yellow", "red"))),
        answered=Count("id", filter=Q(correction="answered")),
    ))
    return out
