"""What the complaint centre puts on the landing pages (core/landing.py): complaints waiting for acceptance
(supervisor), the month's complaints (leader), complaints dispatched to the department (head). Scoped by
selectors.complaint_scope, as the inbox; complaint numbers only, never the complainant or the facts."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors as S
from .models import OPEN_STATUSES, Flag, Status

LATE = Q(status__in=OPEN_STATUSES, flag__in=(Flag.YELLOW, Flag.RED))  # as the inbox's "overdue" filter


def _url(name: str, **query) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


def _stamp(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def supervisor_intake(user, *, now: dt.datetime) -> dict:
    """效能监察员: complaints waiting for an acceptance decision, the oldest first, and those already late."""
    qs = S.complaint_scope(user)
    counts = qs.aggregate(waiting=Count("id", filter=Q(status=Status.RECEIVED)),
                          waiting_late=Count("id", filter=Q(status=Status.RECEIVED, acceptance_due_at__lt=now)),
                          late=Count("id", filter=LATE))
    rows = list(qs.filter(status=Status.RECEIVED).order_by("acceptance_due_at", "received_at", "id")[:5])
    return {
        "key": "complaint-intake", "title": _("投诉待受理"), "url": _url("complaints:inbox", status=Status.RECEIVED),
        "link": _("投诉受理"),
        "tiles": [
            {"key": "waiting", "label": _("待受理投诉"), "value": counts["waiting"], "tone": "warning",
             "url": _url("complaints:inbox", status=Status.RECEIVED)},
            {"key": "waiting-late", "label": _("其中已过受理期限"), "value": counts["waiting_late"], "tone": "danger",
             "url": _url("complaints:inbox", status=Status.RECEIVED)},
            {"key": "late", "label": _("超期投诉（黄牌、红牌）"), "value": counts["late"], "tone": "danger",
             "url": reverse("complaints:overdue")},
        ],
        "rows_title": _("最早到期的待受理投诉"),
        "rows": [{"text": f"{c.number} · {c.category.name if c.category_id else ''}",
                  "url": reverse("complaints:detail", args=[c.number]),
                  "meta": _("受理期限 %(due)s") % {"due": _stamp(c.acceptance_due_at)},
                  "tone": "danger" if c.acceptance_due_at and c.acceptance_due_at < now else ""} for c in rows],
        "empty": _("没有待受理的投诉。"),
    }


def leader_complaints(user, *, now: dt.datetime) -> dict:
    """领导: the month's complaints received, those open, those late."""
    local = timezone.localtime(now)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    counts = S.complaint_scope(user).aggregate(
        month=Count("id", filter=Q(received_at__gte=first, received_at__lte=now)),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)), late=Count("id", filter=LATE))
    return {
        "key": "leader-complaints", "title": _("效能投诉"), "url": reverse("complaints:figures"), "link": _("投诉统计"),
        "tiles": [
            {"key": "month", "label": _("本月登记投诉"), "value": counts["month"],
             "url": _url("complaints:inbox", order="new")},
            {"key": "open", "label": _("在办投诉"), "value": counts["open"],
             "url": _url("complaints:inbox", status="open")},
            {"key": "late", "label": _("超期投诉（黄牌、红牌）"), "value": counts["late"], "tone": "danger",
             "url": reverse("complaints:overdue")},
        ],
    }


def department_complaints(user, *, now: dt.datetime) -> dict:
    """部门负责人: complaints dispatched to the department still open, and those late."""
    qs = S.complaint_scope(user)
    counts = qs.aggregate(open=Count("id", filter=Q(status__in=OPEN_STATUSES)), late=Count("id", filter=LATE))
    return {
        "key": "department-complaints", "title": _("交办本部门的投诉"), "url": _url("complaints:inbox", status="open"),
        "link": _("交办我单位的投诉"),
        "tiles": [
            {"key": "open", "label": _("在办投诉"), "value": counts["open"], "tone": "warning",
             "url": _url("complaints:inbox", status="open")},
            {"key": "late", "label": _("其中已亮黄牌、红牌"), "value": counts["late"], "tone": "danger",
             "url": _url("complaints:inbox", status="open")},
        ],
    }
