"""Writes on the service catalogue. Each service is atomic, checks who acts (`by`) and takes the clock as
`now`, so a replay or a test decides what "now" is.

`by=None` means the platform itself (management commands, the demo seeder); every page and API call
passes the signed-in staff member, whose rights are checked here as well as in the view, so a forged POST
meets the same rule as the form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from xiaoneng.accounts.models import Department, Staff
from xiaoneng.catalog.content import clean_content, version_content
from xiaoneng.catalog.models import (
    FeeRule,
    RequiredMaterial,
    ServiceItem,
    ServiceItemVersion,
    WorkflowStep,
)
from xiaoneng.catalog.selectors import can_edit_department
from xiaoneng.core.errors import DomainError, NotPermitted

CODE_MAX = 64
# Words the staff URLs use next to item codes (/staff/catalog/new/ …).
RESERVED_CODES = {"new", "import", "export", "files"}


def _check_code(code: Any) -> str:
    code = ("" if code is None else str(code)).strip()
    if not code:
        raise DomainError("事项编码不能为空。", field="code")
    if len(code) > CODE_MAX:
        raise DomainError(f"事项编码不能超过 {CODE_MAX} 个字符。", field="code")
    # Codes appear in URLs and Open311 paths: letters, digits, "-", "_" and "." only.
    if not all(ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in code) or code[0] in "-_.":
        raise DomainError("事项编码只能包含字母、数字、“-”“_”“.”，且以字母或数字开头。", field="code")
    if code.lower() in RESERVED_CODES:
        raise DomainError(f"“{code}”是系统保留字，不能用作事项编码。", field="code")
    return code


def _check_actor(by: Staff | None, department: Department) -> None:
    if by is not None and not can_edit_department(by, department):
        raise NotPermitted("您只能维护本部门（及下属科室）的事项；系统管理员可维护全部事项。")


def _store_uploads(materials: list[dict]) -> list[dict]:
    """Save fresh uploads (blank forms, samples) to storage and put their names in their place."""
    stored = []
    for m in materials:
        m = dict(m)
        for key in ("blank_form", "sample"):
            if isinstance(m.get(key), UploadedFile):
                upload = m[key]
                name = RequiredMaterial._meta.get_field(key).generate_filename(None, upload.name)
                m[key] = default_storage.save(name, upload)
        stored.append(m)
    return stored


def _write_version(
    *, item: ServiceItem, number: int, content: dict, by: Staff | None, now: datetime, change_note: str
) -> ServiceItemVersion:
    scalars = {k: v for k, v in content.items() if k not in ("materials", "fees", "steps")}
    version = ServiceItemVersion.objects.create(
        item=item, number=number, valid_from=now, created_by=by, change_note=(change_note or "")[:200], **scalars
    )
    RequiredMaterial.objects.bulk_create(
        [RequiredMaterial(version=version, position=i, **m) for i, m in enumerate(_store_uploads(content["materials"]), 1)]
    )
    FeeRule.objects.bulk_create([FeeRule(version=version, position=i, **f) for i, f in enumerate(content["fees"], 1)])
    WorkflowStep.objects.bulk_create(
        [WorkflowStep(version=version, position=i, **s) for i, s in enumerate(content["steps"], 1)]
    )
    item.current_version = version
    item.save(update_fields=["current_version"])
    return version


@transaction.atomic
def service_item_create(*, department: Department, data: dict[str, Any], by: Staff | None, now: datetime) -> ServiceItem:
    """Create a service item (政务服务事项) of `department` with its first version, in force from `now`.

    `data` holds `code` plus the version content (see catalog.content). Raises DomainError naming the
    field (ContentInvalid listing every problem), NotPermitted when `by` may not edit that department.
    """
    code = _check_code(data.get("code"))
    if department is None:
        raise DomainError("请选择实施部门。", field="department")
    _check_actor(by, department)
    content = clean_content(data)
    if ServiceItem.objects.filter(code=code).exists():
        raise DomainError(f"事项编码“{code}”已存在。", field="code")
    try:
        with transaction.atomic():
            item = ServiceItem.objects.create(code=code, department=department, created_at=now)
    except IntegrityError as exc:  # a concurrent create of the same code
        raise DomainError(f"事项编码“{code}”已存在。", field="code") from exc
    _write_version(item=item, number=1, content=content, by=by, now=now, change_note=data.get("change_note") or "新建")
    return item


@transaction.atomic
def service_item_revise(
    *, item: ServiceItem, data: dict[str, Any], by: Staff | None, now: datetime, change_note: str
) -> ServiceItemVersion:
    """Publish a new version of `item` with `data` as its full content (materials, fees and steps are
    replaced by the lists given; file references carry over by name). The old version stays untouched
    for the cases pinned to it. When nothing changed, no version is written and the current one is
    returned, so saving an untouched form or re-importing the same file is harmless."""
    caller_item = item
    # Lock the item: two editors saving at once must get versions n+1 and n+2, not two n+1.
    item = ServiceItem.objects.select_for_update().select_related("department").get(pk=item.pk)
    _check_actor(by, item.department)
    content = clean_content(data)
    current = item.current_version
    if current is not None:
        current = ServiceItemVersion.objects.prefetch_related("materials", "fees", "steps").get(pk=current.pk)
        if version_content(current) == content:
            return current
        if now < current.valid_from:
            raise DomainError("新版本的生效时间不能早于现行版本。", field="valid_from")
    last = item.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = _write_version(
        item=item, number=last + 1, content=content, by=by, now=now, change_note=(change_note or "").strip() or "修订"
    )
    caller_item.current_version = version  # the caller's object shows the new version too
    return version


@transaction.atomic
def service_item_deactivate(*, item: ServiceItem, by: Staff | None, now: datetime) -> ServiceItem:
    """Withdraw an item from the public guide and the API (事项停用). Its versions stay, so cases already
    received keep their rules; new cases should not be received for it."""
    caller = item
    item = ServiceItem.objects.select_for_update().select_related("department").get(pk=item.pk)
    _check_actor(by, item.department)
    if item.is_active:
        item.is_active = False
        item.deactivated_at = now
        item.save(update_fields=["is_active", "deactivated_at"])
    caller.is_active, caller.deactivated_at = item.is_active, item.deactivated_at
    return item


@transaction.atomic
def service_item_activate(*, item: ServiceItem, by: Staff | None, now: datetime) -> ServiceItem:
    """Put a deactivated item back into the public catalogue."""
    caller = item
    item = ServiceItem.objects.select_for_update().select_related("department").get(pk=item.pk)
    _check_actor(by, item.department)
    if not item.is_active:
        item.is_active = True
        item.deactivated_at = None
        item.save(update_fields=["is_active", "deactivated_at"])
    caller.is_active, caller.deactivated_at = item.is_active, item.deactivated_at
    return item


@transaction.atomic
def service_item_move(*, item: ServiceItem, department: Department, by: Staff | None, now: datetime) -> ServiceItem:
    """Hand an item to another department (机构改革 moves items between bureaus). `by` must be allowed to
    edit both the old and the new department."""
    item = ServiceItem.objects.select_for_update().select_related("department").get(pk=item.pk)
    _check_actor(by, item.department)
    _check_actor(by, department)
    if item.department_id != department.pk:
        item.department = department
        item.save(update_fields=["department"])
    return item


# Import and export live in their own module (file formats); re-exported here as services.
from xiaoneng.catalog.transfer import catalog_export, catalog_import  # noqa: E402

__all__ = [
    "catalog_export",
    "catalog_import",
    "service_item_activate",
    "service_item_create",
    "service_item_deactivate",
    "service_item_move",
    "service_item_revise",
]
