"""/api/v1/complaints: submit complaints from other systems (hotline, 12345 platforms), read their progress,
and the figures the evaluation capability reads.

Authentication: a department system's bearer token or a signed-in staff session. A token sees the complaints
dispatched to its department and those it submitted; staff see what complaints.selectors lets them see.
No answer ever carries the complainant's identity or contact details, nor the tracking code (the
complainant's secret) except in the answer to the submission itself — and to the same token's retry of it with
the same `Idempotency-Key` and content (services.complaint_submit: keys are per submitter).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.auth import token_or_session
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.core.jsonbody import json_loads
from xiaoneng.core.params import Day, Limit, Offset

from . import selectors as S
from . import services
from .intake import IntakeErrors, clean_intake
from .models import STAFF_CHANNELS, Channel, Complaint
from .privacy import redactor_for, redactors_for
from .uploads import clean_uploads

router = Router(tags=["complaints"], auth=token_or_session)

_SUBMIT_SCHEMA = {
    "type": "object",
    "required": ["category", "department", "occurred_on", "facts", "request", "litigation", "identity_mode"],
    "properties": {
        "category": {"type": "string", "description": "投诉类别编码（Open311 service_code，如 TS-CSBL）"},
        "department": {"type": "string", "description": "被投诉单位编码"},
        "window": {"type": "string"}, "staff_name": {"type": "string"}, "case_no": {"type": "string"},
        "occurred_on": {"type": "string", "format": "date"},
        "facts": {"type": "string", "minLength": 10, "maxLength": 5000},
        "request": {"type": "string", "minLength": 2, "maxLength": 1000},
        "litigation": {"type": "string", "enum": ["none", "arbitration", "lawsuit", "reconsideration"]},
        "identity_mode": {"type": "string", "enum": ["real", "confidential", "anonymous"]},
        "name": {"type": "string"}, "phone": {"type": "string"}, "email": {"type": "string"},
        "address": {"type": "string"}, "id_no": {"type": "string"},
        "channel": {"type": "string", "enum": ["api", *[c.value for c in STAFF_CHANNELS]]},
        "urgent": {"type": "boolean"},
        "language": {"type": "string", "enum": [code for code, _label in settings.LANGUAGES],
                     "description": "投诉人使用的语言（告知书、短信、邮件的语言）。仅工作人员会话代投诉人登记时有效，"
                                    "默认 " + settings.LANGUAGE_CODE + "；系统令牌提交时忽略，以请求的 Accept-Language 为准"},
        "attachments": {"type": "array", "maxItems": 5, "items": {"type": "object", "required": ["name", "content_base64"],
                        "properties": {"name": {"type": "string"}, "content_base64": {"type": "string"}}}},
    },
}


class SubmitOut(Schema):
    number: str
    tracking_code: str
    tracking_url: str
    status: str
    acceptance_due_at: dt.datetime | None


class ComplaintOut(Schema):
    number: str
    status: str
    status_label: str
    category: str
    category_name: str
    department: str
    department_name: str
    channel: str
    received_at: dt.datetime
    due_stage: str
    due_at: dt.datetime | None
    flag: str
    facts: str
    request: str
    outcome: str
    replied_at: dt.datetime | None
    rating: str


class ListOut(Schema):
    count: int
    items: list[ComplaintOut]


def complaint_out(c: Complaint, red=None) -> dict:
    """The one shape of a complaint in the API: content as departments see it, never identity. The text is
    masked from what the complainant wrote by `red` (privacy.redactor_for), for every caller: the API never
    answers with the original, which is read on the complaint's page where each view is recorded."""
    red = red or redactor_for(c)
    return {
        "number": c.number, "status": c.status, "status_label": str(c.get_status_display()),
        "category": c.category.code, "category_name": c.category.name, "department": c.department.code,
        "department_name": c.department.name, "channel": c.channel, "received_at": c.received_at,
        "due_stage": c.due_stage, "due_at": c.due_at, "flag": c.flag, "facts": red(c.facts),
        "request": red(c.request), "outcome": c.outcome, "replied_at": c.replied_at, "rating": c.rating,
    }


def _body(request) -> dict:
    try:
        data = json_loads(request.body.decode("utf-8-sig") or "null")
    except (UnicodeDecodeError, ValueError):
        raise DomainError("请求体应为 UTF-8 编码的 JSON 对象。", code="bad_json") from None
    if not isinstance(data, dict):
        raise IntakeErrors({"body": "应为 JSON 对象"})
    return data


def _files(data: dict) -> list:
    raw = data.get("attachments") or []
    if not isinstance(raw, list):
        raise IntakeErrors({"attachments": "应为数组"})
    out = []
    for i, item in enumerate(raw[:20]):
        if not isinstance(item, dict) or not isinstance(item.get("content_base64"), str):
            raise IntakeErrors({"attachments": f"第 {i + 1} 个附件应为 {{name, content_base64}}"})
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise IntakeErrors({"attachments": f"第 {i + 1} 个附件不是有效的 Base64"}) from None
        out.append((str(item.get("name") or f"附件{i + 1}"), content))
    return clean_uploads(out)


def rate_limited_response(exc: services.RateLimited) -> JsonResponse:
    """429 with the message naming the limit, and Retry-After: the seconds until its window ends."""
    response = JsonResponse({**exc.as_dict(), "retry_after": exc.retry_after}, status=429,
                            json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(exc.retry_after)
    return response


@router.post("/complaints", response={201: SubmitOut}, summary="提交投诉",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _SUBMIT_SCHEMA}}}})
def complaint_create(request, response: HttpResponse):
    """Register a complaint. 400 with `errors` (one per bad field) when incomplete; nothing is stored then.

    `Idempotency-Key` (1-64 visible ASCII characters, e.g. a UUID) makes a retried request harmless: the same
    key with the same content from the same token (or staff account) answers the first complaint again, with
    the header `Idempotent-Replayed: true`; the same key with other content is 409 and stores nothing. Keys
    are per token: another system's key never meets yours.
    429 (with Retry-After, in seconds) past the token's quota (setting RATE_PER_TOKEN) or, for a staff
    session, the account's (RATE_PER_STAFF); a replayed request counts as well."""
    data = _body(request)
    now = timezone.now()
    intake = clean_intake(data, today=timezone.localdate(now))
    files = _files(data)
    client = getattr(request, "api_client", None)
    user = request.auth if client is None else None
    channel = str(data.get("channel") or ("hotline" if user else Channel.API))
    if channel not in (Channel.API, *STAFF_CHANNELS):
        raise IntakeErrors({"channel": "来源渠道无效"})
    if user is not None and channel == Channel.API:
        channel = Channel.HOTLINE
    # A staff member entering a complaint on the citizen's behalf says which language the citizen reads; a
    # system's token submits as the complainant's own channel, whose request language decides (unchanged).
    language = data.get("language") if user is not None else None
    try:
        c = services.complaint_submit(
            intake=intake, files=files, channel=channel, now=now, by=user, client=client,
            ip=request.META.get("REMOTE_ADDR"), idempotency_key=request.headers.get("Idempotency-Key") or None,
            urgent=data.get("urgent") is True, language=language)
    except services.RateLimited as exc:
        return rate_limited_response(exc)
    if c.idempotent_replay:
        response["Idempotent-Replayed"] = "true"
    url = request.build_absolute_uri(reverse("complaints:track", args=[c.tracking_code]))
    # Local time, so a replay (read back from the database, in UTC) answers exactly what the first answer said.
    due = timezone.localtime(c.acceptance_due_at) if c.acceptance_due_at else None
    return Status(201, {"number": c.number, "tracking_code": c.tracking_code, "tracking_url": url, "status": c.status,
                        "acceptance_due_at": due})


class ListQuery(Schema):
    status: str = Field("", max_length=16)
    department: str = Field("", max_length=32)
    category: str = Field("", max_length=32)
    limit: Limit = 50
    offset: Offset = 0


def _scope(request):
    client = getattr(request, "api_client", None)
    if client is not None:
        return S.client_scope(client)
    if not S.can_list(request.auth):
        raise NotPermitted()
    return S.complaint_scope(request.auth)


@router.get("/complaints", response=ListOut, summary="投诉列表")
def complaint_list(request, q: Query[ListQuery]):
    qs = S._filter(_scope(request), S.ComplaintFilters(status=q.status, department=q.department,
                                                        category=q.category, order="new"))
    page = list(qs[q.offset:q.offset + q.limit])
    reds = redactors_for(page)
    return {"count": qs.count(), "items": [complaint_out(c, reds.get(c.pk)) for c in page]}


class FiguresQuery(Schema):
    from_: Day | None = Field(None, alias="from")
    to: Day | None = None
    department: str = Field("", max_length=32)


@router.get("/complaints/figures", summary="投诉统计（三率）")
def complaint_figures(request, q: Query[FiguresQuery]):
    """Per department and month: received, accepted, substantiated, replied (on time), ratings and the 三率.
    A department token gets its own department; staff what their role allows."""
    today = timezone.localdate()
    end = q.to or today
    start = q.from_ or end.replace(day=1) - dt.timedelta(days=365)
    if start > end:
        raise DomainError("起始日期不能晚于截止日期。", field="from")
    if (end - start).days > 3700:
        raise DomainError("统计区间最长 10 年。", field="from")
    client = getattr(request, "api_client", None)
    if client is not None:
        if q.department and q.department != client.department.code:
            raise Http404
        dept = client.department
    else:
        user = request.auth
        allowed = S.figures_departments_for(user)
        if not user.has_any_role(R.SUPERVISOR, R.LEADER, R.ADMIN, R.HEAD):
            raise NotPermitted()
        if q.department:
            dept = allowed.filter(code=q.department).first()
            if dept is None:
                raise Http404
        elif user.is_county_wide:
            dept = None
        else:
            dept = user.department
    return S.figures(start=start, end=end, department=dept, now=timezone.now())


@router.get("/complaints/{number}", response=ComplaintOut, summary="投诉详情")
def complaint_detail(request, number: str):
    client = getattr(request, "api_client", None)
    c = S.complaint_get_for_client(client, number) if client is not None else S.complaint_get_for(request.auth, number)
    return complaint_out(c)

