"""Cases (办件) and the events that make them.

A `Case` is one application by one applicant for one service item. Its state is never edited directly:
it is the fold of its `CaseEvent`s ordered by `occurred_at` (ties broken by the order they were recorded),
recomputed whenever events arrive — late and out of order as they may — so a late event corrects the state.
The columns on `Case` are that fold, denormalised so lists, the API and the supervision tick read one row.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """Where a case stands. The first four keep its clock relevant; the rest end it."""

    RECEIVED = "received", _("已接件")
    ACCEPTED = "accepted", _("已受理")
    SUPPLEMENTING = "supplementing", _("补正中")
    SUSPENDED = "suspended", _("特别程序（暂停计时）")
    COMPLETED = "completed", _("已办结")
    DENIED = "denied", _("不予许可")
    REFUSED = "refused", _("不予受理")
    DELIVERED = "delivered", _("已送达")
    WITHDRAWN = "withdrawn", _("已撤回")


# Statuses in which the case's clock runs (or is merely stopped): deadlines are recomputed after a calendar
# change only for these; the others have their verdict frozen.
RUNNING_STATUSES = (CaseStatus.RECEIVED, CaseStatus.ACCEPTED, CaseStatus.SUPPLEMENTING, CaseStatus.SUSPENDED)
# Decisions on the application itself (办结 / 不予许可): the moment the clock is judged.
DECISION_STATUSES = (CaseStatus.COMPLETED, CaseStatus.DENIED)


class Channel(models.TextChoices):
    API = "api", _("部门系统接口")
    WINDOW = "window", _("窗口登记")
    IMPORT = "import", _("文件导入")


class Verdict(models.TextChoices):
    """The on-time verdict frozen at completion, against the committed limit (承诺时限)."""

    EARLY = "early", _("提前办结")
    ON_TIME = "on_time", _("按时办结")
    OVERDUE = "overdue", _("超期办结")


class EventType(models.TextChoices):
    RECEIVED = "received", _("接件")
    ACCEPTED = "accepted", _("受理")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("一次性告知补正")
    SUPPLEMENT_RECEIVED = "supplement_received", _("补正材料收齐")
    SUSPENDED = "suspended", _("特别程序开始（暂停计时）")
    RESUMED = "resumed", _("特别程序结束（恢复计时）")
    STEP_COMPLETED = "step_completed", _("环节办结")
    FEE_CHARGED = "fee_charged", _("收费")
    FEE_REFUNDED = "fee_refunded", _("退费")
    COMPLETED = "completed", _("办结")
    REFUSED = "refused", _("不予受理")
    DENIED = "denied", _("不予许可")
    DELIVERED = "delivered", _("送达")
    WITHDRAWN = "withdrawn", _("撤回申请")
    EXTENDED = "extended", _("延长审查期限")


# The look-up code (查询码) printed on the case's documents: 8 characters from 32 that cannot be misread
# (no 0/O, 1/I), drawn with `secrets` — 40 bits, so with the public look-up's rate limits it cannot be guessed.
# Not unique: the look-up always pairs it with the case number, so two cases sharing a code is harmless.
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


# Each random byte's low 5 bits pick a symbol: one bytes.translate for a whole batch (about 1 µs a code against 5 µs joined per character, so the
# ingest's budget of 50,000 events a second does not notice it).
_QUERY_CODE_TABLE = bytes(ord(QUERY_CODE_ALPHABET[b & 31]) for b in range(256))


def new_query_codes(n: int) -> list[str]:
    """`n` fresh look-up codes from one call to the system's random source (a batch of new cases)."""
    text = secrets.token_bytes(QUERY_CODE_LENGTH * n).translate(_QUERY_CODE_TABLE).decode("ascii")
    return [text[i:i + QUERY_CODE_LENGTH] for i in range(0, len(text), QUERY_CODE_LENGTH)]


def new_query_code() -> str:
    """One fresh look-up code (the field's default: a case made through the ORM)."""
    return new_query_codes(1)[0]


class Case(models.Model):
    """One application (办件) by one applicant for one service item, with its clock.

    Everything below `status` is the fold of the case's events (cases.fold) and is rewritten by the
    ingest service only. Personal data of the applicant lives here and nowhere else; pages and the API
    mask it (cases.privacy) unless the reader belongs to the case's department or the supervision office.

    The clock: `clock_start` is the moment the limits count from (acceptance, or receipt when acceptance
    is deemed under 行政许可法 §32), kept as the event's own moment: when it is after the close or on a day
    off, counting starts at the next working day's opening (DOMAIN.md §4, WorkCalendar.clock_start); `suspensions` is the list of clock periods — stopped periods (supplement,
    special procedures) and §42 extensions (kind "extension", start = end = the approval) — kept so deadlines
    can be recomputed after a calendar change without re-reading events.

    `handler` is the staff account answering for the case: matched from the `handler` name department
    systems report (unique full name in the case's department subtree) when the case is folded, unless a
    head assigned one on the case page (`handler_assigned_at`), which then stands until reassigned.

    For the supervision tick: `is_open` says the tick still watches the case; when it looks next is kept
    apart, in `CaseCheck` (a narrow row the tick rewrites without touching this wide one).

    Indexes: this row is written for every new case and every refold, and each index costs a write, so a
    foreign key whose column leads a composite index has no index of its own (department, service item),
    the pinned version none at all (versions are never deleted: PROTECT only needs a scan if someone tries),
    and the foreign keys that are mostly NULL (parent, first contact, assigned by) only index their
    non-NULL rows.
    """

    case_no = models.CharField(_("办件编号"), max_length=64, unique=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("办理部门"), on_delete=models.PROTECT, related_name="cases",
        db_index=False,  # cases_dept_received / cases_dept_status lead with it
    )
    service_item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="cases",
        db_index=False,  # cases_item_received leads with it
    )
    version = models.ForeignKey(
        "catalog.ServiceItemVersion", verbose_name=_("适用事项版本"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="cases", db_index=False,
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("联办主件"), null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        db_index=False,  # cases_parent (partial)
    )
    is_joint_parent = models.BooleanField(_("联办主件"), default=False)
    channel = models.CharField(_("来源"), max_length=8, choices=Channel.choices, default=Channel.API)
    status = models.CharField(_("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    registered = models.BooleanField(_("已登记接件"), default=False)  # False: events without a "received" (体外循环?)

    applicant_name = models.CharField(_("申请人"), max_length=100, blank=True)
    applicant_id_no = models.CharField(_("证件号码"), max_length=32, blank=True)
    applicant_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    # Printed on the receipt and notices; with the case number it opens the public progress look-up (portal).
    query_code = models.CharField(_("查询码"), max_length=8, default=new_query_code, editable=False)

    received_at = models.DateTimeField(_("接件时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("视为受理"), default=False)
    first_notice_at = models.DateTimeField(_("首次一次性告知时间"), null=True, blank=True)
    acceptance_due_at = models.DateTimeField(_("受理/告知期限"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("终结时间"), null=True, blank=True)
    delivery_due_at = models.DateTimeField(_("送达期限"), null=True, blank=True)
    deemed_approved_at = models.DateTimeField(_("超时默许时间"), null=True, blank=True)

    clock_start = models.DateTimeField(_("起算时间"), null=True, blank=True)
    clock_stopped_at = models.DateTimeField(_("暂停计时自"), null=True, blank=True)
    suspensions = models.JSONField(_("暂停计时期间"), default=list, blank=True)
    suspended_working_days = models.IntegerField(_("暂停计时工作日"), default=0)
    granted_days = models.IntegerField(_("批准特别程序天数"), default=0)
    committed_deadline = models.DateTimeField(_("承诺期限"), null=True, blank=True)
    statutory_deadline = models.DateTimeField(_("法定期限"), null=True, blank=True)
    deadlines_provisional = models.BooleanField(_("期限为暂定"), default=False)
    clock_error = models.CharField(_("计时错误"), max_length=300, blank=True)
    calendar_revision = models.IntegerField(default=0, editable=False)

    verdict = models.CharField(_("办结评价"), max_length=8, choices=Verdict.choices, blank=True)
    verdict_working_days = models.IntegerField(_("提前/超期工作日"), default=0)
    verdict_hours = models.DecimalField(_("提前/超期工作小时"), max_digits=9, decimal_places=2, default=0)
    statutory_overdue = models.BooleanField(_("超法定时限"), default=False)

    first_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("首问责任人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="first_contact_cases", db_index=False,  # cases_first_contact
    )
    # The window that took the application (受理窗口): the registering staff member's unit — the department's
    # own window, or a service centre registering for a department it hosts (accounts.HostedDepartment).
    # Kept apart from first_contact because staff move between units; the centre's queue and its reach
    # over the cases it registered (accounts.selectors.case_scope_q) rest on it.
    intake_department = models.ForeignKey(
        "accounts.Department", verbose_name=_("受理窗口"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,  # cases_intake_department (partial: only window registrations)
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="handled_cases",
    )
    handler_name = models.CharField(_("承办人（部门系统）"), max_length=100, blank=True)
    handler_assigned_at = models.DateTimeField(_("指定承办人时间"), null=True, blank=True)
    handler_assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("指定人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_index=False,  # cases_assigned_by (partial)
    )
    current_step = models.CharField(_("当前环节"), max_length=100, blank=True)
    current_step_started_at = models.DateTimeField(_("当前环节开始"), null=True, blank=True)
    current_step_due_at = models.DateTimeField(_("当前环节期限"), null=True, blank=True)
    steps = models.JSONField(_("环节记录"), default=list, blank=True)
    notices_count = models.PositiveSmallIntegerField(_("一次性告知次数"), default=0)
    fees_total = models.DecimalField(_("收费合计（元）"), max_digits=12, decimal_places=2, default=0)
    reason = models.TextField(_("不予受理/不予许可理由"), blank=True)

    events_count = models.PositiveIntegerField(_("事件数"), default=0)
    last_event_at = models.DateTimeField(_("最近事件时间"), null=True, blank=True)
    is_open = models.BooleanField(_("监察中"), default=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        indexes = [
            models.Index(fields=["department", "received_at"], name="cases_dept_received"),
            models.Index(fields=["department", "status"], name="cases_dept_status"),
            models.Index(fields=["service_item", "received_at"], name="cases_item_received"),
            models.Index(fields=["received_at"], name="cases_received"),
            models.Index(fields=["status", "committed_deadline"], name="cases_status_deadline"),
            models.Index(fields=["verdict", "completed_at"], name="cases_verdict"),
            models.Index(fields=["parent"], name="cases_parent", condition=Q(parent__isnull=False)),
            models.Index(fields=["first_contact"], name="cases_first_contact", condition=Q(first_contact__isnull=False)),
            models.Index(fields=["intake_department", "received_at"], name="cases_intake_department",
                         condition=Q(intake_department__isnull=False)),
            models.Index(fields=["handler_assigned_by"], name="cases_assigned_by",
                         condition=Q(handler_assigned_by__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.case_no

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def is_decided(self) -> bool:
        return self.status in DECISION_STATUSES or self.status == CaseStatus.DELIVERED


class CaseCheck(models.Model):
    """The supervision tick's schedule: when to look at an open case next.

    One row per case the tick watches (`Case.is_open`) that has a moment ahead at which a time-based
    threshold may be crossed; no row when nothing is ahead or the case is closed. `due_at` is the earliest
    such moment after the last evaluation (`now` of the last ingest or tick): committed deadline − 2 wd
    (reminder), committed + 1 wd (yellow), statutory + 1 wd (red), the statutory deadline of a
    deemed-approval item, the current step's due time, the §32 acceptance-or-notice due time, the delivery
    due time of a decided case. The tick reads `due_at <= now` in one range scan of `cases_check_due`.

    Why a table of its own: every tick rewrites the schedule of every case it checks. On the case row that
    is a full row version plus an entry in each of its indexes (the column is indexed, so no HOT update);
    here it is a three-column row with two indexes — about a fifth of the time (docs/performance.md).
    Written only through `cases.schedule`.
    """

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="schedule")
    due_at = models.DateTimeField(_("下次检查时间"))

    class Meta:
        verbose_name = _("监察检查计划")
        verbose_name_plural = _("监察检查计划")
        indexes = [models.Index(fields=["due_at"], name="cases_check_due")]

    def __str__(self) -> str:
        return f"{self.case_id}@{self.due_at.isoformat()}"


class CaseEvent(models.Model):
    """One fact about a case as a department system, a window or an import reported it.

    `source` names whose event ids these are: "d:<department id>:<source system>" for a department system
    (its department and `ApiClient.system`, whichever of its tokens sent it: `client` says which),
    "s:<staff id>", "i:<import source label>"; `event_id` is unique per source, so re-sending a batch —
    with the same token or a new one of the same system — is harmless. Personal data of the applicant is
    not kept here: it goes to the Case, and `payload` keeps the rest of what was sent (masked applicant,
    undeclared fields within XIAONENG_EVENT_EXTRA_MAX_BYTES), for audit.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events",
                             db_index=False)  # cases_event_fold leads with it
    source = models.CharField(_("来源"), max_length=80)
    client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="case_events"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="case_events",
        db_index=False,  # cases_event_staff (partial: only window events have one)
    )
    event_id = models.CharField(_("事件编号"), max_length=100)
    type = models.CharField(_("类型"), max_length=24, choices=EventType.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    recorded_at = models.DateTimeField(_("记录时间"))
    step = models.CharField(_("环节"), max_length=100, blank=True)
    handler = models.CharField(_("经办人"), max_length=100, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    missing_materials = models.JSONField(_("需补正材料"), default=list, blank=True)
    fee_item = models.CharField(_("收费项目"), max_length=200, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    granted_days = models.PositiveIntegerField(_("批准天数"), null=True, blank=True)
    payload = models.JSONField(_("原始数据"), default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("办件事件")
        verbose_name_plural = _("办件事件")
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="cases_event_source_id_uniq"),
            models.CheckConstraint(condition=Q(amount__gte=0) | Q(amount__isnull=True), name="cases_event_amount_gte0"),
        ]
        indexes = [
            models.Index(fields=["case", "occurred_at", "id"], name="cases_event_fold"),
            models.Index(fields=["staff"], name="cases_event_staff", condition=Q(staff__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.type}@{self.occurred_at:%Y-%m-%d %H:%M}"


class HandlerAssignment(models.Model):
    """A head's (re)assignment of a case's handler (承办人), kept as a row of the case's 办理过程: who assigned,
    when, from whom to whom and why. Written only by `services.case_assign_handler`, never changed; the
    case's own `handler*` fields say who handles it now, this says how it came to be so. It is not a
    CaseEvent: department systems report events, this is an act done on the platform that no fold replays."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handler_assignments")
    assigned_at = models.DateTimeField(_("指定时间"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("指定人"), null=True, on_delete=models.SET_NULL, related_name="+",
    )
    from_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("原承办人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # The name a department system had reported, when the case had no platform account as handler.
    from_name = models.CharField(_("原承办人（部门系统）"), max_length=100, blank=True)
    to_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("新承办人"), null=True, on_delete=models.SET_NULL, related_name="+",
    )
    reason = models.CharField(_("理由"), max_length=500)

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = _("指定承办人记录")
        verbose_name_plural = _("指定承办人记录")
        indexes = [models.Index(fields=["case", "assigned_at"], name="cases_assign_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.assigned_at:%Y-%m-%d %H:%M}"

    # The case page's 办理过程 lists these rows among the case's events, in time order.
    is_assignment = True

    @property
    def occurred_at(self):
        return self.assigned_at

    @property
    def recorded_at(self):
        return self.assigned_at


class CaseDocument(models.Model):
    """A document the platform issued for a case: a one-time notice (一次性告知书, the glossary's
    OneTimeNotice) listing ALL missing materials, a refusal decision (不予受理决定书) with its reason, a notice
    of a §42 extension (延长审查期限告知书) with its reason, a notice of a §45 special procedure (特别程序告知书:
    which procedure, why, how long, that the time is not counted), a denial decision (不予行政许可决定书) with its
    reasons and the rights of review and suit (§38), or the notice that the application is deemed approved
    (超时默许告知书, issued by the platform itself, at most once per case). Numbered per department and year
    (`DocumentSeries`, the year of the document's date); printable.

    `issued_at` is the document's date, `recorded_at` when the platform wrote it. They differ only for a
    deemed-approval notice recorded after its ground arose (the statutory limit passed while the tick was
    not looking, or a department system reported late): it is dated when the limit passed and says, on the
    page and on the print, when it was recorded."""

    class Kind(models.TextChoices):
        ONE_TIME_NOTICE = "one_time_notice", _("一次性告知书")
        REFUSAL_DECISION = "refusal_decision", _("不予受理决定书")
        EXTENSION_NOTICE = "extension_notice", _("延长审查期限告知书")
        DEEMED_APPROVAL_NOTICE = "deemed_notice", _("超时默许告知书")
        SPECIAL_PROCEDURE_NOTICE = "special_notice", _("特别程序告知书")
        DENIAL_DECISION = "denial_decision", _("不予行政许可决定书")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    event = models.OneToOneField(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="document")
    kind = models.CharField(_("文书类型"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("序号"))
    number_text = models.CharField(_("文号"), max_length=80)
    issued_at = models.DateTimeField(_("出具时间"))
    recorded_at = models.DateTimeField(_("记录时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    missing_materials = models.JSONField(_("需补正材料"), default=list, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    legal_basis = models.TextField(_("法律依据"))
    note = models.TextField(_("备注"), blank=True)
    # A document whose ground fell away (a deemed approval a late event undid) is never deleted — it may
    # already be in the applicant's hands — but marked void, with why, on the page and on every print.
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=300, blank=True)
    # Extension notices: the days granted and the statutory deadline they lead to; deemed-approval notices:
    # the statutory deadline that passed. Frozen at issue, as the printed document says.
    # Special-procedure notices: the days expected (批准天数) and the procedure (catalog SuspensionReason code).
    granted_days = models.PositiveSmallIntegerField(_("延长天数"), null=True, blank=True)
    deadline = models.DateTimeField(_("期限"), null=True, blank=True)
    procedure = models.CharField(_("特别程序"), max_length=20, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("办件文书")
        verbose_name_plural = _("办件文书")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "year", "number"], name="cases_document_number_uniq"),
            # A deemed approval is notified once, however often ticks and late events re-judge the case.
            models.UniqueConstraint(fields=["case"], condition=Q(kind="deemed_notice"), name="cases_document_deemed_once"),
        ]

    def __str__(self) -> str:
        return self.number_text


class ApplicantMessage(models.Model):
    """A message to the applicant about their case (today: the SMS telling them the application is deemed
    approved, 超时默许), recorded once per case and kind, sent through the pluggable SMS backend by the
    supervision tick in office hours.

    The phone number is not copied here: personal data of the applicant lives on the Case only, and is read
    at sending time (a corrected number is the one used). `body` holds no personal data."""

    class Kind(models.TextChoices):
        DEEMED_APPROVAL = "deemed_approval", _("超时默许告知")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        NO_PHONE = "no_phone", _("申请人未留手机号码")
        CANCELLED = "cancelled", _("已取消")
        # Recorded after the case was decided or withdrawn (a late report): the text would tell the applicant
        # to come for what they already have, so it is kept on record and not sent.
        NOT_NEEDED = "not_needed", _("无须发送")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    document = models.ForeignKey(CaseDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=8, default="sms")
    body = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("生成时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(_("发送错误"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("告知申请人消息")
        verbose_name_plural = _("告知申请人消息")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "channel"], name="cases_message_once"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="cases_message_pending")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}:{self.status}"


class DocumentSeries(models.Model):
    """The running number of one kind of document (or of window case numbers) per department and year.
    Incremented under a row lock, so two windows never issue the same number."""

    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文书编号序列")
        verbose_name_plural = _("文书编号序列")
        constraints = [
            models.UniqueConstraint(fields=["department", "kind", "year"], name="cases_series_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.kind}/{self.year}: {self.last_number}"


class ImportBatch(models.Model):
    """One run of `xiaoneng import-cases FILE`: what was read and what came of it (audit)."""

    source = models.CharField(_("来源标识"), max_length=60)
    file_name = models.CharField(_("文件"), max_length=255)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    accepted = models.PositiveIntegerField(_("新增事件"), default=0)
    duplicates = models.PositiveIntegerField(_("重复事件"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self) -> str:
        return f"{self.source} {self.file_name}"


class ClockSync(models.Model):
    """The calendar revision the clocks of running cases were last recomputed against (a single row).

    The supervision tick compares it with the calendar's revision before each run — one primary-key read —
    so a calendar change (a holiday added, a make-up day imported) recomputes every open clock at the next
    tick, and an unchanged calendar costs nothing (no scan of a million running cases to find a stale one)."""

    revision = models.IntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("办件计时同步")
        verbose_name_plural = _("办件计时同步")

    def __str__(self) -> str:
        return f"clocks at calendar revision {self.revision}"
