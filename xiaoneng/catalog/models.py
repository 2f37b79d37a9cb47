"""The service catalogue (政务服务事项目录): service items, their versions, and each version's materials,
fees and workflow steps.

An item (`ServiceItem`) is the stable identity a citizen, a case or a department system refers to by
code. Everything an applicant is told about it lives on a `ServiceItemVersion`: an edit never changes a
version in place, it adds a new one, so a case received under version 3 keeps being judged by version 3's
limits and fee list even after the department shortens its promise in version 4.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LimitUnit(models.TextChoices):
    """How a time limit is counted. Working days follow the platform's holiday calendar (调休 included)."""

    WORKING_DAYS = "wd", _("工作日")
    NATURAL_DAYS = "d", _("自然日")
    WORKING_HOURS = "wh", _("工作小时")


class ItemType(models.TextChoices):
    """办件类型: how a case of this item is handled (glossary: instant / committed / referred / joint)."""

    INSTANT = "instant", _("即办件")
    COMMITTED = "committed", _("承诺件")
    REFERRED = "referred", _("上报件")
    JOINT = "joint", _("联办件")


class Category(models.TextChoices):
    """事项类别 as in the national list of government service items (权力清单 / 公共服务清单)."""

    LICENSING = "licensing", _("行政许可")
    PAYMENT = "payment", _("行政给付")
    CONFIRMATION = "confirmation", _("行政确认")
    LEVY = "levy", _("行政征收")
    REWARD = "reward", _("行政奖励")
    ADJUDICATION = "adjudication", _("行政裁决")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


class Audience(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人和其他组织")
    BOTH = "both", _("自然人、法人和其他组织")


class SuspensionReason(models.TextChoices):
    """Why the clock may stop (行政许可法 §32 补正, §45 特别程序)."""

    SUPPLEMENT = "supplement", _("补正材料")
    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标")
    AUCTION = "auction", _("拍卖")
    INSPECTION = "inspection", _("检验")
    TESTING = "testing", _("检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    SITE_SURVEY = "site_survey", _("现场勘查")
    PUBLIC_NOTICE = "public_notice", _("公示")


class ServiceItem(models.Model):
    """A government service item (政务服务事项): the stable identity behind every version.

    `code` is what cases, department systems and Open311 clients use; it never changes. `current_version`
    is the version in force now (what the guide page shows); older versions stay for the cases pinned to
    them. An item is never deleted, only deactivated: cases and statistics keep pointing at it.
    """

    code = models.CharField(_("事项编码"), max_length=64, unique=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="service_items"
    )
    current_version = models.ForeignKey(
        "ServiceItemVersion", verbose_name=_("现行版本"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"))
    deactivated_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        indexes = [models.Index(fields=["is_active", "department"], name="catalog_item_active_dept")]

    def __str__(self) -> str:
        name = self.current_version.name if self.current_version_id else ""
        return f"{self.code} {name}".strip()


class ServiceItemVersion(models.Model):
    """One published state of a service item: everything its service guide says.

    Versions are immutable once written (services never update them); `number` counts 1, 2, 3 … per item
    and `valid_from` is when the version came into force, which is what `version_in_force` looks up.
    """

    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    valid_from = models.DateTimeField(_("生效时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修订人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    change_note = models.CharField(_("修订说明"), max_length=200, blank=True)

    name = models.CharField(_("事项名称"), max_length=200)
    category = models.CharField(_("事项类别"), max_length=20, choices=Category.choices, default=Category.LICENSING)
    item_type = models.CharField(_("办件类型"), max_length=12, choices=ItemType.choices, default=ItemType.COMMITTED)
    audience = models.CharField(_("服务对象"), max_length=16, choices=Audience.choices, default=Audience.BOTH)
    description = models.TextField(_("事项说明"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    legal_basis = models.TextField(_("设定依据"))
    statutory_limit_value = models.PositiveIntegerField(_("法定时限"))
    statutory_limit_unit = models.CharField(
        _("法定时限单位"), max_length=2, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    committed_limit_value = models.PositiveIntegerField(_("承诺时限"))
    committed_limit_unit = models.CharField(
        _("承诺时限单位"), max_length=2, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    suspension_allowed = models.BooleanField(_("可暂停计时"), default=False)
    # A short list of SuspensionReason codes; JSON keeps it one column on SQLite and PostgreSQL alike.
    suspension_reasons = models.JSONField(_("暂停计时情形"), default=list, blank=True)
    deemed_approval = models.BooleanField(_("超时默许"), default=False)
    # 超时默许 exists only where a law or regulation says so (e.g. 行政许可法 §50 ¶2 for renewals, 延续): the
    # provision is recorded with the item, cited on every deemed-approval notice, and required with the flag
    # (content.clean_content, and a check constraint: no item is deemed approved on no legal basis).
    deemed_approval_basis = models.TextField(_("超时默许依据"), blank=True)
    online = models.BooleanField(_("网上办理"), default=True)
    offline = models.BooleanField(_("窗口办理"), default=True)
    online_url = models.URLField(_("网上办理地址"), blank=True)
    max_visits = models.PositiveSmallIntegerField(_("到现场次数"), default=1)
    location = models.CharField(_("办理地点"), max_length=200, blank=True)
    office_hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=60, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=60, blank=True)
    result = models.CharField(_("办理结果"), max_length=200, blank=True)

    class Meta:
        ordering = ["item", "-number"]
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="catalog_version_item_number_uniq"),
            models.CheckConstraint(condition=models.Q(deemed_approval=False) | ~models.Q(deemed_approval_basis=""),
                                   name="catalog_version_deemed_has_basis"),
        ]
        indexes = [models.Index(fields=["item", "valid_from"], name="catalog_version_in_force")]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class RequiredMaterial(models.Model):
    """One document on the application materials list (申请材料清单) of a version."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        BOTH = "both", _("原件及复印件")
        ELECTRONIC = "electronic", _("电子件")

    class Requirement(models.TextChoices):
        MANDATORY = "mandatory", _("必要")
        CONDITIONAL = "conditional", _("特定情形下需要")

    class Source(models.TextChoices):
        APPLICANT = "applicant", _("申请人自备")
        GOVERNMENT = "government", _("政府部门核发")
        INTERMEDIARY = "intermediary", _("中介机构出具")
        OTHER = "other", _("其他")

    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("材料形式"), max_length=12, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    requirement = models.CharField(_("必要性"), max_length=12, choices=Requirement.choices, default=Requirement.MANDATORY)
    condition = models.CharField(_("适用情形"), max_length=200, blank=True)
    source = models.CharField(_("来源渠道"), max_length=12, choices=Source.choices, default=Source.APPLICANT)
    # Files are shared between versions (a revision copies the reference, not the bytes).
    blank_form = models.FileField(_("空白表格"), upload_to="catalog/forms/%Y/", max_length=200, blank=True)
    sample = models.FileField(_("示例样表"), upload_to="catalog/samples/%Y/", max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return self.name


class FeeRule(models.Model):
    """A legal fee of a version (收费标准): a fixed standard amount or a lower/upper bound, with its basis.

    Charging a fee not in this list, or outside its bounds, is 乱收费 for the supervision rules.
    """

    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("收费项目"), max_length=200)
    legal_basis = models.TextField(_("收费依据"))
    amount = models.DecimalField(_("标准金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount_min = models.DecimalField(_("下限（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount_max = models.DecimalField(_("上限（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("计费单位"), max_length=40, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("收费标准")
        verbose_name_plural = _("收费标准")

    def __str__(self) -> str:
        return self.name


class StepKind(models.TextChoices):
    """The glossary's steps of a case, in their usual order."""

    ACCEPT = "accept", _("受理")
    HANDLE = "handle", _("承办")
    REVIEW = "review", _("审核")
    APPROVE = "approve", _("批准")
    COMPLETE = "complete", _("办结")
    DELIVER = "deliver", _("送达")


class WorkflowStep(models.Model):
    """One ordered step of a version's workflow (办理流程) with its own time limit, so the supervision rules
    can flag a single step that overran even when the case as a whole is in time."""

    version = models.ForeignKey(ServiceItemVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("环节"), max_length=10, choices=StepKind.choices)
    name = models.CharField(_("环节名称"), max_length=100, blank=True)
    limit_value = models.PositiveIntegerField(_("环节时限"))
    limit_unit = models.CharField(_("时限单位"), max_length=2, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS)
    post = models.CharField(_("承办岗位"), max_length=100, blank=True)
    description = models.CharField(_("办理标准"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")

    def __str__(self) -> str:
        return self.name or self.get_kind_display()
