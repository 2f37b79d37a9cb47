"""好差评: the JSON API under /api/v1/ (the contract issue 12 §1 states; the next issues build on it).

Authentication and errors as the rest of the API (accounts.auth.token_or_session, core.api_errors): a
department system's bearer token acts for its own department only (another department's case answers exactly
like an unknown one: 404); a staff session reads what its role reaches (supervisors and leaders every
department, heads and handlers their own) and records ratings for cases it may reach (supervisors; heads and
handlers of the case's department). Every bad input is a 4xx JSON naming the field, in Chinese; nothing stored.

Channels through this API: "api" (the default: the department's own system) or "import" (a department system
forwarding the national 好差评 system's export). "link", "kiosk" and "default" belong to the platform's own
pages and job and are refused here.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.auth import token_or_session
from xiaoneng.cases.models import Case
from xiaoneng.core.errors import DomainError, NotFound, NotPermitted
from xiaoneng.core.jsonbody import json_object
from xiaoneng.core.params import Limit, Offset, parse_moment
from xiaoneng.core.periods import Period, parse_period

from . import selectors as S
from .models import Channel, Rating
from .services.rating import rating_record

router = Router(tags=["好差评"], auth=token_or_session)

API_CHANNELS = (Channel.API, Channel.IMPORT)
BODY_FIELDS = ("case_no", "level", "reasons", "comment", "rated_at", "channel", "rater_name", "rater_phone")

_POST_SCHEMA = {
    "type": "object",
    "required": ["case_no", "level"],
    "properties": {
        "case_no": {"type": "string", "maxLength": 64, "description": "办件编号（本部门已办结的办件）"},
        "level": {"type": "integer", "minimum": 1, "maximum": 5,
                  "description": "5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意"},
        "reasons": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 32},
                    "description": "评价原因编码（须适用于所选等级）"},
        "comment": {"type": "string", "maxLength": 500},
        "rated_at": {"type": "string", "format": "date-time", "description": "评价时间，默认为接收时间"},
        "channel": {"type": "string", "enum": [c.value for c in API_CHANNELS], "description": "默认 api"},
        "rater_name": {"type": "string", "maxLength": 100}, "rater_phone": {"type": "string", "maxLength": 32},
    },
}


class RectificationOut(Schema):
    due_at: dt.datetime
    status: str


class RatingCreated(Schema):
    id: int
    level: int
    rectification: RectificationOut | None


class RatingOut(RatingCreated):
    case_no: str | None
    contact: str | None
    department: str
    department_name: str
    level_label: str
    rated_at: dt.datetime
    reasons: list[str]
    reason_names: list[str]
    comment: str
    channel: str
    defaulted: bool
    voided: bool


class RatingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RatingOut]


def _rect(r: Rating) -> dict | None:
    rect = getattr(r, "rectification", None) if r.level <= 2 else None
    if rect is None:
        return None
    return {"due_at": timezone.localtime(rect.due_at), "status": rect.status}


def rating_out(r: Rating, *, staff=None, names: dict | None = None) -> dict:
    """The one shape of a rating in the API; the comment masked of phones and ID numbers for all but the office."""
    names = names if names is not None else S.reason_names()
    return {
        "id": r.pk, "level": r.level, "rectification": _rect(r),
        "case_no": r.case.case_no if r.case_id else None, "contact": r.contact.number if r.contact_id else None,
        "department": r.department.code, "department_name": r.department.name,
        "level_label": str(r.get_level_display()), "rated_at": timezone.localtime(r.rated_at),
        "reasons": list(r.reasons or []), "reason_names": [names.get(c, c) for c in r.reasons or []],
        "comment": S.comment_for(staff, r), "channel": r.channel, "defaulted": r.defaulted,
        "voided": r.voided_at is not None,
    }


def _reader(request):
    client = getattr(request, "api_client", None)
    return client, (None if client is not None else request.auth)


def _body(request) -> dict:
    return json_object(request, fields=BODY_FIELDS, example='{"case_no": "…", "level": 5}')


def _text(data: dict, key: str, label: str, *, max_len: int, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise DomainError(f"缺少{label}（{key}）。", field=key, code="missing")
        return ""
    if not isinstance(value, str):
        raise DomainError(f"{label}（{key}）应为字符串。", field=key, code="invalid_type")
    value = value.strip()
    if required and not value:
        raise DomainError(f"缺少{label}（{key}）。", field=key, code="missing")
    if len(value) > max_len:
        raise DomainError(f"{label}（{key}）最长 {max_len} 个字符。", field=key, code="too_long")
    return value


def _case_for(client, staff, case_no: str) -> Case:
    qs = Case.objects.filter(case_no=case_no)
    if client is not None:
        case = qs.filter(department_id=client.department_id).first()
    else:
        if not staff.has_any_role(R.SUPERVISOR, R.HEAD, R.HANDLER):
            raise NotPermitted("只有效能监察员和部门承办人、负责人可以登记评价。")
        from xiaoneng.accounts.selectors import department_scope_q

        case = qs.filter(department_scope_q(staff, "department")).first()
    if case is None:
        raise NotFound(f"办件“{case_no[:64]}”不存在或不在您的权限范围内。", field="case_no")
    return case


@router.post("/ratings", response={201: RatingCreated}, summary="登记好差评（部门系统、国家好差评系统数据）",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _POST_SCHEMA}}}})
def rating_create(request):
    """Record the rating of an ended case of the caller's department. 201 with the rating's id, level and (for
    a bad rating) its rectification's due time and status; 409 if the case was rated already (with the first
    rating's date); 404 for a case outside the caller's department; 400/422 naming the field otherwise."""
    client, staff = _reader(request)
    data = _body(request)
    case_no = _text(data, "case_no", "办件编号", max_len=64, required=True)
    if "level" not in data or data["level"] is None:
        raise DomainError("缺少评价等级（level）。", field="level", code="missing")
    channel = data.get("channel") or Channel.API
    if channel not in API_CHANNELS:
        raise DomainError("评价渠道（channel）只能是 api（部门系统）或 import（国家好差评系统导出数据）。", field="channel",
                          code="invalid_channel")
    comment = data.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise DomainError("评价意见（comment）应为字符串。", field="comment", code="invalid_type")
    raw_at = data.get("rated_at")
    if raw_at is not None and not isinstance(raw_at, str):
        raise DomainError("评价时间（rated_at）应为字符串，例如 2026-10-09T09:00:00+08:00。", field="rated_at",
                          code="invalid_type")
    rated_at = parse_moment(raw_at, field="rated_at", assume_tz=False) if raw_at else None
    if rated_at is not None and timezone.is_naive(rated_at):
        raise DomainError("评价时间（rated_at）必须带时区，例如 2026-10-09T09:00:00+08:00。", field="rated_at",
                          code="naive_datetime")
    rater_name = _text(data, "rater_name", "评价人", max_len=100)
    rater_phone = _text(data, "rater_phone", "评价人电话", max_len=32)
    case = _case_for(client, staff, case_no)
    source = client.name if client is not None else f"s:{staff.pk}"
    r = rating_record(case=case, level=data["level"], reasons=data.get("reasons"), comment=comment,
                      channel=channel, rated_at=rated_at, rater_name=rater_name, rater_phone=rater_phone,
                      source=str(source)[:64], now=timezone.now())
    return Status(201, {"id": r.pk, "level": r.level, "rectification": _rect(r)})


class ListQuery(Schema):
    department: str = Field("", max_length=32, description="部门编码（含下属科室）")
    period: str = Field("", max_length=16, description="统计周期：2026-07、2026Q4、2026H2、2026")
    level: int | None = Field(None, ge=1, le=5)
    voided: str = Field("", max_length=3, description="空：有效评价；yes：仅已作废；all：全部")
    limit: Limit = 50
    offset: Offset = 0


def _scope(client, staff):
    if client is not None:
        return S.client_scope(client)
    if not S.can_read(staff):
        raise NotPermitted()
    return S.rating_scope(staff)


@router.get("/ratings", response=RatingPage, summary="好差评列表")
def rating_list(request, q: Query[ListQuery]):
    """Ratings the caller may read, newest first, filtered by department, period, level; paginated."""
    client, staff = _reader(request)
    qs = _scope(client, staff)
    dept = None
    if q.department:
        if client is not None:
            if q.department != client.department.code:
                raise Http404
            dept = client.department
        else:
            dept = S.figures_departments_for(staff).filter(code=q.department).first()
            if dept is None:
                raise NotFound("部门不存在或不在您的权限范围内。", field="department")
    if q.voided not in ("", "yes", "all"):
        raise DomainError("voided 只能为空、yes 或 all。", field="voided")
    period = Period.parse(q.period) if q.period else None
    qs = S.rating_filter(qs, S.RatingFilters(department=dept, period=period, level=q.level, voided=q.voided))
    count = qs.count()
    names = S.reason_names()
    items = [rating_out(r, staff=staff, names=names) for r in qs[q.offset:q.offset + q.limit]]
    return {"count": count, "limit": q.limit, "offset": q.offset, "items": items}


class FiguresQuery(Schema):
    period: str = Field("", max_length=16, description="统计周期：2026-07、2026Q4、2026H2、2026；默认本季度")
    department: str = Field("", max_length=32, description="部门编码；默认调用者可见的全部部门")


@router.get("/ratings/figures", summary="好差评统计（好评率、整改率、回访率）")
def rating_figures(request, q: Query[FiguresQuery]):
    """Per department for the period: ratings, good/neutral/bad, defaulted, voided, complaint follow-up ratings,
    rectifications due/accepted/on time, named bad ratings called back, and the rates with their definitions
    (`definitions`). A token gets its own department; staff what their role reaches."""
    client, staff = _reader(request)
    period = parse_period(q.period, now=timezone.now())
    if client is not None:
        fig = S.figures_for_client(client, period, q.department)
    else:
        if not S.can_read(staff):
            raise NotPermitted()
        fig = S.figures_for(staff, period, q.department)
    fig["start"], fig["end"] = timezone.localtime(fig["start"]), timezone.localtime(fig["end"])
    for row in fig["departments"]:
        row.pop("department_id", None)
    return fig


@router.get("/ratings/{rating_id}", response=RatingOut, summary="好差评详情")
def rating_detail(request, rating_id: str):
    client, staff = _reader(request)
    try:
        r = S.rating_get_for_client(client, rating_id) if client is not None else S.rating_get_for(staff, rating_id)
    except Http404:
        raise NotFound("评价不存在或不在您的权限范围内。") from None
    return rating_out(r, staff=staff)
