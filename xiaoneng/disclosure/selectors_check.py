"""Reads of the disclosure days and checks, depending on who asks: the office (supervisors and leaders) every
check, drafts included; everyone else, and the public, published checks only; a department's findings its own
subtree's (accounts.selectors.scope_to_staff), after publication — before it the check is the office's draft."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.selectors import scope_to_staff

from .models import CheckFinding, CheckLine, CheckStatus, DisclosureCheck, FindingStatus

OFFICE_READERS = (R.SUPERVISOR, R.LEADER)
FINDING_READERS = (R.SUPERVISOR, R.LEADER, R.HEAD, R.HANDLER)


def is_office(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_any_role(*OFFICE_READERS)


def check_list_for(user):
    """Checks, newest first, with their finding counts (one query); drafts for the office only."""
    qs = DisclosureCheck.objects.annotate(
        n_findings=Count("findings", distinct=True),
        n_open=Count("findings", filter=Q(findings__status=FindingStatus.OPEN), distinct=True),
        n_lines=Count("lines", distinct=True)).order_by("-date")
    return qs if is_office(user) else qs.filter(status=CheckStatus.PUBLISHED)


def check_get_for(user, date: dt.date, *, public: bool = False) -> DisclosureCheck | None:
    """The check of `date` as `user` may see it (None: no such check, or a draft for a non-office reader)."""
    c = DisclosureCheck.objects.filter(date=date).first()
    if c is None:
        return None
    if c.status != CheckStatus.PUBLISHED and not is_office(user):
        return None
    return c


def check_public_list(year: int | None = None):
    qs = DisclosureCheck.objects.filter(status=CheckStatus.PUBLISHED).order_by("-date")
    return qs.filter(year=year) if year else qs


def pct(x) -> str:
    """A share as the pages print it: 87.5% ("—" for nothing due)."""
    from decimal import ROUND_HALF_UP, Decimal

    return "—" if x is None else f"{(Decimal(x) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def check_lines(check: DisclosureCheck) -> list[CheckLine]:
    """The lines of a check by department order, each with `pct` (its compliance as printed)."""
    lines = list(check.lines.select_related("department").order_by("department__path"))
    for ln in lines:
        ln.pct = pct(ln.compliance)
    return lines


def check_findings(check: DisclosureCheck) -> list[CheckFinding]:
    return list(check.findings.select_related("department").order_by("department__path", "id"))


def findings_for(user, *, status: str = ""):
    """The findings of published checks a department reader may see (its subtree), the office all; newest
    check first."""
    qs = (CheckFinding.objects.filter(disclosure_check__status=CheckStatus.PUBLISHED)
          .select_related("department", "disclosure_check").order_by("-disclosure_check__date", "department__path",
                                                                        "id"))
    if status:
        qs = qs.filter(status=status)
    if is_office(user):
        return qs
    return scope_to_staff(qs, user, "department")
