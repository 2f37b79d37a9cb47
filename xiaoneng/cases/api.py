"""/api/v1/case-events and /api/v1/cases: department systems push events and read their cases.

Authentication: a department system's bearer token (its own department only) or a signed-in staff
session (accounts scoping). Out-of-scope cases answer 404, exactly like unknown ones.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Literal

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from xiaoneng.accounts.auth import token_or_session
from xiaoneng.core import clocks
from xiaoneng.core.errors import DomainError, NotFound
from xiaoneng.core.jsonbody import json_loads
from xiaoneng.core.params import Day, Offset

from .ingest import MAX_BATCH, case_events_ingest
from .models import Case, CaseStatus, Channel, EventType
from .privacy import applicant_view, can_see_personal_data
from .selectors import CaseFilters, case_get_for, case_get_for_client, case_list_for, case_list_for_client

router = Router(tags=["cases"], auth=token_or_session)

MAX_LIMIT = 200


class PayloadTooLarge(DomainError):
    status = 413


class IngestError(Schema):
    index: int
    event_id: str | None
    error: str


class IngestOut(Schema):
    accepted: int
    duplicates: int
    errors: list[IngestError]


_EVENT_SCHEMA = {
    "type": "object",
    "required": ["event_id", "case_no", "service_code", "type", "occurred_at"],
    "properties": {
        "event_id": {"type": "string", "maxLength": 100,
                     "description": "同一部门同一来源系统内唯一（与令牌无关：轮换令牌后重发也不会重复计入）；重发安全"},
        "case_no": {"type": "string", "maxLength": 64},
        "service_code": {"type": "string", "maxLength": 64},
        "type": {"type": "string", "enum": list(EventType.values),
                 "description": "事件类型；extended = 经本行政机关负责人批准延长审查期限（行政许可法第四十二条）"},
        "occurred_at": {"type": "string", "format": "date-time", "example": "2026-11-23T09:30:00+08:00"},
        "step": {"type": "string", "description": "环节（step_completed 必填）"},
        "handler": {"type": "string", "maxLength": 100,
                    "description": "承办人姓名：与本部门（含下属科室）工作人员姓名唯一对应时，办件的承办人账号随之确定"},
        "reason": {"type": "string", "maxLength": 2000,
                   "description": "理由：suspended（特别程序）和 extended（延长审查期限，将告知申请人）必填；"
                                  "refused / denied 应当说明理由"},
        "applicant": {"type": "object", "properties": {"name": {"type": "string"}, "id_no": {"type": "string"},
                                                       "phone": {"type": "string"}}},
        "missing_materials": {"type": "array", "items": {"type": "string"}},
        "fee_item": {"type": "string"}, "amount": {"type": "number", "minimum": 0},
        "granted_days": {"type": "integer", "minimum": 0,
                         "description": "批准天数：suspended 为特别程序批准的天数；extended 为行政许可法第四十二条"
                                        "延长的工作日数，必填，1—10，只顺延法定期限（承诺期限不变），"
                                        "须在法定期限届满前批准，同一办件累计不超过 10"},
        "parent_case_no": {"type": "string", "maxLength": 64,
                           "description": "联办主件编号：只能是本部门（令牌所属部门；工作人员为本部门及下属单位）已设立的"
                                          "联办主件，或同一批事件中设立的联办主件"},
        "is_joint_parent": {"type": "boolean",
                            "description": "本办件为联办主件（并联审批的牵头办件，适用联办时限）：只能在办件首次登记的"
                                           "那批事件中设立；被同批子件引用为 parent_case_no 的新办件亦然。"
                                           "已登记的办件不能再改为联办主件"},
    },
    "additionalProperties": {"description": "其他字段原样存档（不参与计算），合计不超过上限（默认 4096 字节，"
                                            "平台可调整）、嵌套不超过 16 层，超出的事件逐条报错"},
}


def _parse_body(request) -> list:
    try:
        body = request.body
    except RequestDataTooBig:
        raise PayloadTooLarge("请求体过大，请分批提交（每批最多 10,000 个事件）。", code="payload_too_large") from None
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("请求体不是 UTF-8 编码。", code="bad_encoding") from None
    ctype = (request.content_type or "").lower()
    stripped = text.lstrip()
    if not stripped:
        raise DomainError("请求体为空：应为 JSON 数组或 JSON Lines（每行一个事件）。", code="empty_body")
    ndjson = ctype in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json-seq") \
        or (not stripped.startswith("[") and "\n" in stripped.strip())
    if ndjson:
        events = []
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                events.append(json_loads(line, row=lineno))
            except json.JSONDecodeError as exc:
                raise DomainError(f"第 {lineno} 行不是有效的 JSON：{exc.msg}（第 {exc.colno} 列）。",
                                  row=lineno, code="malformed_json") from None
            if len(events) > MAX_BATCH:
                raise PayloadTooLarge(f"一次最多提交 {MAX_BATCH} 个事件，请分批提交。", code="batch_too_large")
        return events
    try:
        data = json_loads(text)
    except json.JSONDecodeError as exc:
        raise DomainError(f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}。", row=exc.lineno,
                          code="malformed_json") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise DomainError("请求体应为事件组成的 JSON 数组，或 JSON Lines。", code="not_a_list")
    if len(data) > MAX_BATCH:
        raise PayloadTooLarge(f"一次最多提交 {MAX_BATCH} 个事件，本次 {len(data)} 个，请分批提交。",
                              code="batch_too_large")
    return data


@router.post(
    "/case-events", response=IngestOut, summary="推送办件事件（JSON 数组或 JSON Lines）",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"type": "array", "items": _EVENT_SCHEMA, "maxItems": MAX_BATCH}},
        "application/x-ndjson": {"schema": {"type": "string", "description": "每行一个事件 JSON 对象"}},
    }}},
)
def case_events_post(request):
    """A department system pushes events of its own department's cases. Each bad event is reported with
    its `index` and the reason, and applies nothing; the good ones are applied. Re-sent events (same
    `event_id` from any token of the same department and source system) count as `duplicates`. The answer
    comes after the batch is committed; 409 when a new case number was taken by another batch at the same
    instant (nothing written)."""
    events = _parse_body(request)
    client = getattr(request, "api_client", None)
    by = None if client is not None else request.auth
    result = case_events_ingest(events=events, client=client, by=by, channel=Channel.API, now=timezone.now())
    return result.as_dict()


class WarningOut(Schema):
    rule: str
    level: str
    issued_at: dt.datetime | None = None
    status: str


class ApplicantOut(Schema):
    name: str
    id_no: str
    phone: str
    masked: bool


class CaseOut(Schema):
    case_no: str
    query_code: str = Field(description="查询码：印在回执和告知书上，公众凭办件编号和查询码查询办理进度")
    status: str
    status_label: str
    service: dict
    department: dict
    channel: str
    applicant: ApplicantOut
    received_at: dt.datetime | None
    accepted_at: dt.datetime | None
    deemed_accepted: bool
    completed_at: dt.datetime | None
    delivered_at: dt.datetime | None
    committed_deadline: dt.datetime | None
    statutory_deadline: dt.datetime | None = Field(None, description="法定期限，含特别程序顺延和第四十二条延长")
    extended_days: int = Field(0, description="行政许可法第四十二条延长、已计入法定期限的工作日数")
    deemed_approved_at: dt.datetime | None = Field(None, description="超时默许：法定期限届满未作决定、视为准予许可的时刻")
    handler: str = Field("", description="承办人（对应的工作人员姓名；未能对应时为部门系统报送的姓名）")
    deadlines_provisional: bool
    clock_error: str
    suspended_working_days: int
    granted_days: int
    current_step: str
    current_step_due_at: dt.datetime | None
    on_time: str | None = Field(None, description="early | on_time | overdue，办结时冻结")
    on_time_working_days: int
    on_time_hours: Decimal
    statutory_overdue: bool
    fees_total: Decimal
    notices_count: int
    events_count: int
    last_event_at: dt.datetime | None
    parent_case_no: str | None
    warnings: list[WarningOut]


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseOut]


def case_data(case: Case, *, clear: bool, warnings: list[dict]) -> dict:
    return {
        "case_no": case.case_no, "query_code": case.query_code, "status": case.status, "status_label": str(case.get_status_display()),
        "service": {"code": case.service_item.code, "name": case.version.name if case.version_id else "",
                    "version": case.version.number if case.version_id else None},
        "department": {"code": case.department.code, "name": case.department.name},
        "channel": case.channel, "applicant": applicant_view(case, clear=clear),
        "received_at": case.received_at, "accepted_at": case.accepted_at, "deemed_accepted": case.deemed_accepted,
        "completed_at": case.completed_at, "delivered_at": case.delivered_at,
        "committed_deadline": case.committed_deadline, "statutory_deadline": case.statutory_deadline,
        "extended_days": sum(int(p.get("counted") or 0) for p in case.suspensions or () if p.get("kind") == "extension"),
        "deemed_approved_at": case.deemed_approved_at,
        "handler": case.handler.display_name if case.handler_id else case.handler_name,
        "deadlines_provisional": case.deadlines_provisional, "clock_error": case.clock_error,
        "suspended_working_days": case.suspended_working_days, "granted_days": case.granted_days,
        "current_step": case.current_step, "current_step_due_at": case.current_step_due_at,
        "on_time": case.verdict or None, "on_time_working_days": case.verdict_working_days,
        "on_time_hours": case.verdict_hours, "statutory_overdue": case.statutory_overdue,
        "fees_total": case.fees_total, "notices_count": case.notices_count, "events_count": case.events_count,
        "last_event_at": case.last_event_at,
        "parent_case_no": case.parent.case_no if case.parent_id else None,
        "warnings": warnings,
    }


def _reader(request):
    client = getattr(request, "api_client", None)
    return client, (None if client is not None else request.auth)


class CaseQuery(Schema):
    department: str | None = Field(None, max_length=32, description="部门编码（含下属科室）")
    status: Literal[tuple(CaseStatus.values)] | None = None  # type: ignore[valid-type]
    service_code: str | None = Field(None, max_length=64)
    received_from: Day | None = None
    received_to: Day | None = None
    overdue: bool | None = None
    limit: int = Field(50, description="每页条数（超出 1—200 时取最近的界限）")
    offset: Offset = 0


@router.get("/cases", response=CasePage, summary="办件列表")
def case_list(request, q: Query[CaseQuery]):
    """Cases the caller may see (a token: its department's; staff: their scope), filtered by `department`,
    `status`, `service_code`, `received_from`/`received_to` (dates), `overdue`; paginated (limit ≤ 200)."""
    client, staff = _reader(request)
    now = timezone.now()
    f = CaseFilters(department=q.department, status=q.status, service_code=q.service_code,
                    received_from=q.received_from, received_to=q.received_to, overdue=q.overdue)
    qs = case_list_for_client(client, f, now=now) if client else case_list_for(staff, f, now=now)
    qs = qs.select_related("parent")
    limit = min(max(q.limit, 1), MAX_LIMIT)
    offset = max(q.offset, 0)
    count = qs.count()
    cases = list(qs[offset : offset + limit])
    warnings = clocks.judge().cards_of("case", [c.id for c in cases])
    items = [case_data(c, clear=can_see_personal_data(case=c, staff=staff, client=client), warnings=warnings[c.id])
             for c in cases]
    return {"count": count, "limit": limit, "offset": offset, "items": items}


@router.get("/cases/{case_no}", response=CaseOut, summary="办件详情（状态、期限、办结评价、预警）")
def case_detail(request, case_no: str):
    """One case: status, service, department, times, committed and statutory deadlines, suspended working
    days, the frozen on-time verdict and the case's warnings. 404 outside the caller's scope."""
    client, staff = _reader(request)
    try:
        case = case_get_for_client(client, case_no) if client else case_get_for(staff, case_no)
    except Http404 as exc:
        raise NotFound(f"办件“{case_no[:64]}”不存在或不在您的权限范围内。") from exc
    warnings = clocks.judge().cards_of("case", [case.id]).get(case.id, [])
    return case_data(case, clear=can_see_personal_data(case=case, staff=staff, client=client), warnings=warnings)
