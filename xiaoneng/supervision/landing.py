"""What electronic supervision puts on the landing pages (core/landing.py): the supervisor's decisions of
the day, the leader's headline figures and on-time trend, the head's and the handler's cards and orders.

Every figure is scoped by accounts.selectors.scope_to_staff (through this app's selectors), as the lists
behind the links are, so a number on the landing page is the number of rows its link shows."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.accounts.selectors import scope_to_staff
from xiaoneng.cases.models import Case

from . import selectors
from .models import Level, OrderStatus, SupervisionOrder, Warning, WarningStatus
from .subjects import with_subject_numbers

OPEN_CARD = ~Q(status__in=(WarningStatus.CONFIRMED, WarningStatus.WITHDRAWN))


def _midnight(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _url(name: str, **query) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


def supervisor_today(user, *, now: dt.datetime) -> dict:
    """效能监察员: what needs a decision today — appeals, cards awaiting confirmation, draft proposals,
    orders past their due date, red cards issued today."""
    today = timezone.localtime(now).date().isoformat()
    cards = scope_to_staff(Warning.objects.all(), user)
    counts = cards.aggregate(
        appeals=Count("id", filter=Q(status=WarningStatus.APPEALED)),
        pending=Count("id", filter=Q(status=WarningStatus.PENDING_CONFIRMATION)),
        red_today=Count("id", filter=Q(level=Level.RED, issued_at__gte=_midnight(now), issued_at__lte=now)),
    )
    drafts = selectors.proposal_list_for(user, status="draft").count()
    late = scope_to_staff(SupervisionOrder.objects.select_related("department"), user).filter(
        status=OrderStatus.ISSUED, due_at__lt=now).order_by("due_at", "id")
    late_rows = list(late[:5])
    late_count = late.count()
    appeals = list(with_subject_numbers(cards.filter(status=WarningStatus.APPEALED).select_related(
        "rule", "department")).order_by("issued_at", "id")[:5])
    # The labels outside the f-strings: makemessages does not read gettext calls inside them.
    appeal_label, late_label = _("申诉待裁定"), _("督办逾期未答复")
    rows = [{"text": f"{appeal_label} · {w.rule.name} · {w.subject_no}",
             "url": reverse("supervision:warning_detail", args=[w.pk]), "meta": w.department.name} for w in appeals]
    rows += [{"text": f"{late_label} · {o.department.name}",
              "url": reverse("supervision:order_detail", args=[o.pk]),
              "meta": _("期限 %(due)s") % {"due": timezone.localtime(o.due_at).strftime("%Y-%m-%d %H:%M")},
              "tone": "danger"} for o in late_rows]
    return {
        "key": "supervisor-today", "title": _("今日待决定"), "url": reverse("supervision:monitor"),
        "link": _("实时监控"),
        "tiles": [
            {"key": "appeals", "label": _("待裁定申诉"), "value": counts["appeals"], "tone": "warning",
             "url": _url("supervision:warning_list", status=WarningStatus.APPEALED)},
            {"key": "pending", "label": _("待确认预警纠错卡"), "value": counts["pending"], "tone": "warning",
             "url": _url("supervision:warning_list", status=WarningStatus.PENDING_CONFIRMATION)},
            {"key": "drafts", "label": _("待确认整改建议书"), "value": drafts, "tone": "warning",
             "url": _url("supervision:proposal_list", status="draft")},
            {"key": "late-orders", "label": _("逾期未答复督办单"), "value": late_count, "tone": "danger",
             "url": _url("supervision:order_list", status="issued")},
            {"key": "red-today", "label": _("今日新发红牌"), "value": counts["red_today"], "tone": "danger",
             "url": _url("supervision:warning_list", level=Level.RED, issued_from=today, issued_to=today)},
        ],
        "rows_title": _("最早的待办"), "rows": rows, "empty": _("今天没有待裁定的申诉或逾期督办单。"),
    }


def ontime_trend(user, *, now: dt.datetime, months: int = 6) -> list[tuple[str, float | None]]:
    """承诺件按时办结率 of the last `months` calendar months (this one included), in the user's scope: one
    query. Committed cases only, as the monitor counts (instant cases would flatter the rate)."""
    local = timezone.localtime(now)
    firsts = []
    d = local.date().replace(day=1)
    for _i in range(months):
        firsts.append(d)
        d = (d - dt.timedelta(days=1)).replace(day=1)
    firsts.reverse()
    start = local.replace(year=firsts[0].year, month=firsts[0].month, day=1, hour=0, minute=0, second=0,
                          microsecond=0)
    decided = scope_to_staff(Case.objects.all(), user).filter(
        completed_at__gte=start, completed_at__lte=now, version__committed_limit_value__gt=0).exclude(verdict="")
    by_month = {}
    for m, n, ok in decided.annotate(m=TruncMonth("completed_at", tzinfo=local.tzinfo)).values_list("m").annotate(
            n=Count("id"), ok=Count("id", filter=Q(verdict__in=("early", "on_time")))).order_by():
        key = (m.date() if isinstance(m, dt.datetime) else m).strftime("%Y-%m")
        by_month[key] = round(100.0 * ok / n, 1) if n else None
    return [(f.strftime("%Y-%m"), by_month.get(f.strftime("%Y-%m"))) for f in firsts]


def leader_headline(user, *, now: dt.datetime) -> dict:
    """领导: the headline figures (open yellow and red cards, this month's on-time rate, orders overdue) and the
    on-time trend of the last six months."""
    cards = scope_to_staff(Warning.objects.all(), user).filter(OPEN_CARD)
    counts = cards.aggregate(yellow=Count("id", filter=Q(level=Level.YELLOW)),
                             red=Count("id", filter=Q(level=Level.RED)))
    late_orders = scope_to_staff(SupervisionOrder.objects.all(), user).filter(
        status=OrderStatus.ISSUED, due_at__lt=now).count()
    trend = ontime_trend(user, now=now)
    this_month = trend[-1][1]
    return {
        "key": "leader-headline", "title": _("全县效能概况"), "url": reverse("supervision:monitor"),
        "link": _("实时监控"),
        "tiles": [
            {"key": "ontime", "label": _("本月承诺件按时办结率"),
             "value": "—" if this_month is None else f"{this_month}%", "url": reverse("supervision:monitor")},
            {"key": "open-yellow", "label": _("在办黄牌（未办结）"), "value": counts["yellow"], "tone": "warning",
             "url": _url("supervision:warning_list", level=Level.YELLOW, status="open")},
            {"key": "open-red", "label": _("在办红牌（未办结）"), "value": counts["red"], "tone": "danger",
             "url": _url("supervision:warning_list", level=Level.RED, status="open")},
            {"key": "late-orders", "label": _("逾期未答复督办单"), "value": late_orders, "tone": "danger",
             "url": _url("supervision:order_list", status="issued")},
        ],
        "trend": {"title": _("近六个月承诺件按时办结率"), "rows": trend, "unit": "%"},
    }


def department_cards(user, *, now: dt.datetime) -> dict:
    """部门负责人: the department's cards to answer and supervision orders to answer (its subtree included)."""
    cards = scope_to_staff(Warning.objects.all(), user)
    to_answer = cards.filter(status__in=(WarningStatus.ISSUED, WarningStatus.ESCALATED))
    counts = to_answer.aggregate(n=Count("id"), red=Count("id", filter=Q(level=Level.RED)))
    orders = scope_to_staff(SupervisionOrder.objects.all(), user).filter(status=OrderStatus.ISSUED).aggregate(
        n=Count("id"), late=Count("id", filter=Q(due_at__lt=now)))
    oldest = list(with_subject_numbers(to_answer.select_related("rule", "department")).order_by("issued_at", "id")[:5])
    return {
        "key": "department-cards", "title": _("本部门预警与督办"), "url": reverse("supervision:desk"),
        "link": _("我的待办"),
        "tiles": [
            {"key": "cards", "label": _("待答复预警纠错卡"), "value": counts["n"], "tone": "warning",
             "url": reverse("supervision:desk")},
            {"key": "red", "label": _("其中红牌"), "value": counts["red"], "tone": "danger",
             "url": _url("supervision:warning_list", level=Level.RED, status="open")},
            {"key": "orders", "label": _("待答复督办单"), "value": orders["n"], "tone": "warning",
             "url": _url("supervision:order_list", status="issued")},
            {"key": "late-orders", "label": _("其中已逾期"), "value": orders["late"], "tone": "danger",
             "url": _url("supervision:order_list", status="issued")},
        ],
        "rows_title": _("最久未答复的卡"),
        "rows": [{"text": f"{w.get_level_display()} · {w.rule.name} · {w.subject_no}",
                  "url": reverse("supervision:warning_detail", args=[w.pk]), "meta": w.department.name}
                 for w in oldest],
        "empty": _("没有待答复的预警纠错卡。"),
    }


def handler_desk(user, *, now: dt.datetime) -> dict:
    """承办人: their desk in brief — their cases due soon or overdue, cards and orders to answer, unread
    messages — from the same selector as the desk page (selectors.desk_for)."""
    d = selectors.desk_for(user, now=now)
    overdue = [c for c in d["cases"] if c.committed_deadline < now]

    def shown(rows: list, n: int) -> str | int:
        # The desk lists at most DESK_LIMIT of each kind: a full list means "at least", and says so.
        return f"{n}+" if len(rows) >= selectors.DESK_LIMIT else n
    return {
        "key": "handler-desk", "title": _("我的待办"), "url": reverse("supervision:desk"), "link": _("打开我的待办"),
        "wide": True,
        "tiles": [
            {"key": "due", "label": _("三个工作日内到期的办件"), "value": shown(d["cases"], len(d["cases"]) - len(overdue)),
             "tone": "warning", "url": reverse("supervision:desk")},
            {"key": "overdue", "label": _("已超承诺时限的办件"), "value": shown(d["cases"], len(overdue)),
             "tone": "danger", "url": _url("cases:case_list", overdue="1")},
            {"key": "cards", "label": _("待答复预警纠错卡"), "value": shown(d["cards"], len(d["cards"])), "tone": "warning",
             "url": reverse("supervision:desk")},
            {"key": "orders", "label": _("待答复督办单"), "value": shown(d["orders"], len(d["orders"])), "tone": "warning",
             "url": _url("supervision:order_list", status="issued")},
            {"key": "unread", "label": _("未读消息"), "value": d["unread"], "url": reverse("supervision:desk")},
        ],
        "rows_title": _("最先到期的办件"),
        "rows": [{"text": f"{c.case_no} · {c.current_step or c.get_status_display()}",
                  "url": reverse("cases:case_detail", args=[c.case_no]),
                  "meta": (_("已超期，期限 %(due)s") if c.committed_deadline < now else _("期限 %(due)s")) % {
                      "due": timezone.localtime(c.committed_deadline).strftime("%Y-%m-%d %H:%M")},
                  "tone": "danger" if c.committed_deadline < now else ""} for c in d["cases"][:8]],
        "empty": _("近期没有到期的办件。"),
    }
