"""Complaints (效能投诉) and everything that happens to them.

A `Complaint` carries its content and its clocks; the complainant's identity lives in a separate row
(`ComplainantIdentity`) that only the supervision office's handling staff read, each read recorded in
`IdentityAccess`. So a query, a serializer or a template that works on complaints cannot leak identity by
accident: it would have to join a table that only `selectors.identity_read` touches.

Every action leaves a `TimelineEntry`; the ones marked public (with their public text) are what the
complainant sees when following the tracking code. Internal notes are never public.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.government import mailbox_title, mailbox_title_lazy


class Channel(models.TextChoices):
    WEB = "web", _("网上投诉")
    HOTLINE = "hotline", _("投诉热线（96150）")
    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访")
    MAILBOX = "mailbox", mailbox_title_lazy()  # 县长信箱 / 区长信箱 / 市长信箱 by the government's level
    MEDIA = "media", _("媒体曝光")
    INSPECTION = "inspection", _("明查暗访")
    API = "api", _("系统接口")
    OPEN311 = "open311", _("Open311 接口")


def channel_choices() -> list[tuple[str, str]]:
    """The channels as a page names them: the public mailbox by this government's level (县长信箱 in a county,
    区长信箱 in a district, 市长信箱 in a city; core/government.py), not by the enum's fixed label. A callable,
    so the field's choices follow the setting without a migration per deployment."""
    return [(value, mailbox_title() if value == Channel.MAILBOX else label) for value, label in Channel.choices]


def channel_label(value: str) -> str:
    """One channel's name as channel_choices() gives it."""
    return dict(channel_choices()).get(value, value)


# Channels a staff member records by hand (the others arrive by themselves).
STAFF_CHANNELS = (Channel.HOTLINE, Channel.LETTER, Channel.VISIT, Channel.MAILBOX, Channel.MEDIA, Channel.INSPECTION)


class Status(models.TextChoices):
    RECEIVED = "received", _("待受理")
    ACCEPTED = "accepted", _("已受理，待转办")
    DISPATCHED = "dispatched", _("办理中")
    PAUSED = "paused", _("已中止")
    RESULT = "result", _("已办结，待答复")
    REPLY_REVIEW = "reply_review", _("答复待审核")
    REPLIED = "replied", _("已答复，待回访")
    CLOSED = "closed", _("已办结")
    REFUSED = "refused", _("不予受理")
    TRANSFERRED = "transferred", _("已移送")
    WITHDRAWN = "withdrawn", _("已撤销")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (Status.RECEIVED, Status.ACCEPTED, Status.DISPATCHED, Status.PAUSED, Status.RESULT,
                 Status.REPLY_REVIEW)
# Open311 "closed": the complainant has an answer (a reply, a refusal, a transfer) or the matter ended.
ANSWERED_STATUSES = (Status.REPLIED, Status.CLOSED, Status.REFUSED, Status.TRANSFERRED, Status.WITHDRAWN,
                     Status.MERGED)


class IdentityMode(models.TextChoices):
    REAL = "real", _("实名")
    CONFIDENTIAL = "confidential", _("实名保密")
    ANONYMOUS = "anonymous", _("匿名")


class Litigation(models.TextChoices):
    """Whether another procedure already deals with the matter (complaint-letter rules)."""

    NONE = "none", _("没有")
    ARBITRATION = "arbitration", _("已申请仲裁")
    LAWSUIT = "lawsuit", _("已提起诉讼")
    RECONSIDERATION = "reconsideration", _("已申请行政复议")


class RefusalReason(models.TextChoices):
    NOT_IN_SCOPE = "not_in_scope", _("不属于效能投诉受理范围")
    IN_LITIGATION = "in_litigation", _("已进入仲裁、诉讼或行政复议程序")
    TIME_BARRED = "time_barred", _("超过投诉时效")
    ANONYMOUS_UNVERIFIABLE = "anonymous_unverifiable", _("匿名投诉且无可查证的事实")
    ALREADY_HANDLED = "already_handled", _("同一事项已处理完毕且无新的事实和理由")
    OTHER = "other", _("其他")


class Outcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("属实")
    PARTLY = "partly", _("部分属实")
    NOT_SUBSTANTIATED = "not_substantiated", _("不属实")


class Rating(models.TextChoices):
    """The complainant's follow-up rating on the five levels of the national 好差评 rules (DOMAIN.md §6), so
    that it can be counted with the other ratings; NONE: no rating within the follow-up period."""

    VERY_SATISFIED = "very_satisfied", _("非常满意")
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    VERY_UNSATISFIED = "very_unsatisfied", _("非常不满意")
    NONE = "none", _("未评价")


RATED_LEVELS = (Rating.VERY_SATISFIED, Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED, Rating.VERY_UNSATISFIED)
UNSATISFIED_LEVELS = (Rating.UNSATISFIED, Rating.VERY_UNSATISFIED)


class Stage(models.TextChoices):
    """The clock a complaint is currently judged against."""

    ACCEPT = "accept", _("受理期限")
    HANDLE = "handle", _("办理期限")
    REPLY = "reply", _("答复期限")


class Flag(models.TextChoices):
    NONE = "", _("正常")
    REMINDER = "reminder", _("预警")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class ComplaintCategory(models.Model):
    """A kind of complaint (门难进、脸难看、事难办 …), offered on the form and as an Open311 service
    (service_code = `code`, group 效能投诉). The office may add or retire categories; a retired one stays
    on the complaints that used it."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("投诉类别")
        verbose_name_plural = _("投诉类别")

    def __str__(self) -> str:
        return self.name


class ComplaintNumberSeries(models.Model):
    """The running number of complaints per year (TS2026-000123), incremented under a row lock."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Complaint(models.Model):
    """One complaint about a department's or a person's conduct or efficiency (效能投诉), from any channel.

    Clocks (aware datetimes, working days from the platform calendar): `acceptance_due_at` from receipt,
    `handling_due_at` from dispatch (the lead department's limit, moved by pauses and extensions),
    `reply_due_at` from the department's result. `due_stage`/`due_at` name the clock that runs now;
    `flag` is the highest warning it has reached (reminder / yellow / red) and `next_check_at` the next
    moment a threshold may be crossed, so the tick reads `is_open AND next_check_at <= now` off one index.
    """

    number = models.CharField(_("投诉编号"), max_length=20, unique=True)
    tracking_code = models.CharField(_("查询码"), max_length=32, unique=True)
    # A repeated submit (double click, retried call) returns this complaint only to the submitter that sent it
    # first: the key is unique per `idempotency_scope` ("client:<ApiClient id>", "staff:<Staff id>", or
    # "web:<random id of the public form's session>"), never across submitters, and `request_hash` (a keyed
    # hash of the canonical content, services.submission_hash) tells a retry from another request reusing
    # the key.
    idempotency_scope = models.CharField(max_length=48, blank=True, default="", editable=False)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001 (NULL: no key, never equal)
    request_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    channel = models.CharField(_("来源渠道"), max_length=12, choices=channel_choices, default=Channel.WEB)
    category = models.ForeignKey(ComplaintCategory, verbose_name=_("投诉类别"), on_delete=models.PROTECT,
                                 related_name="complaints")
    department = models.ForeignKey("accounts.Department", verbose_name=_("被投诉单位"), on_delete=models.PROTECT,
                                   related_name="complaints")
    window_text = models.CharField(_("窗口"), max_length=100, blank=True)
    staff_text = models.CharField(_("被投诉人员"), max_length=100, blank=True)
    case_no_text = models.CharField(_("办件编号"), max_length=64, blank=True)
    case = models.ForeignKey("cases.Case", verbose_name=_("关联办件"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="complaints")
    occurred_on = models.DateField(_("发生日期"))
    facts = models.TextField(_("投诉事实"))
    request = models.TextField(_("投诉诉求"))
    # What departments and API clients read: the same text with the complainant's own name and contacts
    # replaced (privacy.scrub_identity), computed once at intake so no department read touches the identity.
    facts_redacted = models.TextField(_("投诉事实（隐去投诉人）"), blank=True)
    request_redacted = models.TextField(_("投诉诉求（隐去投诉人）"), blank=True)
    litigation = models.CharField(_("是否已仲裁或诉讼"), max_length=16, choices=Litigation.choices,
                                  default=Litigation.NONE)
    # Open311 `media_url` given with a submitted request: kept as text for the office to look at, never fetched
    # by the platform (no download at run time) and never shown to departments or the public (it may lead to
    # the complainant).
    media_url = models.CharField(_("投诉人提供的媒体链接"), max_length=500, blank=True)
    identity_mode = models.CharField(_("身份"), max_length=12, choices=IdentityMode.choices,
                                     default=IdentityMode.CONFIDENTIAL)
    urgent = models.BooleanField(_("紧急"), default=False)
    # The complainant's language: the one their own submission spoke (form, API, Open311), the platform's for
    # a staff entry on their behalf. Every text meant for them (public timeline texts, SMS, e-mail) is written
    # in it, whichever language the staff member or client who acts on the complaint uses.
    language = models.CharField(_("投诉人语言"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)

    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("登记时间"))
    acceptance_due_at = models.DateTimeField(_("受理期限"), null=True, blank=True)
    decided_at = models.DateTimeField(_("受理决定时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("转办时间"), null=True, blank=True)
    handling_due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    result_at = models.DateTimeField(_("办理结果时间"), null=True, blank=True)
    reply_due_at = models.DateTimeField(_("答复期限"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    follow_up_due_at = models.DateTimeField(_("回访截止"), null=True, blank=True)
    closed_at = models.DateTimeField(_("终结时间"), null=True, blank=True)
    paused_at = models.DateTimeField(_("中止自"), null=True, blank=True)
    paused_from_status = models.CharField(max_length=16, blank=True, editable=False)
    paused_working_days = models.PositiveIntegerField(_("中止工作日"), default=0)
    extension_working_days = models.PositiveIntegerField(_("延期工作日"), default=0)

    due_stage = models.CharField(_("计时环节"), max_length=8, choices=Stage.choices, blank=True)
    due_at = models.DateTimeField(_("当前期限"), null=True, blank=True)
    flag = models.CharField(_("预警"), max_length=8, choices=Flag.choices, blank=True, default="")
    is_open = models.BooleanField(_("监察中"), default=True)
    next_check_at = models.DateTimeField(_("下次检查时间"), null=True, blank=True)

    refusal_reason = models.CharField(_("不予受理理由"), max_length=32, choices=RefusalReason.choices, blank=True)
    decision_text = models.TextField(_("决定说明"), blank=True)
    transfer_to = models.CharField(_("移送机关"), max_length=100, blank=True)
    withdraw_reason = models.TextField(_("撤销理由"), blank=True)

    outcome = models.CharField(_("核查结论"), max_length=20, choices=Outcome.choices, blank=True)
    findings = models.TextField(_("调查情况"), blank=True)
    measures = models.TextField(_("处理措施"), blank=True)
    sanction_proposed = models.BooleanField(_("建议追责"), default=False)

    rating = models.CharField(_("满意度"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    follow_up_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    reopen_reason = models.TextField(_("重新办理理由"), blank=True)

    publishable = models.BooleanField(_("在信箱公开"), default=False)  # the mailbox's title: channel_choices()
    merged_into = models.ForeignKey("self", verbose_name=_("合并至"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged")
    office_handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承办监察员"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="handled_complaints")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="entered_complaints")
    client = models.ForeignKey("accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="complaints")
    # Keyed hash of the normalised phone / e-mail: duplicates, rate limits and the block list work on it
    # without anyone reading the identity row.
    contact_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("效能投诉")
        verbose_name_plural = _("效能投诉")
        indexes = [
            models.Index(fields=["is_open", "next_check_at"], name="complaints_tick"),
            models.Index(fields=["status", "due_at"], name="complaints_status_due"),
            models.Index(fields=["department", "received_at"], name="complaints_dept_received"),
            models.Index(fields=["received_at"], name="complaints_received"),
            models.Index(fields=["contact_key", "department", "received_at"], name="complaints_dup"),
        ]
        constraints = [
            # NULL keys (no key sent) are distinct on SQLite and PostgreSQL alike.
            models.UniqueConstraint(fields=["idempotency_scope", "idempotency_key"],
                                    name="complaints_idempotency_per_submitter"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.flag in (Flag.YELLOW, Flag.RED)


class ComplainantIdentity(models.Model):
    """Who complained and how to reach them: personal data under whistle-blower protection. Read only by the
    supervision office staff handling the complaint, through `selectors.identity_read`, which logs each read.
    Anonymous complaints may still leave a phone number for the reply."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="identity")
    name = models.CharField(_("姓名或单位名称"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    id_no = models.CharField(_("证件号码"), max_length=32, blank=True)
    submitted_ip = models.GenericIPAddressField(_("提交地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉人身份")
        verbose_name_plural = _("投诉人身份")

    def __str__(self) -> str:
        return f"identity of complaint {self.complaint_id}"


class IdentityAccess(models.Model):
    """One read of a complainant's identity: who, when, which complaint, why (audit of whistle-blower
    protection). Never deleted by the application."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="identity_reads")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    purpose = models.CharField(_("用途"), max_length=100)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("身份信息查阅记录")
        verbose_name_plural = _("身份信息查阅记录")

    def __str__(self) -> str:
        return f"{self.staff_id} read {self.complaint_id} at {self.at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A file attached to a complaint (by the complainant) or to a note (evidence by staff). Its type was
    decided from its content, images were re-encoded without metadata (EXIF GPS identifies people), PDFs
    were parsed and refused if they carry scripts. Complainant files reach a department only when the
    office shares them (`shared_with_department`). An image of the complainant's the office also publishes
    (`public_token` set, `services.attachment_publish`) is served to anyone at /complaints/media/<token>/ and
    given as Open311 `media_url`; the random token, not the id, names it, and unpublishing drops it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    note = models.ForeignKey("Note", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="complaints/%Y/%m/", max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=60)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    shared_with_department = models.BooleanField(_("向承办单位提供"), default=False)
    public_token = models.CharField(_("公开链接标识"), max_length=43, unique=True, null=True, blank=True,
                                    editable=False)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class Dispatch(models.Model):
    """A complaint sent (转办/交办) to one responsible department with a handling limit. With several
    departments one is the lead, whose result makes the complaint's result. A department may dispute the
    dispatch within the dispute limit; the office upholds it (the dispatch ends) or rejects it."""

    class State(models.TextChoices):
        ACTIVE = "active", _("办理中")
        DISPUTED = "disputed", _("异议待定")
        WITHDRAWN = "withdrawn", _("已撤回")
        DONE = "done", _("已办结")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="dispatches")
    department = models.ForeignKey("accounts.Department", verbose_name=_("承办单位"), on_delete=models.PROTECT,
                                   related_name="complaint_dispatches")
    is_lead = models.BooleanField(_("主办"), default=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.ACTIVE)
    instructions = models.TextField(_("交办意见"), blank=True)
    limit_wd = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    dispatched_at = models.DateTimeField(_("转办时间"))
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                      related_name="+")
    due_at = models.DateTimeField(_("办理期限"))
    dispute_due_at = models.DateTimeField(_("异议期限"))
    dispute_reason = models.TextField(_("异议理由"), blank=True)
    disputed_at = models.DateTimeField(_("提出异议时间"), null=True, blank=True)
    dispute_decision = models.TextField(_("异议处理意见"), blank=True)
    result_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    outcome = models.CharField(_("核查结论"), max_length=20, choices=Outcome.choices, blank=True)
    findings = models.TextField(_("调查情况"), blank=True)
    measures = models.TextField(_("处理措施"), blank=True)
    round = models.PositiveSmallIntegerField(default=1)  # 2 after a reopening

    class Meta:
        ordering = ["-is_lead", "dispatched_at", "id"]
        verbose_name = _("转办")
        verbose_name_plural = _("转办")
        indexes = [models.Index(fields=["department", "state"], name="complaints_dispatch_dept")]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.department_id}"


class Pause(models.Model):
    """A period during which the complaint's clock stops (中止), with its reason."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="pauses")
    reason = models.TextField(_("中止理由"))
    started_at = models.DateTimeField(_("中止时间"))
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    working_days = models.PositiveIntegerField(_("中止工作日"), default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.complaint_id} paused {self.started_at:%Y-%m-%d}"


class Extension(models.Model):
    """A department's request for more time, approved or refused by the office."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="extensions")
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延期工作日"))
    reason = models.TextField(_("延期理由"))
    requested_at = models.DateTimeField(_("申请时间"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    approved = models.BooleanField(_("批准"), null=True)
    comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["requested_at"]

    def __str__(self) -> str:
        return f"{self.complaint_id} +{self.days} wd"


class Note(models.Model):
    """An investigation note (调查记录) with optional evidence files. Internal: never shown to the
    complainant or on public pages."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    text = models.TextField(_("调查记录"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.complaint_id}"


class Reply(models.Model):
    """The answer to the complainant (答复), written from the result and approved by the office before it
    is sent. `public_text` is the masked version shown in the public mailbox when `publishable`."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("退回修改")
        SENT = "sent", _("已答复")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("答复内容"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("起草时间"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    sent_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    public_text = models.TextField(_("公开文本"), blank=True)

    class Meta:
        ordering = ["drafted_at", "id"]
        verbose_name = _("答复")
        verbose_name_plural = _("答复")

    def __str__(self) -> str:
        return f"reply {self.pk} on {self.complaint_id} ({self.state})"


class TimelineEntry(models.Model):
    """One action on a complaint, in order. `public` entries (receipt, decisions with their written notice,
    dispatch, reply, follow-up) are what the complainant sees, in `public_text`; `detail` is internal."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("登记")
        ACCEPTED = "accepted", _("受理")
        REFUSED = "refused", _("不予受理")
        TRANSFERRED = "transferred", _("移送")
        DISPATCHED = "dispatched", _("转办")
        DISPUTED = "disputed", _("转办异议")
        DISPUTE_DECIDED = "dispute_decided", _("异议处理")
        NOTE = "note", _("调查记录")
        PAUSED = "paused", _("中止")
        RESUMED = "resumed", _("恢复")
        EXTENSION_REQUESTED = "extension_requested", _("申请延期")
        EXTENSION_DECIDED = "extension_decided", _("延期审批")
        RESULT = "result", _("办理结果")
        REPLY_DRAFTED = "reply_drafted", _("起草答复")
        REPLY_RETURNED = "reply_returned", _("答复退回")
        REPLIED = "replied", _("答复")
        RATED = "rated", _("回访评价")
        REOPENED = "reopened", _("重新办理")
        FOLLOW_UP_EXPIRED = "follow_up_expired", _("回访期满未评价")
        WITHDRAWN = "withdrawn", _("撤销")
        MERGED = "merged", _("合并")
        FLAG = "flag", _("预警")
        PUBLISHED = "published", _("公开设置")
        ASSIGNED = "assigned", _("指定承办监察员")
        MESSAGE_RETRIED = "message_retried", _("重发通知")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField(_("操作方"), max_length=100, blank=True)
    detail = models.TextField(_("内部说明"), blank=True)
    public = models.BooleanField(default=False)
    public_text = models.TextField(_("告知内容"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("处理记录")
        verbose_name_plural = _("处理记录")
        indexes = [models.Index(fields=["complaint", "at"], name="complaints_timeline")]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.kind}@{self.at:%Y-%m-%d %H:%M}"


class ComplainantMessage(models.Model):
    """One notice to the complainant (acceptance, refusal, transfer, the reply with its follow-up link) sent by
    SMS or e-mail, besides the tracking page. Unique per (notice, channel): however often a send is retried
    the complainant gets it once. The recipient is NOT stored here: it is read from ComplainantIdentity at
    sending time, so this table reveals nothing about who complained. A follow-up link in `body` (a one-time
    token) is erased once the message is sent."""

    class MessageChannel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    class MessageStatus(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    entry = models.ForeignKey(TimelineEntry, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(_("渠道"), max_length=8, choices=MessageChannel.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    created_at = models.DateTimeField(_("生成时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(_("发送错误"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("投诉人通知")
        verbose_name_plural = _("投诉人通知")
        constraints = [models.UniqueConstraint(fields=["entry", "channel"], name="complaints_message_once")]
        indexes = [models.Index(fields=["status", "created_at"], name="complaints_message_pending")]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.channel}:{self.status}"


class BlockEntry(models.Model):
    """A blocked submitter (spam, abuse): an IP address, or a contact by its keyed hash. Managed by the
    supervision office; an entry may expire."""

    class Kind(models.TextChoices):
        IP = "ip", _("IP 地址")
        CONTACT = "contact", _("联系方式")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    value = models.CharField(_("值"), max_length=64)  # the IP itself, or the contact's keyed hash
    label = models.CharField(_("显示"), max_length=64)  # masked, for the list page
    reason = models.CharField(_("理由"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("加入时间"))
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    removed_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("黑名单")
        verbose_name_plural = _("黑名单")
        indexes = [models.Index(fields=["kind", "value"], name="complaints_block")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.label}"


class RateCounter(models.Model):
    """Submissions counted per key (IP or contact) and fixed time window. Kept in the database rather than
    a cache: the increment is one atomic UPDATE (row-locked on PostgreSQL, serialised by SQLite), so the
    count is exact across web processes with no cache server and no createcachetable step."""

    key = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="complaints_rate_uniq")]
        indexes = [models.Index(fields=["window_start"], name="complaints_rate_window")]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start:%Y-%m-%d %H:%M}={self.count}"
