"""What cases put on the landing pages (core/landing.py): the head's due and overdue cases of the
department, the window's queue of the day. Scoped by accounts.selectors as the case list (case_scope_q: a service centre's window sees its own registrations)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.accounts.selectors import at_service_centre, case_scope_q, scope_to_staff
from xiaoneng.core.errors import DomainError
from xiaoneng.workdays.calendar import get_calendar

from .models import RUNNING_STATUSES, Case, CaseStatus

SOON_WORKING_DAYS = 3


def _url(name: str, **query) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


def _horizon(now: dt.datetime) -> dt.datetime:
    """The close of the third working day from today; without a loaded calendar, a week (a missing year must
    not take the landing page down: the clock pages say what is missing)."""
    cal = get_calendar()
    try:
        return cal.close_of(cal.add_working_days(now.astimezone(cal.tz).date(), SOON_WORKING_DAYS).date)
    except DomainError:
        return now + dt.timedelta(days=SOON_WORKING_DAYS + 4)


def _stamp(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def department_due(user, *, now: dt.datetime) -> dict:
    """部门负责人: the department's running cases past the committed deadline, and those due within three
    working days, the soonest listed with their handler."""
    horizon = _horizon(now)
    running = scope_to_staff(Case.objects.all(), user).filter(status__in=RUNNING_STATUSES,
                                                               committed_deadline__isnull=False)
    counts = running.aggregate(overdue=Count("id", filter=Q(committed_deadline__lt=now)),
                               soon=Count("id", filter=Q(committed_deadline__gte=now, committed_deadline__lte=horizon)),
                               unassigned=Count("id", filter=Q(handler__isnull=True)))
    rows = list(running.filter(committed_deadline__lte=horizon).select_related("handler").order_by(
        "committed_deadline", "id")[:8])
    return {
        "key": "department-due", "title": _("本部门到期与超期办件"), "url": _url("cases:case_list", overdue="1"),
        "link": _("查看超期办件"),
        "tiles": [
            {"key": "overdue", "label": _("已超承诺时限（在办）"), "value": counts["overdue"], "tone": "danger",
             "url": _url("cases:case_list", overdue="1")},
            {"key": "soon", "label": _("三个工作日内到期"), "value": counts["soon"], "tone": "warning",
             "url": reverse("supervision:desk")},
            {"key": "unassigned", "label": _("在办未指定承办人"), "value": counts["unassigned"], "tone": "warning",
             "url": reverse("cases:case_list")},
        ],
        "rows_title": _("最先到期"),
        "rows": [{"text": f"{c.case_no} · {c.handler.display_name if c.handler_id else _('未指定承办人')}",
                  "url": reverse("cases:case_detail", args=[c.case_no]),
                  "meta": (_("已超期，期限 %(due)s") if c.committed_deadline < now else _("期限 %(due)s")) % {
                      "due": _stamp(c.committed_deadline)},
                  "tone": "danger" if c.committed_deadline < now else ""} for c in rows],
        "empty": _("三个工作日内没有到期的办件。"),
    }


def window_today(user, *, now: dt.datetime) -> dict:
    """窗口人员: today's queue at the window — applications received today in the department (at a service
    centre: those the centre registered for its hosted departments), those still waiting for acceptance, and
    the registration form."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    today = local.date().isoformat()
    # As the case list: a service centre's window works the queue of applications it registered for the
    # departments it hosts (its own department has no items), every other window its department's cases.
    centre = at_service_centre(user)
    mine = Case.objects.filter(case_scope_q(user))
    queue = {}
    if centre:
        mine = mine.filter(intake_department__path__startswith=user.department.path)
        queue = {"intake": "mine"}
    counts = mine.aggregate(
        today=Count("id", filter=Q(received_at__gte=midnight, received_at__lte=now)),
        waiting=Count("id", filter=Q(status=CaseStatus.RECEIVED)),
        mine=Count("id", filter=Q(first_contact=user, received_at__gte=midnight, received_at__lte=now)),
    )
    rows = list(mine.filter(received_at__gte=midnight, received_at__lte=now).order_by(
        "-received_at", "-id")[:8])
    return {
        "key": "window-today", "title": _("今日窗口"), "url": reverse("cases:case_register"), "link": _("受理登记"),
        "tiles": [
            {"key": "today", "label": _("今日接件"), "value": counts["today"],
             "url": _url("cases:case_list", received_from=today, received_to=today, **queue)},
            {"key": "mine", "label": _("其中由我接件"), "value": counts["mine"],
             "url": _url("cases:case_list", received_from=today, received_to=today, **queue)},
            {"key": "waiting", "label": _("已接件待受理"), "value": counts["waiting"], "tone": "warning",
             "url": _url("cases:case_list", status=CaseStatus.RECEIVED, **queue)},
        ],
        "rows_title": _("今日接件"),
        "rows": [{"text": c.case_no, "url": reverse("cases:case_detail", args=[c.case_no]),
                  "meta": f"{c.get_channel_display()} · {c.get_status_display()} · {timezone.localtime(c.received_at):%H:%M}"} for c in rows],
        "empty": _("今天还没有接件。"),
    }
