"""Information requests (依申请公开) in the JSON API: `POST /api/v1/information-requests` for a department system
(its bearer token: the receiving department's own system — an online portal or a hall terminal — registers the
requests it received) and `GET /api/v1/information-requests/{number}` for that department's token (another
department's number answers exactly like an unknown one: 404). Staff sessions read through the pages; on this
router they are refused (403), so the applicant's identity leaves the platform only to the department's own
system. Bad input is a 400 naming the field in Chinese; nothing stored. Mounted by disclosure/api.py's requests
block."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from xiaoneng.accounts.auth import token_or_session
from xiaoneng.core.errors import DomainError, NotFound, NotPermitted
from xiaoneng.core.jsonbody import json_object
from xiaoneng.core.params import parse_moment

from .models import InformationRequest, RequestChannel
from .services import requests as svc

router = Router(tags=["依申请公开"], auth=token_or_session)

TEXT_FIELDS = {"applicant_kind": ("申请人类型", 16), "applicant_name": ("申请人姓名或名称", 100),
               "organisation_code": ("统一社会信用代码", 32), "id_number": ("身份证件号码", 32),
               "phone": ("联系电话", 32), "email": ("电子邮箱", 120), "address": ("通信地址", 200),
               "description": ("所需政府信息的描述", svc.DESCRIPTION_MAX), "purpose": ("用途", 200),
               "delivery": ("获取信息的方式", 16), "channel": ("申请方式", 8), "department": ("答复机关编码", 32)}

_SCHEMA = {
    "type": "object",
    "required": ["applicant_kind", "applicant_name", "description"],
    "properties": {
        "department": {"type": "string", "maxLength": 32, "description": "答复机关编码（默认为令牌所属部门，只能是本部门）"},
        "channel": {"type": "string", "enum": list(RequestChannel.values), "description": "申请方式，默认 online"},
        "received_at": {"type": "string", "format": "date-time",
                        "description": "收到申请时间（非网上申请必填：信函为签收时间，传真、电子邮件为双方确认时间）"},
        "applicant_kind": {"type": "string", "enum": ["person", "enterprise", "research", "public_interest",
                                                      "legal_service", "other"]},
        "applicant_name": {"type": "string", "maxLength": 100},
        "organisation_code": {"type": "string", "maxLength": 32, "description": "法人或其他组织必填"},
        "id_number": {"type": "string", "maxLength": 32},
        "phone": {"type": "string", "maxLength": 32}, "email": {"type": "string", "maxLength": 120},
        "address": {"type": "string", "maxLength": 200},
        "description": {"type": "string", "maxLength": svc.DESCRIPTION_MAX},
        "purpose": {"type": "string", "maxLength": 200},
        "delivery": {"type": "string", "enum": [c for c, _label in svc.DELIVERY]},
    },
}


class CreatedOut(Schema):
    number: str
    due_at: dt.datetime
    tracking_code: str


class EventOut(Schema):
    kind: str
    kind_label: str
    at: dt.datetime
    note: str


class RequestOut(Schema):
    number: str
    department: str
    department_name: str
    channel: str
    status: str
    status_label: str
    received_at: dt.datetime
    due_at: dt.datetime
    limit_wd: int
    extension_wd: int
    paused_wd: int
    flag: str
    applicant_kind: str
    applicant_name: str
    organisation_code: str
    id_number: str
    phone: str
    email: str
    address: str
    description: str
    answer_type: str
    answer_reason: str
    answer_text: str
    answered_at: dt.datetime | None
    on_time: bool | None
    events: list[EventOut]


def _client(request):
    client = getattr(request, "api_client", None)
    if client is None:
        raise NotPermitted("依申请公开接口供部门系统使用（Authorization: Bearer <令牌>）；工作人员请使用办理台页面。")
    return client


def _body(request) -> dict:
    return json_object(request)


def _str(data: dict, key: str) -> str:
    value = data.get(key)
    label, limit = TEXT_FIELDS[key]
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DomainError(f"{label}（{key}）应为字符串。", field=key, code="invalid_type")
    if len(value) > limit:
        raise DomainError(f"{label}（{key}）不能超过 {limit} 个字。", field=key)
    return value


@router.post("/information-requests", response={201: CreatedOut}, summary="登记政府信息公开申请（部门系统）",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _SCHEMA}}}})
def information_request_create(request, response: HttpResponse):
    """Register a request the caller's department received. 201 with its number, due time and tracking code.
    `Idempotency-Key` (1-64 visible ASCII characters): the same key with the same content answers the first
    request again; with other content 409, nothing stored."""
    client = _client(request)
    data = _body(request)
    dept = _str(data, "department") or client.department.code
    channel = _str(data, "channel") or RequestChannel.ONLINE
    raw_at = data.get("received_at")
    if raw_at is not None and not isinstance(raw_at, str):
        raise DomainError("收到申请时间（received_at）应为字符串，例如 2026-10-09T09:00:00+08:00。",
                          field="received_at", code="invalid_type")
    received_at = parse_moment(raw_at, field="received_at", assume_tz=False) if raw_at else None
    if received_at is not None and timezone.is_naive(received_at):
        raise DomainError("收到申请时间（received_at）必须带时区，例如 2026-10-09T09:00:00+08:00。",
                          field="received_at", code="naive_datetime")
    if channel == RequestChannel.ONLINE and received_at is not None:
        raise DomainError("网上申请以系统确认之日为收到申请之日，不填写 received_at。", field="received_at")
    req = svc.information_request_submit(
        department=dept, channel=channel, client=client, now=timezone.now(), received_at=received_at,
        idempotency_key=request.headers.get("Idempotency-Key") or "",
        **{k: _str(data, k) for k in ("applicant_kind", "applicant_name", "organisation_code", "id_number", "phone",
                                       "email", "address", "description", "purpose", "delivery")})
    return Status(201, {"number": req.number, "due_at": timezone.localtime(req.due_at),
                        "tracking_code": req.tracking_code})


@router.get("/information-requests/{number}", response=RequestOut, summary="查询本部门的政府信息公开申请")
def information_request_get(request, number: str):
    """One request of the caller's department: status, deadline, applicant, answer and the record."""
    client = _client(request)
    req = (InformationRequest.objects.select_related("department")
           .filter(number=svc.number_normalise(number), department_id=client.department_id).first())
    if req is None:
        raise NotFound("申请不存在或不属于本部门。", field="number")
    events = [{"kind": e.kind, "kind_label": str(e.get_kind_display()), "at": timezone.localtime(e.at),
               "note": e.note} for e in req.events.all()]
    return {
        "number": req.number, "department": req.department.code, "department_name": req.department.name,
        "channel": req.channel, "status": req.status, "status_label": str(req.get_status_display()),
        "received_at": timezone.localtime(req.received_at), "due_at": timezone.localtime(req.due_at),
        "limit_wd": req.limit_wd, "extension_wd": req.extension_wd, "paused_wd": req.paused_wd, "flag": req.flag,
        "applicant_kind": req.applicant_kind, "applicant_name": req.applicant_name,
        "organisation_code": req.organisation_code, "id_number": req.id_number, "phone": req.phone,
        "email": req.email, "address": req.address, "description": req.description,
        "answer_type": req.answer_type, "answer_reason": req.answer_reason, "answer_text": req.answer_text,
        "answered_at": timezone.localtime(req.answered_at) if req.answered_at else None, "on_time": req.on_time,
        "events": events,
    }

