"""What accounts put on the administrator's landing page (core/landing.py): today's security events, the
department systems' tokens in force, accounts that hold no role yet (they can open no page)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiClient, AuditEvent, Staff


def admin_today(user, *, now: dt.datetime) -> dict:
    """系统管理员: security events of today (the newest listed), tokens in force, active accounts without a role."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    events = AuditEvent.objects.filter(at__gte=midnight, at__lte=now)
    today = events.count()
    recent = list(events.order_by("-at", "-id")[:5])
    tokens = ApiClient.objects.filter(revoked_at=None).count()
    roleless = Staff.objects.filter(is_active=True, is_superuser=False).annotate(
        g=Count("groups")).filter(g=0).count()
    day = local.date().isoformat()
    return {
        "key": "admin-today", "title": _("系统与安全"), "url": reverse("accounts:audit_list"), "link": _("安全审计"),
        "tiles": [
            {"key": "events", "label": _("今日安全事件"), "value": today,
             "url": reverse("accounts:audit_list") + f"?date_from={day}&date_to={day}"},
            {"key": "tokens", "label": _("有效接口令牌"), "value": tokens, "url": reverse("accounts:token_list")},
            {"key": "roleless", "label": _("未分配角色的账号"), "value": roleless, "tone": "warning",
             "url": reverse("accounts:staff_list")},
        ],
        "rows_title": _("今日最新安全事件"),
        "rows": [{"text": f"{e.get_kind_display()} · {e.actor_name or '—'}", "url": reverse("accounts:audit_list"),
                  "meta": f"{timezone.localtime(e.at):%H:%M}"} for e in recent],
        "empty": _("今天没有安全事件。"),
    }
