"""Reads of ratings that depend on who asks, and the figures (好差评统计) per department and period.

Scoping (as accounts.selectors decides it for the platform):
- supervisors, leaders and administrators read every department's ratings (leaders and administrators only read);
- heads and handlers their own department and those below it; window staff and everyone else none;
- a department system's token its own department's only. Out of scope answers 404, never telling it exists.

Who rated (`rater_name` / `rater_phone`) is shown in full to the supervision office and to the heads of the
rated department only (`sees_rater`); every comment is shown with phones and ID numbers masked to anyone but
the office (`comment_for`).

The figures (`figures`) are computed per period (core.periods) from four queries, whatever the number of
departments: the departments in scope, ONE GROUP BY over ratings_rating on the period's rated_at range (index
ratings_rating_dept), one over the rectifications of the period's bad ratings (partial index
ratings_rating_bad) and one over the complaint centre's follow-up ratings. The definitions printed on the page and in the API are `DEFINITIONS`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import ApiClient, Department, Staff
from xiaoneng.accounts.selectors import department_scope_q
from xiaoneng.core.masking import mask_contacts
from xiaoneng.core.periods import Period

from .models import BAD_LEVELS, GOOD_LEVELS, NEUTRAL_LEVELS, Channel, Rating, RatingReason, Rectification

# Departments with fewer ratings than this in a period are flagged: their rates say little (样本较少).
SMALL_SAMPLE = 20

# The complaint centre's follow-up levels on the five-level scale of the national rules.
COMPLAINT_LEVELS = {"very_satisfied": 5, "satisfied": 4, "basic": 3, "unsatisfied": 2, "very_unsatisfied": 1}

DEFINITIONS = {
    "ratings": gettext_lazy("评价数：本期（按评价时间）收到的有效评价，含逾期默认评价和投诉回访评价，不含已作废的评价。"),
    "good_rate": gettext_lazy("好评率 = 好评数（非常满意、满意）÷ 评价数。"),
    "neutral": gettext_lazy("中评：基本满意（含逾期未评价按基本满意计的默认评价）。"),
    "bad": gettext_lazy("差评：不满意、非常不满意。"),
    "defaulted": gettext_lazy("默认评价：办结后逾期未评价、按设置计为基本满意的评价，已计入评价数和中评。"),
    "voided": gettext_lazy("已作废：经申诉核实后作废的评价，不计入任何统计，单独列示。"),
    "complaint_ratings": gettext_lazy("投诉回访评价：投诉办结后投诉人的满意度评价，计入主办单位（无主办单位的计入效能办）。"),
    "rectification_rate": gettext_lazy("整改率 = 已审核通过的差评整改 ÷ 本期应整改的差评（本期评价、未作废的差评；投诉差评由投诉程序处理，不计入）。"),
    "rectified_on_time": gettext_lazy("按期整改：审核通过且在整改期限内提交的差评整改。"),
    "callback_rate": gettext_lazy("回访率 = 已回访的实名差评 ÷ 实名差评（留有姓名或电话的差评，未作废）。"),
}


# ----------------------------------------------------------------------------------------- who sees what
def can_read(staff) -> bool:
    return bool(staff and staff.is_authenticated and staff.is_active and staff.has_any_role(
        R.SUPERVISOR, R.LEADER, R.ADMIN, R.HEAD, R.HANDLER))


def is_office(staff) -> bool:
    return bool(staff and staff.is_authenticated and staff.has_role(R.SUPERVISOR))


def sees_rater(staff, rating: Rating) -> bool:
    """The rater's name and phone: the office, and the heads of the rated department (who call bad ones back)."""
    if staff is None or not getattr(staff, "is_authenticated", False):
        return False
    if staff.has_role(R.SUPERVISOR):
        return True
    return staff.has_role(R.HEAD) and staff.department_id is not None and staff.department_id == rating.department_id


def mask_name(name: str) -> str:
    name = (name or "").strip()
    return "" if not name else name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if not digits:
        return ""
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else "*" * max(len(digits) - 2, 1) + digits[-2:]


def rater_for(staff, rating: Rating) -> tuple[str, str]:
    if sees_rater(staff, rating):
        return rating.rater_name, rating.rater_phone
    return mask_name(rating.rater_name), mask_phone(rating.rater_phone)


def comment_for(staff, rating: Rating) -> str:
    """The comment as `staff` (None: a token) may read it: phones, ID numbers, e-mail masked for all but the office."""
    return rating.comment if is_office(staff) else mask_contacts(rating.comment)


def _base() -> QuerySet[Rating]:
    return Rating.objects.select_related("department", "case", "contact", "rectification")


def rating_scope(staff: Staff) -> QuerySet[Rating]:
    if not can_read(staff):
        return Rating.objects.none()
    return _base().filter(department_scope_q(staff, "department"))


def client_scope(client: ApiClient) -> QuerySet[Rating]:
    return _base().filter(department_id=client.department_id)


@dataclass
class RatingFilters:
    department: Department | None = None
    period: Period | None = None
    level: int | None = None
    channel: str = ""
    voided: str = ""  # "" valid only, "yes" voided only, "all"
    kind: str = ""  # "", "good", "neutral", "bad"


def rating_filter(qs: QuerySet[Rating], f: RatingFilters) -> QuerySet[Rating]:
    if f.department is not None:
        qs = qs.filter(department__path__startswith=f.department.path)
    if f.period is not None:
        qs = qs.filter(rated_at__gte=f.period.start, rated_at__lt=f.period.end)
    if f.level is not None:
        qs = qs.filter(level=f.level)
    if f.kind:
        qs = qs.filter(level__in={"good": GOOD_LEVELS, "neutral": NEUTRAL_LEVELS, "bad": BAD_LEVELS}[f.kind])
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.voided == "yes":
        qs = qs.filter(voided_at__isnull=False)
    elif f.voided != "all":
        qs = qs.filter(voided_at__isnull=True)
    return qs


def rating_get_for(staff: Staff, pk) -> Rating:
    r = rating_scope(staff).filter(pk=pk).first() if str(pk).isdigit() and len(str(pk)) < 19 else None
    if r is None:
        raise Http404("评价不存在或不在您的权限范围内。")
    return r


def rating_get_for_client(client: ApiClient, pk) -> Rating:
    r = client_scope(client).filter(pk=pk).first() if str(pk).isdigit() and len(str(pk)) < 19 else None
    if r is None:
        raise Http404("评价不存在或不在您的权限范围内。")
    return r


def reason_names() -> dict[str, str]:
    return dict(RatingReason.objects.values_list("code", "name"))


def channel_choices() -> list[tuple[str, str]]:
    return [(c.value, str(c.label)) for c in Channel]


def figures_departments_for(staff: Staff) -> QuerySet[Department]:
    """Whose figures `staff` may read: all departments for the office, leaders and admins; heads and handlers
    their own department (and those below it)."""
    qs = Department.objects.filter(is_active=True).exclude(kind=Department.Kind.COUNTY).order_by("path")
    if staff is None or not can_read(staff):
        return qs.none()
    if staff.is_county_wide:
        return qs
    return qs.filter(department_scope_q(staff, ""))


# ----------------------------------------------------------------------------------------- figures
COUNT_KEYS = ("ratings", "good", "neutral", "bad", "l5", "l4", "l3", "l2", "l1", "defaulted", "voided",
              "complaint_ratings", "complaint_bad", "rectifications_due", "rectified", "rectified_on_time",
              "named_bad", "called_back")


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _rates(item: dict) -> dict:
    item["good_rate"] = _ratio(item["good"], item["ratings"])
    item["bad_rate"] = _ratio(item["bad"], item["ratings"])
    item["rectification_rate"] = _ratio(item["rectified"], item["rectifications_due"])
    item["callback_rate"] = _ratio(item["called_back"], item["named_bad"])
    item["small_sample"] = item["ratings"] < SMALL_SAMPLE
    return item


def _named() -> Q:
    return ~Q(rater_name="") | ~Q(rater_phone="")


def rating_counts(period: Period, department_ids: list[int] | None = None) -> dict[int, dict]:
    """{department id: counts} from ONE GROUP BY over ratings_rating (no join) for the period's ratings: grouped
    by department, level, defaulted and voided (plain columns: a few hundred groups at most), folded here. The
    named bad ratings are counted with their rectifications (`rectification_counts`)."""
    qs = Rating.objects.filter(rated_at__gte=period.start, rated_at__lt=period.end)
    if department_ids is not None:
        qs = qs.filter(department_id__in=department_ids)
    rows = (qs.annotate(void=ExpressionWrapper(Q(voided_at__isnull=False), output_field=BooleanField()))
            .values_list("department_id", "level", "defaulted", "void").order_by().annotate(n=Count("*")))
    out: dict[int, dict] = {}
    for dept, level, defaulted, void, n in rows:
        c = out.setdefault(dept, dict.fromkeys(("l1", "l2", "l3", "l4", "l5", "defaulted", "voided"), 0))
        if void:
            c["voided"] += n
            continue
        c[f"l{level}"] += n
        if defaulted:
            c["defaulted"] += n
    return out


def rectification_counts(period: Period, department_ids: list[int] | None = None) -> dict[int, dict]:
    """{department id: counts} of the rectifications of the period's valid bad ratings (every bad rating opens
    one, in rating_record's transaction): due, accepted, accepted on time, named, named and called back. The bad ratings are found through the partial index ratings_rating_bad
    (level <= 2, migration 0003), so this reads the bad ratings only, not the period's every rating."""
    qs = Rectification.objects.filter(rating__level__lte=2, rating__rated_at__gte=period.start,
                                      rating__rated_at__lt=period.end, rating__voided_at__isnull=True)
    if department_ids is not None:
        qs = qs.filter(rating__department_id__in=department_ids)
    rows = (qs.annotate(named=ExpressionWrapper(~Q(rating__rater_name="") | ~Q(rating__rater_phone=""),
                                                output_field=BooleanField()),
                        called=ExpressionWrapper(Q(callback_at__isnull=False), output_field=BooleanField()))
            .values_list("rating__department_id", "status", "on_time", "named", "called").order_by()
            .annotate(n=Count("*")))
    out: dict[int, dict] = {}
    for dept, status, on_time, named, called, n in rows:
        c = out.setdefault(dept, dict.fromkeys(("due", "rectified", "on_time", "named_bad", "called_back"), 0))
        c["due"] += n
        if status == "accepted":
            c["rectified"] += n
            if on_time:
                c["on_time"] += n
        if named:
            c["named_bad"] += n
            if called:
                c["called_back"] += n
    return out


def complaint_rating_counts(period: Period, department_ids: list[int] | None = None, *,
                            office_id: int | None = None) -> dict[int, dict]:
    """{department id: {"l1" … "l5": count}}: the complaint centre's follow-up ratings (投诉回访评价) of `period`
    (by rating time; merged complaints left out), each counted under the lead department of the complaint's
    current dispatch, its level mapped onto the five-level scale (COMPLAINT_LEVELS). One GROUP BY over
    complaints.

    The figures page adds these to each department's ratings (DEFINITIONS["complaint_ratings"]), and so does the
    evaluation's good rate (evaluation.calculations.ratings), so that the two always agree: read them here,
    never with a query of one's own.
    - `department_ids`: only these departments (None: all);
    - `office_id`: where a complaint without a lead department counts (the supervision office on the figures
      page); None leaves those out (the evaluation scores departments, not the office)."""
    from xiaoneng.complaints.models import Complaint, Dispatch

    lead = Dispatch.objects.filter(complaint=OuterRef("pk"), is_lead=True).exclude(state="withdrawn").order_by(
        "-dispatched_at", "-id").values("department_id")[:1]
    qs = (Complaint.objects.filter(rated_at__gte=period.start, rated_at__lt=period.end,
                                   rating__in=list(COMPLAINT_LEVELS)).exclude(status="merged")
          .annotate(rated_dept=Coalesce(Subquery(lead), Value(office_id),
                                             output_field=IntegerField())))
    if department_ids is not None:
        qs = qs.filter(rated_dept__in=department_ids)
    rows = qs.values("rated_dept").order_by().annotate(
        **{f"l{n}": Count("id", filter=Q(rating__in=[k for k, v in COMPLAINT_LEVELS.items() if v == n]))
           for n in range(1, 6)})
    return {r.pop("rated_dept"): r for r in rows if r["rated_dept"] is not None}


def _department_row(d: Department, rc: dict | None, rect: dict | None, comp: dict | None) -> dict:
    rc, rect, comp = rc or {}, rect or {}, comp or {}
    item = {"department": d.code, "department_name": d.name, "department_id": d.pk}
    for n in range(1, 6):
        item[f"l{n}"] = rc.get(f"l{n}", 0) + comp.get(f"l{n}", 0)
    item["good"] = item["l5"] + item["l4"]
    item["neutral"] = item["l3"]
    item["bad"] = item["l2"] + item["l1"]
    item["ratings"] = item["good"] + item["neutral"] + item["bad"]
    item["defaulted"] = rc.get("defaulted", 0)
    item["voided"] = rc.get("voided", 0)
    item["complaint_ratings"] = sum(comp.get(f"l{n}", 0) for n in range(1, 6))
    item["complaint_bad"] = comp.get("l1", 0) + comp.get("l2", 0)
    item["rectifications_due"] = rect.get("due", 0)
    item["rectified"] = rect.get("rectified", 0)
    item["rectified_on_time"] = rect.get("on_time", 0)
    item["named_bad"] = rect.get("named_bad", 0)
    item["called_back"] = rect.get("called_back", 0)
    return _rates(item)


def figures(*, period: Period, departments: QuerySet[Department] | list[Department]) -> dict:
    """The 好差评 figures of `period` for each of `departments` (every one listed, a department without ratings
    shown empty) and their total: counts, 好评率, 整改率, 回访率 (DEFINITIONS), small samples flagged. Four
    queries whatever the number of departments (see the module docstring)."""
    depts = list(departments)
    ids = [d.pk for d in depts]
    rc = rating_counts(period, ids)
    rect = rectification_counts(period, ids)
    # The office's id without a query when the office is among the departments (else its rows are not wanted).
    office = next((d.pk for d in depts if d.kind == Department.Kind.OFFICE), None)
    comp = complaint_rating_counts(period, ids, office_id=office)
    rows = [_department_row(d, rc.get(d.pk), rect.get(d.pk), comp.get(d.pk)) for d in depts]
    total = {k: sum(r[k] for r in rows) for k in COUNT_KEYS}
    _rates(total)
    return {"period": period.code, "period_label": period.label, "start": period.start, "end": period.end,
            "departments": rows, "total": total, "definitions": {k: str(v) for k, v in DEFINITIONS.items()}, "small_sample": SMALL_SAMPLE}


def figures_for(staff: Staff, period: Period, department_code: str = "") -> dict:
    """The figures `staff` may read: a named department (404 outside their reach) or all they may read."""
    allowed = figures_departments_for(staff)
    if department_code:
        d = allowed.filter(code=department_code).first()
        if d is None:
            raise Http404("部门不存在或不在您的权限范围内。")
        allowed = [d]
    return figures(period=period, departments=allowed)


def figures_for_client(client: ApiClient, period: Period, department_code: str = "") -> dict:
    if department_code and department_code != client.department.code:
        raise Http404("部门不存在或不在您的权限范围内。")
    return figures(period=period, departments=[client.department])


def landing_summary(period: Period) -> dict:
    """This period's county-wide good rate and bad ratings (the leader's and supervisor's landing panel):
    one GROUP BY over ratings_rating, without the complaint centre's ratings (the figures page has them)."""
    rc = rating_counts(period)
    good = sum(r["l5"] + r["l4"] for r in rc.values())
    bad = sum(r["l2"] + r["l1"] for r in rc.values())
    total = sum(r["l5"] + r["l4"] + r["l3"] + r["l2"] + r["l1"] for r in rc.values())
    open_bad = Rectification.objects.filter(status__in=("open", "returned")).count()
    return {"period": period, "ratings": total, "good_rate": _ratio(good, total), "bad": bad, "open_rectifications": open_bad}


def named_bad_uncalled(qs: QuerySet[Rating]) -> QuerySet[Rating]:
    """Named bad ratings not yet called back (the list's filter 未回访)."""
    done = Rectification.objects.filter(rating=OuterRef("pk"), callback_at__isnull=False)
    return qs.filter(_named(), level__in=BAD_LEVELS, voided_at__isnull=True).exclude(Exists(done))


def as_local(at: dt.datetime | None) -> str:
    from django.utils import timezone

    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""
