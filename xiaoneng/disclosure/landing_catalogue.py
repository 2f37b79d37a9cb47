"""What catalogues put on the landing pages (core/landing.py): the office's filing queue, a head's catalogue
state (none, draft, returned, filed, in force) for their units."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors_catalogue as S
from .models import Catalogue, CatalogueStatus, DisclosureEntry, EntryStatus


def office_panel(user, *, now: dt.datetime) -> dict:
    q = S.filing_queue(now=now)
    url = reverse("disclosure:filing_queue")
    return {
        "key": "disclosure-catalogue-office", "title": _("公开目录报备"), "url": url, "link": _("报备审核"),
        "tiles": [
            {"key": "filed", "label": _("待审核的目录"), "value": len(q["filed"]), "tone": "warning", "url": url},
            {"key": "returned", "label": _("已退回待重报"), "value": len(q["returned"]), "url": url},
            {"key": "overdue", "label": _("逾期未报备"), "value": len(q["overdue"]), "tone": "danger", "url": url},
        ],
    }


def department_panel(user, *, now: dt.datetime) -> dict | None:
    depts = list(S.departments_for(user))
    if not depts:
        return None
    latest: dict[int, Catalogue] = {}
    for c in Catalogue.objects.filter(department__in=depts).order_by("department_id", "version"):
        latest[c.department_id] = c
    month = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = []
    for d in depts[:8]:
        c = latest.get(d.pk)
        if c is None:
            rows.append({"text": d.name, "url": reverse("disclosure:catalogue_home"), "meta": _("尚未编制公开目录"),
                         "tone": "danger"})
        else:
            rows.append({"text": f"{d.name} · {_('第%(v)s版') % {'v': c.version}}",
                         "url": reverse("disclosure:catalogue_detail", args=[c.pk]), "meta": c.get_status_display(),
                         "tone": "warning" if c.status == CatalogueStatus.RETURNED else ""})
    return {
        "key": "disclosure-catalogue-department", "title": _("公开目录"), "url": reverse("disclosure:catalogue_home"),
        "link": _("公开目录"),
        "tiles": [{"key": "entries", "label": _("本月发布的公开信息"), "url": reverse("disclosure:entry_list"),
                   "value": DisclosureEntry.objects.filter(department__in=depts, status=EntryStatus.PUBLISHED,
                                                           published_at__gte=month).count()}],
        "rows_title": _("本单位公开目录"), "rows": rows, "empty": _("没有需要编制公开目录的单位。"),
    }
