"""/api/v1/disclosure/entries: department systems publish disclosure entries; anyone reads the published ones.

`POST /api/v1/disclosure/entries` — a department system's bearer token only (its own department). Staff sessions
are refused (403): staff publish on the entry page, where the department, the item list and the attachment are
at hand; the API is for systems that publish automatically (a finance system's monthly statement). Body:
{"item", "title", "body", "published_at", optional "table" (rows of strings) and "external_id"} → 201
{"number", "url", "version"}. With `external_id` the call is idempotent: the same body again answers 200 with the
same number; a different body under the same id answers 409 (correct it on the page, or send a new id). An item
code that is not in the department's current catalogue — another department's included — answers 404 exactly
as an unknown one. Bad fields answer 400 naming the field in Chinese; nothing is stored.

`GET /api/v1/disclosure/entries?department=&item=&since=&limit=&offset=` — public (no credentials): published
entries of departments whose catalogue is public, newest first, paged.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from xiaoneng.accounts.auth import token_or_session
from xiaoneng.core.errors import Conflict, DomainError, NotPermitted
from xiaoneng.core.jsonbody import json_object
from xiaoneng.core.params import Limit, Moment, Offset, parse_moment

from . import selectors_catalogue as S
from .models import DisclosureEntry
from .services.entries import clean_table, entry_publish

router = Router(tags=["政务公开"])

BODY_FIELDS = ("item", "title", "body", "published_at", "table", "external_id")
_POST_SCHEMA = {
    "type": "object",
    "required": ["item", "title", "published_at"],
    "properties": {
        "item": {"type": "string", "maxLength": 32, "description": "公开事项编码（本单位现行公开目录中的事项，例如 CZSZ）"},
        "title": {"type": "string", "maxLength": 200},
        "body": {"type": "string", "maxLength": 50000, "description": "正文（正文和表格至少一项）"},
        "published_at": {"type": "string", "format": "date-time", "example": "2026-10-09T09:00:00+08:00",
                         "description": "公开时间，带时区；不晚于当前时间一分钟，不早于 2000 年"},
        "table": {"type": "array", "maxItems": 200, "description": "表格：行的数组，第一行为表头；每行最多 20 个单元格字符串，每格最多 500 字",
                  "items": {"type": "array", "maxItems": 20, "items": {"type": "string", "maxLength": 500}}},
        "external_id": {"type": "string", "maxLength": 64,
                        "description": "部门系统自己的编号：同一编号重发相同内容返回原结果（200），内容不同返回 409"},
    },
    "additionalProperties": False,
}


class EntryCreated(Schema):
    number: str
    url: str
    version: int


class EntryOut(Schema):
    number: str
    department: str
    department_name: str
    item: str
    item_name: str
    title: str
    published_at: dt.datetime
    version: int
    url: str


class EntryPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EntryOut]


def _body(request) -> dict:
    return json_object(request, fields=BODY_FIELDS, example='{"item": "CZSZ", "title": "…"}')


def _text(data: dict, key: str, label: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise DomainError(f"缺少{label}（{key}）。", field=key, code="missing")
        return ""
    if not isinstance(value, str):
        raise DomainError(f"{label}（{key}）应为字符串。", field=key, code="invalid_type")
    return value


def _url(request, number: str) -> str:
    return request.build_absolute_uri(reverse("disclosure:public_entry", args=[number]))


def _same(e: DisclosureEntry, *, item: str, title: str, body: str, table: list, published_at: dt.datetime) -> bool:
    return (e.item_code == item and e.title == title and e.body == body and (e.table or []) == table
            and e.published_at == published_at)


@router.post("/disclosure/entries", auth=token_or_session, response={200: EntryCreated, 201: EntryCreated},
             summary="发布公开信息（部门系统）", url_name="disclosure_entry_create",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _POST_SCHEMA}}}})
def entry_create(request):
    """Publish one entry against the token's department's current catalogue (see the module docstring)."""
    client = getattr(request, "api_client", None)
    if client is None:
        raise NotPermitted("该接口只接受部门系统令牌（Authorization: Bearer <令牌>）；工作人员请在“发布公开信息”页面发布。")
    data = _body(request)
    item = _text(data, "item", "公开事项编码", required=True).strip().upper()
    title = _text(data, "title", "标题", required=True).strip()
    body = _text(data, "body", "正文").strip()
    external_id = _text(data, "external_id", "外部编号").strip()
    raw_at = _text(data, "published_at", "公开时间", required=True)
    published_at = parse_moment(raw_at, field="published_at", assume_tz=False)
    if published_at is None:
        raise DomainError("缺少公开时间（published_at）。", field="published_at", code="missing")
    if timezone.is_naive(published_at):
        raise DomainError("公开时间（published_at）必须带时区，例如 2026-10-09T09:00:00+08:00。", field="published_at",
                          code="naive_datetime")
    table = clean_table(data.get("table"))
    dept = client.department
    if external_id:
        prior = DisclosureEntry.objects.filter(department=dept, external_id=external_id).first()
        if prior is not None:
            if _same(prior, item=item, title=title, body=body, table=table, published_at=published_at):
                return Status(200, {"number": prior.number, "url": _url(request, prior.number),
                                    "version": prior.version})
            raise Conflict(f"外部编号“{external_id}”已用于 {prior.number}，内容不同：如需更正请在页面上更正，或使用新的编号。",
                           field="external_id", code="conflict")
    e = entry_publish(department=dept, item_code=item, title=title, body=body, table=table,
                      published_at=published_at, client=client, external_id=external_id, now=timezone.now())
    return Status(201, {"number": e.number, "url": _url(request, e.number), "version": e.version})


class ListQuery(Schema):
    department: str = Field("", max_length=32, description="单位编码")
    item: str = Field("", max_length=32, description="公开事项编码")
    since: Moment | None = Field(None, description="只列出此时间之后公开的信息，例如 2026-10-01 或 2026-10-01T00:00:00+08:00")
    limit: Limit = 50
    offset: Offset = 0


@router.get("/disclosure/entries", auth=None, response=EntryPage, summary="已公开的政务公开信息（公开）",
            url_name="disclosure_entry_list")
def entry_list(request, q: Query[ListQuery]):
    """Published entries, newest first; filters by department code, item code and `since`; paged."""
    qs = S.public_entries()
    if q.department:
        qs = qs.filter(department__code=q.department)
    if q.item:
        qs = qs.filter(item_code=q.item.strip().upper())
    if q.since is not None:
        since = timezone.make_aware(q.since) if timezone.is_naive(q.since) else q.since
        qs = qs.filter(published_at__gt=since)
    count = qs.count()
    rows = list(qs.order_by("-published_at", "-id")[q.offset: q.offset + q.limit])
    return {"count": count, "limit": q.limit, "offset": q.offset, "items": [{
        "number": e.number, "department": e.department.code, "department_name": e.department.name,
        "item": e.item_code, "item_name": e.item.name, "title": e.title, "published_at": timezone.localtime(e.published_at),
        "version": e.version, "url": _url(request, e.number)} for e in rows]}
