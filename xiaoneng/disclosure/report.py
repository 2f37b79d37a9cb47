"""The annual disclosure report's tables (政府信息公开工作年度报告, 条例 §50, format of 国办公开办函〔2021〕30号),
computed from the platform's data for one year, per department or county-wide — and the reads of the report
pages (which reports exist, who may read which).

How each figure is counted (the national format leaves the source to each government; these are ours):

- 二 主动公开 — 规章: always 0 (a county and its departments have no power to make 规章; said in a note).
  行政规范性文件: the disclosure entries published under catalogue items of category "legal_basis" (法律法规依据):
  制发 = first versions published in the year whose title does not announce a repeal; 废止 = first versions
  published in the year whose title contains "废止" (a repeal is itself published as a decision, 关于废止……的决定);
  现行有效 = entries in force now (neither corrected nor withdrawn, not a repeal notice) first made public before
  the year's end. 行政许可 本年处理决定数量: cases of licensing items (catalog category "licensing") decided in the
  year (办结 or 不予许可, `completed_at` in the year; a joint case's parent is not counted, its parts are).
  行政处罚 / 行政强制: the service catalogue holds no such items, so 0 with a note. 行政事业性收费: the fees charged
  in the year (case events "fee_charged", by their moment) less those refunded in the year, in 万元 to 4 places.
- 三 申请: by the applicant's kind (InformationRequest.applicant_kind). 本年新收 = received in the year; 上年结转 =
  received before the year and not yet answered (nor withdrawn) when it began; 办理结果 = answered in the year, by
  answer type and reason (a withdrawal counts as 其他处理 · 其他, at the moment of the withdrawal event); 结转下年度
  继续办理 = received by the year's end and still open at its end. So 新收 + 结转 = 办理结果总计 + 结转下年度.
  An answer whose reason is not one of the format's rows is counted under its type's last row, with a note.
- 四 复议、诉讼: RequestReview by the year it was filed; its result as known at the year's end (decided later, or
  not yet: 尚未审结).

A department's report counts that department's own rows (not its sections'); the county-wide report counts
every department's, so the departments' reports add up to the county's. Years run by the county's calendar
(settings.TIME_ZONE).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, Sum
from django.http import Http404

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department
from xiaoneng.accounts.selectors import department_scope_q
from xiaoneng.cases.models import Case, CaseEvent, CaseStatus, EventType

from .models import (
    ANSWER_REASONS,
    AnnualReport,
    AnswerType,
    ApplicantKind,
    Category,
    DisclosureEntry,
    EntryStatus,
    InformationRequest,
    InformationRequestEvent,
    RequestReview,
    RequestStatus,
    ReviewKind,
    ReviewResult,
)

FIRST_YEAR = 2008  # the first year of annual reports (条例 2008); nothing earlier can be asked for
COUNTY = "county"  # the URL scope of the county-wide report (department codes are never this word)
REPORT_READERS = (R.SUPERVISOR, R.LEADER, R.HEAD)  # department reports (heads: their own reach)
COUNTY_READERS = (R.SUPERVISOR, R.LEADER)  # the county-wide report before publication
# Departments that answer requests and publish a report of their own: not internal sections, not villages.
REPORTING_KINDS = (Department.Kind.COUNTY, Department.Kind.BUREAU, Department.Kind.CENTRE, Department.Kind.OFFICE,
                   Department.Kind.TOWNSHIP)

# The applicant columns of table 三, in the format's order, and the last column (总计).
COLUMNS = [ApplicantKind.PERSON, ApplicantKind.ENTERPRISE, ApplicantKind.RESEARCH, ApplicantKind.PUBLIC_INTEREST,
           ApplicantKind.LEGAL_SERVICE, ApplicantKind.OTHER]
COLUMN_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
OUTCOME_HEADS = {
    AnswerType.WITHHELD: "（三）不予公开",
    AnswerType.UNAVAILABLE: "（四）无法提供",
    AnswerType.NOT_PROCESSED: "（五）不予处理",
    AnswerType.OTHER: "（六）其他处理",
}
REVIEW_RESULTS = [ReviewResult.UPHELD, ReviewResult.CORRECTED, ReviewResult.OTHER, ReviewResult.PENDING]
REVIEW_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
REVIEW_GROUPS = [(ReviewKind.REVIEW, "行政复议"), (ReviewKind.LITIGATION_DIRECT, "行政诉讼 · 未经复议直接起诉"),
                 (ReviewKind.LITIGATION_AFTER, "行政诉讼 · 复议后起诉")]
REPEAL_WORD = "废止"


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of `year` in the county's time."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def year_valid(year: int, *, now: dt.datetime) -> bool:
    """A year a report can be asked for: from the first reports (2008) to the current one."""
    return FIRST_YEAR <= year <= now.astimezone(ZoneInfo(settings.TIME_ZONE)).year


def _dept_q(department, field: str) -> Q:
    return Q() if department is None else Q(**{field: department.pk})


# --------------------------------------------------------------------------------------------- table 二
def table_proactive(*, year: int, department=None) -> dict:
    """二 主动公开政府信息情况: normative documents issued / repealed / in force, licensing decisions, penalties
    and compulsory measures (none in this catalogue), fees collected (万元)."""
    start, end = year_bounds(year)
    docs = DisclosureEntry.objects.filter(_dept_q(department, "department_id"), item__category=Category.LEGAL_BASIS)
    firsts = docs.filter(version=1, published_at__gte=start, published_at__lt=end)
    issued = firsts.exclude(title__contains=REPEAL_WORD).count()
    repealed = firsts.filter(title__contains=REPEAL_WORD).count()
    in_force = (docs.filter(status=EntryStatus.PUBLISHED, published_at__lt=end)
                .exclude(title__contains=REPEAL_WORD).count())
    # The category of the item version the case was decided under (the item's current one if none was pinned).
    licensing_q = Q(version__category="licensing") | Q(version__isnull=True,
                                                       service_item__current_version__category="licensing")
    licensing = (Case.objects.filter(licensing_q, _dept_q(department, "department_id"), is_joint_parent=False, completed_at__gte=start, completed_at__lt=end,
                                     status__in=(CaseStatus.COMPLETED, CaseStatus.DENIED, CaseStatus.DELIVERED))
                 .count())
    fee_rows = (CaseEvent.objects.filter(_dept_q(department, "case__department_id"), occurred_at__gte=start,
                                         occurred_at__lt=end, type__in=(EventType.FEE_CHARGED, EventType.FEE_REFUNDED))
                .values("type").annotate(total=Sum("amount")))
    by_type = {r["type"]: r["total"] or Decimal(0) for r in fee_rows}
    yuan = by_type.get(EventType.FEE_CHARGED, Decimal(0)) - by_type.get(EventType.FEE_REFUNDED, Decimal(0))
    wan = (Decimal(yuan) / Decimal(10000)).quantize(Decimal("0.0001"))
    return {
        "documents": [
            {"label": "规章", "issued": 0, "repealed": 0, "in_force": 0},
            {"label": "行政规范性文件", "issued": issued, "repealed": repealed, "in_force": in_force},
        ],
        "decisions": [
            {"label": "行政许可", "count": licensing},
            {"label": "行政处罚", "count": 0},
            {"label": "行政强制", "count": 0},
        ],
        "fees": str(wan),
        "notes": [
            "县级人民政府及其部门无规章制定权，规章一栏为0。",
            "行政规范性文件按“法律法规依据”类公开事项下发布的信息统计；标题含“废止”的计为废止。",
            "本平台事项目录不含行政处罚、行政强制事项，两栏为0，以执法系统统计为准。",
            "行政事业性收费为本年收取金额减去本年退还金额，单位万元。",
        ],
    }


# --------------------------------------------------------------------------------------------- table 三
def _outcome_rows() -> list[tuple[str, str, int]]:
    """(key, label, level) of every row of table 三 in the format's order; level 0 = main row, 1 = sub-heading
    (no numbers of its own), 2 = a reason row."""
    rows = [("new", "一、本年新收政府信息公开申请数量", 0), ("carried_over", "二、上年结转政府信息公开申请数量", 0),
            ("results", "三、本年度办理结果", 0),
            ("disclosed", "（一）予以公开", 1),
            ("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1)]
    for answer_type, head in OUTCOME_HEADS.items():
        rows.append((str(answer_type), head, 1))
        for i, (code, wording) in enumerate(ANSWER_REASONS[answer_type], start=1):
            rows.append((f"{answer_type}:{code}", f"{i}．{wording}", 2))
    rows += [("results_total", "（七）总计", 1), ("carried_forward", "四、结转下年度继续办理", 0)]
    return rows


HEAD_ONLY = {"results", *(str(t) for t in OUTCOME_HEADS)}  # rows without numbers (their reasons carry them)


def _outcome_key(answer_type: str, reason: str, notes: list[str]) -> str:
    if answer_type in (AnswerType.DISCLOSED, AnswerType.PARTIAL):
        return str(answer_type)
    reasons = ANSWER_REASONS.get(answer_type)
    if not reasons:  # answered without a type: counted as "other"
        notes.append("unknown_type")
        return f"{AnswerType.OTHER}:other"
    if reason in {code for code, _w in reasons}:
        return f"{answer_type}:{reason}"
    notes.append("unknown_reason")
    return f"{answer_type}:{reasons[-1][0]}"


def table_requests(*, year: int, department=None) -> dict:
    """三 收到和处理政府信息公开申请情况: rows × applicant kinds (+ 总计)."""
    start, end = year_bounds(year)
    reqs = list(InformationRequest.objects.filter(_dept_q(department, "department_id"), received_at__lt=end)
                .values_list("id", "applicant_kind", "received_at", "answered_at", "status", "answer_type",
                             "answer_reason"))
    withdrawn_ids = [r[0] for r in reqs if r[4] == RequestStatus.WITHDRAWN and r[3] is None]
    withdrawn_at: dict[int, dt.datetime] = {}
    if withdrawn_ids:
        for rid, at in (InformationRequestEvent.objects.filter(request_id__in=withdrawn_ids,
                                                               kind=InformationRequestEvent.Kind.WITHDRAW)
                        .order_by("at").values_list("request_id", "at")):
            withdrawn_at.setdefault(rid, at)
    keys = [k for k, _label, _lvl in _outcome_rows()]
    counts = {k: [0] * len(COLUMNS) for k in keys}
    col = {str(kind): i for i, kind in enumerate(COLUMNS)}
    notes: list[str] = []
    for rid, kind, received_at, answered_at, status, answer_type, reason in reqs:
        c = col.get(kind, col[str(ApplicantKind.OTHER)])
        if answered_at is not None:
            closed, outcome = answered_at, (answer_type, reason)
        elif status == RequestStatus.WITHDRAWN:
            # Withdrawn without an answer: closed at the withdrawal (its event; its receipt if none was kept).
            closed, outcome = withdrawn_at.get(rid, received_at), (answer_type or AnswerType.OTHER,
                                                                   reason or "other")
        else:
            closed, outcome = None, None
        if closed is not None and closed < start:
            continue  # settled before the year began
        counts["new" if received_at >= start else "carried_over"][c] += 1
        if closed is not None and closed < end:
            key = _outcome_key(outcome[0], outcome[1], notes)
            counts[key][c] += 1
            counts["results_total"][c] += 1
        else:
            counts["carried_forward"][c] += 1
    rows = []
    for key, label, level in _outcome_rows():
        values = None if key in HEAD_ONLY else [*counts[key], sum(counts[key])]
        rows.append({"key": key, "label": label, "level": level, "values": values})
    out_notes = []
    if "unknown_reason" in notes:
        out_notes.append(f"{notes.count('unknown_reason')}件答复未注明规定的理由，计入该答复类型的最后一项。")
    if "unknown_type" in notes:
        out_notes.append(f"{notes.count('unknown_type')}件已答复申请未注明答复类型，计入“其他处理 · 其他”。")
    return {"columns": COLUMN_LABELS, "rows": rows, "notes": out_notes}


# --------------------------------------------------------------------------------------------- table 四
def table_reviews(*, year: int, department=None) -> dict:
    """四 政府信息公开行政复议、行政诉讼情况: per group (复议, 直接起诉, 复议后起诉) the results and the total."""
    start, end = year_bounds(year)
    last_day = (end - dt.timedelta(days=1)).date()
    groups = {str(kind): [0] * len(REVIEW_RESULTS) for kind, _l in REVIEW_GROUPS}
    index = {str(r): i for i, r in enumerate(REVIEW_RESULTS)}
    for kind, result, decided_on in (RequestReview.objects.filter(_dept_q(department, "request__department_id"),
                                                                  filed_on__gte=start.date(),
                                                                  filed_on__lt=end.date())
                                     .values_list("kind", "result", "decided_on")):
        if kind not in groups:
            continue
        if result != ReviewResult.PENDING and decided_on is not None and decided_on > last_day:
            result = ReviewResult.PENDING  # decided after the year's end: pending as the year closed
        groups[kind][index.get(result, index[str(ReviewResult.PENDING)])] += 1
    return {"groups": [{"key": str(kind), "label": label, "values": [*groups[str(kind)], sum(groups[str(kind)])]}
                       for kind, label in REVIEW_GROUPS],
            "columns": REVIEW_LABELS}


# --------------------------------------------------------------------------------------------- the whole
def annual_figures(*, year: int, department=None) -> dict:
    """Every table of the report for `year` (department None: county-wide), JSON-ready: what the page, the
    workbook and the PDF print, and what publication freezes into AnnualReport.figures."""
    return {
        "year": year,
        "department": department.code if department is not None else "",
        "department_name": department.name if department is not None else "",
        "proactive": table_proactive(year=year, department=department),
        "requests": table_requests(year=year, department=department),
        "reviews": table_reviews(year=year, department=department),
    }


def tables_equal(a: dict, b: dict) -> bool:
    """Whether two sets of figures print the same tables (publication bookkeeping aside)."""
    keys = ("proactive", "requests", "reviews")
    return all(a.get(k) == b.get(k) for k in keys)


def default_overview(figures: dict, *, issuer: str) -> str:
    """A first draft of 一 总体情况 from the figures, for the office to rewrite."""
    req = {r["key"]: r["values"] for r in figures["requests"]["rows"] if r["values"] is not None}
    rev = figures["reviews"]["groups"]
    lic = figures["proactive"]["decisions"][0]["count"]
    return (f"{figures['year']}年，{issuer}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
            f"推进决策、执行、管理、服务、结果公开。全年主动公开行政许可处理决定{lic}件，"
            f"新收政府信息公开申请{req['new'][-1]}件，上年结转{req['carried_over'][-1]}件，"
            f"办结{req['results_total'][-1]}件，结转下年度继续办理{req['carried_forward'][-1]}件；"
            f"因政府信息公开被申请行政复议{rev[0]['values'][-1]}件、提起行政诉讼{rev[1]['values'][-1] + rev[2]['values'][-1]}件。")


# --------------------------------------------------------------------------------------------- reads
def report_departments_for(user):
    """The departments whose reports `user` may read (reporting kinds only), in tree order."""
    qs = Department.objects.filter(is_active=True, kind__in=REPORTING_KINDS).order_by("path")
    return qs.filter(department_scope_q(user, ""))


def report_scope_get(user, scope: str):
    """The department named by a URL scope (None for "county"), or 404 when the user may not read it —
    another bureau's report answers exactly like an unknown code."""
    if scope == COUNTY:
        if not user.has_any_role(*COUNTY_READERS):
            raise Http404("未找到该年度报告。")
        return None
    dept = report_departments_for(user).filter(code=scope[:32]).first()
    if dept is None:
        raise Http404("未找到该年度报告。")
    return dept


def annual_report_row(*, year: int, department) -> AnnualReport | None:
    return AnnualReport.objects.filter(year=year, department=department).first()


def report_rows_for_year(year: int) -> dict:
    """department id (None for the county) → the AnnualReport row of `year`."""
    return {r.department_id: r for r in AnnualReport.objects.filter(year=year)}


def published_report_get(*, year: int, scope: str) -> AnnualReport:
    """A published report for the public pages (404 when not published or unknown)."""
    q = Q(department__isnull=True) if scope == COUNTY else Q(department__code=scope[:32])
    row = (AnnualReport.objects.select_related("department").filter(q, year=year, published_at__isnull=False)
           .first())
    if row is None:
        raise Http404("该年度报告尚未发布。")
    return row


def published_reports(year: int | None = None):
    qs = AnnualReport.objects.select_related("department").filter(published_at__isnull=False)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "department__path")


def published_years() -> list[int]:
    return sorted(set(AnnualReport.objects.filter(published_at__isnull=False).values_list("year", flat=True)),
                  reverse=True)


def county_issuer() -> str:
    """Who issues the county-wide report: "<county>人民政府" (settings.XIAONENG_COUNTY_NAME)."""
    name = (getattr(settings, "XIAONENG_COUNTY_NAME", "") or "").strip()
    return f"{name}人民政府" if name else "本级人民政府"
