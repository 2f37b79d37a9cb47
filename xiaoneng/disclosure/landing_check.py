"""Landing panels of the disclosure day (core/landing.py): the office sees the next disclosure day, checks waiting
to be published (the worker runs the day's check at 17:00: this is how the office hears of it) and findings past
their deadline; a department's head its open findings, earliest deadline first."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.errors import DomainError

from . import selectors_check as S
from .days import computed_day
from .models import CheckStatus, DisclosureCheck, DisclosureDay, FindingStatus


def _next_day(today: dt.date) -> dt.date | None:
    """The next disclosure day from today (one query: the office's dates of this year and the next)."""
    overrides = {(d.year, d.quarter): d.date for d in DisclosureDay.objects.filter(year__in=(today.year,
                                                                                             today.year + 1))}
    for year in (today.year, today.year + 1):
        for q in (1, 2, 3, 4):
            try:
                day = overrides.get((year, q)) or computed_day(year, q)[0]
            except DomainError:  # a year the calendar lacks
                return None
            if day >= today:
                return day
    return None


def office_panel(user, *, now: dt.datetime) -> dict:
    today = timezone.localdate(now)
    nxt = _next_day(today)
    drafts = list(DisclosureCheck.objects.filter(status=CheckStatus.DRAFT).order_by("-date")[:3])
    late = S.findings_for(user, status=FindingStatus.OPEN).filter(due_at__lt=now).count()
    return {
        "key": "disclosure-check-office", "title": _("统一公开日检查"), "url": reverse("disclosure:check_list"),
        "link": _("统一公开日检查"),
        "tiles": [
            {"key": "next", "label": _("下一个统一公开日"),
             "value": f"{nxt.month}月{nxt.day}日" if nxt else "—", "url": reverse("disclosure:check_days")},
            {"key": "drafts", "label": _("检查结果待通报"), "value": len(drafts), "tone": "warning" if drafts else "",
             "url": reverse("disclosure:check_list")},
            {"key": "late", "label": _("逾期未整改问题"), "value": late, "tone": "danger" if late else "",
             "url": reverse("disclosure:check_findings") + "?status=open"},
        ],
    }


def department_panel(user, *, now: dt.datetime) -> dict | None:
    qs = S.findings_for(user, status=FindingStatus.OPEN)
    c = qs.aggregate(open=Count("id"), late=Count("id", filter=Q(due_at__lt=now)))
    if not c["open"]:
        return None
    rows = list(qs.order_by("due_at", "id")[:5])
    return {
        "key": "disclosure-check-department", "title": _("政务公开问题整改"), "url": reverse("disclosure:check_findings"),
        "link": _("政务公开问题整改"),
        "tiles": [
            {"key": "open", "label": _("待整改问题"), "value": c["open"], "tone": "warning",
             "url": reverse("disclosure:check_findings") + "?status=open"},
            {"key": "late", "label": _("其中已逾期"), "value": c["late"], "tone": "danger" if c["late"] else "",
             "url": reverse("disclosure:check_findings") + "?status=open"},
        ],
        "rows_title": _("最早到期的整改"),
        "rows": [{"text": f"{f.number} · {f.item_name}", "url": reverse("disclosure:check_findings"),
                  "meta": _("整改期限 %(due)s") % {"due": f"{timezone.localtime(f.due_at):%Y-%m-%d %H:%M}"},
                  "tone": "danger" if f.due_at < now else ""} for f in rows],
        "empty": _("没有待整改的问题。"),
    }
