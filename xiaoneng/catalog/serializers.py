"""The one data shape of a service guide (办事指南). The public page, the staff pages, /api/v1/catalog/items
and Open311 all build their output with `guide_data`, so "the API shows what the page shows" holds by
construction, and the ninja schema `GuideOut` mirrors it key for key (a test checks they agree).
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Schema

from xiaoneng.catalog.models import (
    Audience,
    Category,
    FeeRule,
    ItemType,
    LimitUnit,
    RequiredMaterial,
    ServiceItem,
    ServiceItemVersion,
    StepKind,
    SuspensionReason,
)


def limit_text(value: int, unit: str) -> str:
    """'20个工作日', '8个工作小时', '30个自然日'; zero days is 'on the spot'."""
    if value == 0:
        return gettext("当场办结")
    return gettext("%(value)s个%(unit)s") % {"value": value, "unit": LimitUnit(unit).label}


def _limit(value: int, unit: str) -> dict:
    return {"value": value, "unit": unit, "unit_label": str(LimitUnit(unit).label), "text": limit_text(value, unit)}


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def fee_text(fee: FeeRule) -> str:
    unit = f"/{fee.unit}" if fee.unit else ""
    if fee.amount is not None:
        return f"{_money(fee.amount)}元{unit}"
    return f"{_money(fee.amount_min)}–{_money(fee.amount_max)}元{unit}"


def _file_url(material: RequiredMaterial, kind: str) -> str | None:
    f = getattr(material, kind)
    if not f:
        return None
    return reverse("catalog:material_file", args=[material.pk, kind])


def guide_data(item: ServiceItem, version: ServiceItemVersion | None = None) -> dict:
    """Everything an applicant needs about `item` as of `version` (default: the current one) as plain
    JSON-ready data. Children are read through `.all()` so a prefetch on the queryset serves them."""
    v = version or item.current_version
    dept = item.department
    materials = list(v.materials.all())
    fees = list(v.fees.all())
    return {
        "code": item.code,
        "name": v.name,
        "department_code": dept.code,
        "department_name": dept.name,
        "is_active": item.is_active,
        "version": v.number,
        "valid_from": timezone.localtime(v.valid_from).isoformat(),
        "category": v.category,
        "category_label": str(Category(v.category).label),
        "item_type": v.item_type,
        "item_type_label": str(ItemType(v.item_type).label),
        "audience": v.audience,
        "audience_label": str(Audience(v.audience).label),
        "description": v.description,
        "conditions": v.conditions,
        "legal_basis": v.legal_basis,
        "statutory_limit": _limit(v.statutory_limit_value, v.statutory_limit_unit),
        "committed_limit": _limit(v.committed_limit_value, v.committed_limit_unit),
        "suspension_allowed": v.suspension_allowed,
        "suspension_reasons": [
            {"code": r, "label": str(SuspensionReason(r).label)} for r in v.suspension_reasons or []
        ],
        "deemed_approval": v.deemed_approval,
        "deemed_approval_basis": v.deemed_approval_basis,
        "online": v.online,
        "offline": v.offline,
        "online_url": v.online_url,
        "max_visits": v.max_visits,
        "location": v.location,
        "office_hours": v.office_hours,
        "phone": v.phone,
        "complaint_phone": v.complaint_phone,
        "result": v.result,
        "materials": [
            {
                "position": m.position,
                "name": m.name,
                "form": m.form,
                "form_label": str(RequiredMaterial.Form(m.form).label),
                "copies": m.copies,
                "requirement": m.requirement,
                "requirement_label": str(RequiredMaterial.Requirement(m.requirement).label),
                "condition": m.condition,
                "source": m.source,
                "source_label": str(RequiredMaterial.Source(m.source).label),
                "blank_form_url": _file_url(m, "blank_form"),
                "sample_url": _file_url(m, "sample"),
                "note": m.note,
            }
            for m in materials
        ],
        "is_free": not fees,
        "fees": [
            {
                "position": f.position,
                "name": f.name,
                "legal_basis": f.legal_basis,
                "amount": _money(f.amount),
                "amount_min": _money(f.amount_min),
                "amount_max": _money(f.amount_max),
                "unit": f.unit,
                "text": fee_text(f),
                "note": f.note,
            }
            for f in fees
        ],
        "steps": [
            {
                "position": s.position,
                "kind": s.kind,
                "kind_label": str(StepKind(s.kind).label),
                "name": s.name or str(StepKind(s.kind).label),
                "limit": _limit(s.limit_value, s.limit_unit),
                "post": s.post,
                "description": s.description,
            }
            for s in v.steps.all()
        ],
        "guide_url": reverse("catalog:guide_detail", args=[item.code]),
    }


# ---------------------------------------------------------------- the same shape as a ninja/pydantic schema
class LimitOut(Schema):
    value: int
    unit: str
    unit_label: str
    text: str


class CodeLabel(Schema):
    code: str
    label: str


class MaterialOut(Schema):
    position: int
    name: str
    form: str
    form_label: str
    copies: int
    requirement: str
    requirement_label: str
    condition: str
    source: str
    source_label: str
    blank_form_url: str | None
    sample_url: str | None
    note: str


class FeeOut(Schema):
    position: int
    name: str
    legal_basis: str
    amount: str | None
    amount_min: str | None
    amount_max: str | None
    unit: str
    text: str
    note: str


class StepOut(Schema):
    position: int
    kind: str
    kind_label: str
    name: str
    limit: LimitOut
    post: str
    description: str


class GuideOut(Schema):
    code: str
    name: str
    department_code: str
    department_name: str
    is_active: bool
    version: int
    valid_from: str
    category: str
    category_label: str
    item_type: str
    item_type_label: str
    audience: str
    audience_label: str
    description: str
    conditions: str
    legal_basis: str
    statutory_limit: LimitOut
    committed_limit: LimitOut
    suspension_allowed: bool
    suspension_reasons: list[CodeLabel]
    deemed_approval: bool
    deemed_approval_basis: str = ""
    online: bool
    offline: bool
    online_url: str
    max_visits: int
    location: str
    office_hours: str
    phone: str
    complaint_phone: str
    result: str
    materials: list[MaterialOut]
    is_free: bool
    fees: list[FeeOut]
    steps: list[StepOut]
    guide_url: str
