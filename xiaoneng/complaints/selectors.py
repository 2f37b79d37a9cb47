"""Reads of complaints that depend on who asks. Scoping follows accounts.selectors:

- supervisors, leaders and administrators see every complaint (leaders and administrators read only);
- handlers and heads see the complaints dispatched to their department or below it (not withdrawn);
- an API client of a department sees the complaints dispatched to its department and those it submitted;
- window staff and everyone else see none.
Out-of-scope complaints answer 404, never revealing that they exist. None of these reads touches the
complainant's identity: that is `services.complainant_identity_read`, which records the read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import ApiClient, Department, Staff
from xiaoneng.accounts.selectors import department_scope_q

from .models import (
    OPEN_STATUSES,
    RATED_LEVELS,
    ComplainantMessage,
    Complaint,
    ComplaintCategory,
    Dispatch,
    Flag,
    Outcome,
    Rating,
    Reply,
    Status,
    TimelineEntry,
)
from .privacy import mask_contacts
from .services import tracking_code_normalise

VISIBLE_DISPATCH = (Dispatch.State.ACTIVE, Dispatch.State.DISPUTED, Dispatch.State.DONE)
LIST_RELATED = ("category", "department")


def is_office(staff) -> bool:
    return bool(staff and staff.is_authenticated and staff.has_role(R.SUPERVISOR))


def can_list(staff) -> bool:
    return bool(staff and staff.is_authenticated and staff.has_any_role(
        R.SUPERVISOR, R.LEADER, R.ADMIN, R.HANDLER, R.HEAD))


def _base() -> QuerySet[Complaint]:
    return Complaint.objects.select_related(*LIST_RELATED)


def complaint_scope(staff: Staff) -> QuerySet[Complaint]:
    qs = _base()
    if staff is None or not staff.is_authenticated or not staff.is_active:
        return qs.none()
    if staff.has_any_role(R.SUPERVISOR, R.LEADER, R.ADMIN):
        return qs
    if not staff.has_any_role(R.HANDLER, R.HEAD) or staff.department_id is None:
        return qs.none()
    ours = Dispatch.objects.filter(department_scope_q(staff, "department"), complaint=OuterRef("pk"),
                                   state__in=VISIBLE_DISPATCH)
    return qs.filter(Exists(ours))


def client_scope(client: ApiClient) -> QuerySet[Complaint]:
    ours = Dispatch.objects.filter(complaint=OuterRef("pk"), department_id=client.department_id,
                                   state__in=VISIBLE_DISPATCH)
    return _base().filter(Q(Exists(ours)) | Q(client=client))


@dataclass
class ComplaintFilters:
    status: str = ""
    q: str = ""
    category: str = ""
    department: str = ""
    flag: str = ""
    channel: str = ""
    overdue: bool = False
    order: str = "due"


def complaint_list_for(staff: Staff, f: ComplaintFilters | None = None) -> QuerySet[Complaint]:
    """The inbox: complaints `staff` may see, filtered, ordered by due date (soonest first) or newest."""
    f = f or ComplaintFilters()
    qs = complaint_scope(staff)
    return _filter(qs, f)


def _filter(qs: QuerySet[Complaint], f: ComplaintFilters) -> QuerySet[Complaint]:
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.status in Status.values:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.department:
        qs = qs.filter(department__code=f.department)
    if f.flag in (Flag.REMINDER, Flag.YELLOW, Flag.RED):
        qs = qs.filter(flag=f.flag)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, flag__in=(Flag.YELLOW, Flag.RED))
    if f.q:
        match = Q(number__icontains=f.q) | Q(staff_text__icontains=f.q) | Q(case_no_text__icontains=f.q)
        # The text is searched only for words the masker leaves alone: a search for a phone number, ID number or
        # e-mail would tell whoever searches that the person behind it complained (a copy stored before the
        # masker learnt that number's written form may still hold it). Nobody reads such a number in the
        # masked text, so nobody loses a result they could see.
        if mask_contacts(f.q) == f.q:
            match |= Q(facts_redacted__icontains=f.q)
        qs = qs.filter(match)
    if f.order == "new":
        return qs.order_by("-received_at", "-id")
    return qs.order_by(F("due_at").asc(nulls_last=True), "-received_at", "-id")


def complaint_get_for(staff: Staff, number: str) -> Complaint:
    c = complaint_scope(staff).select_related("office_handler", "case", "merged_into").filter(number=number).first()
    if c is None:
        raise Http404("投诉不存在或不在您的权限范围内。")
    return c


def complaint_get_for_client(client: ApiClient, number: str) -> Complaint:
    c = client_scope(client).filter(number=number).first()
    if c is None:
        raise Http404
    return c


def dispatches_for_staff(c: Complaint, staff: Staff) -> list[Dispatch]:
    """The complaint's dispatches `staff` may act on as a department (their subtree), newest round first."""
    if staff.department_id is None or not staff.has_any_role(R.HANDLER, R.HEAD):
        return []
    return list(c.dispatches.filter(department__path__startswith=staff.department.path, state__in=VISIBLE_DISPATCH)
                .select_related("department").order_by("-round", "-is_lead"))


def timeline_for(c: Complaint) -> QuerySet[TimelineEntry]:
    return c.timeline.select_related("actor").order_by("at", "id")


def board(staff: Staff) -> dict[str, list[Complaint]]:
    """The dispatch board: open complaints in columns by status, soonest due first (at most 50 a column)."""
    qs = complaint_scope(staff).filter(status__in=OPEN_STATUSES).order_by(F("due_at").asc(nulls_last=True))
    cols = {s: [] for s in OPEN_STATUSES}
    for s in OPEN_STATUSES:
        cols[s] = list(qs.filter(status=s)[:50])
    return cols


def complainant_messages_for(staff: Staff, c: Complaint) -> list[ComplainantMessage]:
    """The SMS and e-mail notices of `c`, for the supervision office only (anyone else: 404). What the page
    shows: notice, channel, status, attempts and the error, never the recipient nor the text (an unsent reply
    notice still holds the one-time follow-up link). The error is masked again for rows stored before
    sending scrubbed it: a backend's error may quote the address it refused."""
    from .privacy import mask_personal_data, redactor_for

    if not is_office(staff):
        raise Http404
    rows = list(c.messages.select_related("entry").defer("body").order_by("created_at", "id"))
    if any(m.error for m in rows):
        red = redactor_for(c)
        for m in rows:
            m.error = mask_personal_data(m.error, names=red.names, contacts=red.contacts)
    return rows


# --------------------------------------------------------------------------------------------- public
def complaint_by_tracking_code(raw: str) -> Complaint:
    code = tracking_code_normalise(raw)
    c = Complaint.objects.select_related("category", "department").filter(tracking_code=code).first() if code else None
    if c is None:
        raise Http404
    return c


def public_timeline(c: Complaint) -> QuerySet[TimelineEntry]:
    return c.timeline.filter(public=True).only("at", "kind", "public_text", "actor_label").order_by("at", "id")


def mailbox_list(*, q: str = "", department: str = "", category: str = "") -> QuerySet[Reply]:
    """Published replies for the public mailbox (区长信箱): masked text only, newest first."""
    qs = (Reply.objects.filter(state=Reply.State.SENT, complaint__publishable=True)
          .select_related("complaint__department", "complaint__category")
          .only("public_text", "sent_at", "complaint__number", "complaint__department__name",
                "complaint__department__code", "complaint__category__name", "complaint__category__code",
                "complaint__received_at", "complaint__outcome")
          .order_by("-sent_at", "-id"))
    if department:
        qs = qs.filter(complaint__department__code=department)
    if category:
        qs = qs.filter(complaint__category__code=category)
    if q:
        qs = qs.filter(public_text__icontains=q)
    return qs


def mailbox_get(number: str) -> Reply:
    r = mailbox_list().filter(complaint__number=number).first()
    if r is None:
        raise Http404
    return r


def mailbox_departments() -> QuerySet[Department]:
    return Department.objects.filter(complaints__publishable=True).distinct().order_by("path")


def categories() -> QuerySet[ComplaintCategory]:
    return ComplaintCategory.objects.filter(is_active=True)


# --------------------------------------------------------------------------------------------- figures
# The counts behind each rate, and what the rate is: printed under the figures and in the API, in the asker's
# language (lazy), so a reader can tell what was counted (DOMAIN.md §3: 答复率, 办结率, 满意率 as the seeds use them).
RATE_DEFINITIONS = {
    "reply_rate": gettext_lazy("答复率：已答复件数 ÷ 已到答复时间的受理件数（已答复的，加上办理期限已过仍未答复的）"),
    "closure_rate": gettext_lazy("办结率：已有办理结果（属实、部分属实、不属实）的件数 ÷ 受理件数"),
    "satisfaction_rate": None,  # depends on the configured levels: satisfaction_definition()
    "response_rate": gettext_lazy("响应率：按期作出受理决定的件数 ÷ 收到件数"),
    "on_time_reply_rate": gettext_lazy("按期答复率：在答复期限内答复的件数 ÷ 已答复件数"),
}
RATE_KEYS = ("reply_rate", "closure_rate", "satisfaction_rate")  # the seeds' 三率, charted


def satisfied_levels() -> tuple[str, ...]:
    """The follow-up levels 满意率 counts as satisfied (setting SATISFIED_LEVELS; the top two by default)."""
    from .conf import cfg

    levels = tuple(v for v in cfg("SATISFIED_LEVELS") if v in RATED_LEVELS)
    return levels or (Rating.VERY_SATISFIED, Rating.SATISFIED)


def satisfaction_definition() -> str:
    # The list separator is translated too: 、 between Chinese names, a comma in English.
    names = _("、").join(_("“%(level)s”") % {"level": Rating(v).label} for v in RATED_LEVELS if v in satisfied_levels())
    return _("满意率：评价为%(levels)s的件数 ÷ 作出评价的件数（未评价的不计）") % {"levels": names}


def rate_definitions() -> dict[str, str]:
    return {k: (satisfaction_definition() if v is None else str(v)) for k, v in RATE_DEFINITIONS.items()}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def figures(*, start: dt.date, end: dt.date, now: dt.datetime, department: Department | None = None,
            tz=None) -> dict:
    """Figures per department (complained about) and month of receipt, with the seeds' 三率 (答复率, 办结率,
    满意率; RATE_DEFINITIONS) and the hotline's response and on-time reply rates. Merged duplicates are not
    counted twice. `end` is inclusive; `now` decides which accepted complaints are already due a reply."""
    from xiaoneng.workdays.calendar import get_calendar

    tz = tz or get_calendar().tz
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = Complaint.objects.filter(received_at__gte=lo, received_at__lt=hi).exclude(status=Status.MERGED)
    if department is not None:
        qs = qs.filter(department__path__startswith=department.path)
    substantiated = (Outcome.SUBSTANTIATED, Outcome.PARTLY)
    rows = (qs.annotate(month=TruncMonth("received_at", tzinfo=tz))
            .values("department_id", "department__code", "department__name", "month")
            .annotate(
                received=Count("id"),
                decided_on_time=Count("id", filter=Q(decided_at__isnull=False, decided_at__lte=F("acceptance_due_at"))),
                accepted=Count("id", filter=Q(accepted_at__isnull=False)),
                reply_due=Count("id", filter=Q(accepted_at__isnull=False) & (
                    Q(replied_at__isnull=False) | Q(handling_due_at__lte=now))),
                closed_with_result=Count("id", filter=Q(accepted_at__isnull=False) & ~Q(outcome="")),
                substantiated=Count("id", filter=Q(outcome__in=substantiated)),
                replied=Count("id", filter=Q(replied_at__isnull=False)),
                replied_on_time=Count("id", filter=Q(replied_at__isnull=False, replied_at__lte=F("reply_due_at"))),
                **{level: Count("id", filter=Q(rating=level)) for level in RATED_LEVELS},
                sanction=Count("id", filter=Q(sanction_proposed=True)),
            ).order_by("department__code", "month"))
    keys = ("received", "decided_on_time", "accepted", "reply_due", "closed_with_result", "substantiated", "replied",
            "replied_on_time", *RATED_LEVELS, "sanction")
    out, total = [], dict.fromkeys(keys, 0)
    for r in rows:
        item = {"department": r["department__code"], "department_name": r["department__name"],
                "month": r["month"].astimezone(tz).strftime("%Y-%m"), **{k: r[k] for k in keys}}
        _rates(item)
        out.append(item)
        for k in keys:
            total[k] += r[k]
    _rates(total)
    return {"from": start.isoformat(), "to": end.isoformat(), "rows": out, "total": total,
            "months": _sum_by(out, ("month",), keys, _months(start, end)),
            "departments": _sum_by(out, ("department", "department_name"), keys),
            "definitions": rate_definitions()}


def _months(start: dt.date, end: dt.date) -> list[tuple[str]]:
    """Every month of the period, so a trend has no hidden gaps (a month without complaints is shown empty)."""
    out, m = [], start.replace(day=1)
    while m <= end:
        out.append((m.strftime("%Y-%m"),))
        m = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _sum_by(rows: list[dict], by: tuple[str, ...], keys: tuple[str, ...],
            order: list[tuple] | None = None) -> list[dict]:
    """The department × month rows summed over one axis (per month, or per department), rates recomputed from
    the summed counts: a ratio of sums, never an average of ratios. A reshaping of the rows above, not a second
    query, so the table, the charts and the API cannot disagree."""
    groups: dict[tuple, dict] = {k: dict(zip(by, k, strict=True)) | dict.fromkeys(keys, 0) for k in order or ()}
    for r in rows:
        g = groups.setdefault(tuple(r[b] for b in by), {b: r[b] for b in by} | dict.fromkeys(keys, 0))
        for k in keys:
            g[k] += r[k]
    for g in groups.values():
        _rates(g)
    return list(groups.values())


def _rates(item: dict) -> None:
    item["rated"] = sum(item[level] for level in RATED_LEVELS)
    item["reply_rate"] = _ratio(item["replied"], item["reply_due"])
    item["closure_rate"] = _ratio(item["closed_with_result"], item["accepted"])
    item["satisfaction_rate"] = _ratio(sum(item[level] for level in satisfied_levels()), item["rated"])
    item["response_rate"] = _ratio(item["decided_on_time"], item["received"])
    item["on_time_reply_rate"] = _ratio(item["replied_on_time"], item["replied"])


def figures_departments_for(staff: Staff) -> QuerySet[Department]:
    """Which departments' figures `staff` may read: all for the office, leaders and admins; a head their own."""
    qs = Department.objects.filter(is_active=True).exclude(kind=Department.Kind.COUNTY).order_by("path")
    if staff.has_any_role(R.SUPERVISOR, R.LEADER, R.ADMIN):
        return qs
    if staff.has_role(R.HEAD) and staff.department_id:
        return qs.filter(path__startswith=staff.department.path)
    return qs.none()


# The columns the figures page's department table sorts by (a key of a selector row each); the page's `sort`
# parameter is one of these, with a leading "-" for descending. Anything else is refused by the view.
FIGURES_SORTS = ("department", "received", "accepted", "reply_rate", "closure_rate", "satisfaction_rate",
                 "response_rate")
FIGURES_DEFAULT_SORT = "reply_rate"  # lowest 答复率 first: the departments that need looking at open the page


def figures_sorted(departments: list[dict], sort: str) -> list[dict]:
    """The per-department rows of `figures()` ordered by `sort` (a FIGURES_SORTS key, "-" for descending). A
    rate that cannot be computed (no complaints counted, "—") goes last whichever way, so an empty department
    is never shown as the best or the worst; ties keep the department order."""
    key = sort.lstrip("-")
    if key not in FIGURES_SORTS:
        raise ValueError(sort)
    desc = sort.startswith("-")
    if key == "department":
        rows = sorted(departments, key=lambda d: d["department"])
        return rows[::-1] if desc else rows
    known = [d for d in departments if d[key] is not None]
    unknown = [d for d in departments if d[key] is None]
    return sorted(known, key=lambda d: d[key], reverse=desc) + unknown
