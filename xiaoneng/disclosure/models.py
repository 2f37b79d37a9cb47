"""Government-affairs disclosure (政务公开): catalogues, entries, the unified disclosure day and its checks,
information requests (依申请公开) and what the annual report counts.

- A `Catalogue` (公开目录) is one department's list of what it must publish and how often, at its level
  (department, township, village or residents' committee, public enterprise). It is filed with the office
  (报备) before it is public: draft → filed → accepted, or returned with reasons and filed again. A change is a
  new version (copied from the current one), filed again; the accepted version in force is `current`.
- A `CatalogueItem` names one thing to publish (legal basis, procedures, fees, finances …), its frequency and
  its stable `code` within the department (kept across versions, so entries stay attached to "the same item").
- A `DisclosureEntry` (公开信息) is one published piece of information against an item: text, an optional
  table and attachment, its effective date. A correction is a new version; the old one stays, superseded.
- A `DisclosureDay` overrides the computed unified disclosure day (统一公开日) of one quarter.
- A `DisclosureCheck` is the check of one disclosure day (当日督查): one `CheckLine` per department with its
  counts and compliance (what evaluation's `disclosure` indicator reads), one `CheckFinding` per miss, which
  the department must put right by the rectification deadline — a clock owner (kind "disclosure").
- An `InformationRequest` (政府信息公开申请) is a request for information, answered within 20 working days (+20
  with approval, §33), the clock stopped while the applicant corrects the request (§30) or a third party is
  consulted (§32) — a clock owner (kind "inforequest"). `InformationRequestEvent` is its record;
  `RequestReview` a 行政复议 or 行政诉讼 brought against an answer (the annual report's table 四).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


# ------------------------------------------------------------------------------------------------ catalogues
class Level(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    TOWNSHIP = "township", _("乡镇（街道）")
    VILLAGE = "village", _("村（居）委会")
    ENTERPRISE = "enterprise", _("公共企事业单位")


class Frequency(models.TextChoices):
    ON_CHANGE = "on_change", _("变动时公开")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")


class Category(models.TextChoices):
    LEGAL_BASIS = "legal_basis", _("法律法规依据")
    FUNCTIONS = "functions", _("机构职能")
    PROCEDURES = "procedures", _("办事程序")
    FEES = "fees", _("收费项目及标准")
    APPROVALS = "approvals", _("审批结果")
    FINANCES = "finances", _("财政收支")
    DECISIONS = "decisions", _("重大决策")
    PROJECTS = "projects", _("重点项目")
    PERSONNEL = "personnel", _("人事信息")
    VILLAGE_AFFAIRS = "village_affairs", _("村（居）务")
    SERVICES = "services", _("办事公开")
    OTHER = "other", _("其他")


class CatalogueStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FILED = "filed", _("已报备待审核")
    ACCEPTED = "accepted", _("已备案")
    RETURNED = "returned", _("已退回")
    SUPERSEDED = "superseded", _("已被新版本替代")


class Catalogue(models.Model):
    """公开目录: one version of one department's disclosure catalogue. Exactly one accepted version is in force
    per department (`current`); a new version starts as a draft copy of it and replaces it when accepted (the
    old one becomes superseded, kept). `filed_at` is when the department filed it with the office (报备) —
    `due_at` is the filing deadline the office set (None: none), so a late filing is visible on the check."""

    department = models.ForeignKey("accounts.Department", verbose_name=_("单位"), on_delete=models.PROTECT,
                                   related_name="+")
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices)
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=12, choices=CatalogueStatus.choices,
                              default=CatalogueStatus.DRAFT)
    current = models.BooleanField(_("现行版本"), default=False)
    note = models.TextField(_("修订说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    due_at = models.DateTimeField(_("报备期限"), null=True, blank=True)
    filed_at = models.DateTimeField(_("报备时间"), null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_note = models.TextField(_("审核意见"), blank=True)
    effective_at = models.DateTimeField(_("生效时间"), null=True, blank=True)

    class Meta:
        ordering = ["department__path", "-version"]
        verbose_name = _("公开目录")
        verbose_name_plural = _("公开目录")
        constraints = [
            models.UniqueConstraint(fields=["department", "version"], name="disclosure_catalogue_version"),
            models.UniqueConstraint(fields=["department"], condition=Q(current=True),
                                    name="disclosure_catalogue_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.department} 公开目录 第{self.version}版"


class CatalogueItem(models.Model):
    """One thing a catalogue says must be published: its category, legal basis, frequency (变动时/每月/每季度/
    每年) and `code`, stable within the department across catalogue versions (entries follow the code)."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("事项编码"), max_length=32)
    name = models.CharField(_("公开事项"), max_length=120)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    legal_basis = models.CharField(_("公开依据"), max_length=300, blank=True)
    content = models.TextField(_("公开内容"), blank=True)
    frequency = models.CharField(_("公开频次"), max_length=12, choices=Frequency.choices)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["catalogue", "order", "id"]
        verbose_name = _("公开事项")
        verbose_name_plural = _("公开事项")
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="disclosure_item_code")]

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------------------------------- entries
class EntryStatus(models.TextChoices):
    PUBLISHED = "published", _("已公开")
    SUPERSEDED = "superseded", _("已更正（旧版）")
    WITHDRAWN = "withdrawn", _("已撤回")


class DisclosureEntry(models.Model):
    """公开信息: one piece of information a department published against a catalogue item (`item_code` within
    the department; `item` the catalogue row it was published under). `published_at` is when it became public
    (its effective date) — the check reads it. A correction creates version n+1 (`supersedes` the old one, which
    turns superseded and stays readable with its reason). `external_id` is a department system's own id (the
    API's idempotency key, unique per department)."""

    number = models.CharField(_("信息编号"), max_length=40, unique=True)
    department = models.ForeignKey("accounts.Department", verbose_name=_("发布单位"), on_delete=models.PROTECT,
                                   related_name="+")
    item = models.ForeignKey(CatalogueItem, verbose_name=_("公开事项"), on_delete=models.PROTECT,
                             related_name="entries")
    item_code = models.CharField(_("事项编码"), max_length=32)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    table = models.JSONField(_("表格"), default=list, blank=True)  # [[heading, …], [cell, …], …]
    attachment = models.FileField(_("附件"), upload_to="disclosure/%Y/%m/", max_length=200, blank=True)
    attachment_name = models.CharField(_("附件名"), max_length=200, blank=True)
    attachment_type = models.CharField(max_length=60, blank=True)
    published_at = models.DateTimeField(_("公开时间"))
    created_at = models.DateTimeField(_("录入时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    client = models.ForeignKey("accounts.ApiClient", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.PUBLISHED)
    version = models.PositiveIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    correction_reason = models.TextField(_("更正原因"), blank=True)
    # The office's withdrawal (撤回): when, by whom and why (a corrected version keeps its correction reason).
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    withdraw_reason = models.TextField(_("撤回原因"), blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("公开信息")
        verbose_name_plural = _("公开信息")
        indexes = [
            models.Index(fields=["department", "item_code", "published_at"], name="disclosure_entry_item"),
            models.Index(fields=["status", "published_at"], name="disclosure_entry_public"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["department", "external_id"], condition=~Q(external_id=""),
                                    name="disclosure_entry_external"),
        ]

    def __str__(self) -> str:
        return self.title


# ------------------------------------------------------------------------------------- the disclosure day
class DisclosureDay(models.Model):
    """The office's own date for one quarter's unified disclosure day, replacing the computed one (the first
    Monday of the quarter, moved to the next working day)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    date = models.DateField(_("统一公开日"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    set_at = models.DateTimeField(_("设置时间"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        ordering = ["year", "quarter"]
        verbose_name = _("统一公开日")
        verbose_name_plural = _("统一公开日")
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="disclosure_day_quarter")]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度统一公开日 {self.date:%Y-%m-%d}"


class CheckStatus(models.TextChoices):
    DRAFT = "draft", _("待发布")
    PUBLISHED = "published", _("已通报")


class DisclosureCheck(models.Model):
    """当日督查: the check of every catalogue on one disclosure day. Run by the worker on the day or by
    `xiaoneng disclosure-check --date`; re-run freely while a draft; published once as the county-wide bulletin
    (全区通报, `number`), with the rectification deadline `rectify_due_at` (default 5 working days)."""

    date = models.DateField(_("统一公开日"), unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    status = models.CharField(_("状态"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.DRAFT)
    run_at = models.DateTimeField(_("检查时间"))
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    rectify_wd = models.PositiveSmallIntegerField(_("整改期限（工作日）"), default=5)
    rectify_due_at = models.DateTimeField(_("整改期限"))
    number = models.CharField(_("通报文号"), max_length=60, blank=True)
    summary = models.TextField(_("通报正文"), blank=True)
    published_at = models.DateTimeField(_("通报时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["-date"]
        verbose_name = _("统一公开日检查")
        verbose_name_plural = _("统一公开日检查")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} 统一公开日检查"


class CheckLine(models.Model):
    """One department on one check: items due, published in time, missing, stale; whether its catalogue was
    filed (and accepted) in time; `compliance` = published ÷ due (None when nothing was due)."""

    # `check` would shadow Model.check(): the field is `disclosure_check`, the check of the day this line belongs to.
    disclosure_check = models.ForeignKey(DisclosureCheck, on_delete=models.CASCADE, related_name="lines")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    due = models.PositiveIntegerField(_("应公开"))
    published = models.PositiveIntegerField(_("已公开"))
    missing = models.PositiveIntegerField(_("未公开"))
    stale = models.PositiveIntegerField(_("未及时更新"))
    catalogue_filed = models.BooleanField(_("目录已报备"), default=True)
    catalogue_late = models.BooleanField(_("目录逾期报备"), default=False)
    compliance = models.DecimalField(_("公开率"), max_digits=5, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["disclosure_check", "department__path"]
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        constraints = [models.UniqueConstraint(fields=["disclosure_check", "department"], name="disclosure_checkline_dept")]

    def __str__(self) -> str:
        return f"{self.department} {self.published}/{self.due}"


class FindingKind(models.TextChoices):
    MISSING = "missing", _("应公开未公开")
    STALE = "stale", _("未按期更新")
    UNFILED = "unfiled", _("目录未报备")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFIED = "rectified", _("已整改")
    VOIDED = "voided", _("已撤销")


class CheckFinding(models.Model):
    """One miss found on a disclosure day (an item not published, or not updated as its frequency requires, or
    a catalogue not filed), to be put right by `due_at`. Rectified when the department publishes the item (or
    files the catalogue). The clock: supervision judges `due_at` (clock owner kind "disclosure", deadline
    family); `flag` / `next_check_at` are what its tick last decided."""

    disclosure_check = models.ForeignKey(DisclosureCheck, on_delete=models.CASCADE, related_name="findings")
    line = models.ForeignKey(CheckLine, on_delete=models.CASCADE, related_name="findings")
    number = models.CharField(_("编号"), max_length=40, unique=True)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(CatalogueItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    item_code = models.CharField(_("事项编码"), max_length=32, blank=True)
    item_name = models.CharField(_("公开事项"), max_length=120, blank=True)
    kind = models.CharField(_("问题"), max_length=10, choices=FindingKind.choices)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    due_at = models.DateTimeField(_("整改期限"))
    rectified_at = models.DateTimeField(_("整改时间"), null=True, blank=True)
    rectified_entry = models.ForeignKey(DisclosureEntry, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    flag = models.CharField(_("预警状态"), max_length=8, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["disclosure_check", "department__path", "id"]
        verbose_name = _("公开检查问题")
        verbose_name_plural = _("公开检查问题")
        indexes = [models.Index(fields=["next_check_at"], name="disclosure_finding_tick",
                                condition=Q(next_check_at__isnull=False))]

    def __str__(self) -> str:
        return self.number


# -------------------------------------------------------------------------------------- information requests
class ApplicantKind(models.TextChoices):
    """The annual report's applicant columns (国办公开办函〔2021〕30号, table 三)."""

    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("商业企业")
    RESEARCH = "research", _("科研机构")
    PUBLIC_INTEREST = "public_interest", _("社会公益组织")
    LEGAL_SERVICE = "legal_service", _("法律服务机构")
    OTHER = "other", _("其他")


class RequestChannel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    VISIT = "visit", _("当面申请")
    LETTER = "letter", _("信函申请")
    FAX = "fax", _("传真申请")
    EMAIL = "email", _("电子邮件申请")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("已收到待答复")
    CORRECTION = "correction", _("待申请人补正")
    CONSULTING = "consulting", _("征求第三方意见中")
    ANSWERED = "answered", _("已答复")
    WITHDRAWN = "withdrawn", _("申请人撤回")


class AnswerType(models.TextChoices):
    """The outcomes of table 三 (国办公开办函〔2021〕30号); a reason code (ANSWER_REASONS) goes with the last four."""

    DISCLOSED = "disclosed", _("予以公开")
    PARTIAL = "partial", _("部分公开")
    WITHHELD = "withheld", _("不予公开")
    UNAVAILABLE = "unavailable", _("无法提供")
    NOT_PROCESSED = "not_processed", _("不予处理")
    OTHER = "other", _("其他处理")


# The reasons the national format counts under each outcome (its rows), code → wording.
ANSWER_REASONS: dict[str, list[tuple[str, str]]] = {
    AnswerType.WITHHELD: [
        ("state_secret", "属于国家秘密"),
        ("law_forbids", "其他法律行政法规禁止公开"),
        ("three_safety", "危及“三安全一稳定”"),
        ("third_party", "保护第三方合法权益"),
        ("internal", "属于三类内部事务信息"),
        ("process", "属于四类过程性信息"),
        ("enforcement_file", "属于行政执法案卷"),
        ("inquiry", "属于行政查询事项"),
    ],
    AnswerType.UNAVAILABLE: [
        ("not_held", "本机关不掌握相关政府信息"),
        ("must_create", "没有现成信息需要另行制作"),
        ("unclear", "补正后申请内容仍不明确"),
    ],
    AnswerType.NOT_PROCESSED: [
        ("petition", "信访举报投诉类申请"),
        ("repeat", "重复申请"),
        ("publication", "要求提供公开出版物"),
        ("abusive", "无正当理由大量反复申请"),
        ("confirm", "要求行政机关确认或重新出具已获取信息"),
    ],
    AnswerType.OTHER: [
        ("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other", "其他"),
    ],
}


class InformationRequest(models.Model):
    """政府信息公开申请: a request for government information to one department (`department`, the body that
    holds it). Received (`received_at`, §31) on the day of submission in person, of sign-off for post, of the
    system's confirmation online; answered within `limit_wd` working days (20, §33) counted from the working
    day after receipt, + `extension_wd` (≤ 20) with approval. The clock stops while the applicant corrects the
    request (§30: the notice goes within 7 working days) or a third party is consulted (§32): `paused_at` is
    when the current stop began, `paused_wd` the working days already stopped; `due_at` is the running
    deadline with both applied (recomputed by the services on every change).

    The applicant's identity (`applicant_name`, `id_number`, `phone`, `address`, `email`) is seen by the office
    and the answering department only; `phone_verified_at` is when an online applicant confirmed the SMS code.
    `tracking_code` lets the applicant follow the request without an account. The clock as supervision judges
    it: clock owner kind "inforequest" (deadline family), `flag` / `next_check_at`."""

    number = models.CharField(_("申请编号"), max_length=40, unique=True)
    tracking_code = models.CharField(_("查询码"), max_length=32, unique=True)
    department = models.ForeignKey("accounts.Department", verbose_name=_("答复机关"), on_delete=models.PROTECT,
                                   related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("申请方式"), max_length=8, choices=RequestChannel.choices)
    applicant_kind = models.CharField(_("申请人类型"), max_length=16, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人姓名或名称"), max_length=100)
    organisation_code = models.CharField(_("统一社会信用代码"), max_length=32, blank=True)
    id_number = models.CharField(_("身份证件号码"), max_length=32, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    email = models.CharField(_("电子邮箱"), max_length=120, blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    description = models.TextField(_("所需政府信息的名称、文号或便于查询的其他特征性描述"))
    purpose = models.CharField(_("用途（选填）"), max_length=200, blank=True)
    delivery = models.CharField(_("获取信息的方式"), max_length=40, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    received_at = models.DateTimeField(_("收到申请时间"))
    phone_verified_at = models.DateTimeField(_("手机验证时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    client = models.ForeignKey("accounts.ApiClient", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    idempotency_key = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=RequestStatus.choices,
                              default=RequestStatus.RECEIVED)
    limit_wd = models.PositiveSmallIntegerField(_("答复期限（工作日）"), default=20)
    extension_wd = models.PositiveSmallIntegerField(_("延长期限（工作日）"), default=0)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    extension_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+")
    paused_at = models.DateTimeField(_("中止计时时间"), null=True, blank=True)
    paused_wd = models.PositiveSmallIntegerField(_("已中止工作日"), default=0)
    due_at = models.DateTimeField(_("答复期限"))
    answer_type = models.CharField(_("答复类型"), max_length=16, choices=AnswerType.choices, blank=True)
    answer_reason = models.CharField(_("理由"), max_length=20, blank=True)
    answer_text = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    on_time = models.BooleanField(_("按期答复"), null=True, blank=True)
    publish_answer = models.BooleanField(_("答复公开"), default=False)
    fee = models.DecimalField(_("信息处理费（元）"), max_digits=10, decimal_places=2, default=0)
    flag = models.CharField(_("预警状态"), max_length=8, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("政府信息公开申请")
        verbose_name_plural = _("政府信息公开申请")
        indexes = [
            models.Index(fields=["next_check_at"], name="disclosure_ir_tick", condition=Q(next_check_at__isnull=False)),
            models.Index(fields=["department", "received_at"], name="disclosure_ir_dept"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["client", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="disclosure_ir_idempotent"),
        ]

    def __str__(self) -> str:
        return self.number


class InformationRequestEvent(models.Model):
    """The record of a request (its 办理过程): receipt, correction notice and correction, third-party
    consultation and its end, extension, answer, withdrawal — who, when, what was said. `public` events are
    shown to the applicant on the tracking page."""

    class Kind(models.TextChoices):
        RECEIVE = "receive", _("收到申请")
        ASSIGN = "assign", _("指定承办人")
        CORRECTION_NOTICE = "correction_notice", _("告知补正")
        CORRECTED = "corrected", _("申请人补正")
        CONSULT = "consult", _("征求第三方意见")
        CONSULTED = "consulted", _("第三方意见收回")
        EXTEND = "extend", _("延长答复期限")
        ANSWER = "answer", _("作出答复")
        WITHDRAW = "withdraw", _("申请人撤回")
        NOTE = "note", _("办理记录")

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    note = models.TextField(_("说明"), blank=True)
    public = models.BooleanField(_("申请人可见"), default=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("申请办理记录")
        verbose_name_plural = _("申请办理记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class ReviewKind(models.TextChoices):
    REVIEW = "review", _("行政复议")
    LITIGATION_DIRECT = "litigation_direct", _("未经复议直接起诉")
    LITIGATION_AFTER = "litigation_after", _("复议后起诉")


class ReviewResult(models.TextChoices):
    UPHELD = "upheld", _("结果维持")
    CORRECTED = "corrected", _("结果纠正")
    OTHER = "other", _("其他结果")
    PENDING = "pending", _("尚未审结")


class RequestReview(models.Model):
    """A 行政复议 or 行政诉讼 brought over an information request's answer, and its result (the annual
    report's table 四 counts them by the year filed)."""

    request = models.ForeignKey(InformationRequest, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(_("类型"), max_length=20, choices=ReviewKind.choices)
    filed_on = models.DateField(_("提起日期"))
    result = models.CharField(_("结果"), max_length=10, choices=ReviewResult.choices, default=ReviewResult.PENDING)
    decided_on = models.DateField(_("审结日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("行政复议和行政诉讼")
        verbose_name_plural = _("行政复议和行政诉讼")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filed_on:%Y-%m-%d}"


class AnnualReport(models.Model):
    """A department's (or, `department` None, the county's) annual disclosure report for `year` (§50, format of
    国办公开办函〔2021〕30号): the tables are generated from the data when asked; what is kept here are the
    texts the office writes (一 总体情况, 五 问题及改进, 六 其他) and publication."""

    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    overview = models.TextField(_("总体情况"), blank=True)
    problems = models.TextField(_("存在的主要问题及改进情况"), blank=True)
    other = models.TextField(_("其他需要报告的事项"), blank=True)
    figures = models.JSONField(_("发布时的数据"), default=dict, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["-year", "department__path"]
        verbose_name = _("政府信息公开工作年度报告")
        verbose_name_plural = _("政府信息公开工作年度报告")
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="disclosure_report_dept_year"),
            models.UniqueConstraint(fields=["year"], condition=Q(department__isnull=True),
                                    name="disclosure_report_county_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度政府信息公开工作年度报告"
