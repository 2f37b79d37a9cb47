"""Disclosure catalogues (公开目录) and their filing with the office (报备).

A department drafts its catalogue from its level's shipped template (templates_catalogue.py), edits the items of
the draft, and its head files it with the office; the office (效能监察员) accepts it — it becomes the department's
current catalogue, public, and the previous current version is superseded — or returns it with its reasons, and
the department edits and files again. A change is a new version (`catalogue_revise`: a draft copied from the
current one, items keeping their codes), filed and decided the same way; the current version stays in force
until the new one is accepted.

Who: a department's heads and handlers (of the department or a unit above it: a township's staff draft their
villages' catalogues) create, revise and edit drafts; only a head files; only a supervisor accepts or returns.
Every transition from the wrong state, or by the wrong person, is refused with a Chinese reason (DomainError /
NotPermitted), nothing written.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core.errors import DomainError, NotPermitted

from ..models import Catalogue, CatalogueItem, CatalogueStatus, Category, Frequency, Level
from ..templates_catalogue import level_for_kind, template_for
from .findings import findings_rectify_for_catalogue

EDITABLE = (CatalogueStatus.DRAFT, CatalogueStatus.RETURNED)
OPEN = (CatalogueStatus.DRAFT, CatalogueStatus.FILED, CatalogueStatus.RETURNED)
MAX_ITEMS = 200
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
LIMITS = {"name": 120, "legal_basis": 300, "content": 2000}
LABELS = {"code": "事项编码", "name": "公开事项", "legal_basis": "公开依据", "content": "公开内容",
          "category": "类别", "frequency": "公开频次"}


# ------------------------------------------------------------------------------------------------ who may
def _reaches(staff: Staff, department: Department) -> bool:
    """Staff of the department or of a unit above it (accounts' scoping rule, for one department)."""
    return (staff is not None and staff.is_active and staff.department_id is not None
            and department.path.startswith(staff.department.path))


def may_draft(staff: Staff, department: Department) -> bool:
    """Heads and handlers of the department (or above it) create, revise and edit its drafts."""
    return staff is not None and staff.has_any_role(R.HEAD, R.HANDLER) and _reaches(staff, department)


def may_file(staff: Staff, department: Department) -> bool:
    """Only a head files the catalogue with the office (报备 is the unit's act)."""
    return staff is not None and staff.has_role(R.HEAD) and _reaches(staff, department)


def is_office(staff: Staff) -> bool:
    return staff is not None and staff.has_role(R.SUPERVISOR)


def _need_draft(staff: Staff, department: Department) -> None:
    if not may_draft(staff, department):
        raise NotPermitted("只有本单位的负责人和承办人可以编制公开目录。")


# ------------------------------------------------------------------------------------------------ items
def clean_item(*, code: str, name: str, category: str, legal_basis: str = "", content: str = "",
               frequency: str) -> dict:
    """One item's fields checked and normalised (code upper-cased, text stripped); DomainError naming the field."""
    data = {"code": (code or "").strip().upper(), "name": (name or "").strip(),
            "legal_basis": (legal_basis or "").strip(), "content": (content or "").strip(),
            "category": (category or "").strip(), "frequency": (frequency or "").strip()}
    if not data["code"]:
        raise DomainError("请填写事项编码。", field="code")
    if not CODE_RE.match(data["code"]):
        raise DomainError("事项编码只能由字母、数字、连字符和下划线组成，以字母或数字开头，最长 32 个字符。", field="code")
    if not data["name"]:
        raise DomainError("请填写公开事项名称。", field="name")
    for key, limit in LIMITS.items():
        if len(data[key]) > limit:
            raise DomainError(f"{LABELS[key]}最长 {limit} 个字。", field=key)
    if data["category"] not in Category.values:
        raise DomainError("请选择有效的类别。", field="category")
    if data["frequency"] not in Frequency.values:
        raise DomainError("请选择有效的公开频次（变动时、每月、每季度、每年）。", field="frequency")
    return data


def _lock(catalogue: Catalogue) -> Catalogue:
    return Catalogue.objects.select_for_update().select_related("department").get(pk=catalogue.pk)


def _editable(catalogue: Catalogue, by: Staff) -> Catalogue:
    cat = _lock(catalogue)
    if by is not None:  # None: the platform itself (the demo, an import)
        _need_draft(by, cat.department)
    if cat.status not in EDITABLE:
        raise DomainError(f"公开目录第{cat.version}版{cat.get_status_display()}，不能再修改；如需变更请修订出新版本。",
                          field="status")
    return cat


def _current_codes(department_id: int) -> set[str]:
    return set(CatalogueItem.objects.filter(catalogue__department_id=department_id, catalogue__current=True)
               .values_list("code", flat=True))


@transaction.atomic
def catalogue_item_add(*, catalogue: Catalogue, code: str, name: str, category: str, legal_basis: str = "",
                       content: str = "", frequency: str, by: Staff, now: dt.datetime) -> CatalogueItem:
    """Add an item to a draft (or returned) catalogue: its code unique within the catalogue."""
    cat = _editable(catalogue, by)
    data = clean_item(code=code, name=name, category=category, legal_basis=legal_basis, content=content,
                      frequency=frequency)
    items = CatalogueItem.objects.filter(catalogue=cat)
    if items.filter(code=data["code"]).exists():
        raise DomainError(f"事项编码“{data['code']}”已在本目录中使用。", field="code")
    if items.count() >= MAX_ITEMS:
        raise DomainError(f"一个公开目录最多 {MAX_ITEMS} 个事项。", field="code")
    last = items.order_by("-order").values_list("order", flat=True).first() or 0
    return CatalogueItem.objects.create(catalogue=cat, order=last + 1, **data)


@transaction.atomic
def catalogue_item_edit(*, item: CatalogueItem, code: str, name: str, category: str, legal_basis: str = "",
                        content: str = "", frequency: str, by: Staff, now: dt.datetime) -> CatalogueItem:
    """Change an item of a draft. Its code may change only while no accepted version has it (entries follow
    codes across versions: renaming a code in force would cut its entries off)."""
    cat = _editable(item.catalogue, by)
    item = CatalogueItem.objects.get(pk=item.pk, catalogue=cat)
    data = clean_item(code=code, name=name, category=category, legal_basis=legal_basis, content=content,
                      frequency=frequency)
    if data["code"] != item.code:
        if item.code in _current_codes(cat.department_id):
            raise DomainError(f"事项编码“{item.code}”在现行目录中使用，已公开的信息按编码归属，不能更改。", field="code")
        if CatalogueItem.objects.filter(catalogue=cat, code=data["code"]).exclude(pk=item.pk).exists():
            raise DomainError(f"事项编码“{data['code']}”已在本目录中使用。", field="code")
    for key, value in data.items():
        setattr(item, key, value)
    item.save()
    return item


@transaction.atomic
def catalogue_item_remove(*, item: CatalogueItem, by: Staff, now: dt.datetime) -> None:
    """Remove an item from a draft (its published entries, if any, stay: they keep the row of the version they
    were published under)."""
    cat = _editable(item.catalogue, by)
    CatalogueItem.objects.filter(pk=item.pk, catalogue=cat).delete()


# ------------------------------------------------------------------------------------------------ versions
def _open_version(department: Department) -> Catalogue | None:
    return Catalogue.objects.filter(department=department, status__in=OPEN).order_by("-version").first()


@transaction.atomic
def catalogue_create(*, department: Department, level: str | None = None, from_template: bool = True,
                     by: Staff | None, now: dt.datetime, due_at: dt.datetime | None = None) -> Catalogue:
    """A department's first catalogue: version 1, a draft, with its level's shipped items (or none). `level`
    defaults from the department's kind (levels.level_for_kind); `due_at` is the office's filing deadline.
    `by` None is the platform itself (the demo, an import)."""
    if by is not None:
        _need_draft(by, department)
    level = level or level_for_kind(department.kind)
    if level not in Level.values:
        raise DomainError("请选择有效的目录层级（部门、乡镇、村（居）委会、公共企事业单位）。", field="level")
    Department.objects.select_for_update().filter(pk=department.pk).first()
    if Catalogue.objects.filter(department=department).exists():
        raise DomainError(f"{department.name}已有公开目录：请在现有目录上修订。", field="department")
    cat = Catalogue.objects.create(department=department, level=level, version=1, status=CatalogueStatus.DRAFT,
                                   created_at=now, created_by=by, due_at=due_at)
    if from_template:
        CatalogueItem.objects.bulk_create([
            CatalogueItem(catalogue=cat, code=t.code, name=t.name, category=t.category, legal_basis=t.legal_basis,
                          content=t.content, frequency=t.frequency, order=i + 1)
            for i, t in enumerate(template_for(level))])
    return cat


@transaction.atomic
def catalogue_revise(*, department: Department, note: str = "", by: Staff | None, now: dt.datetime,
                     due_at: dt.datetime | None = None) -> Catalogue:
    """A new version of the department's catalogue: a draft copied from the current (accepted) one, items
    keeping their codes, to be filed again. Refused while another version is open (draft, filed, returned)."""
    if by is not None:
        _need_draft(by, department)
    Department.objects.select_for_update().filter(pk=department.pk).first()
    open_one = _open_version(department)
    if open_one is not None:
        raise DomainError(f"第{open_one.version}版{open_one.get_status_display()}，请先处理该版本。", field="status")
    current = Catalogue.objects.filter(department=department, current=True).first()
    if current is None:
        raise DomainError("还没有已备案的公开目录，无从修订。", field="status")
    note = (note or "").strip()
    if len(note) > 1000:
        raise DomainError("修订说明最长 1000 个字。", field="note")
    last = Catalogue.objects.filter(department=department).order_by("-version").values_list("version", flat=True)[0]
    cat = Catalogue.objects.create(department=department, level=current.level, version=last + 1,
                                   status=CatalogueStatus.DRAFT, note=note, created_at=now, created_by=by,
                                   due_at=due_at)
    CatalogueItem.objects.bulk_create([
        CatalogueItem(catalogue=cat, code=i.code, name=i.name, category=i.category, legal_basis=i.legal_basis,
                      content=i.content, frequency=i.frequency, order=i.order)
        for i in current.items.all()])
    return cat


@transaction.atomic
def catalogue_file(*, catalogue: Catalogue, by: Staff | None, now: dt.datetime) -> Catalogue:
    """File a draft (or a returned version, edited) with the office (报备): draft/returned → filed. A catalogue
    without items has nothing to file."""
    cat = _lock(catalogue)
    if by is not None and not may_file(by, cat.department):
        raise NotPermitted("只有本单位负责人可以报备公开目录。")
    if cat.status not in EDITABLE:
        raise DomainError(f"公开目录第{cat.version}版{cat.get_status_display()}，不能报备。", field="status")
    if not cat.items.exists():
        raise DomainError("公开目录还没有任何事项，无可报备。", field="items")
    cat.status = CatalogueStatus.FILED
    cat.filed_at, cat.filed_by = now, by
    cat.save(update_fields=["status", "filed_at", "filed_by"])
    return cat


def _need_office(by: Staff | None) -> None:
    if by is not None and not is_office(by):
        raise NotPermitted("只有效能办（效能监察员）可以审核公开目录。")


@transaction.atomic
def catalogue_accept(*, catalogue: Catalogue, note: str = "", by: Staff | None, now: dt.datetime) -> Catalogue:
    """The office accepts a filed catalogue (备案): it becomes the department's current, public catalogue; the
    version it replaces is superseded (kept); open "catalogue not filed" findings of the department close."""
    _need_office(by)
    cat = _lock(catalogue)
    if cat.status != CatalogueStatus.FILED:
        raise DomainError(f"公开目录第{cat.version}版{cat.get_status_display()}，只有已报备的目录可以审核。",
                          field="status")
    note = (note or "").strip()
    if len(note) > 1000:
        raise DomainError("审核意见最长 1000 个字。", field="note")
    Catalogue.objects.filter(department_id=cat.department_id, current=True).exclude(pk=cat.pk).update(
        current=False, status=CatalogueStatus.SUPERSEDED)
    cat.status, cat.current = CatalogueStatus.ACCEPTED, True
    cat.decided_at, cat.decided_by, cat.decision_note, cat.effective_at = now, by, note, now
    cat.save(update_fields=["status", "current", "decided_at", "decided_by", "decision_note", "effective_at"])
    findings_rectify_for_catalogue(cat, now=now)
    return cat


@transaction.atomic
def catalogue_return(*, catalogue: Catalogue, reason: str, by: Staff | None, now: dt.datetime) -> Catalogue:
    """The office returns a filed catalogue with its reasons (退回): the department edits and files again."""
    _need_office(by)
    cat = _lock(catalogue)
    if cat.status != CatalogueStatus.FILED:
        raise DomainError(f"公开目录第{cat.version}版{cat.get_status_display()}，只有已报备的目录可以退回。",
                          field="status")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("退回须说明理由。", field="reason")
    if len(reason) > 1000:
        raise DomainError("退回理由最长 1000 个字。", field="reason")
    cat.status = CatalogueStatus.RETURNED
    cat.decided_at, cat.decided_by, cat.decision_note = now, by, reason
    cat.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    return cat
