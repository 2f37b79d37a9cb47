"""Accounts: the department tree, staff members with roles, and API clients of department systems."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.accounts import roles as R


class Department(models.Model):
    """An organisation unit that is supervised (机关/部门/单位): the county, its bureaus and their sections,
    townships and their villages, the service centre and the supervision office.

    `path` is the chain of ancestor ids ("/1/7/23/"): a department's subtree is one indexed prefix query,
    which is how scoping by department stays a single WHERE clause everywhere.
    """

    class Kind(models.TextChoices):
        COUNTY = "county", _("县（区）人民政府")
        OFFICE = "office", _("效能监察机关")
        BUREAU = "bureau", _("县直部门")
        SECTION = "section", _("内设科室")
        CENTRE = "centre", _("服务中心")
        TOWNSHIP = "township", _("乡镇（街道）")
        VILLAGE = "village", _("村（社区）")

    code = models.CharField(_("部门编码"), max_length=32, unique=True)
    name = models.CharField(_("部门名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.BUREAU)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="/")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Department) -> bool:
        """True when this department is `other` or lies below it in the tree."""
        return self.path.startswith(other.path)


class HostedDepartment(models.Model):
    """A department hosted at a service centre's windows (进驻部门, 窗口式集中办理): the centre (or a window
    unit under it) registers cases for the hosted department's items (and its sections'). The case still
    belongs to the hosted department — its handlers, heads, clocks and cards; the centre is recorded as the
    window that took it (cases.Case.intake_department). Set by administrators (accounts.services
    department_hosting_set), audit-logged."""

    host = models.ForeignKey(Department, verbose_name=_("服务中心"), on_delete=models.CASCADE,
                             related_name="hosted_links")
    department = models.ForeignKey(Department, verbose_name=_("进驻部门"), on_delete=models.CASCADE,
                                   related_name="hosted_at")

    class Meta:
        ordering = ["host__path", "department__path"]
        constraints = [models.UniqueConstraint(fields=["host", "department"], name="accounts_hosted_unique")]
        verbose_name = _("进驻部门")
        verbose_name_plural = _("进驻部门")

    def __str__(self) -> str:
        return f"{self.host.name} → {self.department.name}"


class Staff(AbstractUser):
    """A person who works in a department (工作人员), or in the supervision office; signs in to the staff
    pages. Roles are Django groups named by the codes in accounts.roles. `phone` is personal data."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("所在部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    post = models.CharField(_("岗位"), max_length=60, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        # Cached per instance: a request asks several times, the groups do not change within it.
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            prefetched = getattr(self, "_prefetched_objects_cache", {}).get("groups")
            if prefetched is not None:  # lists prefetch groups: no query per row
                cached = frozenset(g.name for g in prefetched)
            else:
                cached = frozenset(self.groups.values_list("name", flat=True)) if self.pk else frozenset()
            if self.is_superuser:
                cached |= {R.ADMIN}
            self._role_codes = cached
        return cached

    def has_role(self, role: str) -> bool:
        return self.is_active and role in self.role_codes

    def has_any_role(self, *roles: str) -> bool:
        return self.is_active and bool(self.role_codes.intersection(roles))

    @property
    def holds_staff_role(self) -> bool:
        """One of the staff roles (roles.ALL): the menu's entries for every member of staff are for them, not
        for an invited supervisor (特邀监督员) nor an account without a role."""
        return self.has_any_role(*R.ALL)

    @property
    def is_county_wide(self) -> bool:
        """Supervisors, leaders and administrators see every department."""
        return self.has_any_role(*R.COUNTY_WIDE)

    def role_labels(self) -> list[str]:
        return [str(R.LABELS[c]) for c in R.ASSIGNABLE if c in self.role_codes]

    def roles_by_seniority(self) -> list[tuple[str, str]]:
        """(code, label) of the roles held, the most senior first: the landing page opens the first."""
        if not self.is_active:
            return []
        return [(c, str(R.LABELS[c])) for c in R.SENIORITY if c in self.role_codes]


class ApiClient(models.Model):
    """A department system that pushes data with a bearer token. The token is shown once at creation;
    only its SHA-256 is kept, so a database leak does not leak tokens. Scoped to one department.

    `system` (来源系统) names the system behind the token: event ids are unique per department and system,
    not per token, so a second token of the same system (a rotation) re-sends into the same ids and doubles
    nothing. It and the department are fixed at creation; a different system gets a token of its own."""

    name = models.CharField(_("系统名称"), max_length=100)
    system = models.CharField(_("来源系统"), max_length=60,
                              help_text=_("同一部门同一来源系统的令牌共用事件编号：轮换令牌后重发不会重复计入。"))
    department = models.ForeignKey(Department, verbose_name=_("所属部门"), on_delete=models.PROTECT, related_name="api_clients")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("令牌前缀"), max_length=12, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        ordering = ["department__path", "name"]
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")

    def __str__(self) -> str:
        return f"{self.name} ({self.department.code})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEvent(models.Model):
    """One security-relevant event (安全审计, as 等保 2.0 level 3 asks): log-ins and failed log-ins, log-outs,
    lock-outs and unlocks, password changes, accounts created or changed (roles, department, deactivation),
    departments created or changed, a service centre's hosted departments changed, API tokens issued or revoked.

    Append-only: no page, service or admin action changes or deletes a row. Who acted and on what are kept
    as text as well as by key, so the trail outlives the accounts it describes; `detail` says what changed
    in words, in the platform's language. Kept for at least six months (网络安全法 §21); pruning older rows
    is an operator's decision (docs/security.md). Complainants' identity reads are logged by the complaint
    centre itself (complaints.IdentityAccess), beside the data they protect."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出登录")
        LOCKED_OUT = "locked_out", _("登录锁定")
        UNLOCKED = "unlocked", _("解除锁定")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        STAFF_CREATED = "staff_created", _("新建账户")
        STAFF_UPDATED = "staff_updated", _("修改账户")
        ROLES_CHANGED = "roles_changed", _("变更角色")
        DEPARTMENT_CREATED = "department_created", _("新建部门")
        DEPARTMENT_UPDATED = "department_updated", _("修改部门")
        TOKEN_CREATED = "token_created", _("签发接口令牌")
        TOKEN_REVOKED = "token_revoked", _("吊销接口令牌")
        HOSTING_CHANGED = "hosting_changed", _("变更进驻部门")

    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("事件"), max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    target = models.CharField(_("操作对象"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["at"], name="accounts_audit_at"),
                   models.Index(fields=["kind", "at"], name="accounts_audit_kind_at")]
        verbose_name = _("安全审计记录")
        verbose_name_plural = _("安全审计记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.target}"
