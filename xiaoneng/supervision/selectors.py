"""Reads of supervision data that depend on who asks. Department scoping is accounts' (scope_to_staff for
staff, client_scope_q for department systems); nothing here re-implements it. Outside scope means 404."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import BigIntegerField, Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.http import Http404

from xiaoneng.accounts.models import ApiClient, Department, Staff
from xiaoneng.accounts.selectors import client_scope_q, scope_to_staff
from xiaoneng.cases.models import RUNNING_STATUSES, Case
from xiaoneng.core.errors import DomainError
from xiaoneng.workdays.calendar import get_calendar

from .models import (
    TO_ANSWER,
    Channel,
    Level,
    Notification,
    OrderStatus,
    ProposalStatus,
    Rule,
    RuleChange,
    SupervisionOrder,
    SupervisionProposal,
    Warning,
    WarningStatus,
)
from .subjects import current_handler_expression, number_filter, with_subject_numbers
from .transitions import CARD_TRANSITIONS


@dataclass
class WarningFilters:
    level: str | None = None
    status: str | None = None  # a status, or "open" for every status not yet closed
    department: str | None = None  # department code; its subtree included
    rule: str | None = None  # rule code
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    case_no: str | None = None


def _warnings() -> QuerySet[Warning]:
    return with_subject_numbers(Warning.objects.select_related("rule", "department", "handler"))


def _filter(qs: QuerySet[Warning], f: WarningFilters) -> QuerySet[Warning]:
    tz = get_calendar().tz
    if f.level:
        qs = qs.filter(level=f.level)
    if f.status == "open":
        qs = qs.exclude(status__in=(WarningStatus.CONFIRMED, WarningStatus.WITHDRAWN))
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.department:
        dept = Department.objects.filter(code=f.department).only("path").first()
        qs = qs.filter(department__path__startswith=dept.path) if dept else qs.none()
    if f.rule:
        qs = qs.filter(rule__code=f.rule)
    if f.issued_from:
        qs = qs.filter(issued_at__gte=dt.datetime.combine(f.issued_from, dt.time(0), tzinfo=tz))
    if f.issued_to:
        qs = qs.filter(issued_at__lt=dt.datetime.combine(f.issued_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz))
    if f.case_no:  # a case number, or a complaint number (TS…) for complaint cards
        no = f.case_no.strip()[:64]
        qs = qs.filter(number_filter(no))
    return qs


def warning_list_for(staff: Staff, filters: WarningFilters | None = None) -> QuerySet[Warning]:
    """Cards `staff` may see, filtered, newest first."""
    return _filter(scope_to_staff(_warnings(), staff), filters or WarningFilters()).order_by("-issued_at", "-id")


def warning_list_for_client(client: ApiClient, filters: WarningFilters | None = None) -> QuerySet[Warning]:
    """Cards of a department system's own department only."""
    return _filter(_warnings().filter(client_scope_q(client)), filters or WarningFilters()).order_by(
        "-issued_at", "-id"
    )


def warning_get_for(staff: Staff, pk: int) -> Warning:
    w = scope_to_staff(_warnings(), staff).filter(pk=pk).first()
    if w is None:
        raise Http404("预警纠错卡不存在或不在您的权限范围内。")
    return w


def warning_history(w: Warning) -> list:
    return list(w.actions.select_related("by").order_by("at", "id"))


def can_answer(staff: Staff, w: Warning) -> bool:
    """Whether the page offers the department's answer forms (the services decide in the end)."""
    return staff.has_any_role("handler", "head") and w.status in (
        CARD_TRANSITIONS["explain"].sources | CARD_TRANSITIONS["correct"].sources
    )


def can_appeal(staff: Staff, w: Warning) -> bool:
    return staff.has_role("head") and w.status in CARD_TRANSITIONS["appeal"].sources and not any(
        a.kind == "appeal" for a in w.actions.all()
    )


# ============================================================================================ monitor
def monitor_data(staff: Staff, *, now: dt.datetime, filters: WarningFilters | None = None) -> dict:
    """The live monitor: open cards by level and by department, today's new cards, the oldest unanswered.
    A handful of aggregate queries whatever the number of cards."""
    f = filters or WarningFilters()
    base = _filter(scope_to_staff(Warning.objects.all(), staff), f)
    open_qs = base.exclude(status__in=(WarningStatus.CONFIRMED, WarningStatus.WITHDRAWN))
    by_level = {lv: 0 for lv in Level.values}
    for lv, n in open_qs.values_list("level").annotate(n=Count("id")).order_by():
        by_level[lv] = n
    by_dept: dict[int, dict] = {}
    for did, name, code, lv, n in open_qs.values_list(
        "department_id", "department__name", "department__code", "level"
    ).annotate(n=Count("id")).order_by():
        d = by_dept.setdefault(did, {"name": name, "code": code, "reminder": 0, "yellow": 0, "red": 0, "total": 0})
        d[lv] = n
        d["total"] += n
    departments = sorted(by_dept.values(), key=lambda d: (-d["red"], -d["yellow"], -d["total"], d["code"]))
    tz = get_calendar().tz
    midnight = dt.datetime.combine(now.astimezone(tz).date(), dt.time(0), tzinfo=tz)
    today = list(with_subject_numbers(base.filter(issued_at__gte=midnight, issued_at__lte=now).select_related(
        "rule", "department")).order_by("-issued_at", "-id")[:20])
    today_count = base.filter(issued_at__gte=midnight, issued_at__lte=now).count()
    oldest = list(with_subject_numbers(base.filter(status__in=TO_ANSWER).select_related("rule", "department")).order_by(
        "issued_at", "id")[:10])
    pending = base.filter(status=WarningStatus.PENDING_CONFIRMATION).count()
    appeals = base.filter(status=WarningStatus.APPEALED).count()
    orders_late = scope_to_staff(SupervisionOrder.objects.all(), staff).filter(
        status=OrderStatus.ISSUED, due_at__lt=now).count()
    return {
        "by_level": by_level, "open_total": sum(by_level.values()), "departments": departments,
        "today": today, "today_count": today_count, "oldest": oldest, "pending": pending, "appeals": appeals,
        "orders_late": orders_late, "now": now,
    }


# The charts rank at most this many departments or items, among those with at least this many decided cases
# in the period (a department with one late case out of one is not the county's worst).
CHART_TOP_N = 10
CHART_MIN_CASES = 5


def _months_back(now: dt.datetime, n: int, tz) -> list[dt.date]:
    d = now.astimezone(tz).date().replace(day=1)
    out = []
    for _ in range(n):
        out.append(d)
        d = (d - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(out))


def chart_data(staff: Staff, *, now: dt.datetime, months: int = 12) -> dict:
    """Data of the monitor's charts (cached a few minutes per scope: they move slowly): the on-time rate by
    month (overall, and per department for the page's selector), the departments with the lowest on-time
    rate over the period, the items that take longest on average (named with their department), cards by
    rule."""
    scope_key = "all" if staff.is_county_wide else f"d{staff.department.path if staff.department_id else 'none'}"
    ttl = int(getattr(settings, "XIAONENG_CHART_CACHE_SECONDS", 300))
    key = f"supervision:charts:v2:{scope_key}:{now.astimezone(get_calendar().tz):%Y%m%d%H}"
    if ttl:
        hit = cache.get(key)
        if hit is not None:
            return hit
    data = _chart_data(staff, now=now, months=months)
    if ttl:
        cache.set(key, data, ttl)
    return data


def _chart_data(staff: Staff, *, now: dt.datetime, months: int) -> dict:
    cal = get_calendar()
    tz = cal.tz
    month_list = _months_back(now, months, tz)
    start = dt.datetime.combine(month_list[0], dt.time(0), tzinfo=tz)
    # Committed cases only (承诺件按时办结率): instant cases are done on the spot and would flatter the rate.
    decided = scope_to_staff(Case.objects.all(), staff).filter(
        completed_at__gte=start, completed_at__lte=now, version__committed_limit_value__gt=0).exclude(verdict="")
    ontime_q = Q(verdict__in=("early", "on_time"))

    # On-time rate by month, overall and per department. Every department is sent (the page draws the overall
    # line and the one department chosen in its selector: ~40 lines overlaid answer nothing), and the
    # departments are ranked over the whole period (lowest first) for the "who lags" chart.
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    dept_info: dict[int, tuple[str, str]] = {}
    for m, did, name, code, n, ok in decided.annotate(m=TruncMonth("completed_at", tzinfo=tz)).values_list(
        "m", "department_id", "department__name", "department__code"
    ).annotate(n=Count("id"), ok=Count("id", filter=ontime_q)).order_by():
        mk = (m.date() if isinstance(m, dt.datetime) else m).strftime("%Y-%m")
        for key in ((mk, did), (mk, None), (None, did)):
            totals[key][0] += n
            totals[key][1] += ok
        dept_info[did] = (name, code)
    labels = [m.strftime("%Y-%m") for m in month_list]

    def rate(mk, did):
        n, ok = totals.get((mk, did), (0, 0))
        return round(100.0 * ok / n, 1) if n else None

    departments = [
        {"code": code, "name": name, "data": [rate(mk, did) for mk in labels], "rate": rate(None, did),
         "cases": totals[(None, did)][0]}
        for did, (name, code) in sorted(dept_info.items(), key=lambda kv: kv[1][1])
    ]
    ranked = [d for d in departments if d["cases"] >= CHART_MIN_CASES]  # as the page says: no fallback
    lowest = sorted(ranked, key=lambda d: (d["rate"], -d["cases"], d["code"]))[:CHART_TOP_N]

    # Average working days from the clock's start to the decision, minus stopped time, per item: the items
    # that take longest (enough decided cases to mean something), each named with its department — items of
    # the same name exist in several departments, and a name alone would be ambiguous.
    per_item: dict[int, list] = {}
    rows = decided.filter(clock_start__isnull=False).annotate(
        s=TruncDate("clock_start", tzinfo=tz), e=TruncDate("completed_at", tzinfo=tz)
    ).values_list("service_item_id", "s", "e").annotate(
        n=Count("id"), susp=Sum("suspended_working_days")).order_by()
    for item_id, s, e, n, susp in rows:
        try:
            wd = cal.working_days_between(s, e).working_days if e >= s else 0
        except DomainError:
            continue
        acc = per_item.setdefault(item_id, [0, 0])
        acc[0] += max(wd * n - (susp or 0), 0)
        acc[1] += n
    info = {}
    if per_item:
        from xiaoneng.catalog.models import ServiceItem

        for iid, code, vname, dname, dshort in ServiceItem.objects.filter(id__in=list(per_item)).values_list(
            "id", "code", "current_version__name", "department__name", "department__short_name"
        ):
            info[iid] = {"code": code, "name": vname or code, "department": dname, "department_short": dshort or dname}
    measured = [{**info[iid], "avg": round(s / n, 1), "cases": n} for iid, (s, n) in per_item.items() if iid in info]
    enough = [d for d in measured if d["cases"] >= CHART_MIN_CASES]
    items = sorted(enough, key=lambda d: (-d["avg"], -d["cases"], d["code"]))[:CHART_TOP_N]

    # Cards by rule and level (not withdrawn), over the same months.
    by_rule: dict[str, dict] = {}
    for name, lv, n in scope_to_staff(Warning.objects.all(), staff).filter(
        issued_at__gte=start, issued_at__lte=now
    ).exclude(status=WarningStatus.WITHDRAWN).values_list("rule__name", "level").annotate(n=Count("id")).order_by():
        d = by_rule.setdefault(name, {"name": name, "reminder": 0, "yellow": 0, "red": 0})
        d[lv] += n
    rules = sorted(by_rule.values(), key=lambda d: d["reminder"] + d["yellow"] + d["red"])
    return {
        "ontime": {"months": labels, "overall": [rate(mk, None) for mk in labels], "departments": departments},
        "lowest": lowest, "items": items, "rules": rules, "min_cases": CHART_MIN_CASES, "top_n": CHART_TOP_N,
    }


# ============================================================================== orders, desk, rules
def order_list_for(staff: Staff, *, status: str | None = None) -> QuerySet[SupervisionOrder]:
    qs = scope_to_staff(with_subject_numbers(SupervisionOrder.objects.select_related("department", "warning",
                                                                                     "issued_by")), staff)
    if status == "late":
        qs = qs.filter(escalated_at__isnull=False)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-issued_at", "-id")


def order_get_for(staff: Staff, pk: int) -> SupervisionOrder:
    o = order_list_for(staff).select_related("answered_by", "closed_by", "warning__rule").filter(pk=pk).first()
    if o is None:
        raise Http404("督办单不存在或不在您的权限范围内。")
    return o


def proposal_list_for(staff: Staff, *, status: str | None = None) -> QuerySet[SupervisionProposal]:
    """Rectification proposals: supervisors, leaders and administrators see all (drafts included); a
    department sees only those sent to it (a draft is the office's own until confirmed: 404 otherwise)."""
    qs = scope_to_staff(with_subject_numbers(SupervisionProposal.objects.select_related(
        "department", "warning__rule", "issued_by", "issuer", "discarded_by")), staff)
    if not staff.has_any_role("supervisor", "leader", "admin"):
        qs = qs.filter(status=ProposalStatus.ISSUED)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def proposal_get_for(staff: Staff, pk: int) -> SupervisionProposal:
    p = proposal_list_for(staff).filter(pk=pk).first()
    if p is None:
        raise Http404("整改建议书不存在或不在您的权限范围内。")
    return p


DESK_LIMIT = 50  # rows of each kind on the desk


def desk_for(staff: Staff, *, now: dt.datetime, soon_wd: int = 3) -> dict:
    """The handler's desk: my cases due soon, my cards to answer, my supervision orders, my messages.
    A handler sees what is assigned to them; a head sees the department's."""
    cal = get_calendar()
    try:
        horizon = cal.close_of(cal.add_working_days(now.astimezone(cal.tz).date(), soon_wd).date)
    except DomainError:
        horizon = now + dt.timedelta(days=soon_wd + 4)
    is_head = staff.has_role("head")
    cases = scope_to_staff(Case.objects.select_related("service_item", "department"), staff).filter(
        status__in=RUNNING_STATUSES, committed_deadline__isnull=False, committed_deadline__lte=horizon)
    cards = scope_to_staff(_warnings(), staff).filter(status__in=TO_ANSWER)
    if not is_head:
        cases = cases.filter(handler=staff)
        # Who answers a card: the case's handler NOW (a head may have reassigned the case since the card was
        # issued), else the handler the card was issued to; unassigned cards are everyone's in the scope.
        cards = cards.annotate(answerer=Coalesce(current_handler_expression(), "handler", output_field=BigIntegerField())).filter(
            Q(answerer=staff.pk) | Q(answerer__isnull=True))
    orders = order_list_for(staff).filter(status=OrderStatus.ISSUED)
    notes = Notification.objects.filter(recipient=staff, channel=Channel.IN_APP).select_related(
        "warning", "order").order_by("-created_at", "-id")
    return {
        "cases": list(cases.order_by("committed_deadline")[:DESK_LIMIT]),
        "cards": list(cards.order_by("issued_at")[:DESK_LIMIT]),
        "orders": list(orders.order_by("due_at")[:DESK_LIMIT]),
        "notifications": list(notes[:20]),
        "unread": notes.filter(read_at__isnull=True).count(),
        "horizon": horizon, "now": now, "is_head": is_head,
    }


def rule_list() -> QuerySet[Rule]:
    return Rule.objects.select_related("scope_department", "scope_item", "updated_by").order_by("position", "code")


def rule_get(code: str) -> Rule:
    r = rule_list().filter(code=code).first()
    if r is None:
        raise Http404("规则不存在。")
    return r


def rule_changes(rule: Rule | None = None) -> QuerySet[RuleChange]:
    qs = RuleChange.objects.select_related("rule", "changed_by").order_by("-changed_at", "-id")
    return qs.filter(rule=rule) if rule is not None else qs
