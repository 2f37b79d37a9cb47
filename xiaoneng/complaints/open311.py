"""Open311 GeoReport v2 for complaints: complaint categories as services, and service requests.

- `GET services.json` lists the catalogue's service items (catalog.open311, unchanged) followed by the complaint
  categories (service_code = category code, e.g. "TS-CSBL"; group "效能投诉"). This router is mounted before the
  catalogue's on the same NinjaAPI (config/api.py), so its services.json and services/{code}.json answer first
  and delegate everything that is not a complaint category to the catalogue's functions.
- `POST requests.json` (form-encoded or JSON, `api_key` = a department system's token in the body, or a bearer
  header) registers a complaint through the same validator and service as every other channel. An `api_key` in
  the query string is refused (400) and not used: addresses land in access logs, proxies and browser histories.
  `Idempotency-Key` is per token, as on /api/v1/complaints; 429 answers carry Retry-After.
- `GET requests.json` / `requests/{id}.json` are public: status, category, department and dates only. The
  description is given only for complaints whose reply the office published, masked; never any identity.
  `media_url` is the public address of an image of the complainant's that the office published (EXIF-free,
  views.public_media), else null; a `media_url` given on POST is stored for the office only, never echoed.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from xiaoneng.accounts.selectors import api_client_by_token
from xiaoneng.catalog import open311 as catalog_open311
from xiaoneng.core.errors import DomainError
from xiaoneng.core.jsonbody import json_loads
from xiaoneng.core.params import parse_moment

from . import services
from .intake import FIELD_LABELS, IntakeErrors, clean_intake, department_choices
from .models import (
    ANSWERED_STATUSES,
    OPEN_STATUSES,
    Attachment,
    Channel,
    Complaint,
    ComplaintCategory,
    IdentityMode,
    Litigation,
)
from .privacy import Redactor, mask_personal_data, redactors_for
from .uploads import PUBLIC_IMAGE_TYPES

router = Router(tags=["open311"])
GROUP = "效能投诉"
PREFIX = "TS-"
MAX_PAGE = 200


def _service(cat: ComplaintCategory) -> dict:
    return {"service_code": cat.code, "service_name": cat.name, "description": cat.description or cat.name,
            "metadata": True, "type": "batch", "keywords": f"效能投诉,{cat.name}", "group": GROUP}


def _attributes() -> list[dict]:
    depts = [{"key": d.code, "name": d.name} for d in department_choices().only("code", "name")]

    def attr(order, code, datatype, required, description, values=None):
        a = {"variable": True, "code": code, "datatype": datatype, "required": required,
             "datatype_description": description, "order": order, "description": FIELD_LABELS.get(code, code)}
        if values is not None:
            a["values"] = values
        return a

    return [
        attr(1, "department", "singlevaluelist", True, "被投诉单位", depts),
        attr(2, "occurred_on", "datetime", True, "发生日期 YYYY-MM-DD"),
        attr(3, "request", "text", True, "投诉人的诉求"),
        attr(4, "litigation", "singlevaluelist", True, "是否已申请仲裁、提起诉讼或行政复议",
             [{"key": k, "name": str(n)} for k, n in Litigation.choices]),
        attr(5, "identity_mode", "singlevaluelist", False, "实名、实名保密（默认，有姓名时）或匿名",
             [{"key": k, "name": str(n)} for k, n in IdentityMode.choices]),
        attr(6, "window", "string", False, "窗口"),
        attr(7, "staff_name", "string", False, "被投诉人员姓名或工号"),
        attr(8, "case_no", "string", False, "办件编号"),
    ]


@router.get("/services.json", summary="GeoReport v2 service list (service items and complaint categories)")
def services_list(request, jurisdiction_id: str | None = None):
    items = catalog_open311.services(request, jurisdiction_id)
    return [*items, *(_service(c) for c in ComplaintCategory.objects.filter(is_active=True))]


@router.get("/services/{code}.json", summary="GeoReport v2 service definition")
def service_definition(request, code: str, jurisdiction_id: str | None = None):
    if not code.startswith(PREFIX):
        return catalog_open311.service_definition(request, code, jurisdiction_id)
    cat = ComplaintCategory.objects.filter(code=code, is_active=True).first()
    if cat is None:
        return _error(404, f"服务“{code[:40]}”不存在或已停用。")
    return {"service_code": cat.code, "attributes": _attributes()}


def _error(status: int, *descriptions: str, fields: list[str | None] | None = None) -> JsonResponse:
    fields = fields or [None] * len(descriptions)
    body = [{"code": status, "description": d, **({"field": f} if f else {})} for d, f in zip(descriptions, fields,
                                                                                               strict=True)]
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _params(request) -> dict:
    ctype = (request.content_type or "").lower()
    if "json" in ctype:
        try:
            data = json_loads(request.body.decode("utf-8-sig") or "{}")
        except (UnicodeDecodeError, ValueError):
            raise DomainError("请求体不是有效的 JSON。", code="bad_json") from None
        if not isinstance(data, dict):
            raise DomainError("请求体应为 JSON 对象。", code="bad_json")
        attrs = data.get("attribute") if isinstance(data.get("attribute"), dict) else {}
        flat = {k: v for k, v in data.items() if k != "attribute"}
        for k, v in attrs.items():
            flat[f"attribute[{k}]"] = v
        return {k: v if isinstance(v, str) else ("" if v is None else str(v)) for k, v in flat.items()}
    return {k: request.POST.get(k, "") for k in request.POST}


@router.post("/requests.json", summary="GeoReport v2 create a complaint (service request)")
def request_create(request):
    """Form-encoded or JSON; the department system's token as `api_key` in the body or as a bearer header, never
    in the query string (refused with 400). Standard fields: service_code, description, first_name, last_name, phone, email,
    address_string, media_url (an http(s) link kept as text for the office, never fetched); complaint fields as attribute[department], attribute[occurred_on], attribute[request],
    attribute[litigation], attribute[identity_mode], attribute[window], attribute[staff_name],
    attribute[case_no]. Answers 400 with one GeoReport error per bad field."""
    if "api_key" in request.GET:
        # Not looked at, not even checked: whatever it is, it is in the access logs now.
        return _error(400, _("api_key 不能放在网址（查询字符串）中：网址会被记入访问日志、代理和浏览器记录。"
                             "请将 api_key 放在请求体中，或使用请求头 Authorization: Bearer <令牌>。"
                             "已这样发送过的令牌应视为已泄露，请联系平台管理员吊销并换发。"), fields=["api_key"])
    try:
        p = _params(request)
    except DomainError as exc:
        return _error(400, exc.message)
    header = request.headers.get("Authorization", "")
    token = p.get("api_key") or (header[7:].strip() if header.lower().startswith("bearer ") else "")
    client = api_client_by_token(token) if token else None
    if client is None:
        return _error(401, _("需要有效的 api_key（部门系统令牌），放在请求体中或请求头 Authorization: Bearer <令牌>。"),
                      fields=["api_key"])

    def a(name):
        return (p.get(f"attribute[{name}]") or "").strip()

    name = f"{p.get('last_name', '').strip()}{p.get('first_name', '').strip()}"
    mode = a("identity_mode") or (IdentityMode.CONFIDENTIAL if name else IdentityMode.ANONYMOUS)
    facts = (p.get("description") or "").strip()
    if p.get("address_string", "").strip():
        facts = f"{facts}\n（地点：{p['address_string'].strip()[:200]}）"
    service_code = (p.get("service_code") or "").strip()
    data = {
        "category": service_code, "department": a("department"), "occurred_on": a("occurred_on"),
        "facts": facts, "request": a("request"), "litigation": a("litigation"), "identity_mode": mode,
        "window": a("window"), "staff_name": a("staff_name"), "case_no": a("case_no"), "name": name,
        "phone": p.get("phone", ""), "email": p.get("email", ""), "media_url": p.get("media_url", ""),
    }
    now = timezone.now()
    try:
        if service_code and not service_code.startswith(PREFIX):
            raise IntakeErrors({"service_code": "只接受效能投诉类别（TS- 开头）的服务编码"})
        intake = clean_intake(data, today=timezone.localdate(now))
        c = services.complaint_submit(intake=intake, channel=Channel.OPEN311, now=now, client=client,
                                      ip=request.META.get("REMOTE_ADDR"),
                                      idempotency_key=request.headers.get("Idempotency-Key") or None)
    except IntakeErrors as exc:
        rename = {"category": "service_code", "facts": "description"}
        keys = [rename.get(k, k if k in ("name", "phone", "email", "media_url") else f"attribute[{k}]")
                for k in exc.errors]
        return _error(400, *[f"{k}: {v}" for k, v in zip(keys, exc.errors.values(), strict=True)], fields=keys)
    except services.RateLimited as exc:
        response = _error(429, exc.message)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except DomainError as exc:
        return _error(exc.status, exc.message, fields=[exc.field])
    url = request.build_absolute_uri(reverse("complaints:track", args=[c.tracking_code]))
    response = JsonResponse([{
        "service_request_id": c.number, "token": None, "account_id": None,
        "service_notice": f"已登记，效能办将在受理期限（{services._day(c.acceptance_due_at)}）前作出是否受理的决定。",
        "tracking_code": c.tracking_code, "tracking_url": url,
    }], status=201, safe=False, json_dumps_params={"ensure_ascii": False})
    if c.idempotent_replay:  # the same token's retry of its own request (services.complaint_submit)
        response["Idempotent-Replayed"] = "true"
    return response


def _publics(complaints, request) -> list[dict]:
    """The public fields of many complaints; the published ones' texts masked at read time from what the
    complainant wrote (their name and contacts found in any written form, one query for the page), so a
    complaint stored before a masking rule improved is masked by the rule of today."""
    cs = list(complaints)
    reds = redactors_for([c for c in cs if _published(c)])
    return [_public(c, request, reds.get(c.pk)) for c in cs]


def _published(c: Complaint) -> bool:
    return c.publishable and c.status in ANSWERED_STATUSES


def _public(c: Complaint, request, red: Redactor | None = None) -> dict:
    published = _published(c)
    media = c.public_media[0] if getattr(c, "public_media", None) else None
    return {
        "service_request_id": c.number,
        "status": "open" if c.status in OPEN_STATUSES else "closed",
        "status_notes": str(c.get_status_display()),
        "service_name": c.category.name, "service_code": c.category.code,
        "description": mask_personal_data((red or Redactor())(c.facts), names=[c.staff_text]) if published else None,
        "agency_responsible": c.department.name, "service_notice": None,
        "requested_datetime": c.received_at.isoformat(), "updated_datetime": c.updated_at.isoformat(),
        "expected_datetime": c.due_at.isoformat() if c.due_at else None,
        "address": None, "address_id": None, "zipcode": None, "lat": None, "long": None,
        # Only an image the office published, at its public address; never the link a submitter gave
        # (Complaint.media_url), which may lead to the complainant.
        "media_url": request.build_absolute_uri(reverse("complaints:media", args=[media.public_token]))
        if media else None,
    }


def _public_qs():
    media = (Attachment.objects.filter(public_token__isnull=False, note__isnull=True,
                                       content_type__in=PUBLIC_IMAGE_TYPES)
             .only("id", "complaint_id", "public_token").order_by("uploaded_at", "id"))
    return Complaint.objects.select_related("category", "department").only(
        "number", "status", "publishable", "facts", "staff_text", "received_at", "updated_at", "due_at",
        "category__name", "category__code", "department__name").prefetch_related(
        Prefetch("attachments", queryset=media, to_attr="public_media"))


@router.get("/requests.json", summary="GeoReport v2 list service requests (public fields only)")
def request_list(request, service_request_id: str = "", service_code: str = "", start_date: str = "",
                 end_date: str = "", status: str = "", page: int = 1, page_size: int = 50):
    """Filters as GeoReport v2: service_request_id (comma-separated, other filters then ignored), service_code,
    start_date / end_date (requested_datetime; default: the last 90 days), status (open, closed). `page` and
    `page_size` (≤ 200) page through the answer, newest first."""
    qs = _public_qs().order_by("-received_at", "-id")
    if service_request_id:
        ids = [s.strip() for s in service_request_id.split(",") if s.strip()][:MAX_PAGE]
        return _publics(qs.filter(number__in=ids), request)
    try:
        start = parse_moment(start_date, field="start_date")
        end = parse_moment(end_date, field="end_date", end=True)
    except DomainError as exc:
        return _error(400, exc.message, fields=[exc.field])
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=90)
    if start is not None:
        qs = qs.filter(received_at__gte=start)
    if end is not None:
        qs = qs.filter(received_at__lt=end)
    if service_code:
        qs = qs.filter(category__code__in=[s.strip() for s in service_code.split(",") if s.strip()][:50])
    wanted = {s.strip() for s in status.split(",") if s.strip()}
    if wanted - {"open", "closed"}:
        return _error(400, "status 只能是 open 或 closed。")
    if wanted == {"open"}:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif wanted == {"closed"}:
        qs = qs.exclude(status__in=OPEN_STATUSES)
    size = min(max(page_size, 1), MAX_PAGE)
    page = min(max(page, 1), 100_000)
    return _publics(qs[(page - 1) * size:page * size], request)


@router.get("/requests/{service_request_id}.json", summary="GeoReport v2 one service request (public fields)")
def request_get(request, service_request_id: str):
    c = _public_qs().filter(number=service_request_id[:20]).first()
    if c is None:
        return _error(404, "投诉不存在。")
    return _publics([c], request)
