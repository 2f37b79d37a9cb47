"""Reads of cases that depend on who asks. Department scoping comes from accounts.selectors (staff) and
client_scope_q (API clients of department systems), never re-done here. Outside scope means 404.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from xiaoneng.accounts.models import ApiClient, Department, Staff
from xiaoneng.accounts.selectors import case_scope_q, client_scope_q
from xiaoneng.core.errors import DomainError
from xiaoneng.workdays.calendar import (
    CalendarYearMissing,
    get_calendar,
    group_skipped,  # the calendar's own "国庆节 10月1日—10月7日" grouping
    unit_labels,
)

from .clock import joint_limit
from .models import RUNNING_STATUSES, Case, CaseCheck, CaseStatus, EventType, Verdict


@dataclass
class CaseFilters:
    department: str | None = None  # department code; includes its subtree
    status: str | None = None
    service_code: str | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    overdue: bool | None = None
    q: str | None = None  # case number (prefix)
    intake_mine: bool = False  # only the cases registered at the reader's own window unit (the window's queue)
    open_only: bool = False  # only cases not yet closed (未办结)


def _base() -> QuerySet[Case]:
    return Case.objects.select_related("department", "service_item", "version", "handler")


def _filter(qs: QuerySet[Case], f: CaseFilters, *, now: dt.datetime) -> QuerySet[Case]:
    tz = get_calendar().tz
    if f.department:
        dept = Department.objects.filter(code=f.department).only("path").first()
        qs = qs.filter(department__path__startswith=dept.path) if dept else qs.none()
    if f.status:
        qs = qs.filter(status=f.status)
    if f.service_code:
        qs = qs.filter(service_item__code=f.service_code)
    if f.received_from:
        qs = qs.filter(received_at__gte=dt.datetime.combine(f.received_from, dt.time(0), tzinfo=tz))
    if f.received_to:
        qs = qs.filter(received_at__lt=dt.datetime.combine(f.received_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz))
    if f.overdue is not None:
        late = overdue_q(now)
        qs = qs.filter(late) if f.overdue else qs.exclude(late)
    if f.q:
        qs = qs.filter(case_no__startswith=f.q.strip()[:64])
    if f.open_only:
        qs = qs.filter(is_open=True)
    return qs


def overdue_q(now: dt.datetime) -> Q:
    """Past the committed limit: decided late, or still running after the committed deadline."""
    return Q(verdict=Verdict.OVERDUE) | Q(status__in=RUNNING_STATUSES, committed_deadline__lt=now)


def case_list_for(staff: Staff, filters: CaseFilters | None = None, *, now: dt.datetime) -> QuerySet[Case]:
    """Cases `staff` may see (accounts scoping: case_scope_q), filtered, newest received first. With
    `intake_mine`, the window's queue: the cases registered at the reader's own unit (a service centre: across
    the departments it hosts)."""
    filters = filters or CaseFilters()
    qs = _base().filter(case_scope_q(staff)).select_related("intake_department")
    if filters.intake_mine:
        qs = qs.filter(intake_department__path__startswith=staff.department.path) if staff.department_id else qs.none()
    return _filter(qs, filters, now=now).order_by("-received_at", "-id")


def case_list_for_client(client: ApiClient, filters: CaseFilters | None = None, *, now: dt.datetime) -> QuerySet[Case]:
    """Cases of the client's own department only."""
    qs = _base().filter(client_scope_q(client))
    return _filter(qs, filters or CaseFilters(), now=now).order_by("-received_at", "-id")


def case_get_for(staff: Staff, case_no: str) -> Case:
    case = _base().filter(case_scope_q(staff)).select_related(
        "first_contact", "intake_department", "parent", "handler", "handler_assigned_by").filter(case_no=case_no).first()
    if case is None:
        raise Http404("办件不存在或不在您的权限范围内。")
    return case


def case_get_for_client(client: ApiClient, case_no: str) -> Case:
    case = _base().filter(client_scope_q(client), case_no=case_no).first()
    if case is None:
        raise Http404("办件不存在或不在您的权限范围内。")
    return case


def case_next_check(case: Case | int) -> dt.datetime | None:
    """When the supervision tick looks at the case next (None: nothing ahead, or the case is closed)."""
    pk = case if isinstance(case, int) else case.pk
    return CaseCheck.objects.filter(case_id=pk).values_list("due_at", flat=True).first()


def case_events(case: Case):
    return case.events.select_related("client", "staff").order_by("occurred_at", "id")


def case_timeline(case: Case) -> list:
    """办理过程: the case's events and its heads' handler (re)assignments (`HandlerAssignment`, which say
    `is_assignment`), in the order they happened; two queries, whatever the length."""
    events = list(case_events(case))
    assignments = list(case.handler_assignments.select_related("assigned_by", "from_handler", "to_handler"))
    # A stable merge: at the same moment an event reported by a system comes before the platform's act.
    return sorted(events + assignments, key=lambda e: (e.occurred_at, getattr(e, "is_assignment", False)))


def can_act_at_window(staff: Staff, case: Case) -> bool:
    """Window actions (accept, one-time notice, refuse) are for the case's department's window staff,
    handlers and heads — and for the window that registered the case (a service centre registering for a
    hosted department: Case.intake_department), while the case awaits acceptance."""
    if not staff.has_any_role("window", "handler", "head") or staff.department_id is None:
        return False
    if case.department.path.startswith(staff.department.path):
        return True
    return case.intake_department_id is not None and case.intake_department.path.startswith(staff.department.path)


def can_handle(staff: Staff, case: Case) -> bool:
    """Handling actions (a §45 special procedure started or ended) are for handlers and heads of the case's
    department or a department above it."""
    if not staff.has_any_role("handler", "head") or staff.department_id is None:
        return False
    return case.department.path.startswith(staff.department.path)


def can_act_as_head(staff: Staff, case: Case) -> bool:
    """Decisions for the head of the organ (行政机关负责人): §42 extensions, denials and assigning the handler — for
    heads of the case's department or a department above it."""
    if not staff.has_role("head") or staff.department_id is None:
        return False
    return case.department.path.startswith(staff.department.path)


# ------------------------------------------------------------------------------------------ explanation
def _limit_block(cal, case: Case, value: int, unit: str, extra: int, extension: int = 0) -> dict:
    labels = unit_labels()
    block = {"value": value, "unit": unit, "unit_label": labels.get(unit, unit), "extra": extra,
             "extension": extension, "deadline": None, "skipped": [], "skipped_groups": [], "explanation": ""}
    if case.clock_start is None:
        return block
    try:
        dl = cal.deadline(case.clock_start, value + extra + extension, unit) if unit != "wh" else None
    except DomainError as exc:  # CalendarYearMissing: the error is shown, never guessed
        block["explanation"] = exc.message
        return block
    if dl is None:
        block["deadline"] = case.committed_deadline
        return block
    block["deadline"] = dl.at
    block["skipped"] = dl.skipped
    block["skipped_groups"] = group_skipped(dl.skipped)
    block["explanation"] = dl.explanation
    return block


def _basis(case: Case, moved_from: dt.datetime | None = None) -> str:
    """Why the clock starts where it does. `moved_from`: the moment of the event when it fell after the close
    or on a day off, so that counting starts at the next working day's opening (DOMAIN.md §4)."""
    if case.clock_start is None:
        return _("尚未起算（等待受理或补正材料）")
    moved = ""
    if moved_from is not None:
        moved = _("；%(at)s 不在办公时间内，顺延至下一个工作日开始办公时起算（该日为第 0 日）") % {
            "at": f"{moved_from:%Y-%m-%d %H:%M}"}
    if case.deemed_accepted:
        return _("视为受理：收到申请后 5 个工作日内未一次性告知补正，自收到申请之日起计算（行政许可法第三十二条）") + moved
    if case.accepted_at is not None and case.clock_start == case.accepted_at:
        return (_("自受理之日起计算") + moved) if moved else _("自受理之日起计算（受理当日为第 0 日）")
    if case.accepted_at is None and case.received_at is not None:
        return _("尚未受理：如收到申请后 5 个工作日内既未受理也未一次性告知，视为自收到申请之日起受理，暂按此计算") + moved
    return _("未登记接件，自最早的办理记录起计算") + moved


def _counting_start(cal, case: Case) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(the moment counting starts, the event's own moment when that was outside office hours and the count
    moved to another day — else None). WorkCalendar.clock_start; a calendar error leaves the moment as is
    (the deadlines show the error)."""
    start = case.clock_start
    if start is None:
        return None, None
    try:
        begun = cal.clock_start(start)
    except DomainError:
        return start, None
    given = start.astimezone(cal.tz)
    if begun.astimezone(cal.tz).date() == given.date():
        return start, None
    return begun, given


_MISSING_YEAR = re.compile(r"^(\d{4}) 年的工作日历尚未载入")


def clock_error_text(stored: str) -> str:
    """The case's clock error in the reader's language. The stored text is the Chinese one the fold wrote
    (data must not depend on who happened to trigger the fold); a missing calendar year — the only clock
    error there is — is rendered again from its year."""
    m = _MISSING_YEAR.match(stored or "")
    if m:
        return CalendarYearMissing(int(m.group(1))).message
    return stored


def case_explain_deadline(case: Case) -> dict:
    """How the case's deadlines were reached, for the case page and for users who ask "why this date":
    start (and why: acceptance or deemed acceptance), unit and value of each limit, holidays and weekends
    skipped, stopped periods (supplement, special procedures) and how many days they moved the limits,
    §42 extensions (approved when, why, how many days counted), the results, the verdict when decided and
    the deemed approval when the limit passed undecided. Texts in the reader's language (gettext)."""
    cal = get_calendar()
    v = case.version
    extra_wd = case.suspended_working_days
    periods = case.suspensions or ()
    extension_wd = sum(int(p.get("counted") or 0) for p in periods if p.get("kind") == "extension")
    blocks = {}
    if v is not None:
        committed = (v.committed_limit_value, v.committed_limit_unit)
        statutory = (v.statutory_limit_value, v.statutory_limit_unit)
        if case.is_joint_parent and v.item_type != "joint":
            statutory = committed = (joint_limit(), "wd")
        for key, (value, unit) in (("committed", committed), ("statutory", statutory)):
            extra = extra_wd if unit == "wd" else 0
            ext = extension_wd if key == "statutory" and unit in ("wd", "d") else 0
            blocks[key] = _limit_block(cal, case, value, unit, extra, ext)
            blocks[key]["result"] = case.committed_deadline if key == "committed" else case.statutory_deadline
    kinds = {"supplement": _("补正材料"), "special": _("特别程序")}
    suspensions = [
        {"kind": s["kind"], "kind_label": kinds.get(s["kind"], s["kind"]), "reason": s.get("reason", ""),
         "start": _dt(s.get("start")), "end": _dt(s.get("end")), "granted_days": s.get("granted_days"),
         "counted": s.get("counted", 0)}
        for s in periods if s.get("kind") != "extension"
    ]
    extensions = [
        {"approved_at": _dt(s.get("start")), "granted_days": s.get("granted_days") or 0, "reason": s.get("reason", ""),
         "counted": int(s.get("counted") or 0),
         "note": "" if s.get("counted") else _("未计入：批准时法定期限已届满，或已用满第四十二条允许的十日")}
        for s in periods if s.get("kind") == "extension"
    ]
    verdict = None
    if case.verdict:
        verdict = {"code": case.verdict, "label": case.get_verdict_display(), "working_days": case.verdict_working_days,
                   "hours": case.verdict_hours, "statutory_overdue": case.statutory_overdue}
    start, moved_from = _counting_start(cal, case)
    return {
        "start": start, "given_start": case.clock_start, "basis": _basis(case, moved_from),
        "received_at": case.received_at,
        "accepted_at": case.accepted_at, "deemed_accepted": case.deemed_accepted,
        "acceptance_due_at": case.acceptance_due_at,
        "committed": blocks.get("committed"), "statutory": blocks.get("statutory"),
        "suspensions": suspensions, "suspended_working_days": case.suspended_working_days,
        "extensions": extensions, "extension_working_days": extension_wd,
        "granted_days": case.granted_days, "clock_stopped_at": case.clock_stopped_at,
        "provisional": case.deadlines_provisional, "error": clock_error_text(case.clock_error), "verdict": verdict,
        "deemed_approved_at": case.deemed_approved_at, "office_hours": cal.office_hours_text(),
    }


def _dt(v):
    return dt.datetime.fromisoformat(v) if v else None


def applicant_messages(case: Case):
    """Messages to the applicant about the case (the deemed-approval SMS), oldest first."""
    return case.messages.select_related("document").order_by("created_at", "id")


STATUS_CHOICES = CaseStatus.choices
EVENT_TYPES = EventType.choices


def _local_day(moment) -> str:
    local = moment.astimezone(get_calendar().tz)
    return f"{local.year}-{local.month:02d}-{local.day:02d}"


def deemed_notice_standing(case: Case, doc) -> dict | None:
    """What became of a deemed-approval notice (超时默许告知书) after it was dated, for the case page and the
    notice's page: `code` — "void" (a late event showed the limit had not passed undecided: the notice is
    void), "stands" (nothing decided since: the applicant may rely on it), "superseded" (a grant after the
    limit: consistent with the deemed approval, the licence now rests on that decision), "contested" (a
    denial after the limit: it cannot undo a deemed approval that had already arisen, so the notice stands
    and the denial needs looking at), "withdrawn" (the applicant withdrew afterwards) — with a `label` and a
    `text`. None for other documents."""
    from .models import CaseDocument

    if doc.kind != CaseDocument.Kind.DEEMED_APPROVAL_NOTICE:
        return None
    if doc.voided_at is not None:
        return {"code": "void", "label": _("已作废"), "text": doc.void_reason}
    ground = doc.issued_at
    decided = case.completed_at
    if decided is not None and decided > ground and case.status in (
            CaseStatus.COMPLETED, CaseStatus.DENIED, CaseStatus.DELIVERED):
        if case.events.filter(type=EventType.DENIED).exists():
            return {"code": "contested", "label": _("仍然有效"), "text": _(
                "%(day)s 作出的不予许可决定晚于法定期限届满之时，不改变届满时已发生的超时默许，告知书仍然有效；"
                "该决定与告知书相抵触，请核查。") % {"day": _local_day(decided)}}
        return {"code": "superseded", "label": _("已由准予许可决定取代"), "text": _(
            "%(day)s 作出的准予许可决定与超时默许一致，许可以该决定为准，告知书不再作为办理后续手续的凭证。")
            % {"day": _local_day(decided)}}
    if case.status == CaseStatus.WITHDRAWN and case.closed_at is not None and case.closed_at > ground:
        return {"code": "withdrawn", "label": _("申请人已撤回"), "text": _(
            "申请人于 %(day)s 撤回申请，晚于超时默许发生之时。") % {"day": _local_day(case.closed_at)}}
    return {"code": "stands", "label": _("有效"), "text": _(
        "法定期限届满后尚未作出决定：超时默许有效，申请人可凭告知书办理后续手续。")}


def case_documents(case: Case) -> list:
    """The case's documents, oldest first, each with `standing` (deemed-approval notices: see
    deemed_notice_standing; None otherwise)."""
    docs = list(case.documents.select_related("issued_by").order_by("issued_at", "id"))
    for d in docs:
        d.standing = deemed_notice_standing(case, d)
    return docs
