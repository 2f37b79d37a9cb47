"""The unified disclosure day's check (当日督查、全区通报、限期整改) and the office's own disclosure days.

The rule the check applies (printed on its pages as RULES): on the disclosure day of quarter Q it looks back on
the quarter just ended (Q-1; for Q1 the previous year's Q4) and, for every department that has a current accepted
catalogue, item by item, by the item's frequency — counting the department's published entries of that item
(corrected versions included, withdrawn ones not) published before the check time and no later than the end of
the disclosure day:

- 每月 (monthly): one due unit per month of the quarter just ended; a month with an entry published in it is
  published, a month without is missing.
- 每季度 (quarterly): one unit; published when an entry was published in the quarter just ended or on the
  disclosure day itself (当日公开); otherwise stale when an older entry exists, missing when none.
- 每年 (yearly): one unit; published when an entry was published in the 12 months before the disclosure day (or on
  it); otherwise stale when an older one exists, missing when none.
- 变动时 (on change): due only when the item was never published (then missing); stale does not apply.
- Units of a period that ended before the department's first catalogue took effect are not due.

Departments of kind bureau, township and village (and any department that ever had a catalogue) without a
current accepted catalogue are "unfiled": one unit due and missing (compliance 0) and an UNFILED finding. A
current catalogue filed after its filing deadline is flagged late on the line. Compliance = published ÷ due.
One finding per item and kind (missing / stale), listing the months when monthly.

A draft check may be run again (lines and findings rebuilt); publication freezes it, numbers the bulletin
(「<县简称>效办〔2026〕公开N号」), sets the rectification deadline (`rectify_wd` working days, default 5, from the
publication), starts the findings' clocks (supervision's deadline family, clock owner "disclosure") and raises
one reminder card per department with misses through `clocks.judge().card_raise` (its heads are told at once).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from xiaoneng.accounts.models import Department
from xiaoneng.core import clocks
from xiaoneng.core.errors import DomainError
from xiaoneng.workdays.calendar import get_calendar

from ..days import computed_day, day_for_date, disclosure_day, quarter_just_ended, quarter_of
from ..models import (
    Catalogue,
    CatalogueStatus,
    CheckFinding,
    CheckLine,
    CheckStatus,
    DisclosureCheck,
    DisclosureDay,
    DisclosureEntry,
    EntryStatus,
    FindingKind,
    FindingStatus,
    Frequency,
)

DEFAULT_RECTIFY_WD = 5
KINDS_THAT_FILE = (Department.Kind.BUREAU, Department.Kind.TOWNSHIP, Department.Kind.VILLAGE)
FOUR = Decimal("0.0001")
SERIES = "disclosure"

RULES = (
    "检查范围：上一季度（一季度的统一公开日检查上年第四季度），各单位现行已备案公开目录中的每个公开事项；"
    "统计本单位在检查时点（不晚于统一公开日当日）之前已公开的信息（含已更正的旧版本，不含已撤回的）。",
    "每月公开的事项：上季度每个月各计1项应公开，当月有公开信息的计为已公开，没有的计为未公开。",
    "每季度公开的事项：计1项应公开；上季度内或统一公开日当日（当日公开）有公开信息的计为已公开，"
    "否则此前公开过的计为未按期更新，从未公开的计为未公开。",
    "每年公开的事项：计1项应公开；统一公开日前12个月内有公开信息的计为已公开，否则按上一条计为未按期更新或未公开。",
    "变动时公开的事项：从未公开过的计1项应公开、未公开；公开过的不计。",
    "公开目录生效之前已结束的期间不计应公开。",
    "县直部门、乡镇（街道）和村（社区）没有现行已备案公开目录的，计应公开1项、未公开1项（公开率为0），"
    "并列为“目录未报备”问题；现行目录晚于报备期限报备的，标注“目录逾期报备”。",
    "公开率 = 已公开 ÷ 应公开。每个问题须在通报之日起5个工作日内（可调整）整改，逾期按预警规则亮牌。",
)


def _local(at: dt.datetime) -> dt.datetime:
    return timezone.localtime(at)


def _midnight(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(0), tzinfo=timezone.get_current_timezone())


def _quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * (quarter - 1) + 1, 1)


def _month_start(d: dt.date, plus: int = 0) -> dt.date:
    m = d.month - 1 + plus
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def _minus_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _date_text(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _pct(x) -> str:
    return "—" if x is None else f"{(Decimal(x) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _parse_date(value, field: str = "date") -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except (TypeError, ValueError):
        raise DomainError("日期格式应为 2026-10-08。", field=field) from None


def _parse_wd(wd) -> int:
    if wd in (None, ""):
        return DEFAULT_RECTIFY_WD
    try:
        wd = int(wd)
    except (TypeError, ValueError):
        raise DomainError("整改期限须为 1-30 个工作日。", field="rectify_wd") from None
    if not 1 <= wd <= 30:
        raise DomainError("整改期限须为 1-30 个工作日。", field="rectify_wd")
    return wd


def rectify_deadline(start: dt.datetime, wd: int) -> dt.datetime:
    """The close of the wd-th working day after `start` (workdays arithmetic; a missing year is an error)."""
    return get_calendar().deadline(start, wd, "wd").at


def not_a_disclosure_day(date: dt.date) -> DomainError:
    """The error for a date that is no disclosure day, naming the quarter's day."""
    q = quarter_of(date)
    try:
        actual = disclosure_day(date.year, q)
        return DomainError(f"{_date_text(date)}不是统一公开日：{date.year}年第{q}季度的统一公开日是{_date_text(actual)}。",
                           field="date")
    except DomainError as exc:
        return exc


# ------------------------------------------------------------------------------------------ disclosure days
def _office(by) -> None:
    from xiaoneng.accounts import roles as R

    if by is not None and not by.has_role(R.SUPERVISOR):
        raise DomainError("只有效能办可以设置统一公开日。", field="date")


@transaction.atomic
def disclosure_day_set(*, year, quarter, date, note: str, now: dt.datetime, by=None) -> DisclosureDay:
    """The office sets one quarter's own disclosure day (replacing the computed one): a working day within the
    quarter, with its reason; refused once that quarter's check exists."""
    _office(by)
    try:
        year, quarter = int(year), int(quarter)
    except (TypeError, ValueError):
        raise DomainError("请选择年度和季度。", field="quarter") from None
    if quarter not in (1, 2, 3, 4):
        raise DomainError("季度须为 1-4。", field="quarter")
    computed_day(year, quarter)  # the year must be in the calendar
    date = _parse_date(date)
    if date.year != year or quarter_of(date) != quarter:
        raise DomainError(f"统一公开日须在{year}年第{quarter}季度之内。", field="date")
    cal = get_calendar()
    if not cal.covers(date) or not cal.is_working_day(date):
        raise DomainError(f"{_date_text(date)}不是工作日，统一公开日须为工作日。", field="date")
    note = (note or "").strip()
    if not note:
        raise DomainError("请说明调整统一公开日的理由。", field="note")
    if len(note) > 200:
        raise DomainError("理由不超过200字。", field="note")
    _no_check_yet(year, quarter)
    day, _created = DisclosureDay.objects.update_or_create(
        year=year, quarter=quarter, defaults={"date": date, "note": note, "set_at": now, "set_by": by})
    return day


@transaction.atomic
def disclosure_day_clear(*, year, quarter, now: dt.datetime, by=None) -> int:
    """The office goes back to the computed day of one quarter; refused once that quarter's check exists."""
    _office(by)
    try:
        year, quarter = int(year), int(quarter)
    except (TypeError, ValueError):
        raise DomainError("请选择年度和季度。", field="quarter") from None
    _no_check_yet(year, quarter)
    return DisclosureDay.objects.filter(year=year, quarter=quarter).delete()[0]


def _no_check_yet(year: int, quarter: int) -> None:
    if DisclosureCheck.objects.filter(year=year, quarter=quarter).exists():
        raise DomainError(f"{year}年第{quarter}季度已进行统一公开日检查，不能再调整公开日。", field="date")


# --------------------------------------------------------------------------------------------- the check
class _Unit:
    __slots__ = ("due", "published", "missing", "stale")

    def __init__(self):
        self.due = self.published = self.missing = self.stale = 0


def _item_verdicts(freq: str, times: list[dt.datetime], *, prev_start: dt.date, next_start: dt.date,
                   day: dt.date, effective: dt.date | None) -> list[tuple[str, str]]:
    """[(verdict, label)] for one item: verdict "published" / "missing" / "stale" per due unit; label names the
    unit (a month) for findings. `times` are local publication times (before the cutoff), sorted."""
    dates = [t.date() for t in times]
    if freq == Frequency.MONTHLY:
        out = []
        for i in range(3):
            lo, hi = _month_start(prev_start, i), _month_start(prev_start, i + 1)
            if effective is not None and effective >= hi:
                continue
            hit = any(lo <= d < hi for d in dates)
            out.append(("published" if hit else "missing", f"{lo.year}年{lo.month}月"))
        return out
    if effective is not None and effective >= next_start:
        return []
    if freq == Frequency.ON_CHANGE:
        return [] if dates else [("missing", "")]
    since = prev_start if freq == Frequency.QUARTERLY else _minus_year(day)
    if any(d >= since for d in dates):
        return [("published", "")]
    return [("stale" if dates else "missing", dates[-1].isoformat() if dates else "")]


def _frequency_text(freq: str) -> str:
    return {Frequency.MONTHLY: "每月", Frequency.QUARTERLY: "每季度", Frequency.YEARLY: "每年",
            Frequency.ON_CHANGE: "变动时"}.get(freq, "")


def _departments_to_check(catalogue_depts: set[int]):
    return list(Department.objects.filter(Q(kind__in=KINDS_THAT_FILE) | Q(pk__in=catalogue_depts), is_active=True)
                .order_by("path"))


@transaction.atomic
def disclosure_check_run(*, date, now: dt.datetime, by=None, rectify_wd=None) -> DisclosureCheck:
    """当日督查: check every catalogue on the disclosure day `date` (the rule in RULES). A draft check of the day
    is rebuilt (re-runnable); a published one is refused. Returns the check with its lines and findings."""
    date = _parse_date(date)
    if not 2000 <= date.year <= 9998:
        raise DomainError("日期超出可检查的年份。", field="date")
    day = day_for_date(date)
    if day is None:
        raise not_a_disclosure_day(date)
    if _local(now).date() < date:
        raise DomainError(f"统一公开日（{_date_text(date)}）尚未到来，不能提前检查。", field="date")
    wd = _parse_wd(rectify_wd)
    check = DisclosureCheck.objects.select_for_update().filter(date=date).first()
    if check is not None and check.status == CheckStatus.PUBLISHED:
        raise DomainError("该统一公开日的检查已通报，不能重新检查。", field="date")
    due_at = rectify_deadline(now, wd)
    if check is None:
        check = DisclosureCheck.objects.create(date=date, year=day.year, quarter=day.quarter, run_at=now, run_by=by,
                                               rectify_wd=wd, rectify_due_at=due_at)
    else:
        check.findings.all().delete()
        check.lines.all().delete()
        check.run_at, check.run_by, check.rectify_wd, check.rectify_due_at = now, by, wd, due_at
        check.save(update_fields=["run_at", "run_by", "rectify_wd", "rectify_due_at"])
    _build(check, now=now)
    return check


def _build(check: DisclosureCheck, *, now: dt.datetime) -> None:
    py, pq = quarter_just_ended(check.year, check.quarter)
    prev_start = _quarter_start(py, pq)
    next_start = _quarter_start(check.year, check.quarter)
    cutoff = min(now, _midnight(check.date + dt.timedelta(days=1)))

    current = {c.department_id: c for c in Catalogue.objects.filter(current=True, status=CatalogueStatus.ACCEPTED)
               .prefetch_related("items")}
    any_catalogue = dict(Catalogue.objects.values("department_id").annotate(first=Min("effective_at"))
                         .values_list("department_id", "first"))
    latest_status = {}
    for dept_id, status in Catalogue.objects.order_by("department_id", "version").values_list("department_id",
                                                                                            "status"):
        latest_status[dept_id] = status
    depts = _departments_to_check(set(any_catalogue))
    times: dict[tuple[int, str], list[dt.datetime]] = defaultdict(list)
    for dept_id, code, at in (DisclosureEntry.objects.filter(
            department_id__in=list(current), published_at__lt=cutoff,
            status__in=(EntryStatus.PUBLISHED, EntryStatus.SUPERSEDED))
            .order_by("published_at").values_list("department_id", "item_code", "published_at")):
        times[(dept_id, code)].append(_local(at))

    lines, pending = [], []  # pending: (line index, [finding kwargs])
    for dept in depts:
        cat = current.get(dept.pk)
        findings = []
        if cat is None:
            status = latest_status.get(dept.pk)
            detail = ("未编制公开目录" if status is None else
                      f"公开目录尚未备案（最新版本状态：{CatalogueStatus(status).label}）")
            lines.append(CheckLine(disclosure_check=check, department=dept, due=1, published=0, missing=1, stale=0,
                                   catalogue_filed=False, catalogue_late=False, compliance=Decimal(0)))
            findings.append({"kind": FindingKind.UNFILED, "item": None, "item_code": "", "item_name": "公开目录",
                             "detail": detail})
            pending.append(findings)
            continue
        first = any_catalogue.get(dept.pk)
        effective = _local(first).date() if first else None
        u = _Unit()
        for item in cat.items.all():
            verdicts = _item_verdicts(item.frequency, times.get((dept.pk, item.code), []), prev_start=prev_start,
                                      next_start=next_start, day=check.date, effective=effective)
            missed = [label for v, label in verdicts if v == "missing"]
            stale = [label for v, label in verdicts if v == "stale"]
            u.due += len(verdicts)
            u.published += sum(1 for v, _label in verdicts if v == "published")
            u.missing += len(missed)
            u.stale += len(stale)
            freq = _frequency_text(item.frequency)
            if missed:
                text = (f"{freq}公开，{'、'.join(missed)}未公开" if item.frequency == Frequency.MONTHLY
                        else f"{freq}公开，从未公开")
                findings.append({"kind": FindingKind.MISSING, "item": item, "item_code": item.code,
                                 "item_name": item.name, "detail": text})
            if stale:
                findings.append({"kind": FindingKind.STALE, "item": item, "item_code": item.code,
                                 "item_name": item.name,
                                 "detail": f"{freq}公开，最近一次公开于{_date_text(dt.date.fromisoformat(stale[0]))}"})
        late = bool(cat.due_at and (cat.filed_at is None or cat.filed_at > cat.due_at))
        compliance = (Decimal(u.published) / Decimal(u.due)).quantize(FOUR, rounding=ROUND_HALF_UP) if u.due else None
        lines.append(CheckLine(disclosure_check=check, department=dept, due=u.due, published=u.published,
                               missing=u.missing, stale=u.stale, catalogue_filed=True, catalogue_late=late,
                               compliance=compliance))
        pending.append(findings)

    CheckLine.objects.bulk_create(lines)
    saved = {ln.department_id: ln for ln in CheckLine.objects.filter(disclosure_check=check)}
    rows, n = [], 0
    for line, findings in zip(lines, pending, strict=True):
        for f in findings:
            n += 1
            rows.append(CheckFinding(disclosure_check=check, line=saved[line.department_id],
                                     number=f"GK{check.date:%Y%m%d}-{n:04d}", department_id=line.department_id,
                                     due_at=check.rectify_due_at, **f))
    CheckFinding.objects.bulk_create(rows)


# ---------------------------------------------------------------------------------------------- publication
def check_totals(check: DisclosureCheck) -> dict:
    """The county's sums over a check's lines (one aggregate query)."""
    from django.db.models import Count, Sum

    t = check.lines.aggregate(due=Sum("due"), published=Sum("published"), missing=Sum("missing"),
                              stale=Sum("stale"), departments=Count("id"))
    t = {k: v or 0 for k, v in t.items()}
    t["compliance"] = (Decimal(t["published"]) / Decimal(t["due"])).quantize(FOUR) if t["due"] else None
    t["pct"] = _pct(t["compliance"])
    return t


def bulletin_text(check: DisclosureCheck, *, now: dt.datetime) -> str:
    """The bulletin's generated Chinese text (paragraphs separated by blank lines): who was complete, who missed
    what, the deadline."""
    lines = list(check.lines.select_related("department").order_by("department__path"))
    findings = defaultdict(list)
    for f in check.findings.order_by("id"):
        findings[f.department_id].append(f)
    t = check_totals(check)
    py, pq = quarter_just_ended(check.year, check.quarter)
    complete = [ln.department.name for ln in lines if ln.catalogue_filed and not findings[ln.department_id]]
    missed = [ln for ln in lines if findings[ln.department_id]]
    paras = [
        f"{_date_text(check.date)}是{check.year}年第{check.quarter}季度统一公开日。按照“当日公开、当日督查、全区通报、"
        f"限期整改”的要求，效能办对全县{t['departments']}个单位{py}年第{pq}季度的政务公开情况进行了检查："
        f"应公开事项{t['due']}项，已公开{t['published']}项，未公开{t['missing']}项，未按期更新{t['stale']}项，"
        f"公开率{_pct(t['compliance'])}。现将检查结果通报如下。",
        f"一、按要求全部公开的单位（{len(complete)}个）：" + ("、".join(complete) if complete else "无") + "。",
        f"二、存在问题的单位（{len(missed)}个）：" + ("无。" if not missed else ""),
    ]
    for i, ln in enumerate(missed, 1):
        fs = findings[ln.department_id]
        what = "；".join(f.detail if f.kind == FindingKind.UNFILED else
                        f"{f.item_name}{f.get_kind_display()}（{f.detail}）" for f in fs)
        extra = "，目录逾期报备" if ln.catalogue_late else ""
        rate = f"公开率{_pct(ln.compliance)}" if ln.catalogue_filed else "目录未报备"
        paras.append(f"{i}. {ln.department.name}（{rate}{extra}）：{what}。")
    late = [ln.department.name for ln in lines if ln.catalogue_late]
    if late:
        paras.append("三、公开目录逾期报备的单位：" + "、".join(late) + "。")
    due = _local(check.rectify_due_at)
    paras.append(f"{'四' if late else '三'}、整改要求：存在问题的单位须于{_date_text(due.date())}"
                 f"{due:%H:%M}前（{check.rectify_wd}个工作日内）完成整改，在政务公开平台补充公开或更新相关信息、"
                 f"报备公开目录；逾期未整改的，按效能监察规则亮牌督办，并在机关效能考核中扣分。")
    return "\n\n".join(paras)


def bulletin_issuer() -> str:
    from xiaoneng.evaluation.services.sanctions import county_short_name

    office = Department.objects.filter(kind=Department.Kind.OFFICE).order_by("path").first()
    return office.name if office else f"{county_short_name()}机关效能建设领导小组办公室"


@transaction.atomic
def disclosure_check_publish(*, check: DisclosureCheck, now: dt.datetime, by=None) -> DisclosureCheck:
    """全区通报、限期整改: publish a draft check as the numbered county-wide bulletin; the rectification deadline
    runs `rectify_wd` working days from now; open findings get it and their clocks start; one reminder card per
    department with misses (its heads are told). A published check is refused."""
    from xiaoneng.evaluation.services.sanctions import county_short_name, series_next

    from ..clocks import CARD_RULE, DISCLOSURE_CLOCKS, KIND

    check = DisclosureCheck.objects.select_for_update().get(pk=check.pk)
    if check.status == CheckStatus.PUBLISHED:
        raise DomainError("该统一公开日的检查已通报。", field="check")
    if not check.lines.exists():
        raise DomainError("该检查没有结果，请先重新检查。", field="check")
    check.rectify_due_at = rectify_deadline(now, check.rectify_wd)
    year = _local(now).year
    check.number = f"{county_short_name()}效办〔{year}〕公开{series_next(SERIES, year)}号"
    check.status, check.published_at, check.published_by = CheckStatus.PUBLISHED, now, by
    check.summary = bulletin_text(check, now=now)
    check.save(update_fields=["rectify_due_at", "number", "status", "published_at", "published_by", "summary"])
    open_findings = list(check.findings.filter(status=FindingStatus.OPEN).order_by("department__path", "id"))
    judge = clocks.judge()
    per_dept: dict[int, list[CheckFinding]] = defaultdict(list)
    for f in open_findings:
        f.due_at = check.rectify_due_at
        f.next_check_at = judge.next_check(DISCLOSURE_CLOCKS.row_of(f), now=now)
        per_dept[f.department_id].append(f)
    CheckFinding.objects.bulk_update(open_findings, ["due_at", "next_check_at"])
    due = _local(check.rectify_due_at)
    for dept_id, fs in per_dept.items():
        names = "、".join(f.item_name for f in fs[:5]) + (f"等{len(fs)}项" if len(fs) > 5 else "")
        basis = (f"{check.number}：{_date_text(check.date)}统一公开日检查发现{len(fs)}个问题（{names}），"
                 f"请于{_date_text(due.date())}{due:%H:%M}前整改。")
        judge.card_raise(KIND, fs[0].pk, rule_code=CARD_RULE, department_id=dept_id, basis=basis[:300],
                         by_id=getattr(by, "pk", None), now=now)
    return check


def findings_clock_checked(*, checks: list[tuple[int, str, dt.datetime | None]]) -> None:
    """Write back what the supervision tick found on rectification clocks (flag, next check): inside the tick's
    transaction, on rows it locked."""
    for pk, flag, next_at in checks:
        CheckFinding.objects.filter(pk=pk).update(flag=flag, next_check_at=next_at)


# ----------------------------------------------------------------------------------------------- the worker
def disclosure_check_due(*, now: dt.datetime, after: dt.time = dt.time(17, 0)) -> DisclosureCheck | None:
    """The worker's job (supervision/schedules.py): when today is a disclosure day, it is past `after` (17:00,
    the day's publishing done) and today has no check yet, run it (a draft for the office to publish). Returns
    the check run, or None. Several workers: the check's date is unique, so only one of them creates it."""
    local = _local(now)
    if local.time() < after:
        return None
    today = local.date()
    if DisclosureCheck.objects.filter(date=today).exists():
        return None
    try:
        if day_for_date(today) is None:
            return None
    except DomainError:  # the calendar lacks the year: nothing to check against (the calendar page says so)
        return None
    try:
        return disclosure_check_run(date=today, now=now)
    except IntegrityError:  # another worker created the day's check at the same moment (date is unique)
        return None
