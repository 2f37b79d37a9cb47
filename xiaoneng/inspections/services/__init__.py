"""明查暗访: every write (keyword-only, `now=` passed in, atomic). Who may do what:

- the supervision office (supervisor role): checklists, plans, its own visits (accepted when recorded),
  reviewing invited supervisors' visits, publishing covert findings, and the three ways a finding goes on
  (a manual card, a correction task with its clock, a sanction proposal), reviewing corrections;
- an invited supervisor (特邀监督员): records visits for plans naming it, as drafts it may change until it
  submits them, and again when the office returns them; nothing else;
- the inspected department (handler, head): answers the correction tasks of its published findings.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Length

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core import clocks
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.core.uploads import PUBLIC_IMAGE_TYPES, CleanFile, clean_uploads
from xiaoneng.workdays.calendar import get_calendar

from ..models import (
    Checklist,
    ChecklistItem,
    Correction,
    Finding,
    Inspection,
    Mode,
    Result,
    SanctionKind,
    SanctionProposal,
    SupervisorKind,
    SupervisorProfile,
    Visit,
    VisitPhoto,
    VisitResult,
    VisitStatus,
)

DEFAULT_CORRECTION_WD = 10
MAX_PHOTOS = 9
MAX_PHOTO_MB = 10

# The shipped checklist (office-editable; editing it once used makes a new version).
DEFAULT_CHECKLIST = ("窗口服务明查暗访检查表", [
    ("在岗在位", "工作时间在岗在位，无空岗、脱岗、串岗。", 15),
    ("挂牌上岗", "佩戴工作牌，窗口标识、岗位牌清楚。", 10),
    ("服务态度", "文明用语，热情耐心，无冷硬横推。", 15),
    ("一次性告知", "一次性告知所需材料和办理流程。", 15),
    ("首问负责", "首问负责，不推诿，能引导到位。", 10),
    ("办事效率", "按承诺时限办理，无无故拖延。", 15),
    ("收费公示", "收费项目、标准公开，无乱收费。", 10),
    ("工作纪律", "无玩手机、聊天、吃零食等违反工作纪律行为。", 10),
])


# ----------------------------------------------------------------------------------------------- helpers
def is_office(staff: Staff | None) -> bool:
    return bool(staff is not None and staff.is_authenticated and staff.has_role(R.SUPERVISOR))


def is_invited(staff: Staff | None) -> bool:
    return bool(staff is not None and staff.is_authenticated and staff.has_role(R.INVITED))


def _require_office(by: Staff) -> None:
    if not is_office(by):
        raise NotPermitted("只有效能办监察员可以执行此操作。")


def _text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise DomainError(f"{label}格式不正确。", field=field)
    if required and not text:
        raise DomainError(f"请填写{label}。", field=field)
    if len(text) > limit:
        raise DomainError(f"{label}不能超过 {limit} 个字。", field=field)
    return text


def _aware(value, field: str, label: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise DomainError(f"请填写有效的{label}。", field=field)
    if not 2000 <= value.year <= 2100:
        raise DomainError(f"{label}超出有效范围。", field=field)
    return value


def _serial(model, prefix: str) -> str:
    """The next number of a series (row-locked by the caller's transaction on the last row)."""
    last = (model.objects.select_for_update().filter(number__startswith=prefix)
            .order_by(Length("number").desc(), "-number").values_list("number", flat=True).first())
    n = int(last.rsplit("-", 1)[-1]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def _save_numbered(obj, prefix: str) -> None:
    """Give `obj` the next number of its series and insert it; a number another transaction took meanwhile (the
    unique constraint) is drawn again, in a savepoint, a few times."""
    for attempt in range(5):
        obj.number = _serial(type(obj), prefix)
        try:
            with transaction.atomic():
                obj.save(force_insert=True)
            return
        except IntegrityError:
            if attempt == 4:
                raise
            obj.pk = None


def visit_score(results: list[tuple[str, int]]) -> tuple[Decimal | None, int, int]:
    """(score 0-100 or None, applicable items, failed items) of (result, weight) pairs: the weighted share of
    the applicable items passed; 不适用 items count neither way; no applicable item gives no score."""
    passed = sum(w for r, w in results if r == Result.PASS)
    total = sum(w for r, w in results if r in (Result.PASS, Result.FAIL))
    applicable = sum(1 for r, _w in results if r in (Result.PASS, Result.FAIL))
    failed = sum(1 for r, _w in results if r == Result.FAIL)
    if total <= 0:
        return None, applicable, failed
    score = (Decimal(passed) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return score, applicable, failed


# ----------------------------------------------------------------------------------------------- supervisors
@transaction.atomic
def supervisor_profile_save(*, staff: Staff, kind: str, affiliation: str = "", appointed_on: dt.date | None = None,
                            by: Staff | None) -> SupervisorProfile:
    """Record who an invited supervisor is (人大代表, 政协委员, 记者, 企业代表 …). The office (or a seeding
    command, by=None) keeps it; the account must hold the invited_supervisor role."""
    if by is not None and not (is_office(by) or by.has_role(R.ADMIN)):
        raise NotPermitted()
    if not staff.has_role(R.INVITED):
        raise DomainError("该账号不是特邀监督员。", field="staff")
    if kind not in SupervisorKind.values:
        raise DomainError("请选择有效的身份。", field="kind")
    affiliation = _text(affiliation, "affiliation", "工作单位或界别", 100)
    profile, _new = SupervisorProfile.objects.update_or_create(
        staff=staff, defaults={"kind": kind, "affiliation": affiliation, "appointed_on": appointed_on})
    return profile


# ----------------------------------------------------------------------------------------------- checklists
def _clean_items(items) -> list[tuple[str, str, int]]:
    if not isinstance(items, list | tuple) or not items:
        raise DomainError("检查表至少要有一个检查项目。", field="items")
    if len(items) > 50:
        raise DomainError("检查项目不能超过 50 个。", field="items")
    out, names = [], set()
    for i, it in enumerate(items, 1):
        if not isinstance(it, dict):
            raise DomainError(f"第 {i} 个检查项目格式不正确。", field="items")
        name = _text(it.get("name"), "items", f"第 {i} 个检查项目的名称", 40, required=True)
        guidance = _text(it.get("guidance"), "items", f"第 {i} 个检查项目的检查要点", 200)
        try:
            weight = int(it.get("weight"))
        except (TypeError, ValueError):
            raise DomainError(f"第 {i} 个检查项目的权重须为 1-100 的整数。", field="items") from None
        if not 1 <= weight <= 100:
            raise DomainError(f"第 {i} 个检查项目的权重须为 1-100 的整数。", field="items")
        if name in names:
            raise DomainError(f"检查项目“{name}”重复。", field="items")
        names.add(name)
        out.append((name, guidance, weight))
    return out


@transaction.atomic
def checklist_save(*, checklist: Checklist | None = None, name: str, description: str = "", items,
                   by: Staff | None, now: dt.datetime) -> Checklist:
    """Create a checklist, or change one. A checklist that recorded visits use is frozen: the change makes a
    new version (the old one stays, inactive, under the visits that used it). by=None: shipped defaults."""
    if by is not None:
        _require_office(by)
    name = _text(name, "name", "检查表名称", 60, required=True)
    description = _text(description, "description", "说明", 200)
    clean = _clean_items(items)
    if checklist is not None:
        checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
        if not checklist.is_active:
            raise DomainError("该检查表已停用或已有新版本，请修改最新版本。", field="checklist")
    if checklist is not None and checklist.frozen:
        checklist.is_active = False
        checklist.save(update_fields=["is_active"])
        checklist = Checklist.objects.create(name=name, description=description, version=checklist.version + 1,
                                             previous=checklist, created_at=now, created_by=by)
    elif checklist is not None:
        checklist.name, checklist.description = name, description
        checklist.save(update_fields=["name", "description"])
        checklist.items.all().delete()
    else:
        checklist = Checklist.objects.create(name=name, description=description, created_at=now, created_by=by)
    ChecklistItem.objects.bulk_create([ChecklistItem(checklist=checklist, position=i, name=n, guidance=g, weight=w)
                                       for i, (n, g, w) in enumerate(clean, 1)])
    return checklist


def checklist_ensure_default(*, now: dt.datetime) -> Checklist:
    """The shipped checklist (在岗在位, 挂牌上岗, 服务态度 …), created once."""
    found = Checklist.objects.filter(name=DEFAULT_CHECKLIST[0]).order_by("-version").first()
    if found is not None:
        return found
    return checklist_save(name=DEFAULT_CHECKLIST[0], description="县政务服务中心及各部门服务窗口通用。",
                          items=[{"name": n, "guidance": g, "weight": w} for n, g, w in DEFAULT_CHECKLIST[1]],
                          by=None, now=now)


# ----------------------------------------------------------------------------------------------- plans
@transaction.atomic
def plan_create(*, title: str, mode: str, checklist: Checklist, starts_on: dt.date, ends_on: dt.date,
                departments, inspectors, windows: str = "", by: Staff, now: dt.datetime) -> Inspection:
    """An inspection plan (检查计划): what is visited, when, by whom, open or covert."""
    _require_office(by)
    title = _text(title, "title", "计划名称", 80, required=True)
    if mode not in Mode.values:
        raise DomainError("请选择检查方式（明查或暗访）。", field="mode")
    if checklist is None or not checklist.is_active:
        raise DomainError("请选择启用中的检查表。", field="checklist")
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise DomainError("请填写有效的检查日期。", field="starts_on")
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期。", field="ends_on")
    if (ends_on - starts_on).days > 366:
        raise DomainError("一个检查计划不能超过一年。", field="ends_on")
    departments = list(departments or [])
    if not departments:
        raise DomainError("请至少选择一个被检查部门。", field="departments")
    inspectors = list(inspectors or [])
    if not inspectors:
        raise DomainError("请至少选择一名检查人员。", field="inspectors")
    if any(not (s.is_active and s.has_any_role(R.SUPERVISOR, R.INVITED)) for s in inspectors):
        raise DomainError("检查人员只能是效能监察员或特邀监督员。", field="inspectors")
    windows = _text(windows, "windows", "检查窗口", 200)
    plan = Inspection(title=title, mode=mode, checklist=checklist, starts_on=starts_on, ends_on=ends_on,
                      windows=windows, created_at=now, created_by=by)
    _save_numbered(plan, f"JC-{starts_on.year}-")
    plan.departments.set(departments)
    plan.inspectors.set(inspectors)
    return plan


def may_record(plan: Inspection, by: Staff) -> bool:
    """Who may record a visit of `plan`: the office, or an invited supervisor the plan names."""
    if is_office(by):
        return True
    return is_invited(by) and plan.inspectors.filter(pk=by.pk).exists()


# ----------------------------------------------------------------------------------------------- visits
def _clean_results(checklist: Checklist, results) -> list[tuple[ChecklistItem, str, str]]:
    if not isinstance(results, dict):
        raise DomainError("请逐项填写检查结果。", field="results")
    items = list(checklist.items.all())
    out = []
    for item in items:
        raw = results.get(item.pk) or results.get(str(item.pk))
        if raw is None:
            raise DomainError(f"请填写“{item.name}”的检查结果。", field=f"result_{item.pk}")
        value, note = (raw if isinstance(raw, list | tuple) else (raw, ""))[:2] if raw else ("", "")
        if value not in Result.values:
            raise DomainError(f"“{item.name}”的检查结果须为符合、不符合或不适用。", field=f"result_{item.pk}")
        note = _text(note, f"note_{item.pk}", f"“{item.name}”的说明", 300)
        if value == Result.FAIL and not note:
            raise DomainError(f"“{item.name}”不符合，请说明发现的问题。", field=f"note_{item.pk}")
        out.append((item, value, note))
    known = {str(i.pk) for i in items}
    stray = [k for k in results if str(k) not in known]
    if stray:
        raise DomainError("检查结果中有不属于该检查表的项目。", field="results")
    return out


def _store_photos(visit: Visit, photos: list[CleanFile], *, by: Staff, now: dt.datetime) -> None:
    if visit.photos.count() + len(photos) > MAX_PHOTOS:
        raise DomainError(f"每条检查记录最多 {MAX_PHOTOS} 张照片。", field="photos")
    for f in photos:
        p = VisitPhoto(visit=visit, original_name=f.name, content_type=f.content_type, size=len(f.content),
                       sha256=f.sha256, uploaded_at=now, uploaded_by=by)
        p.file.save(f"{f.sha256[:16]}.{f.ext}", ContentFile(f.content), save=False)
        p.save()


def clean_photos(files) -> list[CleanFile]:
    """Photos through the platform's one content-checked upload path (core/uploads.py): images only, EXIF
    stripped, type sniffed from the bytes."""
    return clean_uploads(files, max_files=MAX_PHOTOS, max_file_mb=MAX_PHOTO_MB, field="photos",
                         allowed=PUBLIC_IMAGE_TYPES)


def _fill(visit: Visit, *, department, place, window, visited_at, inspectors, summary, results) -> list:
    plan = visit.plan
    if department is None or not plan.departments.filter(pk=department.pk).exists():
        raise DomainError("被检查部门须为本计划的检查对象。", field="department")
    visit.department = department
    visit.place = _text(place, "place", "检查地点", 100, required=True)
    visit.window = _text(window, "window", "窗口", 40)
    visit.visited_at = _aware(visited_at, "visited_at", "检查时间")
    local = visit.visited_at.astimezone(get_calendar().tz).date()
    if not plan.starts_on <= local <= plan.ends_on:
        raise DomainError(f"检查时间须在计划期间内（{plan.starts_on:%Y-%m-%d} 至 {plan.ends_on:%Y-%m-%d}）。",
                          field="visited_at")
    visit.inspectors = _text(inspectors, "inspectors", "检查人员", 200, required=True)
    visit.summary = _text(summary, "summary", "总体情况", 500)
    clean = _clean_results(visit.checklist, results)
    visit.score, visit.applicable, visit.failed = visit_score([(v, item.weight) for item, v, _n in clean])
    return clean


def _write_results(visit: Visit, clean) -> None:
    visit.results.all().delete()
    VisitResult.objects.bulk_create([VisitResult(visit=visit, item=item, result=v, note=n) for item, v, n in clean])


@transaction.atomic
def visit_record(*, plan: Inspection, department: Department | None, place: str, visited_at: dt.datetime, inspectors: str,
                 results, window: str = "", summary: str = "", photos: list[CleanFile] | None = None,
                 submit: bool = False, by: Staff, now: dt.datetime) -> Visit:
    """Record a visit of `plan` (检查记录). The office's own record is accepted as it is written (its findings
    are made; an open visit is published to the department at once, a covert one waits for the office to
    publish). An invited supervisor's record is a draft until `submit` (then the office reviews it)."""
    if not may_record(plan, by):
        raise NotPermitted("您不是该检查计划的检查人员。")
    checklist = plan.checklist
    visit = Visit(plan=plan, checklist=checklist, mode=plan.mode, recorded_by=by, created_at=now)
    clean = _fill(visit, department=department, place=place, window=window, visited_at=visited_at,
                  inspectors=inspectors, summary=summary, results=results)
    if visit.visited_at > now + dt.timedelta(minutes=5):
        raise DomainError("检查时间不能晚于现在。", field="visited_at")
    _save_numbered(visit, f"JF-{visit.visited_at.astimezone(get_calendar().tz).year}-")
    _write_results(visit, clean)
    if photos:
        _store_photos(visit, photos, by=by, now=now)
    if not checklist.frozen:
        Checklist.objects.filter(pk=checklist.pk).update(frozen=True)
    if is_office(by):
        visit.submitted_at = now
        _accept(visit, by=by, now=now, note="")
    elif submit:
        visit.status, visit.submitted_at = VisitStatus.SUBMITTED, now
        visit.save(update_fields=["status", "submitted_at"])
    return visit


def _own_editable(visit: Visit, by: Staff) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.recorded_by_id != by.pk:
        raise NotPermitted("只能修改自己记录的检查。")
    if visit.status not in (VisitStatus.DRAFT, VisitStatus.RETURNED):
        raise DomainError("已提交的检查记录不能再修改。", field="status")
    return visit


@transaction.atomic
def visit_update(*, visit: Visit, department: Department | None, place: str, visited_at: dt.datetime,
                 inspectors: str, results, window: str = "", summary: str = "",
                 photos: list[CleanFile] | None = None, submit: bool = False, by: Staff, now: dt.datetime) -> Visit:
    """An invited supervisor changes its draft (or a returned record), and may submit it."""
    visit = _own_editable(visit, by)
    clean = _fill(visit, department=department, place=place, window=window, visited_at=visited_at,
                  inspectors=inspectors, summary=summary, results=results)
    if visit.visited_at > now + dt.timedelta(minutes=5):
        raise DomainError("检查时间不能晚于现在。", field="visited_at")
    if submit:
        visit.status, visit.submitted_at = VisitStatus.SUBMITTED, now
    visit.save()
    _write_results(visit, clean)
    if photos:
        _store_photos(visit, photos, by=by, now=now)
    return visit


@transaction.atomic
def visit_submit(*, visit: Visit, by: Staff, now: dt.datetime) -> Visit:
    """Submit a draft (or returned) record for the office's review."""
    visit = _own_editable(visit, by)
    visit.status, visit.submitted_at = VisitStatus.SUBMITTED, now
    visit.save(update_fields=["status", "submitted_at"])
    return visit


def _accept(visit: Visit, *, by: Staff, now: dt.datetime, note: str) -> None:
    visit.status, visit.reviewed_at, visit.reviewed_by, visit.review_note = VisitStatus.ACCEPTED, now, by, note
    if visit.mode == Mode.OPEN:
        visit.published_at = now
    visit.save()
    failed = list(visit.results.filter(result=Result.FAIL).select_related("item"))
    Finding.objects.bulk_create([
        Finding(number=f"{visit.number}-{i}", visit=visit, result=r, department_id=visit.department_id,
                item_name=r.item.name, description=r.note, created_at=now)
        for i, r in enumerate(failed, 1)])


@transaction.atomic
def visit_review(*, visit: Visit, accept: bool, note: str = "", by: Staff, now: dt.datetime) -> Visit:
    """The office reviews a submitted record: accept it (its failed items become findings; an open visit is
    published to the department) or return it with reasons (the supervisor changes and submits it again)."""
    _require_office(by)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.status != VisitStatus.SUBMITTED:
        raise DomainError("只有待审核的检查记录可以审核。", field="status")
    note = _text(note, "note", "审核意见", 500, required=not accept)
    if accept:
        _accept(visit, by=by, now=now, note=note)
    else:
        visit.status, visit.reviewed_at, visit.reviewed_by, visit.review_note = VisitStatus.RETURNED, now, by, note
        visit.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note"])
    return visit


@transaction.atomic
def visit_publish(*, visit: Visit, by: Staff, now: dt.datetime) -> Visit:
    """Publish an accepted covert visit's findings to the inspected department (until now it saw nothing)."""
    _require_office(by)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.status != VisitStatus.ACCEPTED:
        raise DomainError("检查记录采纳后才能发布。", field="status")
    if visit.published_at is not None:
        raise DomainError("该检查记录已发布。", field="status")
    visit.published_at = now
    visit.save(update_fields=["published_at"])
    return visit


@transaction.atomic
def visit_photos_add(*, visit: Visit, photos: list[CleanFile], by: Staff, now: dt.datetime) -> Visit:
    """Add photos to one's own draft (or returned) record."""
    visit = _own_editable(visit, by)
    if not photos:
        raise DomainError("请选择照片。", field="photos")
    _store_photos(visit, photos, by=by, now=now)
    return visit


# ----------------------------------------------------------------------------------------------- findings
def _finding_for_office(finding: Finding, by: Staff) -> Finding:
    _require_office(by)
    finding = Finding.objects.select_for_update().select_related("visit").get(pk=finding.pk)
    if finding.visit.published_at is None:
        raise DomainError("暗访发现的问题发布后才能交办（发布前被检查单位不得知悉）。", field="finding")
    return finding


def correction_due(start: dt.datetime, wd: int) -> dt.datetime:
    """The close of the wd-th working day of a correction started at `start` (after the close or on a day off:
    from the next working day's opening; WorkCalendar.deadline)."""
    return get_calendar().deadline(start, wd, "wd").at


def _parse_wd(wd) -> int:
    if wd in (None, ""):
        return DEFAULT_CORRECTION_WD
    try:
        wd = int(wd)
    except (TypeError, ValueError):
        raise DomainError("整改期限须为 1-60 个工作日。", field="wd") from None
    if not 1 <= wd <= 60:
        raise DomainError("整改期限须为 1-60 个工作日。", field="wd")
    return wd


def _clock(finding: Finding, *, now: dt.datetime) -> None:
    from ..clocks import FINDING_CLOCKS

    finding.next_check_at = clocks.judge().next_check(FINDING_CLOCKS.row_of(finding), now=now)


@transaction.atomic
def finding_correction_start(*, finding: Finding, wd=None, by: Staff, now: dt.datetime) -> Finding:
    """Give the department a correction task (整改) on the finding, due in `wd` working days (default 10); its
    clock is judged by supervision (reminder, yellow, red) through the clock port."""
    finding = _finding_for_office(finding, by)
    if finding.correction:
        raise DomainError("该问题已交办整改。", field="finding")
    wd = _parse_wd(wd)
    finding.correction, finding.correction_started_at, finding.correction_wd = Correction.OPEN, now, wd
    finding.correction_due_at, finding.flag = correction_due(now, wd), ""
    _clock(finding, now=now)
    finding.save()
    return finding


@transaction.atomic
def finding_correction_answer(*, finding: Finding, text: str, by: Staff, now: dt.datetime) -> Finding:
    """The department reports its correction (整改情况); the clock stops while the office reviews it."""
    finding = Finding.objects.select_for_update().select_related("visit", "department").get(pk=finding.pk)
    if not (by.has_any_role(R.HANDLER, R.HEAD) and by.department_id is not None
            and finding.department.path.startswith(by.department.path)) or finding.visit.published_at is None:
        raise NotPermitted("只有责任单位可以反馈整改情况。")
    if finding.correction != Correction.OPEN:
        raise DomainError("该问题当前不需要反馈整改情况。", field="status")
    finding.correction_answer = _text(text, "text", "整改情况", 1000, required=True)
    finding.correction, finding.correction_answered_at, finding.correction_answered_by = Correction.ANSWERED, now, by
    finding.next_check_at = None
    finding.save()
    return finding


@transaction.atomic
def finding_correction_review(*, finding: Finding, accept: bool, note: str = "", wd=None, by: Staff,
                              now: dt.datetime) -> Finding:
    """The office accepts the correction (closed) or returns it with reasons (a new limit runs from now)."""
    finding = _finding_for_office(finding, by)
    if finding.correction != Correction.ANSWERED:
        raise DomainError("只有待审核的整改可以审核。", field="status")
    finding.correction_review = _text(note, "note", "审核意见", 500, required=not accept)
    if accept:
        finding.correction, finding.correction_closed_at, finding.next_check_at = Correction.ACCEPTED, now, None
    else:
        wd = _parse_wd(wd if wd not in (None, "") else finding.correction_wd)
        finding.correction, finding.correction_started_at, finding.correction_wd = Correction.OPEN, now, wd
        finding.correction_due_at, finding.flag = correction_due(now, wd), ""
        _clock(finding, now=now)
    finding.save()
    return finding


def findings_clock_checked(*, checks: list[tuple[int, str, dt.datetime | None]]) -> None:
    """Write back what the supervision tick found on correction clocks (flag, next check): inside the tick's
    transaction, on rows it locked."""
    for pk, flag, next_at in checks:
        Finding.objects.filter(pk=pk).update(flag=flag, next_check_at=next_at)


@transaction.atomic
def sanction_propose(*, finding: Finding, kind: str, reason: str, staff: Staff | None = None, by: Staff,
                     now: dt.datetime) -> SanctionProposal:
    """Propose a sanction on a finding (效能告诫, 诫勉谈话, 通报批评, 组织处理, 纪律处分), kept for the
    sanctions register. The person named, if any, must work in the finding's department."""
    finding = _finding_for_office(finding, by)
    if kind not in SanctionKind.values:
        raise DomainError("请选择处理方式。", field="kind")
    reason = _text(reason, "reason", "理由", 500, required=True)
    if staff is not None:
        dept = finding.department
        if staff.department_id is None or not staff.department.path.startswith(dept.path):
            raise DomainError("对象人员须为责任单位的工作人员。", field="staff")
    return SanctionProposal.objects.create(finding=finding, kind=kind, department_id=finding.department_id,
                                           staff=staff, reason=reason, proposed_at=now, proposed_by=by)


@transaction.atomic
def finding_card_raise(*, finding: Finding, level: str, by: Staff, now: dt.datetime) -> Finding:
    """A manual card on the finding's department through the supervision engine (core.clocks Judge.card_raise),
    with the finding as its basis; the rule used is this owner's finding-<level> rule (check "finding")."""
    finding = _finding_for_office(finding, by)
    if level not in ("reminder", "yellow", "red"):
        raise DomainError("请选择预警级别。", field="level")
    if finding.card_id:
        raise DomainError("该问题已发出预警卡。", field="finding")
    judge = clocks.judge()
    raise_card = getattr(judge, "card_raise", None)
    if raise_card is None:
        raise DomainError("督查引擎暂不支持人工发牌。", field="level")
    basis = f"{finding.visit.get_mode_display()}发现问题：{finding.item_name}" + (
        f"——{finding.description}" if finding.description else "")
    finding.card_id = raise_card("finding", finding.pk, rule_code=f"finding-card-{level}",
                                 department_id=finding.department_id, basis=basis[:300], by_id=by.pk, now=now)
    finding.save(update_fields=["card_id"])
    return finding
