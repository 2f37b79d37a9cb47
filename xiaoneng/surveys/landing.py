"""What 民主评议 puts on the supervisor's landing page (core/landing.py): the surveys open now and the
responses received today. Counts and titles only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors as S


def supervisor_surveys(user, *, now: dt.datetime) -> dict | None:
    open_now = list(S.surveys_open(now).annotate(n=Count("responses")).order_by("closes_at")[:5])
    today = S.responses_today(now)
    if not open_now and not today:
        return None
    return {
        "key": "surveys", "title": _("民主评议"), "url": reverse("surveys:list"), "link": _("问卷列表"),
        "tiles": [
            {"key": "open", "label": _("进行中的问卷"), "value": S.surveys_open(now).count(), "tone": "",
             "url": reverse("surveys:list")},
            {"key": "today", "label": _("今日收到答卷"), "value": today, "tone": "", "url": reverse("surveys:list")},
        ],
        "rows_title": _("进行中的问卷"),
        "rows": [{"text": s.title, "url": reverse("surveys:results", args=[s.pk]),
                  "meta": _("已收 %(n)s 份，%(at)s 截止") % {
                      "n": f"{s.n:,}", "at": timezone.localtime(s.closes_at).strftime("%Y-%m-%d %H:%M")},
                  "tone": ""} for s in open_now],
        "empty": _("没有进行中的问卷。"),
    }
