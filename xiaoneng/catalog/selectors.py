"""Reads of the service catalogue: what the public sees, what a staff member may see and edit, and which
version was in force at a given moment. Department scoping comes from accounts.selectors, never re-done here.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.accounts.selectors import scope_to_staff
from xiaoneng.catalog.models import ServiceItem, ServiceItemVersion
from xiaoneng.core.errors import NotPermitted


def _children_prefetch(prefix: str) -> list[str]:
    return [f"{prefix}materials", f"{prefix}fees", f"{prefix}steps"]


def _search(qs: QuerySet[ServiceItem], q: str | None) -> QuerySet[ServiceItem]:
    q = (q or "").strip()[:100]
    if not q:
        return qs
    return qs.filter(
        Q(code__icontains=q)
        | Q(current_version__name__icontains=q)
        | Q(department__name__icontains=q)
        | Q(department__short_name__icontains=q)
    )


def item_list_public(
    *, q: str | None = None, department_code: str | None = None, item_type: str | None = None,
    online: bool | None = None, with_children: bool = False,
) -> QuerySet[ServiceItem]:
    """Active items with a current version, for the public guide list, the API and Open311.

    `department_code` includes the department's subtree (a bureau's items include its sections').
    """
    qs = ServiceItem.objects.filter(is_active=True, current_version__isnull=False).select_related(
        "department", "current_version"
    )
    qs = _search(qs, q)
    if department_code:
        dept = Department.objects.filter(code=department_code).only("path").first()
        qs = qs.filter(department__path__startswith=dept.path) if dept else qs.none()
    if item_type:
        qs = qs.filter(current_version__item_type=item_type)
    if online is not None:
        qs = qs.filter(current_version__online=online)
    if with_children:
        qs = qs.prefetch_related(*_children_prefetch("current_version__"))
    return qs.order_by("department__path", "code")


def item_get_public(code: str) -> ServiceItem:
    """One active item with its current version and children; Http404 for unknown or inactive codes."""
    item = item_list_public(with_children=True).filter(code=code).first()
    if item is None:
        raise Http404(f"事项“{code}”不存在或已停用。")
    return item


def guide_departments() -> QuerySet[Department]:
    """Departments that have at least one public item: the public department filter."""
    return Department.objects.filter(
        service_items__is_active=True, service_items__current_version__isnull=False
    ).distinct().order_by("path")


def item_list_for(
    staff: Staff, *, q: str | None = None, department_code: str | None = None, include_inactive: bool = True,
) -> QuerySet[ServiceItem]:
    """Items of the departments `staff` may see (all for county-wide roles), for the staff catalogue — at a
    service centre also the hosted departments' items, whose guides its window reads to the applicants
    (registration_scope_q; editing stays with the departments: departments_editable_by)."""
    from xiaoneng.accounts.selectors import registration_scope_q

    qs = ServiceItem.objects.filter(registration_scope_q(staff)).select_related("department", "current_version")
    qs = _search(qs, q)
    if department_code:
        dept = Department.objects.filter(code=department_code).only("path").first()
        qs = qs.filter(department__path__startswith=dept.path) if dept else qs.none()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("department__path", "code")


def registrable_item_list_for(staff: Staff) -> QuerySet[ServiceItem]:
    """Published, active items `staff` may register cases for at the window (受理登记): their own reach and, at
    a service centre, the items of the departments it hosts (accounts.selectors.registration_scope_q)."""
    from xiaoneng.accounts.selectors import registration_scope_q

    return (ServiceItem.objects.filter(registration_scope_q(staff), is_active=True, current_version__isnull=False)
            .select_related("department", "current_version").order_by("department__path", "code"))


def item_get_for(staff: Staff, code: str) -> ServiceItem:
    """An item `staff` may see; Http404 otherwise (we do not say whether it exists elsewhere)."""
    item = item_list_for(staff).filter(code=code).first()
    if item is None:
        raise Http404("事项不存在或不在您的权限范围内。")
    return item


def departments_editable_by(staff: Staff) -> QuerySet[Department]:
    """Departments whose items `staff` may create and edit: every one for an administrator, the own
    subtree for a department head, none for anyone else."""
    qs = Department.objects.filter(is_active=True).order_by("path")
    if staff is None or not staff.is_authenticated:
        return qs.none()
    if staff.has_role(R.ADMIN):
        return qs
    if staff.has_role(R.HEAD):
        # A head's reach is exactly what scoping shows them: their own department and below.
        return scope_to_staff(qs, staff, field="")
    return qs.none()


def can_edit_department(staff: Staff, department: Department) -> bool:
    if staff is None or not staff.is_authenticated:
        return False
    if staff.has_role(R.ADMIN):
        return True
    return departments_editable_by(staff).filter(pk=department.pk).exists()


def can_edit_item(staff: Staff, item: ServiceItem) -> bool:
    return can_edit_department(staff, item.department)


def can_transfer(staff: Staff) -> bool:
    """Import and export of the whole catalogue are for administrators only."""
    return staff is not None and staff.is_authenticated and staff.has_role(R.ADMIN)


def item_get_for_edit(staff: Staff, code: str) -> ServiceItem:
    """An item `staff` may edit. Outside their sight: 404; visible but not theirs to edit: NotPermitted."""
    item = item_get_for(staff, code)
    if not can_edit_item(staff, item):
        raise NotPermitted("您只能修改本部门（及下属科室）的事项；系统管理员可修改全部事项。")
    return item


def version_list(item: ServiceItem) -> QuerySet[ServiceItemVersion]:
    """Every version of an item, newest first, with who made it."""
    return item.versions.select_related("created_by").order_by("-number")


def version_get(item: ServiceItem, number: int) -> ServiceItemVersion:
    version = (
        item.versions.select_related("created_by").prefetch_related(*_children_prefetch("")).filter(number=number).first()
    )
    if version is None:
        raise Http404("该版本不存在。")
    return version


def version_with_children(version: ServiceItemVersion) -> ServiceItemVersion:
    return ServiceItemVersion.objects.select_related("item", "created_by").prefetch_related(
        *_children_prefetch("")
    ).get(pk=version.pk)


def version_in_force(item: ServiceItem, at: datetime) -> ServiceItemVersion | None:
    """The version of `item` that was in force at `at` (aware datetime): the latest one whose valid_from is
    not after `at`. None when `at` is before the item's first version. Cases pin what this returns at
    the moment they are received; deactivation does not change it (an old case still has its rules)."""
    if at.tzinfo is None:
        raise ValueError("version_in_force needs an aware datetime")
    return (
        ServiceItemVersion.objects.filter(item=item, valid_from__lte=at)
        .order_by("-valid_from", "-number")
        .first()
    )


def items_for_export() -> QuerySet[ServiceItem]:
    """Every item (active or not) with its current version's children, for export."""
    return (
        ServiceItem.objects.filter(current_version__isnull=False)
        .select_related("department", "current_version")
        .prefetch_related(
            Prefetch("current_version__materials"), Prefetch("current_version__fees"), Prefetch("current_version__steps")
        )
        .order_by("code")
    )


def _display(version_field: str, value) -> str:
    from xiaoneng.catalog.models import SuspensionReason

    if isinstance(value, bool):
        return "是" if value else "否"
    if version_field == "suspension_reasons":
        return "、".join(str(SuspensionReason(r).label) for r in value) or "—"
    field = ServiceItemVersion._meta.get_field(version_field)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    text = "" if value is None else str(value)
    return (text[:80] + "…") if len(text) > 80 else (text or "—")


def _child_changes(label: str, old: list[dict], new: list[dict], key: str = "name") -> str | None:
    old_by = {c[key]: c for c in old}
    new_by = {c[key]: c for c in new}
    added = [k for k in new_by if k not in old_by]
    removed = [k for k in old_by if k not in new_by]
    changed = [k for k in new_by if k in old_by and new_by[k] != old_by[k]]
    reordered = not added and not removed and not changed and [c[key] for c in old] != [c[key] for c in new]
    parts = []
    if added:
        parts.append("新增 " + "、".join(str(a) for a in added))
    if removed:
        parts.append("删除 " + "、".join(str(r) for r in removed))
    if changed:
        parts.append("修改 " + "、".join(str(c) for c in changed))
    if reordered:
        parts.append("调整顺序")
    return f"{label}：" + "；".join(parts) if parts else None


def version_diff(old: ServiceItemVersion | None, new: ServiceItemVersion) -> list[dict]:
    """What changed from `old` to `new`: one entry per changed field with its label and both values as
    text, then one summary line per child list (materials, fees, steps). Empty for a first version."""
    from xiaoneng.catalog.content import SCALAR_FIELDS, version_content
    from xiaoneng.catalog.models import StepKind

    if old is None:
        return []
    a, b = version_content(old), version_content(new)
    changes = [
        {"field": str(ServiceItemVersion._meta.get_field(f).verbose_name), "old": _display(f, a[f]),
         "new": _display(f, b[f])}
        for f in SCALAR_FIELDS
        if a[f] != b[f]
    ]
    for label, key, match in (("申请材料", "materials", "name"), ("收费标准", "fees", "name"),
                              ("办理流程", "steps", "kind")):
        if key == "steps":
            # Steps are matched by position: the same kind may appear twice (初审, 复审).
            old_rows = [{**s, "_k": f"{i + 1}.{s['name'] or StepKind(s['kind']).label}"} for i, s in enumerate(a[key])]
            new_rows = [{**s, "_k": f"{i + 1}.{s['name'] or StepKind(s['kind']).label}"} for i, s in enumerate(b[key])]
            line = _child_changes(label, old_rows, new_rows, "_k")
        else:
            line = _child_changes(label, a[key], b[key], match)
        if line:
            changes.append({"field": label, "summary": line})
    return changes


def version_history(item: ServiceItem) -> list[dict]:
    """Every version, newest first, each with its changes against the one before (a fixed number of
    queries however many versions there are)."""
    versions = list(
        item.versions.select_related("created_by").prefetch_related(*_children_prefetch("")).order_by("number")
    )
    out = []
    previous = None
    for v in versions:
        out.append({"version": v, "changes": version_diff(previous, v), "is_current": v.pk == item.current_version_id})
        previous = v
    out.reverse()
    return out
