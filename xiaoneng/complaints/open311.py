"""Open311 GeoReport v2 for complaints: complaint categories as services, and service requests.

- `GET services.json` lists the catalogue's service items (catalog.open311, unchanged) followed by the complaint
  categories (service_code = category code, e.g. "TS-CSBL"; group "效能投诉"). This router is mounted before the
  catalogue's on the same NinjaAPI (config/api.py), so its services.json and services/{code}.json answer first
  and delegate everything that is not a complaint category to the catalogue's functions.
- Every listed service can be requested (a generic GeoReport client offers them all to citizens): a request
  against a service item is a complaint about that item's department — the citizen picks the service they had
  trouble with, `attribute[problem]` (the catalogue's list of problems) gives the complaint category
  (`PROBLEM_CATEGORIES`), and the item is named in the complaint's facts. Its definition is the catalogue's
  attributes followed by what a complaint letter needs besides (`_complaint_attributes`).
- A `datetime` attribute (`occurred_on`) takes ISO 8601 as GeoReport's datatype says: a date, or a date-time
  with or without its UTC offset (without: Beijing time); the complaint keeps the local date it falls on.
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
from xiaoneng.catalog.models import ServiceItem
from xiaoneng.catalog.selectors import item_list_public
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
from .services._common import _day
from .uploads import PUBLIC_IMAGE_TYPES

router = Router(tags=["open311"])
GROUP = "效能投诉"
PREFIX = "TS-"
MAX_PAGE = 200
# A request against a service item: the problem the citizen picked (catalog.open311.PROBLEMS) → complaint category.
PROBLEM_CATEGORIES = {
    "overdue": "TS-CSBL",  # 超过承诺时限未办结 → 超时办理
    "not_one_time": "TS-WFCX",  # 材料未一次性告知 → 违反程序
    "extra_fee": "TS-LSF",  # 收取目录外费用或超标准收费 → 乱收费
    "extra_material": "TS-SNB",  # 要求提供清单以外的材料 → 事难办
    "attitude": "TS-LNK",  # 服务态度、工作作风问题 → 脸难看
    "other": "TS-QT",  # 其他问题 → 其他效能问题
}
CONSEQUENCES = {"problem": ("category",), "category": ("department",)}
DATETIME_HELP = "ISO 8601 日期或日期时间，例如 2026-10-09 或 2026-10-09T10:30:00+08:00（不带时区按北京时间）"


def _service(cat: ComplaintCategory) -> dict:
    return {"service_code": cat.code, "service_name": cat.name, "description": cat.description or cat.name,
            "metadata": True, "type": "realtime", "keywords": f"效能投诉,{cat.name}", "group": GROUP}


def _complaint_attributes(*, item: bool = False, first: int = 1) -> list[dict]:
    """What a complaint letter needs beyond GeoReport's standard fields, numbered from `first`. For a service
    item (`item`) the department is the item's and the catalogue asks for the case number already."""

    def attr(code, datatype, required, description, values=None):
        a = {"variable": True, "code": code, "datatype": datatype, "required": required,
             "datatype_description": description, "description": FIELD_LABELS.get(code, code)}
        if values is not None:
            a["values"] = values
        return a

    out = []
    if not item:
        depts = [{"key": d.code, "name": d.name} for d in department_choices().only("code", "name")]
        out.append(attr("department", "singlevaluelist", True, "被投诉单位", depts))
    out += [
        attr("occurred_on", "datetime", True, DATETIME_HELP),
        attr("request", "text", True, "投诉人的诉求"),
        attr("litigation", "singlevaluelist", True, "是否已申请仲裁、提起诉讼或行政复议",
             [{"key": k, "name": str(n)} for k, n in Litigation.choices]),
        attr("identity_mode", "singlevaluelist", False, "实名、实名保密（默认，有姓名时）或匿名",
             [{"key": k, "name": str(n)} for k, n in IdentityMode.choices]),
        attr("window", "string", False, "窗口"),
        attr("staff_name", "string", False, "被投诉人员姓名或工号"),
    ]
    if not item:
        out.append(attr("case_no", "string", False, "办件编号"))
    for order, a in enumerate(out, start=first):
        a["order"] = order
    return out


@router.get("/services.json", summary="GeoReport v2 service list (service items and complaint categories)")
def services_list(request, jurisdiction_id: str | None = None):
    items = catalog_open311.services(request, jurisdiction_id)
    return [*items, *(_service(c) for c in ComplaintCategory.objects.filter(is_active=True))]


@router.get("/services/{code}.json", summary="GeoReport v2 service definition")
def service_definition(request, code: str, jurisdiction_id: str | None = None):
    if not code.startswith(PREFIX):
        # A service item: the catalogue's definition (its guide, the problem list, the materials), then what a
        # complaint letter needs besides, so that a request filled in from it can be registered.
        definition = catalog_open311.service_definition(request, code, jurisdiction_id)
        attrs = definition["attributes"]
        first = max((a["order"] for a in attrs), default=0) + 1
        return {**definition, "attributes": [*attrs, *_complaint_attributes(item=True, first=first)]}
    cat = ComplaintCategory.objects.filter(code=code, is_active=True).first()
    if cat is None:
        return _error(404, f"服务“{code[:40]}”不存在或已停用。")
    return {"service_code": cat.code, "attributes": _complaint_attributes()}


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
        return {k: _scalar(v) for k, v in flat.items()}
    # A multivaluelist comes form-encoded as attribute[code][]=a&attribute[code][]=b (GeoReport v2).
    return {k.removesuffix("[]"): ",".join(request.POST.getlist(k)) if k.endswith("[]") else request.POST.get(k, "")
            for k in request.POST}


def _scalar(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, list):  # a multivaluelist sent as a JSON array
        return ",".join(_scalar(x) for x in v)
    return "" if v is None else str(v)


@router.post("/requests.json", summary="GeoReport v2 create a complaint (service request)")
def request_create(request):
    """Form-encoded or JSON; the department system's token as `api_key` in the body or as a bearer header, never
    in the query string (refused with 400). Standard fields: service_code, description, first_name, last_name, phone, email,
    address_string, media_url (an http(s) link kept as text for the office, never fetched); complaint fields as attribute[department], attribute[occurred_on], attribute[request],
    attribute[litigation], attribute[identity_mode], attribute[window], attribute[staff_name],
    attribute[case_no]. For a service item's code: no department (the item's), attribute[problem] (the category),
    attribute[details], attribute[case_number], attribute[materials_submitted] (positions; a list or repeated
    attribute[materials_submitted][]). Answers 400 with one GeoReport error per bad field."""
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
    service_code = (p.get("service_code") or "").strip()
    item = None
    if service_code and not service_code.startswith(PREFIX):
        item = _service_item(service_code)
        facts = "\n".join(t for t in (facts, a("details")) if t)
    if p.get("address_string", "").strip():
        facts = f"{facts}\n（地点：{p['address_string'].strip()[:200]}）"
    data = {
        "category": service_code, "department": a("department"), "occurred_on": a("occurred_on"),
        "facts": facts, "request": a("request"), "litigation": a("litigation"), "identity_mode": mode,
        "window": a("window"), "staff_name": a("staff_name"), "case_no": a("case_no"), "name": name,
        "phone": p.get("phone", ""), "email": p.get("email", ""), "media_url": p.get("media_url", ""),
    }
    # Found before the letter is checked, reported with its other faults at once (keys as clean_intake's).
    errors: dict[str, str] = {}
    try:
        moment = parse_moment(data["occurred_on"])
    except DomainError:
        errors["occurred_on"] = f"应为 {DATETIME_HELP}。"
    else:
        if moment is not None:
            data["occurred_on"] = timezone.localdate(moment)  # the day it was, in Beijing
    note = ""
    if service_code and not service_code.startswith(PREFIX):
        if item is None:
            errors["category"] = "服务不存在或已停用（请使用 services.json 列出的服务编码）。"
        else:
            data["department"] = item.department.code
            data["case_no"] = a("case_number") or a("case_no")
            problem = a("problem")
            data["category"] = PROBLEM_CATEGORIES.get(problem, "")
            if problem not in PROBLEM_CATEGORIES:
                errors["problem"] = "请从所列选项中选择反映的问题。" if problem else "请选择反映的问题。"
            materials, bad = _materials(item, a("materials_submitted"))
            if bad:
                errors["materials_submitted"] = f"没有序号为 {bad} 的材料，请用服务定义中列出的序号。"
            note = f"（反映的服务事项：{item.current_version.name}，事项编码 {item.code}"
            note += f"；已提交材料：{'、'.join(materials)}）" if materials else "）"
    now = timezone.now()
    try:
        try:
            intake = clean_intake(data, today=timezone.localdate(now))
        except IntakeErrors as exc:
            # Our own finding on a field stands over the validator's consequences of it (no category because
            # the problem was bad, no department because the item is unknown, "no date" for an unreadable one).
            follows = {k for k in errors for k in CONSEQUENCES.get(k, ())}
            found = {k: v for k, v in exc.errors.items() if k not in follows}
            raise IntakeErrors({**found, **errors}) from None
        if errors:
            raise IntakeErrors(errors)
        if note:
            intake.facts = f"{intake.facts}\n{note}"
        c = services.complaint_submit(intake=intake, channel=Channel.OPEN311, now=now, client=client,
                                      ip=request.META.get("REMOTE_ADDR"),
                                      idempotency_key=request.headers.get("Idempotency-Key") or None)
    except IntakeErrors as exc:
        rename = {"category": "service_code", "facts": "attribute[details]" if item else "description"}
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
        "service_notice": f"已登记，效能办将在受理期限（{_day(c.acceptance_due_at)}）前作出是否受理的决定。",
        "tracking_code": c.tracking_code, "tracking_url": url,
    }], status=201, safe=False, json_dumps_params={"ensure_ascii": False})
    if c.idempotent_replay:  # the same token's retry of its own request (services.complaint_submit)
        response["Idempotent-Replayed"] = "true"
    return response


def _service_item(code: str) -> ServiceItem | None:
    """The active service item of `code` as services.json lists it, with its department and materials."""
    return item_list_public(with_children=True).filter(code=code[:64]).first()


def _materials(item: ServiceItem, keys: str) -> tuple[list[str], str]:
    """The names of the materials the citizen says they submitted (keys = the guide's positions, comma-separated),
    and the first key that names no material ("" when all are good)."""
    from xiaoneng.catalog.serializers import guide_data

    by_key = {str(m["position"]): m["name"] for m in guide_data(item)["materials"]}
    wanted = [k.strip() for k in keys.split(",") if k.strip()]
    bad = next((k for k in wanted if k not in by_key), "")
    return [by_key[k] for k in dict.fromkeys(wanted) if k in by_key], bad[:20]


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
