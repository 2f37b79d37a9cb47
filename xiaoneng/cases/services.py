"""Writes on cases. Every event — from a department system, a window or a file — goes through
`case_events_ingest` (cases.ingest); the window services below build their event and call it, then issue
the document the law requires. `case_recompute_deadlines` re-runs the clocks after a calendar change.

Each service is atomic, takes keyword arguments only, and is told the time (`now=`) and the actor (`by=`).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import translation

from xiaoneng.accounts.models import Department, Staff
from xiaoneng.catalog.models import ServiceItem, SuspensionReason
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.selectors import calendar_revision_get

from .clock import (  # noqa: F401
    Facts,
    case_state,
    compute_clock,
    extension_cap,
    fast_clock,
    intervals_from_json,
)
from .events import EventInvalid, check_case_no
from .ingest import (
    WRITER_ROLES,
    IngestResult,
    case_events_ingest,
    case_no_unavailable,
    load_versions,
    write_case_columns,
)
from .models import (
    RUNNING_STATUSES,
    ApplicantMessage,
    Case,
    CaseDocument,
    CaseEvent,
    CaseStatus,
    Channel,
    ClockSync,
    DocumentSeries,
    EventType,
    HandlerAssignment,
)
from .recompute import eligible_versions, recompute_in_database
from .schedule import due_of, schedule_write

__all__ = [
    "IngestResult", "case_events_ingest", "case_register", "case_accept", "case_request_supplement",
    "case_refuse", "case_recompute_deadlines", "case_clocks_sync", "document_number_next",
    "case_extend", "case_assign_handler",
    "case_deemed_approval_record", "case_deny", "case_special_procedure_start", "case_special_procedure_end",
]

NOTICE_BASIS = (
    "《中华人民共和国行政许可法》第三十二条第一款第（四）项：申请材料不齐全或者不符合法定形式的，应当当场或者在五日内"
    "一次告知申请人需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理。"
)
REFUSAL_BASIS = (
    "《中华人民共和国行政许可法》第三十二条第一款、第三十八条第二款：行政机关依法作出不予受理或者不予行政许可的书面决定的，"
    "应当说明理由，并告知申请人享有依法申请行政复议或者提起行政诉讼的权利。"
)
EXTENSION_BASIS = (
    "《中华人民共和国行政许可法》第四十二条第一款：除可以当场作出行政许可决定的外，行政机关应当自受理行政许可申请之日起"
    "二十日内作出行政许可决定。二十日内不能作出决定的，经本行政机关负责人批准，可以延长十日，并应当将延长期限的理由告知申请人。"
)
JOINT_EXTENSION_BASIS = (
    "《中华人民共和国行政许可法》第四十二条第二款：依照本法第二十六条的规定，行政许可采取统一办理或者联合办理、集中办理的，"
    "办理的时间不得超过四十五日；四十五日内不能办结的，经本级人民政府负责人批准，可以延长十五日，并应当将延长期限的理由告知申请人。"
)
DENIAL_BASIS = (
    "《中华人民共和国行政许可法》第三十八条第二款：行政机关依法作出不予行政许可的书面决定的，应当说明理由，"
    "并告知申请人享有依法申请行政复议或者提起行政诉讼的权利。"
)
SPECIAL_BASIS = (
    "《中华人民共和国行政许可法》第四十五条：行政机关作出行政许可决定，依法需要听证、招标、拍卖、检验、检测、检疫、鉴定"
    "和专家评审的，所需时间不计算在本节规定的期限内。行政机关应当将所需时间书面告知申请人。"
)
DOC_ABBR = {CaseDocument.Kind.ONE_TIME_NOTICE: "告", CaseDocument.Kind.REFUSAL_DECISION: "不受",
            CaseDocument.Kind.EXTENSION_NOTICE: "延", CaseDocument.Kind.DEEMED_APPROVAL_NOTICE: "默",
            CaseDocument.Kind.SPECIAL_PROCEDURE_NOTICE: "特", CaseDocument.Kind.DENIAL_DECISION: "不许"}
# Window case numbers share the numbering table with documents under this kind.
CASE_NO_SERIES = "case_no"


def _check_window_actor(by: Staff, department: Department, *, registering: bool = False,
                        case: Case | None = None) -> int | None:
    """Whether `by` may act at the window for `department`. Returns None when it is their own department
    (or below it), or the department's id when they act for it from a service centre (窗口式集中办理):
    `registering` an item of a department their centre hosts, or acting on a `case` registered at their
    centre's window (Case.intake_department). The reach is accounts.selectors' (registration_scope_q,
    case_scope_q); the returned id is what the ingest is told it may write for (window_for)."""
    from xiaoneng.accounts.selectors import registration_scope_q

    if by is None or not by.is_active or not by.has_any_role(*WRITER_ROLES):
        raise NotPermitted("只有窗口人员、承办人或部门负责人可以办理受理登记。")
    if by.department_id is not None and department.path.startswith(by.department.path):
        return None
    if by.department_id is not None:
        if registering and Department.objects.filter(registration_scope_q(by, field=""), pk=department.pk).exists():
            return department.pk
        if case is not None and case.intake_department_id is not None and Department.objects.filter(
                pk=case.intake_department_id, path__startswith=by.department.path).exists():
            return department.pk
    if case is not None:
        raise NotPermitted("您只能办理本部门的办件，或本窗口登记的办件。")
    raise NotPermitted("您只能为本部门（及下属科室）或本中心进驻部门的事项办理受理登记。")


def document_number_next(*, department: Department | int, kind: str, year: int, count: int = 1) -> int:
    """The next number of `kind` for `department` in `year` (row-locked: no two windows get the same).
    With `count` > 1, reserves that many consecutive numbers and returns the first."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                DocumentSeries.objects.get_or_create(department=department, kind=kind, year=year)
        except IntegrityError:  # created concurrently: fine, lock it below
            pass
        series = DocumentSeries.objects.select_for_update().get(department=department, kind=kind, year=year)
        DocumentSeries.objects.filter(pk=series.pk).update(last_number=F("last_number") + count)
        return series.last_number + 1


def document_number_text(department: Department, kind: str, year: int, number: int) -> str:
    """'清源市监告〔2026〕第12号': department short name, document abbreviation, year, number."""
    short = department.short_name or department.name
    return f"{short}{DOC_ABBR.get(kind, '')}〔{year}〕第{number}号"


def _ingest_one(*, case_no: str, item: ServiceItem, etype: str, by: Staff, now: dt.datetime,
                window_for: int | None = None, **fields) -> Case:
    # A centre's window clerk is the first contact, not the department's handler: their name is not sent as
    # the handler (it would be shown as the case's 承办人 of another organ).
    event = {"event_id": f"w-{uuid.uuid4().hex}", "case_no": case_no, "service_code": item.code, "type": etype,
             "occurred_at": now.isoformat(), "handler": "" if window_for else by.display_name, **fields}
    result = case_events_ingest(events=[event], by=by, channel=Channel.WINDOW, now=now, window_for=window_for)
    if result.errors:
        raise DomainError(result.errors[0]["error"])
    return Case.objects.select_related("department", "service_item", "version").get(case_no=case_no)


def _window_case(case: Case, by: Staff, allowed: tuple[str, ...], action: str, *, at_intake: bool = False) -> Case:
    """The case locked for a window action. `at_intake`: the action may also be taken by the window that
    registered the case (a service centre for a hosted department: accept, one-time notice, refuse) — not
    the department's decisions (denial, special procedures). `case.window_for` says which it was."""
    case = Case.objects.select_for_update(of=("self",)).select_related("department", "service_item", "version").get(
        pk=case.pk
    )
    case.window_for = _check_window_actor(by, case.department, case=case if at_intake else None)
    if case.status not in allowed:
        raise DomainError(f"办件当前状态为“{case.get_status_display()}”，不能{action}。", field="status")
    return case


@transaction.atomic
def case_register(
    *, item: ServiceItem, applicant: dict, by: Staff, now: dt.datetime, case_no: str | None = None
) -> Case:
    """Register an application received at the window (受理登记·接件). `by` becomes the case's first
    contact (首问责任人). Without `case_no` one is numbered from the department's series."""
    item = ServiceItem.objects.select_related("department", "current_version").get(pk=item.pk)
    window_for = _check_window_actor(by, item.department, registering=True)
    if not item.is_active or item.current_version_id is None:
        raise DomainError("该事项已停用或尚未发布，不能受理。", field="item")
    name = (applicant.get("name") or "").strip()
    if not name:
        raise DomainError("请填写申请人姓名或名称。", field="applicant_name")
    if case_no:
        try:
            case_no = check_case_no(case_no.strip())
        except EventInvalid as exc:
            raise DomainError(exc.message, field="case_no") from exc
        taken = Case.objects.filter(case_no=case_no).values_list("service_item__department__path", flat=True).first()
        if taken is not None:
            # Another department's number is refused without saying it is in use there (issue 9).
            mine = taken.startswith(by.department.path) or (window_for is not None and taken.startswith(item.department.path))
            raise DomainError(f"办件编号“{case_no}”已存在。" if mine else case_no_unavailable(case_no), field="case_no")
    else:
        local = now.astimezone(get_calendar().tz)
        day = f"{local:%Y%m%d}"
        while True:  # a number the department's own system already used is skipped, never joined
            # The series is the county's year, as the date in the number: 1 January 00:00–08:00 local is still
            # 31 December in UTC.
            n = document_number_next(department=item.department, kind=CASE_NO_SERIES, year=local.year)
            case_no = f"{item.department.code}-{day}-{n:05d}"
            if not Case.objects.filter(case_no=case_no).exists():
                break
    case = _ingest_one(case_no=case_no, item=item, etype=EventType.RECEIVED, by=by, now=now, window_for=window_for,
                       applicant={"name": name, "id_no": (applicant.get("id_no") or "").strip(),
                                  "phone": (applicant.get("phone") or "").strip()})
    # The window that took it (受理窗口): a centre's queue and its reach over this case rest on it.
    Case.objects.filter(pk=case.pk).update(intake_department=by.department)
    case.intake_department = by.department
    return case


@transaction.atomic
def case_accept(*, case: Case, by: Staff, now: dt.datetime) -> Case:
    """Accept the application (受理): the clock starts now (unless acceptance is already deemed, §32)."""
    case = _window_case(case, by, (CaseStatus.RECEIVED, CaseStatus.SUPPLEMENTING), "受理", at_intake=True)
    return _ingest_one(case_no=case.case_no, item=case.service_item, etype=EventType.ACCEPTED, by=by, now=now,
                       window_for=case.window_for)


@transaction.atomic
def case_request_supplement(
    *, case: Case, materials: list[str], by: Staff, now: dt.datetime, note: str = ""
) -> CaseDocument:
    """Ask for supplement with ONE one-time notice (一次性告知书) listing ALL missing materials, chosen from
    the pinned version's checklist. A second notice on the same case is allowed but recorded (the
    supervision rules flag it)."""
    case = _window_case(case, by, (CaseStatus.RECEIVED, CaseStatus.SUPPLEMENTING, CaseStatus.ACCEPTED), "一次性告知",
                        at_intake=True)
    checklist = list(case.version.materials.values_list("name", flat=True)) if case.version_id else []
    chosen = [m.strip() for m in materials if m and m.strip()]
    if not chosen:
        raise DomainError("请勾选需要补正的全部材料。", field="materials")
    unknown = [m for m in chosen if m not in checklist]
    if unknown:
        raise DomainError(f"材料“{unknown[0]}”不在该事项的申请材料清单中。", field="materials")
    chosen = [m for m in checklist if m in set(chosen)]  # checklist order, no repeats
    updated = _ingest_one(case_no=case.case_no, item=case.service_item, etype=EventType.SUPPLEMENT_REQUESTED, by=by,
                          now=now, window_for=case.window_for, missing_materials=chosen, reason=(note or "").strip()[:2000])
    return _issue(updated, CaseDocument.Kind.ONE_TIME_NOTICE, by=by, now=now, missing_materials=chosen,
                  note=(note or "").strip(), basis=NOTICE_BASIS)


@transaction.atomic
def case_refuse(*, case: Case, reason: str, by: Staff, now: dt.datetime) -> CaseDocument:
    """Refuse the application at intake (不予受理) with a written reason; issues the decision."""
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DomainError("不予受理必须书面说明理由（至少 4 个字）。", field="reason")
    case = _window_case(case, by, (CaseStatus.RECEIVED, CaseStatus.SUPPLEMENTING), "作出不予受理决定",
                        at_intake=True)
    updated = _ingest_one(case_no=case.case_no, item=case.service_item, etype=EventType.REFUSED, by=by, now=now,
                          window_for=case.window_for, reason=reason[:2000])
    return _issue(updated, CaseDocument.Kind.REFUSAL_DECISION, by=by, now=now, reason=reason, basis=REFUSAL_BASIS)


@transaction.atomic
def case_deny(*, case: Case, reason: str, by: Staff, now: dt.datetime) -> CaseDocument:
    """Deny the application (不予许可) with written reasons: approved by the head of the organ (`by` holds the
    head role in the case's department subtree), on an accepted case or one in a special procedure. Records
    a `denied` event through the one ingest path (the clock freezes its verdict, supervision judges it) and
    issues the numbered decision (不予行政许可决定书) with the reasons and the rights of review and suit
    (行政许可法 §38 ¶2) — the machinery of the refusal decision."""
    if by is None or not by.is_active or not by.has_role("head"):
        raise NotPermitted("不予行政许可决定须经本行政机关负责人批准：只有部门负责人可以作出。")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DomainError("不予许可必须书面说明理由（至少 4 个字），理由将写入不予行政许可决定书。", field="reason")
    case = _window_case(case, by, (CaseStatus.ACCEPTED, CaseStatus.SUSPENDED), "作出不予许可决定")
    # handler="": the head decides; that does not make them the case's handler.
    updated = _ingest_one(case_no=case.case_no, item=case.service_item, etype=EventType.DENIED, by=by, now=now,
                          reason=reason[:2000], handler="")
    return _issue(updated, CaseDocument.Kind.DENIAL_DECISION, by=by, now=now, reason=reason, basis=DENIAL_BASIS)


# §45 procedures: every clock-stopping reason of the catalogue except the §32 supplement.
SPECIAL_PROCEDURES = tuple(r for r in SuspensionReason if r != SuspensionReason.SUPPLEMENT)
SPECIAL_MAX_DAYS = 365
SPECIAL_ROLES = ("handler", "head")


def special_procedure_choices(case: Case) -> list[tuple[str, str]]:
    """The §45 procedures the case's item version lists (办事指南 暂停计时情形), as (code, label)."""
    listed = set(case.version.suspension_reasons or ()) if case.version_id else set()
    return [(r.value, str(r.label)) for r in SPECIAL_PROCEDURES if r.value in listed]


@transaction.atomic
def case_special_procedure_start(*, case: Case, procedure: str, reason: str, expected_days, by: Staff,
                                 now: dt.datetime) -> CaseDocument:
    """Start a §45 special procedure (特别程序: hearing, testing, expert review …) on an accepted case: the
    clock stops from now. Only a procedure the item's guide lists, started by a handler or head of the case's
    department subtree, with the reason and the expected duration. Records the `suspended` event through
    the one ingest path (granted_days = the expected days, which bound the time not counted) and issues the
    numbered written notice the law requires (特别程序告知书, 行政许可法 §45: which procedure, why, how long,
    that the time is not counted)."""
    if by is None or not by.is_active or not by.has_any_role(*SPECIAL_ROLES):
        raise NotPermitted("启动特别程序须由承办人或部门负责人办理。")
    case = _window_case(case, by, (CaseStatus.ACCEPTED,), "启动特别程序")
    choices = dict(special_procedure_choices(case))
    if not choices:
        raise DomainError("该事项的办事指南未列明听证、检测、专家评审等特别程序，不能启动特别程序"
                          "（如确需要，请先修订事项的暂停计时情形）。", field="procedure")
    if procedure not in choices:
        raise DomainError(f"请选择特别程序：本事项可以启动的有{'、'.join(choices.values())}。", field="procedure")
    if isinstance(expected_days, str) and expected_days.strip().isdigit():
        expected_days = int(expected_days.strip())
    if (isinstance(expected_days, bool) or not isinstance(expected_days, int)
            or not 1 <= expected_days <= SPECIAL_MAX_DAYS):
        raise DomainError(f"请填写特别程序预计所需时间（expected_days），为 1—{SPECIAL_MAX_DAYS} 的整数。",
                          field="expected_days")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DomainError("请写明需要特别程序的理由（至少 4 个字），理由将写入特别程序告知书。", field="reason")
    label = choices[procedure]
    updated = _ingest_one(case_no=case.case_no, item=case.service_item, etype=EventType.SUSPENDED, by=by, now=now,
                          reason=f"{label}（行政许可法第四十五条）：{reason}"[:2000], granted_days=expected_days,
                          handler="" if by.has_role("head") and not by.has_role("handler") else by.display_name)
    return _issue(updated, CaseDocument.Kind.SPECIAL_PROCEDURE_NOTICE, by=by, now=now, reason=reason,
                  basis=SPECIAL_BASIS, granted_days=expected_days, procedure=procedure)


@transaction.atomic
def case_special_procedure_end(*, case: Case, by: Staff, now: dt.datetime) -> Case:
    """End the special procedure (特别程序结束): the clock resumes from now. A handler or head of the case's
    department subtree; records the `resumed` event through the one ingest path."""
    if by is None or not by.is_active or not by.has_any_role(*SPECIAL_ROLES):
        raise NotPermitted("结束特别程序须由承办人或部门负责人办理。")
    case = _window_case(case, by, (CaseStatus.SUSPENDED,), "结束特别程序")
    return _ingest_one(case_no=case.case_no, item=case.service_item, etype=EventType.RESUMED, by=by, now=now,
                       handler="" if by.has_role("head") and not by.has_role("handler") else by.display_name)


def _issue(case: Case, kind: str, *, by: Staff, now: dt.datetime, basis: str, missing_materials=(), reason="",
           note="", **extra) -> CaseDocument:
    year = now.astimezone(get_calendar().tz).year
    number = document_number_next(department=case.department, kind=kind, year=year)
    event = case.events.filter(staff=by, recorded_at=now).order_by("-id").first()
    return CaseDocument.objects.create(
        case=case, event=event, kind=kind, year=year, number=number,
        number_text=document_number_text(case.department, kind, year, number), issued_at=now, recorded_at=now,
        issued_by=by, missing_materials=list(missing_materials), reason=reason, legal_basis=basis, note=note, **extra,
    )


# ------------------------------------------------------------------------------------------ recompute
CLOCK_FIELDS = (
    "acceptance_due_at", "deemed_accepted", "clock_start", "clock_stopped_at", "suspensions",
    "suspended_working_days", "granted_days", "committed_deadline", "statutory_deadline", "deadlines_provisional",
    "clock_error", "calendar_revision", "current_step_due_at",
)
_READ = ("id", "service_item_id", "version_id", "received_at", "accepted_at", "first_notice_at",
         "is_joint_parent", "current_step", "current_step_started_at", "registered", "is_open") + CLOCK_FIELDS
_COMPARE = tuple(k for k in CLOCK_FIELDS if k != "calendar_revision")


def case_recompute_deadlines(*, cases=None, now: dt.datetime, chunk: int = 20_000) -> int:
    """Re-run the clock of every case whose clock still runs (or that could not be computed before), e.g.
    after a holiday was added or a year's schedule imported. `cases`: restrict to these (ids or Cases).
    Set-based: reads the facts kept on the rows (no events), writes back only rows that changed.
    Returns the number of cases whose deadlines changed. Verdicts of decided cases are never touched."""
    cal = get_calendar()
    qs = Case.objects.filter(Q(status__in=RUNNING_STATUSES) | ~Q(clock_error=""))
    if cases is not None:
        qs = qs.filter(pk__in=[c if isinstance(c, int) else c.pk for c in cases])
    item_ids = list(qs.order_by().values_list("service_item_id", flat=True).distinct())
    versions = {v.id: v for lst in load_versions(item_ids).values() for v in lst}
    changed = 0
    # The tick schedule is the watcher's (supervision): a case whose clock moved is due for re-judging at once
    # (its cards may have moved with it), one that did not keeps its schedule.
    if connection.vendor == "postgresql":
        # The common clocks are recomputed inside the database (recompute.py); the rest below, in Python.
        ids = None if cases is None else [c if isinstance(c, int) else c.pk for c in cases]
        with transaction.atomic():
            changed, failed = recompute_in_database(cal, versions, now=now, ids=ids)
        covered = list(eligible_versions(versions))
        in_sql = Q(status__in=RUNNING_STATUSES, suspensions=[], first_notice_at__isnull=True, is_joint_parent=False,
                   clock_error="", clock_stopped_at__isnull=True, received_at__isnull=False, version_id__in=covered)
        qs = qs.filter(~in_sql | Q(pk__in=failed))
    last_id = 0
    while True:
        with transaction.atomic():
            rows = list(qs.filter(id__gt=last_id).order_by("id").values_list(*_READ)[:chunk])
            if not rows:
                break
            last_id = rows[-1][0]
            updates = []
            for row in rows:
                rec = dict(zip(_READ, row, strict=True))
                version = versions.get(rec["version_id"])
                out = None
                if not rec["suspensions"] and rec["first_notice_at"] is None and not rec["is_joint_parent"]:
                    out = fast_clock(cal, received_at=rec["received_at"], accepted_at=rec["accepted_at"],
                                     version=version, step_key=rec["current_step"],
                                     step_started=rec["current_step_started_at"])
                if out is None:
                    f = Facts(received_at=rec["received_at"], accepted_at=rec["accepted_at"],
                              first_notice_at=rec["first_notice_at"], registered=rec["registered"],
                              intervals=intervals_from_json(rec["suspensions"]), first_at=rec["clock_start"])
                    out = compute_clock(cal, f, version, is_joint_parent=rec["is_joint_parent"],
                                        current_step=(rec["current_step"], rec["current_step_started_at"]))
                    out.setdefault("suspensions", rec["suspensions"])
                if [out[k] for k in _COMPARE] != [rec[k] for k in _COMPARE]:
                    out["next_check_at"] = now
                    out["is_open"] = rec["is_open"]
                    updates.append((rec["id"], out))
                    changed += 1
            write_case_columns(updates, CLOCK_FIELDS)
            schedule_write((pk, due_of(out)) for pk, out in updates)
    return changed


def case_clocks_sync(*, now: dt.datetime) -> int:
    """Recompute every running clock when the calendar changed since the last sync (one primary-key read
    when it has not: see ClockSync). The supervision tick calls this first, so deadlines follow a calendar
    change within one tick and the same tick re-judges the cases whose deadlines moved. Returns the number
    of cases whose deadlines changed."""
    rev = calendar_revision_get()
    synced = ClockSync.objects.filter(pk=1).values_list("revision", flat=True).first()
    if synced == rev:
        return 0
    changed = case_recompute_deadlines(now=now)
    # Two ticks racing here both recompute (the result is the same); the marker only moves forward.
    ClockSync.objects.update_or_create(pk=1, defaults={"revision": rev, "synced_at": now})
    return changed


# ------------------------------------------------------------------------------------------ §42 extension
def extension_days_used(case: Case) -> int:
    """Working days of §42 extension already counted on the case (from its clock periods)."""
    return sum(int(s.get("counted") or 0) for s in case.suspensions or () if s.get("kind") == "extension")


@transaction.atomic
def case_extend(*, case: Case, granted_days, reason: str, by: Staff, now: dt.datetime) -> CaseDocument:
    """Extend the statutory limit under 行政许可法 §42 (延长审查期限): approved by the head of the organ
    (`by` must hold the head role in the case's department subtree; for a joint case the department head
    records the approval of the head of the government, §42 ¶2), at most 10 wd in all — 15 wd for a joint
    case — before the
    statutory deadline has passed, with the reason the applicant is told. Records an `extended` event
    through the one ingest path (so the clock, the cards and the explanation follow) and issues the
    numbered extension notice (延长审查期限告知书) for the applicant."""
    if by is None or not by.is_active or not by.has_role("head"):
        raise NotPermitted("延长审查期限须经本行政机关负责人批准：只有部门负责人可以办理。")
    case = _window_case(case, by, (CaseStatus.ACCEPTED, CaseStatus.SUSPENDED), "延长审查期限")
    if isinstance(granted_days, str) and granted_days.strip().isdigit():
        granted_days = int(granted_days.strip())
    cap = extension_cap(case.is_joint_parent)
    if isinstance(granted_days, bool) or not isinstance(granted_days, int) or granted_days < 1:
        raise DomainError(f"请填写延长天数（granted_days），为 1—{cap} 的整数（个工作日）。", field="granted_days")
    used = extension_days_used(case)
    left = cap - used
    if granted_days > left:
        law = "联办件经本级人民政府负责人批准可以延长十五日" if case.is_joint_parent else "只允许延长十日"
        raise DomainError(
            f"延长天数（granted_days）不能超过 {left} 个工作日：行政许可法第四十二条{law}"
            f"{f'，本件已延长 {used} 个工作日' if used else ''}。", field="granted_days")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DomainError("请填写延长理由（reason，至少 4 个字），理由将告知申请人。", field="reason")
    if case.statutory_deadline is None:
        raise DomainError("办件的法定期限尚未计算，不能延长。", field="granted_days")
    if now > case.statutory_deadline:
        tz = get_calendar().tz
        raise DomainError(f"法定期限已于 {case.statutory_deadline.astimezone(tz):%Y-%m-%d %H:%M} 届满，"
                          "不能再延长审查期限。", field="granted_days")
    # handler="": the head approves the extension; that does not make them the case's handler.
    updated = _ingest_one(case_no=case.case_no, item=case.service_item, etype=EventType.EXTENDED, by=by, now=now,
                          granted_days=granted_days, reason=reason[:2000], handler="")
    return _issue(updated, CaseDocument.Kind.EXTENSION_NOTICE, by=by, now=now, reason=reason,
                  basis=JOINT_EXTENSION_BASIS if case.is_joint_parent else EXTENSION_BASIS,
                  granted_days=granted_days, deadline=updated.statutory_deadline)


# ------------------------------------------------------------------------------------------ handler
@transaction.atomic
def case_assign_handler(*, case: Case, handler: Staff, by: Staff, now: dt.datetime, reason: str) -> Case:
    """A head assigns (or reassigns) the case's handler (承办人) to an active handler or head of the case's
    department subtree, giving the reason. The assignment stands over handler names department systems
    report later, until a head reassigns again; who assigned, when, from whom to whom and why is kept as a
    `HandlerAssignment` row, which the case page shows in 办理过程."""
    if by is None or not by.is_active or not by.has_role("head"):
        raise NotPermitted("只有部门负责人可以指定承办人。")
    case = Case.objects.select_for_update(of=("self",)).select_related("department").get(pk=case.pk)
    if by.department_id is None or not case.department.path.startswith(by.department.path):
        raise NotPermitted("您只能为本部门（及下属科室）的办件指定承办人。")
    if handler is None:
        raise DomainError("请选择承办人。", field="handler")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写指定（变更）承办人的理由。", field="reason")
    if len(reason) > 500:
        raise DomainError("理由不能超过 500 字。", field="reason")
    handler = Staff.objects.select_related("department").filter(pk=handler.pk).first()
    if (handler is None or not handler.is_active or handler.department_id is None
            or not handler.department.path.startswith(case.department.path)
            or not handler.has_any_role("handler", "head")):
        raise DomainError("承办人必须是本办件所属部门（或其下属科室）在岗的承办人或负责人。", field="handler")
    if handler.pk == case.handler_id and case.handler_assigned_at is not None:
        raise DomainError("所选人员已是本件指定的承办人。", field="handler")
    HandlerAssignment.objects.create(
        case=case, assigned_at=now, assigned_by=by, from_handler_id=case.handler_id,
        from_name="" if case.handler_id else case.handler_name, to_handler=handler, reason=reason)
    Case.objects.filter(pk=case.pk).update(handler=handler, handler_assigned_at=now, handler_assigned_by=by,
                                           updated_at=now)
    case.refresh_from_db()
    return case


def case_handler_choices(case: Case):
    """Who may be assigned as the case's handler: active handlers and heads of its department subtree."""
    return Staff.objects.filter(
        is_active=True, department__path__startswith=case.department.path, groups__name__in=("handler", "head"),
    ).distinct().order_by("department__path", "name", "username")


# ------------------------------------------------------------------------------------------ 超时默许
DEEMED_SMS = ("【{department}】您于{received}申请的“{item}”（办件编号 {case_no}），法定期限于{deadline}届满而未作出决定，"
              "依法视为准予许可。告知书文号：{number}。{next_step}咨询电话：{phone}。")
DEEMED_NEXT_STEP = "可凭本短信或告知书到窗口办理后续手续。"
# What the notice tells the applicant to do, frozen at issue (`CaseDocument.note`): what is true when the
# platform records it. A notice recorded after the case was decided (a late report) must not send the
# applicant to collect what they already hold, nor pretend that nothing happened since.
DEEMED_NOTE_OPEN = "你（单位）可凭本告知书到本机关办理领取证照等后续手续。"
DEEMED_NOTE_GRANTED = ("法定期限届满后，本机关于 {decided} 作出准予许可决定{delivered}，与超时默许一致。许可以该决定为准，"
                       "你（单位）无须凭本告知书另行办理手续。")
DEEMED_NOTE_DENIED = ("法定期限届满后，本机关于 {decided} 作出不予许可决定。该决定晚于法定期限届满之时，"
                      "本告知书确认的超时默许在此之前已经发生。你（单位）如有异议，可以咨询本机关，或者依法申请行政复议、提起行政诉讼。")
DEEMED_NOTE_WITHDRAWN = "法定期限届满后，你（单位）于 {withdrawn} 撤回了申请。"


def _day(moment: dt.datetime | None, tz) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    return f"{local.year}年{local.month}月{local.day}日"


def denied_case_ids(ids) -> set[int]:
    """Which of the cases were decided by a denial (不予许可): a denial that was delivered afterwards has the
    status 已送达, like a grant, so the events say which decision it was (one query)."""
    return set(CaseEvent.objects.filter(case_id__in=list(ids), type=EventType.DENIED).values_list("case_id", flat=True))


def _deemed_after(c: Case, deemed_at: dt.datetime, tz, *, denied: bool) -> tuple[str, bool]:
    """What happened to the case after its limit passed, as the notice's closing paragraph, and whether the
    applicant still needs to be told (an SMS sent to say "come and collect" after the licence was delivered,
    or after the applicant withdrew, would mislead)."""
    decided_late = c.completed_at is not None and c.completed_at > deemed_at and c.status in (
        CaseStatus.COMPLETED, CaseStatus.DENIED, CaseStatus.DELIVERED)
    if decided_late and denied:
        return DEEMED_NOTE_DENIED.format(decided=_day(c.completed_at, tz)), True
    if decided_late:
        delivered = f"，并于 {_day(c.delivered_at, tz)} 送达" if c.delivered_at else ""
        return DEEMED_NOTE_GRANTED.format(decided=_day(c.completed_at, tz), delivered=delivered), False
    if c.status == CaseStatus.WITHDRAWN and c.closed_at and c.closed_at > deemed_at:
        return DEEMED_NOTE_WITHDRAWN.format(withdrawn=_day(c.closed_at, tz)), False
    return DEEMED_NOTE_OPEN, True


def case_deemed_approval_record(*, marks: list[tuple[int, dt.datetime]], now: dt.datetime) -> list[int]:
    """超时默许: mark cases deemed approved (`marks`: case id, the moment the statutory limit passed) where
    not marked yet, issue each newly marked case's numbered notice (超时默许告知书, once per case: a
    database constraint) and record the SMS telling the applicant (ApplicantMessage, sent by the
    supervision tick in office hours through the SMS backend). Set-based: a few queries per call whatever
    the number of cases (numbers are reserved per department and year in one locked update). Returns the ids
    newly marked. Call inside the transaction that holds the cases (the tick's or the ingest's).

    The notice is dated when its ground arose — the moment the limit passed — and numbered in that year, in
    the order the limits passed; it cites the provision the pinned item version records for deemed approval
    (`deemed_approval_basis`: an item without one is never deemed approved, and a case pinned to such a
    version is not marked); and its closing paragraph says what is true when it is recorded: recorded after
    the case was decided (granted, denied) or withdrawn, it says so instead of sending the applicant to
    collect a licence, and an SMS that would only repeat the decision is kept as not needed."""
    if not marks:
        return []
    at_of = dict(marks)
    fresh = list(Case.objects.filter(id__in=list(at_of), deemed_approved_at__isnull=True, version__deemed_approval=True)
                 .exclude(version__deemed_approval_basis="").values_list("id", flat=True))
    if not fresh:
        return []
    by_at: dict[dt.datetime, list[int]] = {}
    for cid in fresh:
        by_at.setdefault(at_of[cid], []).append(cid)
    with transaction.atomic():
        for at, ids in by_at.items():
            Case.objects.filter(id__in=ids).update(deemed_approved_at=at, updated_at=now)
        noticed = set(CaseDocument.objects.filter(case_id__in=fresh, kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE)
                      .values_list("case_id", flat=True))
        if noticed:  # deemed again after a withdrawal: the notice stands, an SMS not yet sent goes out after all
            ApplicantMessage.objects.filter(case_id__in=noticed, status=ApplicantMessage.Status.CANCELLED).update(
                status=ApplicantMessage.Status.PENDING, error="")
        cases = list(Case.objects.filter(id__in=[c for c in fresh if c not in noticed])
                     .select_related("department", "version", "service_item").order_by("id"))
        tz = get_calendar().tz
        kind = CaseDocument.Kind.DEEMED_APPROVAL_NOTICE
        # Numbered per department and year of the notice's date, in the order the limits passed.
        series: dict[tuple[int, int], list[Case]] = {}
        for c in sorted(cases, key=lambda c: (at_of[c.id], c.id)):
            series.setdefault((c.department_id, at_of[c.id].astimezone(tz).year), []).append(c)
        docs, needed = [], {}
        denied = denied_case_ids(c.id for c in cases)
        for (_dept_id, year), dept_cases in series.items():
            dept = dept_cases[0].department
            first = document_number_next(department=dept, kind=kind, year=year, count=len(dept_cases))
            for n, c in enumerate(dept_cases, first):
                at = at_of[c.id]
                note, needed[c.id] = _deemed_after(c, at, tz, denied=c.id in denied)
                docs.append(CaseDocument(
                    case=c, kind=kind, year=year, number=n, number_text=document_number_text(dept, kind, year, n),
                    issued_at=at, recorded_at=now, issued_by=None, legal_basis=c.version.deemed_approval_basis,
                    deadline=c.statutory_deadline, note=note, reason="法定期限届满未作出行政许可决定，视为准予许可。",
                ))
        CaseDocument.objects.bulk_create(docs)
        messages = []
        for d in docs:
            c = d.case
            if not needed[c.id]:
                status, error = ApplicantMessage.Status.NOT_NEEDED, d.note[:300]
            elif c.applicant_phone.strip():
                status, error = ApplicantMessage.Status.PENDING, ""
            else:
                status, error = ApplicantMessage.Status.NO_PHONE, ""
            messages.append(ApplicantMessage(case=c, document=d, kind=ApplicantMessage.Kind.DEEMED_APPROVAL,
                                             body=_deemed_sms(c, d, tz), status=status, error=error, created_at=now))
        ApplicantMessage.objects.bulk_create(messages, ignore_conflicts=True)
    return fresh


def case_phone(case: Case) -> str:
    """The enquiry number printed on the case's documents and texts: the item's own (咨询电话 in the
    catalogue), else the department's."""
    return (case.version.phone if case.version_id else "") or case.department.phone or ""


def _deemed_sms(c: Case, d: CaseDocument, tz) -> str:
    """The deemed-approval SMS to the applicant. A case records no applicant language, so it is written in the
    platform's language (settings.LANGUAGE_CODE), never in that of the request or tick that happens to mark the
    case (an English-speaking API client's ingest must not text a Chinese applicant in English). A case denied
    after its limit passed is not told to come to the window: the notice's own paragraph says what follows."""
    with translation.override(settings.LANGUAGE_CODE):
        return DEEMED_SMS.format(
            department=c.department.short_name or c.department.name,
            received=_day(c.received_at, tz),  # unpadded, as the notice itself writes it
            item=c.version.name if c.version_id else c.service_item.code, case_no=c.case_no,
            deadline=f"{_day(d.deadline, tz)} {d.deadline.astimezone(tz):%H:%M}" if d.deadline else "",
            number=d.number_text, phone=case_phone(c) or "—",
            next_step=DEEMED_NEXT_STEP if d.note == DEEMED_NOTE_OPEN else "",
        )


def case_deemed_approval_withdraw(*, case_ids: list[int], now: dt.datetime) -> int:
    """A late event showed the case was decided (or its limit moved) after all: the deemed approval no
    longer stands. Clears the mark, cancels the applicant's SMS if it was not sent yet (an SMS already sent
    stays on record) and marks the deemed-approval notice void (kept, never deleted: it may have been
    handed out). Returns the cases cleared."""
    if not case_ids:
        return 0
    n = Case.objects.filter(id__in=case_ids, deemed_approved_at__isnull=False).update(deemed_approved_at=None,
                                                                                      updated_at=now)
    ApplicantMessage.objects.filter(case_id__in=case_ids, kind=ApplicantMessage.Kind.DEEMED_APPROVAL,
                                    status=ApplicantMessage.Status.PENDING).update(
        status=ApplicantMessage.Status.CANCELLED, error="超时默许已被后到的办件事件更正，短信取消。")
    CaseDocument.objects.filter(case_id__in=case_ids, kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE,
                                voided_at__isnull=True).update(
        voided_at=now, void_reason="后到的办件事件表明法定期限内已作出决定（或期限已变更），超时默许不成立，本告知书作废。")
    return n
