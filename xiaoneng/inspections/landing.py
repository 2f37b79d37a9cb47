"""What inspections put on the landing pages (core/landing.py): visits to review and corrections due (the
office), the department's correction tasks (head, handler), the invited supervisor's own visits and drafts.
Counted through selectors.visible_visits / visible_findings, so a covert visit shows nowhere before it is
published."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors as S
from .models import VisitStatus


def _url(name: str, **query) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


def _stamp(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def office_panel(user, *, now: dt.datetime) -> dict:
    c = S.counts_for(user)
    return {
        "key": "inspections-office", "title": _("明查暗访"), "url": reverse("inspections:visits"), "link": _("明查暗访"),
        "tiles": [
            {"key": "submitted", "label": _("待审核检查记录"), "value": c["submitted"], "tone": "warning",
             "url": _url("inspections:visits", status=VisitStatus.SUBMITTED)},
            {"key": "unpublished", "label": _("暗访待发布"), "value": c["unpublished"],
             "url": _url("inspections:visits", status="unpublished")},
            {"key": "answered", "label": _("整改待审核"), "value": c["answered"], "tone": "warning",
             "url": _url("inspections:findings", correction="answered")},
            {"key": "late", "label": _("整改超期（黄牌、红牌）"), "value": c["late"], "tone": "danger",
             "url": _url("inspections:findings", correction="open")},
        ],
    }


def department_panel(user, *, now: dt.datetime) -> dict | None:
    c = S.visible_findings(user).aggregate(corrections=Count("id", filter=Q(correction="open")),
                                           late=Count("id", filter=Q(correction="open", flag__in=("yellow", "red"))))
    rows = list(S.visible_findings(user).filter(correction="open").order_by("correction_due_at", "id")[:5])
    return {
        "key": "inspections-department", "title": _("检查发现问题整改"), "url": reverse("inspections:findings"),
        "link": _("检查发现问题整改"),
        "tiles": [
            {"key": "corrections", "label": _("待整改问题"), "value": c["corrections"], "tone": "warning",
             "url": _url("inspections:findings", correction="open")},
            {"key": "late", "label": _("其中已亮黄牌、红牌"), "value": c["late"], "tone": "danger",
             "url": _url("inspections:findings", correction="open")},
        ],
        "rows_title": _("最早到期的整改"),
        "rows": [{"text": f"{f.number} · {f.item_name}", "url": reverse("inspections:finding", args=[f.pk]),
                  "meta": _("整改期限 %(due)s") % {"due": _stamp(f.correction_due_at)},
                  "tone": "danger" if f.correction_due_at and f.correction_due_at < now else ""} for f in rows],
        "empty": _("没有待整改的问题。"),
    }


def invited_panel(user, *, now: dt.datetime) -> dict:
    visits = S.visible_visits(user)
    c = S.counts_for(user)
    rows = list(visits.select_related("department").order_by("-visited_at", "-id")[:5])
    return {
        "key": "inspections-invited", "title": _("我的检查记录"), "url": reverse("inspections:visits"),
        "link": _("我的检查记录"),
        "tiles": [
            {"key": "drafts", "label": _("草稿和退回"), "value": c["drafts"], "tone": "warning",
             "url": _url("inspections:visits", status=VisitStatus.DRAFT)},
            {"key": "submitted", "label": _("待效能办审核"), "value": c["submitted"],
             "url": _url("inspections:visits", status=VisitStatus.SUBMITTED)},
            {"key": "plans", "label": _("检查计划"), "value": S.visible_plans(user).count(),
             "url": reverse("inspections:plans")},
        ],
        "rows_title": _("最近的检查记录"),
        "rows": [{"text": f"{v.number} · {v.department.name}", "url": reverse("inspections:visit", args=[v.pk]),
                  "meta": f"{v.get_status_display()} · {_stamp(v.visited_at)}", "tone": ""} for v in rows],
        "empty": _("还没有检查记录。"),
    }
