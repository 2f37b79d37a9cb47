"""Ranking groups (考核分组): their names and the department kinds they rank, and explicit placements of single
departments (GroupMember), written by the office on the groups page. A change applies to the next computation;
scores already computed keep the group they were ranked in."""

from __future__ import annotations

import re

from django.db import transaction

from xiaoneng.accounts.models import Department
from xiaoneng.core.errors import DomainError

from ..models import DepartmentGroup, GroupMember

_CODE = re.compile(r"[a-z][a-z0-9_-]{0,31}", re.ASCII)


@transaction.atomic
def group_save(*, code: str, name: str, kinds: list[str], position: int | None = None) -> DepartmentGroup:
    """Create a group or change one's name, kinds and order. A kind belongs to one group only (a department
    falls in exactly one); the code is fixed once created (scores keep it)."""
    code = (code or "").strip()
    if not _CODE.fullmatch(code):
        raise DomainError("分组编码须以小写字母开头，由小写字母、数字、-、_ 组成，最多32个字符。", field="code")
    name = (name or "").strip()
    if not name:
        raise DomainError("分组名称不能为空。", field="name")
    if len(name) > 40:
        raise DomainError("分组名称最多40个字符。", field="name")
    kinds = [str(k) for k in dict.fromkeys(kinds or [])]
    bad = [k for k in kinds if k not in Department.Kind.values]
    if bad:
        raise DomainError(f"单位类型“{bad[0][:20]}”无效。", field="kinds")
    taken = {k: g for g in DepartmentGroup.objects.exclude(code=code) for k in g.kinds or []}
    clash = [k for k in kinds if k in taken]
    if clash:
        label = Department.Kind(clash[0]).label
        raise DomainError(f"单位类型“{label}”已属于分组“{taken[clash[0]].name}”，一个类型只能属于一个分组。",
                          field="kinds")
    if position is not None and not 0 <= position <= 999:
        raise DomainError("排序须在 0 至 999 之间。", field="position")
    group = DepartmentGroup.objects.select_for_update().filter(code=code).first()
    if group is None:
        last = DepartmentGroup.objects.order_by("-position").first()
        group = DepartmentGroup(code=code, position=position if position is not None else
                                ((last.position + 1) if last else 0))
    elif position is not None:
        group.position = position
    group.name, group.kinds = name, kinds
    group.save()
    return group


@transaction.atomic
def group_place(*, department: Department, group: DepartmentGroup | None) -> GroupMember | None:
    """Place `department` explicitly in `group` (overriding its kind's group), or remove the placement (None)."""
    if group is None:
        GroupMember.objects.filter(department=department).delete()
        return None
    member, _created = GroupMember.objects.update_or_create(department=department, defaults={"group": group})
    return member
