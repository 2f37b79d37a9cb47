"""明查暗访 (inspections) and 特邀监督员 (invited supervisors): the models.

- `Checklist` (检查表) with its `ChecklistItem`s (each with a weight). A checklist that recorded visits use is
  frozen: changing it makes a new version (`previous` points back), so a recorded visit is never re-scored.
- `Inspection` (检查计划): targets (departments, windows), dates, inspectors, open (明查) or covert (暗访).
- `Visit` (检查记录): place, time, inspectors, a result per item (`VisitResult`: 符合/不符合/不适用 with a note),
  photos (`VisitPhoto`, through core/uploads.py), and the visit score (weighted share of the applicable items
  passed, 0-100) kept on the row with its counts so a period's figures per department are one GROUP BY.
  An invited supervisor's visit is a draft until submitted; the office accepts or returns it.
  `published_at` says whether the inspected department sees it: an open visit is published when the office
  accepts it, a covert one only when the office publishes its findings. Until then every list, count, page,
  API answer and notification the department could reach leaves it out (selectors.visible_visits).
- `Finding` (发现问题): a failed item of an accepted visit. Its three ways forward: a manual card through the
  supervision engine (`card_id`), a correction task with its own clock (整改: the `correction_*` columns, judged
  by supervision through inspections/clocks.py, kind "finding"), a `SanctionProposal` kept for the sanctions
  register.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SupervisorKind(models.TextChoices):
    DEPUTY = "deputy", _("人大代表")
    CPPCC = "cppcc", _("政协委员")
    JOURNALIST = "journalist", _("新闻媒体记者")
    ENTERPRISE = "enterprise", _("企业代表")
    OTHER = "other", _("其他")


class SupervisorProfile(models.Model):
    """Who an invited supervisor (特邀监督员) is: a people's deputy, a CPPCC member, a journalist, an enterprise
    representative … and where from. The account itself is an ordinary one with the invited_supervisor role,
    made by an administrator on the accounts pages."""

    staff = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_profile")
    kind = models.CharField(_("身份"), max_length=16, choices=SupervisorKind.choices, default=SupervisorKind.OTHER)
    affiliation = models.CharField(_("工作单位或界别"), max_length=100, blank=True)
    appointed_on = models.DateField(_("聘任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("特邀监督员")
        verbose_name_plural = _("特邀监督员")

    def __str__(self) -> str:
        return f"{self.staff} ({self.get_kind_display()})"


class Checklist(models.Model):
    """A checklist template (检查表). `frozen` once a visit used it: an edit then makes a new version."""

    name = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("启用"), default=True)
    frozen = models.BooleanField(_("已使用（冻结）"), default=False)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-is_active", "name", "-version"]
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("检查项目"), max_length=40)
    guidance = models.CharField(_("检查要点"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(_("权重"))

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["checklist", "position"], name="inspections_item_position")]

    def __str__(self) -> str:
        return self.name


class Mode(models.TextChoices):
    OPEN = "open", _("明查")
    COVERT = "covert", _("暗访")


class Inspection(models.Model):
    """An inspection plan (检查计划)."""

    number = models.CharField(_("计划编号"), max_length=20, unique=True)
    title = models.CharField(_("计划名称"), max_length=80)
    mode = models.CharField(_("方式"), max_length=8, choices=Mode.choices)
    checklist = models.ForeignKey(Checklist, verbose_name=_("检查表"), on_delete=models.PROTECT, related_name="plans")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    departments = models.ManyToManyField("accounts.Department", verbose_name=_("被检查部门"), related_name="+")
    windows = models.CharField(_("检查窗口"), max_length=200, blank=True)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("检查人员"), related_name="+")
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("检查计划")
        verbose_name_plural = _("检查计划")

    def __str__(self) -> str:
        return self.number


class VisitStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已采纳")


class Visit(models.Model):
    """One visit (检查记录). Department, mode and time are copied on so figures need no join."""

    number = models.CharField(_("记录编号"), max_length=24, unique=True)
    plan = models.ForeignKey(Inspection, verbose_name=_("检查计划"), on_delete=models.PROTECT, related_name="visits")
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("accounts.Department", verbose_name=_("被检查部门"), on_delete=models.PROTECT,
                                   related_name="+")
    mode = models.CharField(_("方式"), max_length=8, choices=Mode.choices)
    place = models.CharField(_("检查地点"), max_length=100)
    window = models.CharField(_("窗口"), max_length=40, blank=True)
    visited_at = models.DateTimeField(_("检查时间"))
    inspectors = models.CharField(_("检查人员"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT,
                                    related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.DRAFT)
    summary = models.CharField(_("总体情况"), max_length=500, blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    applicable = models.PositiveSmallIntegerField(_("适用项"), default=0)
    failed = models.PositiveSmallIntegerField(_("不符合项"), default=0)
    created_at = models.DateTimeField(_("记录时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["department", "visited_at"], name="inspections_visit_dept"),
                   models.Index(fields=["status", "visited_at"], name="inspections_visit_status")]
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")

    def __str__(self) -> str:
        return self.number

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Result(models.TextChoices):
    PASS = "pass", _("符合")
    FAIL = "fail", _("不符合")
    NA = "na", _("不适用")


class VisitResult(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("结果"), max_length=4, choices=Result.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["item__position", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="inspections_result_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.get_result_display()}"


class VisitPhoto(models.Model):
    """A photo of a visit, checked by content and re-encoded without EXIF (core/uploads.py)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="inspections/%Y/%m/", max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=60)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Correction(models.TextChoices):
    NONE = "", _("未要求整改")
    OPEN = "open", _("整改中")
    ANSWERED = "answered", _("整改待审核")
    ACCEPTED = "accepted", _("整改已通过")


class Finding(models.Model):
    """A failed item of an accepted visit (发现问题), and what the office made of it."""

    number = models.CharField(_("问题编号"), max_length=28, unique=True)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    result = models.OneToOneField(VisitResult, on_delete=models.CASCADE, related_name="finding")
    department = models.ForeignKey("accounts.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT,
                                   related_name="+")
    item_name = models.CharField(_("检查项目"), max_length=40)
    description = models.CharField(_("问题描述"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("认定时间"))
    card_id = models.PositiveIntegerField(_("预警卡"), null=True, blank=True)
    # The correction task (整改) and its clock, judged by supervision (inspections/clocks.py).
    correction = models.CharField(_("整改状态"), max_length=10, choices=Correction.choices, blank=True, default="")
    correction_started_at = models.DateTimeField(_("整改要求时间"), null=True, blank=True)
    correction_wd = models.PositiveSmallIntegerField(_("整改期限（工作日）"), null=True, blank=True)
    correction_due_at = models.DateTimeField(_("整改期限"), null=True, blank=True)
    correction_answer = models.CharField(_("整改情况"), max_length=1000, blank=True)
    correction_answered_at = models.DateTimeField(_("整改反馈时间"), null=True, blank=True)
    correction_answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                               on_delete=models.SET_NULL, related_name="+")
    correction_review = models.CharField(_("审核意见"), max_length=500, blank=True)
    correction_closed_at = models.DateTimeField(_("整改通过时间"), null=True, blank=True)
    flag = models.CharField(_("预警"), max_length=8, blank=True, default="")
    next_check_at = models.DateTimeField(_("下次检查时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["next_check_at"], name="inspections_finding_tick")]
        verbose_name = _("发现问题")
        verbose_name_plural = _("发现问题")

    def __str__(self) -> str:
        return self.number

    @property
    def correction_open(self) -> bool:
        return self.correction in (Correction.OPEN, Correction.ANSWERED)


class SanctionKind(models.TextChoices):
    ADMONITION = "admonition", _("效能告诫")
    TALK = "talk", _("诫勉谈话")
    CRITICISM = "criticism", _("通报批评")
    ORGANISATIONAL = "organisational", _("组织处理")
    DISCIPLINARY = "disciplinary", _("纪律处分")


class SanctionProposal(models.Model):
    """A sanction the office proposes on a finding (问责建议), kept for the sanctions register (next issue)."""

    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("处理方式"), max_length=16, choices=SanctionKind.choices)
    department = models.ForeignKey("accounts.Department", verbose_name=_("对象部门"), on_delete=models.PROTECT,
                                   related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("对象人员"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("理由"), max_length=500)
    proposed_at = models.DateTimeField(_("提出时间"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("问责建议")
        verbose_name_plural = _("问责建议")

    def __str__(self) -> str:
        return self.get_kind_display()
