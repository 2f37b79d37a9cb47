"""Writes on departments, staff and API clients. Each service is atomic and checks its own inputs."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import ApiClient, Department, Staff
from xiaoneng.core.errors import DomainError, NotPermitted

TOKEN_PREFIX = "xn_"
SYSTEM_MAX = 60  # ApiClient.system: the CaseEvent source key "d:<department id>:<system>" fits its 80 characters


def token_hash(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a plain SHA-256 is enough (no slow KDF needed for lookups).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def department_create(
    *, code: str, name: str, kind: str = Department.Kind.BUREAU, parent: Department | None = None,
    short_name: str = "", address: str = "", phone: str = "", sort_order: int = 0,
) -> Department:
    """Create a department under `parent` and give it its tree path."""
    code = (code or "").strip()
    name = (name or "").strip()
    if not code:
        raise DomainError("部门编码不能为空。", field="code")
    if not name:
        raise DomainError("部门名称不能为空。", field="name")
    if kind not in Department.Kind.values:
        raise DomainError(f"部门类型“{kind}”无效。", field="kind")
    if Department.objects.filter(code=code).exists():
        raise DomainError(f"部门编码“{code}”已存在。", field="code")
    dept = Department.objects.create(
        code=code, name=name, kind=kind, parent=parent, short_name=short_name,
        address=address, phone=phone, sort_order=sort_order,
    )
    dept.path = f"{parent.path if parent else '/'}{dept.pk}/"
    dept.depth = parent.depth + 1 if parent else 0
    dept.save(update_fields=["path", "depth"])
    return dept


@transaction.atomic
def department_set_head(*, department: Department, head: Staff | None) -> Department:
    """Name the head (负责人) of a department; the head must work in it or below it."""
    if head is not None and (head.department is None or not head.department.is_within(department)):
        raise DomainError("负责人必须是本部门（或下属科室）的工作人员。", field="head")
    department.head = head
    department.save(update_fields=["head"])
    return department


def role_groups(codes: Iterable[str]) -> list[Group]:
    codes = list(codes)
    unknown = [c for c in codes if c not in R.ALL]
    if unknown:
        raise DomainError(f"未知角色：{', '.join(unknown)}。可用角色：{', '.join(R.ALL)}。", field="roles")
    return [Group.objects.get_or_create(name=c)[0] for c in codes]


@transaction.atomic
def staff_create(
    *, username: str, name: str, department: Department | None, roles: Iterable[str], password: str | None,
    post: str = "", phone: str = "", email: str = "", validate: bool = True,
) -> Staff:
    """Create a staff account with its roles. Department staff must belong to a department."""
    username = (username or "").strip()
    if not username:
        raise DomainError("登录名不能为空。", field="username")
    if Staff.objects.filter(username=username).exists():
        raise DomainError(f"登录名“{username}”已被使用。", field="username")
    roles = list(roles)
    groups = role_groups(roles)
    if department is None and not set(roles) <= set(R.COUNTY_WIDE):
        raise DomainError("窗口人员、承办人和部门负责人必须指定所在部门。", field="department")
    staff = Staff(username=username, name=name, department=department, post=post, phone=phone, email=email)
    if password:
        if validate:
            try:
                validate_password(password, staff)
            except ValidationError as exc:
                raise DomainError("；".join(exc.messages), field="password") from exc
        staff.set_password(password)
    else:
        staff.set_unusable_password()
    staff.is_staff = R.ADMIN in roles  # the Django admin is for system administrators only
    staff.save()
    staff.groups.set(groups)
    return staff


@transaction.atomic
def staff_set_roles(*, staff: Staff, roles: Iterable[str], by: Staff) -> Staff:
    """Change a staff member's roles (administrators only)."""
    if not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以修改角色。")
    roles = list(roles)
    staff.groups.set(role_groups(roles))
    staff.is_staff = R.ADMIN in roles
    staff.save(update_fields=["is_staff"])
    staff.__dict__.pop("_role_codes", None)
    return staff


@transaction.atomic
def api_client_create(
    *, name: str, department: Department, by: Staff | None, now: datetime, system: str = "",
) -> tuple[ApiClient, str]:
    """Issue a token for a department system. Returns the client and the raw token, shown only once.

    `system` (来源系统, default: the name) is the identity its event ids belong to: a new token for the same
    department and system (a rotation) continues the same ids, so re-sending a batch doubles nothing."""
    name = (name or "").strip()
    if not name:
        raise DomainError("系统名称不能为空。", field="name")
    system = (system or "").strip() or name[:SYSTEM_MAX]
    if len(system) > SYSTEM_MAX:
        raise DomainError(f"来源系统不能超过 {SYSTEM_MAX} 个字符（未填写时取系统名称）。", field="system")
    if by is not None and not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以创建接口令牌。")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name, system=system, department=department, token_hash=token_hash(raw), token_prefix=raw[:10],
        created_by=by, created_at=now,
    )
    return client, raw


@transaction.atomic
def api_client_revoke(*, client: ApiClient, by: Staff | None, now: datetime) -> ApiClient:
    """Revoke a token at once: the next request with it is refused."""
    if by is not None and not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以吊销接口令牌。")
    if client.revoked_at is None:
        client.revoked_at = now
        client.revoked_by = by
        client.save(update_fields=["revoked_at", "revoked_by"])
    return client


@transaction.atomic
def staff_update(
    *, staff: Staff, by: Staff, name: str, department: Department | None, roles: Iterable[str],
    post: str = "", phone: str = "", email: str = "", is_active: bool = True,
) -> Staff:
    """Change a staff member's department, roles, contact details or active flag (administrators only).
    Deactivating instead of deleting keeps every record they signed."""
    if not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以修改工作人员账户。")
    roles = list(roles)
    groups = role_groups(roles)
    if department is None and not set(roles) <= set(R.COUNTY_WIDE):
        raise DomainError("窗口人员、承办人和部门负责人必须指定所在部门。", field="department")
    if staff.pk == by.pk and (not is_active or R.ADMIN not in roles):
        raise DomainError("不能停用自己的账户或取消自己的管理员角色。", field="roles")
    staff.name, staff.department, staff.post, staff.phone, staff.email = name, department, post, phone, email
    staff.is_active = is_active
    staff.is_staff = R.ADMIN in roles
    staff.save()
    staff.groups.set(groups)
    staff.__dict__.pop("_role_codes", None)
    return staff


@transaction.atomic
def staff_unlock(*, username: str, by: Staff) -> int:
    """Lift a log-in lock-out (django-axes) for one user name. Returns how many lock records were cleared."""
    if not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以解除锁定。")
    from axes.utils import reset

    return reset(username=username)


@transaction.atomic
def department_update(
    *, department: Department, by: Staff, name: str, short_name: str = "", address: str = "", phone: str = "",
    is_active: bool = True,
) -> Department:
    """Edit a department's name and contact details (administrators only). Codes and the tree position stay:
    records elsewhere refer to them."""
    if not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以修改部门。")
    name = (name or "").strip()
    if not name:
        raise DomainError("部门名称不能为空。", field="name")
    department.name, department.short_name, department.address, department.phone = name, short_name, address, phone
    department.is_active = is_active
    department.save()
    return department
