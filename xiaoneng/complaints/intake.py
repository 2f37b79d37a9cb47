"""The one validator of a complaint's content, behind the public form, the staff entry form, the JSON API and
Open311, so they cannot disagree about what a complete complaint letter is.

The complaint-letter rules (DOMAIN.md §3): who complains and how to reach them (unless anonymous), whom the
complaint is about, the facts, the request, and whether arbitration or a lawsuit is already under way.
Every bad field is reported at once (`IntakeErrors`), nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from xiaoneng.accounts.models import Department
from xiaoneng.core.errors import DomainError

from .models import ComplaintCategory, IdentityMode, Litigation

FACTS_MIN, FACTS_MAX = 10, 5000
REQUEST_MIN, REQUEST_MAX = 2, 1000
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
SHORT_RE = re.compile(r"^(96150|12345|\d{5,6})$")
ID_NO_RE = re.compile(r"^\d{17}[\dXx]$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

FIELD_LABELS = {
    "category": "投诉类别", "department": "被投诉单位", "window": "窗口", "staff_name": "被投诉人员",
    "case_no": "办件编号", "occurred_on": "发生日期", "facts": "投诉事实", "request": "投诉诉求",
    "litigation": "是否已仲裁或诉讼", "identity_mode": "身份", "name": "姓名或单位名称", "phone": "联系电话",
    "email": "电子邮箱", "address": "通信地址", "id_no": "证件号码", "attachments": "附件",
    "media_url": "媒体链接",
}
MEDIA_URL_MAX = 500
# Only the link is kept (Open311 media_url): nothing is ever fetched from it, so any host is acceptable, but
# not a scheme a browser would run or open locally (javascript:, data:, file:).
_MEDIA_URL = URLValidator(schemes=["http", "https"])


class IntakeErrors(DomainError):
    """Several fields of a complaint are missing or bad; nothing was stored."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        summary = "；".join(f"{FIELD_LABELS.get(k, k)}：{v}" for k, v in errors.items())
        super().__init__(f"投诉内容不完整或有误：{summary}", field=next(iter(errors), None), code="invalid")

    def as_dict(self) -> dict:
        return {"error": self.message, "code": self.code,
                "errors": [{"field": k, "error": v} for k, v in self.errors.items()]}


@dataclass
class Intake:
    """A complete, checked complaint, ready for `complaint_submit`."""

    category: ComplaintCategory
    department: Department
    window: str
    staff_name: str
    case_no: str
    occurred_on: dt.date
    facts: str
    request: str
    litigation: str
    identity_mode: str
    name: str
    phone: str
    email: str
    address: str
    id_no: str
    media_url: str = ""


def _text(data: dict, key: str, max_len: int) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    value = _CONTROL.sub("", value).replace("\r\n", "\n").strip()
    return value if len(value) <= max_len * 2 else value[: max_len * 2]


def department_choices():
    """Departments a complaint may name: every active one except the county government itself."""
    return Department.objects.filter(is_active=True).exclude(kind=Department.Kind.COUNTY).order_by("path")


def clean_intake(data: dict, *, today: dt.date) -> Intake:
    """Check `data` (strings as a form or JSON sends them) and return an Intake, or raise IntakeErrors with
    every bad field."""
    errors: dict[str, str] = {}
    if not isinstance(data, dict):
        raise IntakeErrors({"body": "应为 JSON 对象"})

    code = _text(data, "category", 32)
    category = None
    if not code:
        errors["category"] = "请选择投诉类别。"
    else:
        category = ComplaintCategory.objects.filter(code=code, is_active=True).first()
        if category is None:
            errors["category"] = "投诉类别无效。"

    dcode = _text(data, "department", 32)
    department = None
    if not dcode:
        errors["department"] = "请选择被投诉单位。"
    else:
        department = department_choices().filter(code=dcode).first()
        if department is None:
            errors["department"] = "被投诉单位无效。"

    window, staff_name, case_no = _text(data, "window", 100), _text(data, "staff_name", 100), _text(data, "case_no", 64)
    for key, value, n in (("window", window, 100), ("staff_name", staff_name, 100), ("case_no", case_no, 64)):
        if len(value) > n:
            errors[key] = f"不能超过 {n} 个字。"

    raw_date = data.get("occurred_on")
    occurred_on = None
    if isinstance(raw_date, dt.date):
        occurred_on = raw_date
    elif not raw_date:
        errors["occurred_on"] = "请填写发生日期。"
    else:
        try:
            occurred_on = dt.date.fromisoformat(str(raw_date).strip()[:10])
        except ValueError:
            errors["occurred_on"] = "日期格式应为 YYYY-MM-DD。"
    if occurred_on is not None:
        if occurred_on > today:
            errors["occurred_on"] = "发生日期不能晚于今天。"
        elif occurred_on.year < 2000:
            errors["occurred_on"] = "发生日期过早，请核对。"

    facts = _text(data, "facts", FACTS_MAX)
    if len(facts) < FACTS_MIN:
        errors["facts"] = f"请写明投诉事实（时间、地点、经过），至少 {FACTS_MIN} 个字。"
    elif len(facts) > FACTS_MAX:
        errors["facts"] = f"不能超过 {FACTS_MAX} 个字。"
    request = _text(data, "request", REQUEST_MAX)
    if len(request) < REQUEST_MIN:
        errors["request"] = "请写明您的诉求。"
    elif len(request) > REQUEST_MAX:
        errors["request"] = f"不能超过 {REQUEST_MAX} 个字。"

    litigation = _text(data, "litigation", 20)
    if litigation not in Litigation.values:
        errors["litigation"] = "请说明是否已申请仲裁、提起诉讼或行政复议。"
    mode = _text(data, "identity_mode", 20)
    if mode not in IdentityMode.values:
        errors["identity_mode"] = "请选择实名、实名保密或匿名。"

    name, phone, email = _text(data, "name", 100), _text(data, "phone", 32), _text(data, "email", 254)
    address, id_no = _text(data, "address", 200), _text(data, "id_no", 32).upper()
    anonymous = mode == IdentityMode.ANONYMOUS
    if anonymous:
        name, id_no = "", ""  # an anonymous complaint keeps no name, whatever was typed
    elif mode in IdentityMode.values:
        if len(name) < 2:
            errors["name"] = "实名投诉请填写姓名或单位名称。"
        if not phone:
            errors["phone"] = "实名投诉请留下联系电话，以便答复和回访。"
    if len(name) > 100:
        errors["name"] = "不能超过 100 个字。"
    if phone:
        compact = phone.replace(" ", "")
        if not (MOBILE_RE.match(compact) or LANDLINE_RE.match(compact) or SHORT_RE.match(compact)):
            errors["phone"] = "电话号码格式不正确（手机 11 位，或带区号的固定电话）。"
        phone = compact
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "电子邮箱格式不正确。"
    if len(address) > 200:
        errors["address"] = "不能超过 200 个字。"
    if id_no and not ID_NO_RE.match(id_no):
        errors["id_no"] = "身份证号码应为 18 位。"
    media_url = _text(data, "media_url", MEDIA_URL_MAX)
    if media_url:
        try:
            if len(media_url) > MEDIA_URL_MAX:
                raise ValidationError("too long")
            _MEDIA_URL(media_url)
        except ValidationError:
            errors["media_url"] = f"媒体链接应为以 http:// 或 https:// 开头的有效网址，不超过 {MEDIA_URL_MAX} 个字符。"

    if errors:
        raise IntakeErrors(errors)
    return Intake(category=category, department=department, window=window, staff_name=staff_name,
                  case_no=case_no, occurred_on=occurred_on, facts=facts, request=request, litigation=litigation,
                  identity_mode=mode, name=name, phone=phone, email=email, address=address, id_no=id_no,
                  media_url=media_url)
