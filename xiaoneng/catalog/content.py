"""The content of a service item version as plain data, and the rules it must satisfy.

Forms, the importer and the services all speak the same shape (a dict with the version's scalar fields
plus `materials`, `fees` and `steps` lists), so a rule is written once here and every entry point obeys it.
Errors name the field the way the forms and import columns do ("statutory_limit_value",
"materials.2.copies") and say what is wrong in Chinese.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator

from xiaoneng.catalog.models import (
    Audience,
    Category,
    FeeRule,
    ItemType,
    LimitUnit,
    RequiredMaterial,
    ServiceItemVersion,
    StepKind,
    SuspensionReason,
    WorkflowStep,
)
from xiaoneng.core.errors import DomainError

SCALAR_FIELDS = (
    "name", "category", "item_type", "audience", "description", "conditions", "legal_basis",
    "statutory_limit_value", "statutory_limit_unit", "committed_limit_value", "committed_limit_unit",
    "suspension_allowed", "suspension_reasons", "deemed_approval", "deemed_approval_basis", "online", "offline", "online_url",
    "max_visits", "location", "office_hours", "phone", "complaint_phone", "result",
)
MATERIAL_FIELDS = ("name", "form", "copies", "requirement", "condition", "source", "blank_form", "sample", "note")
FEE_FIELDS = ("name", "legal_basis", "amount", "amount_min", "amount_max", "unit", "note")
STEP_FIELDS = ("kind", "name", "limit_value", "limit_unit", "post", "description")
CHILDREN = {"materials": MATERIAL_FIELDS, "fees": FEE_FIELDS, "steps": STEP_FIELDS}

STEP_ORDER = {k: i for i, k in enumerate(StepKind.values)}
MAX_LIMIT = 3650  # ten years in any unit: beyond that a value is a typing mistake, not a legal limit


class ContentInvalid(DomainError):
    """The submitted content breaks one or more rules; `errors` holds one DomainError per problem, each
    naming its field, so a form can show every message beside its field at once."""

    def __init__(self, errors: list[DomainError]):
        self.errors = errors
        super().__init__(errors[0].message, field=errors[0].field, code="invalid")

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["errors"] = [{"field": e.field, "error": e.message} for e in self.errors]
        return data


def _label(model, field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def _vlabel(field: str) -> str:
    return _label(ServiceItemVersion, field)


class _Checker:
    def __init__(self):
        self.errors: list[DomainError] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append(DomainError(message, field=field))

    def text(self, src: dict, key: str, field: str, label: str, *, required=False, max_length=200) -> str:
        value = src.get(key)
        value = "" if value is None else str(value).strip()
        if required and not value:
            self.add(field, f"{label}不能为空。")
        elif max_length and len(value) > max_length:
            self.add(field, f"{label}不能超过 {max_length} 个字。")
        return value

    def integer(self, src: dict, key: str, field: str, label: str, *, minimum=0, maximum=MAX_LIMIT, default=None):
        value = src.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if default is not None:
                return default
            self.add(field, f"{label}不能为空。")
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            number = int(str(value).strip().removesuffix(".0")) if not isinstance(value, int) else value
        except (TypeError, ValueError):
            self.add(field, f"{label}应为整数。")
            return None
        if number < minimum:
            self.add(field, f"{label}不能小于 {minimum}。")
        elif number > maximum:
            self.add(field, f"{label}不能大于 {maximum}。")
        return number

    def choice(self, src: dict, key: str, field: str, label: str, choices, *, default=None) -> str | None:
        value = src.get(key)
        value = "" if value is None else str(value).strip()
        if not value and default is not None:
            return default
        if value in choices.values:
            return value
        # The importer and people typing write the Chinese label; accept it as the code.
        for code, text in choices.choices:
            if value == str(text):
                return code
        allowed = "、".join(str(t) for _c, t in choices.choices)
        self.add(field, f"{label}“{value}”无效，应为：{allowed}。")
        return None

    def boolean(self, src: dict, key: str, field: str, label: str, *, default=False) -> bool:
        value = src.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "y", "是", "√", "on"):
            return True
        if text in ("0", "false", "no", "n", "否", "×", "off"):
            return False
        self.add(field, f"{label}应填写“是”或“否”。")
        return default

    def money(self, src: dict, key: str, field: str, label: str) -> Decimal | None:
        value = src.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.add(field, f"{label}应为金额（元），例如 100 或 12.50。")
            return None
        if not number.is_finite() or number < 0:
            self.add(field, f"{label}不能为负数。")
            return None
        if number != number.quantize(Decimal("0.01")):
            self.add(field, f"{label}最多保留两位小数。")
            return None
        if number >= Decimal("1e10"):
            self.add(field, f"{label}过大。")
            return None
        return number.quantize(Decimal("0.01"))


def _limit_exceeds(inner_value, inner_unit, outer_value, outer_unit) -> bool:
    """True when a limit of (inner) is certainly longer than (outer). Only comparable pairs are judged:
    the same unit, or working days against natural days (n working days always span ≥ n natural days)."""
    if None in (inner_value, outer_value, inner_unit, outer_unit):
        return False
    if inner_unit == outer_unit or (inner_unit == LimitUnit.WORKING_DAYS and outer_unit == LimitUnit.NATURAL_DAYS):
        return inner_value > outer_value
    return False


def clean_content(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check version content. Returns the clean dict, or raises ContentInvalid with every
    problem found (not just the first), each naming its field."""
    c = _Checker()
    out: dict[str, Any] = {}
    out["name"] = c.text(data, "name", "name", _vlabel("name"), required=True, max_length=200)
    out["category"] = c.choice(data, "category", "category", _vlabel("category"), Category, default=Category.LICENSING)
    out["item_type"] = c.choice(data, "item_type", "item_type", _vlabel("item_type"), ItemType)
    out["audience"] = c.choice(data, "audience", "audience", _vlabel("audience"), Audience, default=Audience.BOTH)
    out["description"] = c.text(data, "description", "description", _vlabel("description"), max_length=5000)
    out["conditions"] = c.text(data, "conditions", "conditions", _vlabel("conditions"), max_length=5000)
    out["legal_basis"] = c.text(data, "legal_basis", "legal_basis", _vlabel("legal_basis"), required=True,
                                max_length=5000)
    out["statutory_limit_value"] = c.integer(data, "statutory_limit_value", "statutory_limit_value",
                                             _vlabel("statutory_limit_value"), minimum=1)
    out["statutory_limit_unit"] = c.choice(data, "statutory_limit_unit", "statutory_limit_unit",
                                           _vlabel("statutory_limit_unit"), LimitUnit, default=LimitUnit.WORKING_DAYS)
    # An instant item (即办件) is done on the spot: its promise may be zero.
    min_committed = 0 if out["item_type"] == ItemType.INSTANT else 1
    out["committed_limit_value"] = c.integer(data, "committed_limit_value", "committed_limit_value",
                                             _vlabel("committed_limit_value"), minimum=min_committed)
    out["committed_limit_unit"] = c.choice(data, "committed_limit_unit", "committed_limit_unit",
                                           _vlabel("committed_limit_unit"), LimitUnit, default=LimitUnit.WORKING_DAYS)
    if _limit_exceeds(out["committed_limit_value"], out["committed_limit_unit"],
                      out["statutory_limit_value"], out["statutory_limit_unit"]):
        c.add("committed_limit_value", "承诺时限不能长于法定时限。")

    out["suspension_allowed"] = c.boolean(data, "suspension_allowed", "suspension_allowed",
                                          _vlabel("suspension_allowed"))
    raw_reasons = data.get("suspension_reasons") or []
    if isinstance(raw_reasons, str):
        raw_reasons = [r for r in raw_reasons.replace("，", ",").replace("、", ",").split(",") if r.strip()]
    reasons: list[str] = []
    for raw in raw_reasons:
        code = c.choice({"r": raw}, "r", "suspension_reasons", _vlabel("suspension_reasons"), SuspensionReason)
        if code and code not in reasons:
            reasons.append(code)
    # Keep the canonical order so that two equal lists compare equal whatever order they were typed in.
    reasons.sort(key=SuspensionReason.values.index)
    if out["suspension_allowed"] and not reasons and not any(e.field == "suspension_reasons" for e in c.errors):
        c.add("suspension_reasons", "可暂停计时的事项须列明暂停计时情形（如补正材料、听证、检测、专家评审）。")
    if not out["suspension_allowed"] and reasons:
        c.add("suspension_reasons", "未勾选“可暂停计时”时不能填写暂停计时情形。")
    out["suspension_reasons"] = reasons
    out["deemed_approval"] = c.boolean(data, "deemed_approval", "deemed_approval", _vlabel("deemed_approval"))
    out["deemed_approval_basis"] = c.text(data, "deemed_approval_basis", "deemed_approval_basis",
                                          _vlabel("deemed_approval_basis"), max_length=2000)
    # 超时默许 is an exception the law makes item by item: without the provision there is none, and the notice
    # the platform issues in the department's name must cite it.
    if out["deemed_approval"] and len(out["deemed_approval_basis"]) < 6:
        c.add("deemed_approval_basis", "适用超时默许的事项须写明规定超时默许的法律、法规条款（例如《中华人民共和国行政许可法》"
                                       "第五十条第二款，仅适用于延续）；该依据将写入超时默许告知书。")
    if not out["deemed_approval"] and out["deemed_approval_basis"]:
        c.add("deemed_approval_basis", "未勾选“超时默许”时不能填写超时默许依据。")
    out["online"] = c.boolean(data, "online", "online", _vlabel("online"))
    out["offline"] = c.boolean(data, "offline", "offline", _vlabel("offline"))
    if not out["online"] and not out["offline"]:
        c.add("online", "至少选择一种办理方式：网上办理或窗口办理。")
    out["online_url"] = c.text(data, "online_url", "online_url", _vlabel("online_url"), max_length=200)
    if out["online_url"]:
        try:
            URLValidator(schemes=["http", "https"])(out["online_url"])
        except ValidationError:
            c.add("online_url", "网上办理地址应为以 http:// 或 https:// 开头的网址。")
    out["max_visits"] = c.integer(data, "max_visits", "max_visits", _vlabel("max_visits"), maximum=10, default=1)
    out["location"] = c.text(data, "location", "location", _vlabel("location"))
    out["office_hours"] = c.text(data, "office_hours", "office_hours", _vlabel("office_hours"))
    out["phone"] = c.text(data, "phone", "phone", _vlabel("phone"), max_length=60)
    out["complaint_phone"] = c.text(data, "complaint_phone", "complaint_phone", _vlabel("complaint_phone"),
                                    max_length=60)
    out["result"] = c.text(data, "result", "result", _vlabel("result"))

    out["materials"] = [_clean_material(c, i, m) for i, m in enumerate(data.get("materials") or [])]
    if not out["materials"]:
        c.add("materials", "申请材料清单至少要有一项（一次性告知须列明全部材料）。")
    out["fees"] = [_clean_fee(c, i, f) for i, f in enumerate(data.get("fees") or [])]
    out["steps"] = [_clean_step(c, i, s, out) for i, s in enumerate(data.get("steps") or [])]
    if not out["steps"]:
        c.add("steps", "办理流程至少要有“受理”一个环节。")
    else:
        _check_step_order(c, out["steps"])
    if c.errors:
        raise ContentInvalid(c.errors)
    return out


def _mlabel(field):
    return _label(RequiredMaterial, field)


def _clean_material(c: _Checker, i: int, m: dict) -> dict:
    p = f"materials.{i}."
    out = {
        "name": c.text(m, "name", p + "name", _mlabel("name"), required=True),
        "form": c.choice(m, "form", p + "form", _mlabel("form"), RequiredMaterial.Form,
                         default=RequiredMaterial.Form.ORIGINAL),
        "copies": c.integer(m, "copies", p + "copies", _mlabel("copies"), minimum=1, maximum=99, default=1),
        "requirement": c.choice(m, "requirement", p + "requirement", _mlabel("requirement"),
                                RequiredMaterial.Requirement, default=RequiredMaterial.Requirement.MANDATORY),
        "condition": c.text(m, "condition", p + "condition", _mlabel("condition")),
        "source": c.choice(m, "source", p + "source", _mlabel("source"), RequiredMaterial.Source,
                           default=RequiredMaterial.Source.APPLICANT),
        "blank_form": _file_name(m.get("blank_form")),
        "sample": _file_name(m.get("sample")),
        "note": c.text(m, "note", p + "note", _mlabel("note")),
    }
    for key in ("blank_form", "sample"):
        _check_upload(c, out[key], p + key, _mlabel(key))
    if out["requirement"] == RequiredMaterial.Requirement.CONDITIONAL and not out["condition"]:
        c.add(p + "condition", "特定情形下需要的材料须写明适用情形。")
    return out


ALLOWED_FILE_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".ofd", ".jpg", ".jpeg", ".png", ".zip")
MAX_FILE_BYTES = 10 * 1024 * 1024


def _file_name(value):
    """A stored file as its storage name; a fresh upload is kept as the upload (the service stores it)."""
    if not value:
        return ""
    if isinstance(value, UploadedFile):
        return value
    return str(getattr(value, "name", value) or "").strip()


def _check_upload(c: _Checker, value, field: str, label: str) -> None:
    if not isinstance(value, UploadedFile):
        return
    name = (value.name or "").lower()
    if not name.endswith(ALLOWED_FILE_SUFFIXES):
        c.add(field, f"{label}只能是 PDF、Word、Excel、WPS、OFD、图片或 ZIP 文件。")
    elif value.size > MAX_FILE_BYTES:
        c.add(field, f"{label}不能超过 10 MB。")


def _clean_fee(c: _Checker, i: int, f: dict) -> dict:
    p = f"fees.{i}."
    label = lambda field: _label(FeeRule, field)  # noqa: E731
    out = {
        "name": c.text(f, "name", p + "name", label("name"), required=True),
        "legal_basis": c.text(f, "legal_basis", p + "legal_basis", label("legal_basis"), required=True,
                              max_length=2000),
        "amount": c.money(f, "amount", p + "amount", label("amount")),
        "amount_min": c.money(f, "amount_min", p + "amount_min", label("amount_min")),
        "amount_max": c.money(f, "amount_max", p + "amount_max", label("amount_max")),
        "unit": c.text(f, "unit", p + "unit", label("unit"), max_length=40),
        "note": c.text(f, "note", p + "note", label("note")),
    }
    has_bounds = out["amount_min"] is not None or out["amount_max"] is not None
    if out["amount"] is not None and has_bounds:
        c.add(p + "amount", "标准金额与上下限只能填写一种。")
    elif out["amount"] is None and not has_bounds:
        if not any(e.field and e.field.startswith(p + "amount") for e in c.errors):
            c.add(p + "amount", "请填写标准金额，或同时填写下限和上限。")
    elif has_bounds:
        if out["amount_min"] is None:
            c.add(p + "amount_min", "请填写收费下限。")
        elif out["amount_max"] is None:
            c.add(p + "amount_max", "请填写收费上限。")
        elif out["amount_min"] > out["amount_max"]:
            c.add(p + "amount_max", "收费上限不能低于下限。")
    return out


def _clean_step(c: _Checker, i: int, s: dict, version: dict) -> dict:
    p = f"steps.{i}."
    label = lambda field: _label(WorkflowStep, field)  # noqa: E731
    out = {
        "kind": c.choice(s, "kind", p + "kind", label("kind"), StepKind),
        "name": c.text(s, "name", p + "name", label("name"), max_length=100),
        "limit_value": c.integer(s, "limit_value", p + "limit_value", label("limit_value"), minimum=0),
        "limit_unit": c.choice(s, "limit_unit", p + "limit_unit", label("limit_unit"), LimitUnit,
                               default=LimitUnit.WORKING_DAYS),
        "post": c.text(s, "post", p + "post", label("post"), max_length=100),
        "description": c.text(s, "description", p + "description", label("description"), max_length=300),
    }
    if _limit_exceeds(out["limit_value"], out["limit_unit"],
                      version.get("statutory_limit_value"), version.get("statutory_limit_unit")):
        c.add(p + "limit_value", "环节时限不能长于事项的法定时限。")
    return out


def _check_step_order(c: _Checker, steps: list[dict]) -> None:
    # Steps run in the glossary's order (受理 → 承办 → 审核 → 批准 → 办结 → 送达); a step may repeat
    # (初审, 复审) but never go back, because "steps out of order" is itself a violation the rules flag.
    if steps[0]["kind"] and steps[0]["kind"] != StepKind.ACCEPT:
        c.add("steps.0.kind", "第一个环节必须是“受理”。")
    last = -1
    for i, s in enumerate(steps):
        rank = STEP_ORDER.get(s["kind"] or "", None)
        if rank is None:
            continue
        if rank < last:
            c.add(f"steps.{i}.kind", "环节顺序应为：受理 → 承办 → 审核 → 批准 → 办结 → 送达。")
        last = max(last, rank)


def version_content(version: ServiceItemVersion) -> dict[str, Any]:
    """The content of a stored version in the shape `clean_content` returns, so the two compare equal
    exactly when nothing changed (prefetched children are used when present)."""
    out = {f: getattr(version, f) for f in SCALAR_FIELDS}
    out["suspension_reasons"] = list(version.suspension_reasons or [])
    out["materials"] = [
        {f: (_file_name(getattr(m, f)) if f in ("blank_form", "sample") else getattr(m, f)) for f in MATERIAL_FIELDS}
        for m in version.materials.all()
    ]
    out["fees"] = [{f: getattr(x, f) for f in FEE_FIELDS} for x in version.fees.all()]
    out["steps"] = [{f: getattr(x, f) for f in STEP_FIELDS} for x in version.steps.all()]
    return out
