"""What the rectifications of bad ratings (差评整改) put on the landing pages (core/landing.py): the department's
heads and handlers see what is due, the office what waits for its review. Numbers only, never the rater."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors_rectify as S
from .models import RectificationStatus

RUNNING = S.RUNNING


def _url(name: str, **query) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


def _stamp(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def department_rectifications(user, *, now: dt.datetime) -> dict | None:
    """部门负责人 / 承办人: the department's running rectifications, the nearest due first, and the late ones."""
    qs = S.rectification_scope(user)
    counts = qs.aggregate(running=Count("id", filter=Q(status__in=RUNNING)),
                          late=Count("id", filter=Q(status__in=RUNNING, due_at__lt=now)),
                          returned=Count("id", filter=Q(status=RectificationStatus.RETURNED)))
    rows = list(qs.filter(status__in=RUNNING).order_by("due_at", "id")[:5])
    return {
        "key": "rating-rectify", "title": _("差评整改"), "url": _url("ratings:rectify_list", status="running"),
        "link": _("差评整改"),
        "tiles": [
            {"key": "running", "label": _("整改中的差评"), "value": counts["running"], "tone": "warning",
             "url": _url("ratings:rectify_list", status="running")},
            {"key": "late", "label": _("其中已过整改期限"), "value": counts["late"], "tone": "danger",
             "url": _url("ratings:rectify_list", status="running")},
            {"key": "returned", "label": _("被退回重办"), "value": counts["returned"], "tone": "danger",
             "url": _url("ratings:rectify_list", status=RectificationStatus.RETURNED)},
        ],
        "rows_title": _("最早到期的差评整改"),
        "rows": [{"text": f"{r.number} · {r.rating.get_level_display()}",
                  "url": reverse("ratings:rectify_detail", args=[r.number]),
                  "meta": _("整改期限 %(due)s") % {"due": _stamp(r.due_at)},
                  "tone": "danger" if r.due_at < now else ""} for r in rows],
        "empty": _("没有整改中的差评。"),
    }


def office_review(user, *, now: dt.datetime) -> dict | None:
    """效能监察员: rectifications submitted for review and appeals waiting for a decision."""
    subs, appeals = S.review_queue(user)
    n_subs, n_appeals = subs.count(), appeals.count()
    rows = list(subs[:5])
    return {
        "key": "rating-rectify-review", "title": _("差评整改待审核"), "url": reverse("ratings:rectify_review"),
        "link": _("差评整改审核"),
        "tiles": [
            {"key": "submitted", "label": _("待审核的整改"), "value": n_subs, "tone": "warning",
             "url": reverse("ratings:rectify_review")},
            {"key": "appeals", "label": _("待审核的申诉"), "value": n_appeals, "tone": "warning",
             "url": reverse("ratings:rectify_review")},
        ],
        "rows_title": _("最早提交的整改"),
        "rows": [{"text": f"{r.number} · {r.department.name}",
                  "url": reverse("ratings:rectify_detail", args=[r.number]),
                  "meta": _("提交时间 %(at)s") % {"at": _stamp(r.submitted_at)}, "tone": ""} for r in rows],
        "empty": _("没有待审核的整改。"),
    }


