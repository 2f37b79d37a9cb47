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
from django.utils import timezone

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import ApiClient, AuditEvent, Department, HostedDepartment, Staff
from xiaoneng.core.errors import DomainError, NotPermitted

TOKEN_PREFIX = "xn_"
SYSTEM_MAX = 60  # ApiClient.system: the CaseEvent source key "d:<department id>:<system>" fits its 80 characters


def audit_record(
    *, kind: str, now: datetime, actor: Staff | None = None, actor_name: str = "", target: str = "",
    ip: str | None = None, detail: str = "",
) -> AuditEvent:
    """Append one security audit record (accounts.AuditEvent). `actor` None with no `actor_name` is the
    platform itself (a command run by an operator, the demo build). Texts are cut to their columns rather
    than refused: an audit record is never lost because a user name was long."""
    if actor is not None and not actor_name:
        actor_name = actor.username
    return AuditEvent.objects.create(
        at=now, kind=kind, actor=actor if (actor is not None and actor.pk) else None,
        actor_name=(actor_name or "")[:150], target=(target or "")[:200], ip=ip or None, detail=(detail or "")[:500],
    )


def _roles_text(codes: Iterable[str]) -> str:
    codes = set(codes)
    return "、".join(str(R.LABELS[c]) for c in R.ASSIGNABLE if c in codes) or "无"


def token_hash(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a plain SHA-256 is enough (no slow KDF needed for lookups).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def department_create(
    *, code: str, name: str, kind: str = Department.Kind.BUREAU, parent: Department | None = None,
    short_name: str = "", address: str = "", phone: str = "", sort_order: int = 0, by: Staff | None = None,
    now: datetime | None = None,
) -> Department:
    """Create a department under `parent` and give it its tree path; audited when an administrator does it
    (`by`; seeding and commands pass none)."""
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
    if by is not None:
        audit_record(kind=AuditEvent.Kind.DEPARTMENT_CREATED, now=now or timezone.now(), actor=by,
                     target=f"{dept.code} {dept.name}", detail=f"上级部门：{parent.name if parent else '无'}")
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
    unknown = [c for c in codes if c not in R.ASSIGNABLE]
    if unknown:
        raise DomainError(f"未知角色：{', '.join(unknown)}。可用角色：{', '.join(R.ASSIGNABLE)}。", field="roles")
    return [Group.objects.get_or_create(name=c)[0] for c in codes]


@transaction.atomic
def staff_create(
    *, username: str, name: str, department: Department | None, roles: Iterable[str], password: str | None,
    post: str = "", phone: str = "", email: str = "", validate: bool = True, by: Staff | None = None,
    now: datetime | None = None,
) -> Staff:
    """Create a staff account with its roles. Department staff must belong to a department. Audited (with
    `by`, the administrator; none for seeding and commands)."""
    username = (username or "").strip()
    if not username:
        raise DomainError("登录名不能为空。", field="username")
    if Staff.objects.filter(username=username).exists():
        raise DomainError(f"登录名“{username}”已被使用。", field="username")
    roles = list(roles)
    groups = role_groups(roles)
    if department is None and not set(roles) <= set(R.NO_DEPARTMENT):
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
    audit_record(kind=AuditEvent.Kind.STAFF_CREATED, now=now or timezone.now(), actor=by,
                 actor_name="" if by is not None else "平台", target=staff.username,
                 detail=f"部门：{department.name if department else '无'}；角色：{_roles_text(roles)}")
    return staff


@transaction.atomic
def staff_set_roles(*, staff: Staff, roles: Iterable[str], by: Staff, now: datetime | None = None) -> Staff:
    """Change a staff member's roles (administrators only)."""
    if not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以修改角色。")
    roles = list(roles)
    before = set(staff.groups.values_list("name", flat=True))
    staff.groups.set(role_groups(roles))
    staff.is_staff = R.ADMIN in roles
    staff.save(update_fields=["is_staff"])
    staff.__dict__.pop("_role_codes", None)
    if before != set(roles):
        audit_record(kind=AuditEvent.Kind.ROLES_CHANGED, now=now or timezone.now(), actor=by, target=staff.username,
                     detail=f"角色：{_roles_text(before)} → {_roles_text(roles)}")
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
    audit_record(kind=AuditEvent.Kind.TOKEN_CREATED, now=now, actor=by, actor_name="" if by else "平台",
                 target=f"{client.token_prefix}… {name}", detail=f"部门：{department.name}；来源系统：{system}")
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
        audit_record(kind=AuditEvent.Kind.TOKEN_REVOKED, now=now, actor=by, actor_name="" if by else "平台",
                     target=f"{client.token_prefix}… {client.name}", detail=f"部门：{client.department.name}")
    return client


@transaction.atomic
def staff_update(
    *, staff: Staff, by: Staff, name: str, department: Department | None, roles: Iterable[str],
    post: str = "", phone: str = "", email: str = "", is_active: bool = True, now: datetime | None = None,
) -> Staff:
    """Change a staff member's department, roles, contact details or active flag (administrators only).
    Deactivating instead of deleting keeps every record they signed. Audited: a change of roles as such,
    anything else as an account change, naming what changed (not the values of contact details)."""
    if not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以修改工作人员账户。")
    roles = list(roles)
    groups = role_groups(roles)
    if department is None and not set(roles) <= set(R.NO_DEPARTMENT):
        raise DomainError("窗口人员、承办人和部门负责人必须指定所在部门。", field="department")
    if staff.pk == by.pk and (not is_active or R.ADMIN not in roles):
        raise DomainError("不能停用自己的账户或取消自己的管理员角色。", field="roles")
    roles_before = set(staff.groups.values_list("name", flat=True))
    changes = []
    if staff.department_id != (department.pk if department else None):
        changes.append(f"部门：{staff.department.name if staff.department else '无'} → "
                       f"{department.name if department else '无'}")
    if staff.is_active != is_active:
        changes.append("启用账户" if is_active else "停用账户")
    if roles_before != set(roles):
        changes.append(f"角色：{_roles_text(roles_before)} → {_roles_text(roles)}")
    # Contact details are personal data: the trail says that they changed, not what they are.
    changed = [label for label, old, new in (("姓名", staff.name, name), ("岗位", staff.post, post),
                                             ("手机号码", staff.phone, phone), ("电子邮箱", staff.email, email))
               if (old or "") != (new or "")]
    if changed:
        changes.append("修改了" + "、".join(changed))
    staff.name, staff.department, staff.post, staff.phone, staff.email = name, department, post, phone, email
    staff.is_active = is_active
    staff.is_staff = R.ADMIN in roles
    staff.save()
    staff.groups.set(groups)
    staff.__dict__.pop("_role_codes", None)
    if changes:
        kind = AuditEvent.Kind.ROLES_CHANGED if roles_before != set(roles) else AuditEvent.Kind.STAFF_UPDATED
        audit_record(kind=kind, now=now or timezone.now(), actor=by, target=staff.username, detail="；".join(changes))
    return staff


@transaction.atomic
def staff_unlock(*, username: str, by: Staff, now: datetime | None = None) -> int:
    """Lift a log-in lock-out (django-axes) for one user name: its failures from every address are cleared
    (which also lowers those addresses' counts). An address locked for guessing many user names stays locked
    until its cool-off ends. Returns how many lock records were cleared."""
    if not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以解除锁定。")
    from axes.utils import reset

    cleared = reset(username=username)
    audit_record(kind=AuditEvent.Kind.UNLOCKED, now=now or timezone.now(), actor=by, target=username,
                 detail=f"清除锁定记录 {cleared} 条")
    return cleared


@transaction.atomic
def department_update(
    *, department: Department, by: Staff, name: str, short_name: str = "", address: str = "", phone: str = "",
    is_active: bool = True, now: datetime | None = None,
) -> Department:
    """Edit a department's name and contact details (administrators only). Codes and the tree position stay:
    records elsewhere refer to them. Audited, naming what changed."""
    if not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以修改部门。")
    name = (name or "").strip()
    if not name:
        raise DomainError("部门名称不能为空。", field="name")
    changes = [label for label, old, new in (("名称", department.name, name), ("简称", department.short_name, short_name),
                                             ("办公地址", department.address, address), ("咨询电话", department.phone, phone))
               if (old or "") != (new or "")]
    if department.is_active != is_active:
        changes.append("启用" if is_active else "停用")
    department.name, department.short_name, department.address, department.phone = name, short_name, address, phone
    department.is_active = is_active
    department.save()
    if changes:
        audit_record(kind=AuditEvent.Kind.DEPARTMENT_UPDATED, now=now or timezone.now(), actor=by,
                     target=f"{department.code} {department.name}", detail="修改了" + "、".join(changes))
    return department


def can_host(department: Department) -> bool:
    """Only a service centre (服务中心) or a window unit inside one hosts departments."""
    if department.kind == Department.Kind.CENTRE:
        return True
    above = [int(p) for p in department.path.strip("/").split("/") if p]
    return Department.objects.filter(pk__in=above, kind=Department.Kind.CENTRE).exists()


@transaction.atomic
def department_hosting_set(
    *, host: Department, departments: Iterable[Department], by: Staff | None, now: datetime,
) -> list[Department]:
    """Say which departments the service centre (or window unit) `host` registers cases for (进驻部门):
    replaces the previous set. Administrators only (`by` None: seeding). A centre cannot host itself, a unit
    of its own, another centre, or a county-wide organ (the county government, the supervision office):
    those have no licensing window of their own to stand in for. Audited with what was added and removed."""
    if by is not None and not by.has_role(R.ADMIN):
        raise NotPermitted("只有系统管理员可以设置进驻部门。")
    if not can_host(host):
        raise DomainError(f"“{host.name}”不是服务中心或其窗口单位，不能设置进驻部门。", field="departments")
    wanted = {d.pk: d for d in departments}
    for d in wanted.values():
        if d.path.startswith(host.path) or host.path.startswith(d.path):
            raise DomainError(f"“{d.name}”是本中心自身、其上级或其下属单位，不能作为进驻部门。", field="departments")
        if d.kind in (Department.Kind.COUNTY, Department.Kind.OFFICE, Department.Kind.CENTRE):
            raise DomainError(f"“{d.name}”（{d.get_kind_display()}）不能作为进驻部门。", field="departments")
        if not d.is_active:
            raise DomainError(f"“{d.name}”已停用，不能作为进驻部门。", field="departments")
    # Locks the host's row: two administrators saving at once apply one after the other.
    Department.objects.select_for_update().filter(pk=host.pk).first()
    before = {link.department_id: link.department for link in
              HostedDepartment.objects.filter(host=host).select_related("department")}
    added = [wanted[k] for k in wanted if k not in before]
    removed = [before[k] for k in before if k not in wanted]
    if removed:
        HostedDepartment.objects.filter(host=host, department_id__in=[d.pk for d in removed]).delete()
    HostedDepartment.objects.bulk_create([HostedDepartment(host=host, department=d) for d in added])
    if added or removed:
        parts = []
        if added:
            parts.append("新增：" + "、".join(d.name for d in sorted(added, key=lambda d: d.path)))
        if removed:
            parts.append("取消：" + "、".join(d.name for d in sorted(removed, key=lambda d: d.path)))
        audit_record(kind=AuditEvent.Kind.HOSTING_CHANGED, now=now, actor=by, actor_name="" if by else "平台",
                     target=f"{host.code} {host.name}", detail="；".join(parts))
    return sorted(wanted.values(), key=lambda d: d.path)
