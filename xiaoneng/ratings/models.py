"""好差评: the ratings of the people served, and what a bad one leads to (DOMAIN.md §6, 国办发〔2019〕51号).

Shape, chosen for the figures (issue 13 reads a period's figures per department): every rating is one row of
`Rating`, whatever was rated (an ended case: 一事一评; a window contact: 一次一评) and however it arrived (link,
counter tablet, department system, import, the office's default), with its department, level and time copied
onto it, so a period's figures per department are one GROUP BY over (department, rated_at) with no join. A
complaint's follow-up rating stays on the complaint (complaints app) and is added to the figures by the
figures selector, read from there.

A bad rating (level 1-2) opens one `Rectification` (差评整改): verify, rectify or explain, call the rater back,
all within the office's limit (default 10 working days); the office accepts it or returns it. Its clock is
judged by supervision through the clock port (ratings/clocks.py). A department may `Appeal` a rating; an
upheld appeal voids it (`Rating.voided_at`): the row stays, excluded from every figure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """The five levels of the national rules; good = 4-5, neutral = 3, bad = 1-2."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


GOOD_LEVELS = (5, 4)
NEUTRAL_LEVELS = (3,)
BAD_LEVELS = (2, 1)


class Channel(models.TextChoices):
    """How a rating arrived. All of them go through one service (services.rating_record)."""

    LINK = "link", _("评价链接（短信、文书二维码）")
    KIOSK = "kiosk", _("窗口评价器")
    API = "api", _("部门系统")
    IMPORT = "import", _("批量导入")
    DEFAULT = "default", _("逾期未评价默认")


class SubjectKind(models.TextChoices):
    CASE = "case", _("办件（一事一评）")
    CONTACT = "contact", _("窗口服务（一次一评）")


class RatingReason(models.Model):
    """One reason a rater may tick (办事流程繁琐, 多次跑动, 服务态度差 …), offered for the levels it lists.
    The office keeps the list; a reason is never deleted once used (disable it), since ratings store codes."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    levels = models.JSONField(_("适用等级"), default=list)  # e.g. [1, 2]
    enabled = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("评价原因")
        verbose_name_plural = _("评价原因")

    def __str__(self) -> str:
        return self.name


class RatingPolicy(models.Model):
    """The office's settings for ratings (one row, `RatingPolicy.current()`): the rectification limit, how long
    a rating link lives, and what an unrated ended case counts as. Changed on the office's settings page;
    each change is kept in `RatingPolicyChange`."""

    class Default(models.TextChoices):
        NONE = "none", _("不计评价")
        BASIC = "basic", _("默认基本满意")

    rectification_limit_wd = models.PositiveSmallIntegerField(_("差评整改期限（工作日）"), default=10)
    link_valid_days = models.PositiveSmallIntegerField(_("评价链接有效期（办结后天数）"), default=30)
    default_after_days = models.PositiveSmallIntegerField(_("逾期未评价天数"), default=7)
    default_level = models.CharField(_("逾期未评价按"), max_length=8, choices=Default.choices, default=Default.NONE)
    sms_invite_after_days = models.PositiveSmallIntegerField(_("办结后短信邀请评价（天）"), default=0)
    # channels (0004): the office sends SMS invitations at all (off until it turns them on).
    sms_invite = models.BooleanField(_("办结后短信邀请评价"), default=False)
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("好差评设置")
        verbose_name_plural = _("好差评设置")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> RatingPolicy:
        obj = cls.objects.order_by("id").first()
        return obj if obj is not None else cls.objects.create()


class RatingPolicyChange(models.Model):
    """One change of the rating policy: who, when, before and after (the office's settings are on record)."""

    changed_at = models.DateTimeField(_("修改时间"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    before = models.JSONField(_("修改前"), default=dict)
    after = models.JSONField(_("修改后"), default=dict)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M}"


class Kiosk(models.Model):
    """A counter's tablet (窗口评价器): paired once by a clerk of its department, it then shows the rating prompt
    of the contact or case its clerk puts on it (`prompt_*`, one at a time; it lapses after a few minutes or
    when the next replaces it), with no log-in for the applicant. `token_hash` is the SHA-256 of the device's
    secret (kept in the tablet's cookie); revoking a kiosk ends its pairing."""

    department = models.ForeignKey("accounts.Department", verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="+")
    name = models.CharField(_("窗口名称"), max_length=60)  # 3号窗口
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("配对时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("配对人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    prompt_case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    prompt_contact = models.ForeignKey("WindowContact", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    prompted_at = models.DateTimeField(_("推送评价时间"), null=True, blank=True)
    prompted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("窗口评价器")
        verbose_name_plural = _("窗口评价器")

    def __str__(self) -> str:
        return self.name


class ContactKind(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    SUBMISSION = "submission", _("递交材料")
    COLLECTION = "collection", _("领取证照")
    REFUSED = "refused", _("不予受理（未立案）")
    OTHER = "other", _("其他")


class WindowContact(models.Model):
    """One service at a window that needs no case (一次一评): a consultation, a refused visit, a collection. A
    clerk records it (applicant served, item, what was done) and may put its rating prompt on the counter's
    tablet (Kiosk.prompt_contact). The applicant's name and phone are optional (a named bad rating is called
    back) and personal data."""

    number = models.CharField(_("服务编号"), max_length=40, unique=True)
    department = models.ForeignKey("accounts.Department", verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="+")
    service_item = models.ForeignKey("catalog.ServiceItem", verbose_name=_("事项"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("服务类型"), max_length=16, choices=ContactKind.choices)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("窗口人员"), null=True,
                              on_delete=models.SET_NULL, related_name="+")
    window_name = models.CharField(_("窗口"), max_length=60, blank=True)
    applicant_name = models.CharField(_("服务对象"), max_length=100, blank=True)
    applicant_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    note = models.CharField(_("办理情况"), max_length=300, blank=True)
    served_at = models.DateTimeField(_("服务时间"))

    class Meta:
        ordering = ["-served_at", "-id"]
        verbose_name = _("窗口服务")
        verbose_name_plural = _("窗口服务")
        indexes = [models.Index(fields=["department", "served_at"], name="ratings_contact_dept")]

    def __str__(self) -> str:
        return self.number


class RatingLink(models.Model):
    """The one-time rating link of a case (its QR code is printed on the receipt, the one-time notice and the
    completion or delivery notice, and the link is sent by SMS once the case ends). The token is random (32
    bytes, URL-safe) and kept as is, because the documents are reprinted; it admits one rating (the case's
    only one) and expires `RatingPolicy.link_valid_days` after the case ended (computed, not stored, so a
    policy change applies at once). `sms_sent_at`: the invitation went out (once)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="rating_link")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("生成时间"))
    sms_sent_at = models.DateTimeField(_("短信邀请时间"), null=True, blank=True)
    # channels (0004): the outbox's attempts at the SMS invitation and its last failure (recipient masked).
    sms_attempts = models.PositiveSmallIntegerField(_("短信发送次数"), default=0)
    sms_error = models.CharField(_("短信发送失败原因"), max_length=300, blank=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价链接")
        verbose_name_plural = _("评价链接")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.case_id}"


class Rating(models.Model):
    """One rating (好差评) of an ended case or a window contact — one per subject (一事一评 / 一次一评; a second
    is refused with the first one's date). `department`, `service_item` and `staff` are copied from the subject
    when the rating is recorded, so figures never join the subject. `defaulted`: no rating came within the
    office's period and the policy counts it as 基本满意 (marked in every figure). `voided_at`: an upheld
    appeal (作废) — the row is kept, with its reasons, and excluded from figures.

    `rater_name` / `rater_phone`: who rated, when known (a named rating; its bad ones are all called back) —
    personal data, masked for anyone but the office and the rated department."""

    subject_kind = models.CharField(_("评价对象"), max_length=8, choices=SubjectKind.choices)
    case = models.OneToOneField("cases.Case", verbose_name=_("办件"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="rating")
    contact = models.OneToOneField(WindowContact, verbose_name=_("窗口服务"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="rating")
    department = models.ForeignKey("accounts.Department", verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="+", db_index=False)
    service_item = models.ForeignKey("catalog.ServiceItem", verbose_name=_("事项"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+", db_index=False)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("被评价人员"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", db_index=False)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    reasons = models.JSONField(_("评价原因"), default=list, blank=True)
    comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    channel = models.CharField(_("评价渠道"), max_length=8, choices=Channel.choices)
    defaulted = models.BooleanField(_("默认评价"), default=False)
    rated_at = models.DateTimeField(_("评价时间"))
    recorded_at = models.DateTimeField(_("登记时间"))
    rater_name = models.CharField(_("评价人"), max_length=100, blank=True)
    rater_phone = models.CharField(_("评价人电话"), max_length=32, blank=True)
    source = models.CharField(_("来源系统"), max_length=64, blank=True)  # the token's source system, the import file
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.TextField(_("作废理由"), blank=True)

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="ratings_rating_level"),
            models.CheckConstraint(
                condition=(Q(subject_kind="case", case__isnull=False, contact__isnull=True)
                           | Q(subject_kind="contact", contact__isnull=False, case__isnull=True)),
                name="ratings_rating_one_subject"),
        ]
        indexes = [
            # A period's figures per department: GROUP BY department over a rated_at range (issue 13 too).
            models.Index(fields=["department", "rated_at"], name="ratings_rating_dept"),
            models.Index(fields=["rated_at"], name="ratings_rating_time"),
            # The rectifications of a period's bad ratings (the figures' 整改率, 回访率): 0003, ratings-core.
            models.Index(fields=["department", "rated_at"], condition=Q(level__lte=2), name="ratings_rating_bad"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} #{self.pk}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已通过")
    APPEALED = "appealed", _("申诉中")
    VOIDED = "voided", _("差评已作废")


OPEN_RECTIFICATION = (RectificationStatus.OPEN, RectificationStatus.RETURNED)


class Rectification(models.Model):
    """差评整改: what a department owes on one bad rating — verify it (核实), rectify or explain (整改或说明), call
    the rater back (回访) and record the result, by `due_at` (the policy's limit in working days from the
    rating's recording, counted on the working-day calendar). The office accepts the submission or returns
    it with reasons (the clock keeps running: a return does not buy time). An appeal pauses nothing either;
    an upheld appeal voids the rating and closes this task as voided.

    The clock: `due_at` runs while open, returned or appealed; `flag` / `next_check_at` are what supervision's
    tick last decided (ratings/clocks.py: clock owner kind "rating", deadline family).

    What the figures read (services/rectification.py keeps them so):
    - `status`: open → submitted → accepted, or → returned → submitted …; appealed while an appeal is pending
      (then back to open/returned if rejected); voided when an appeal is upheld (the rating is voided too).
    - `submitted_at`: the latest submission; `on_time` is set when the office accepts: True when that accepted
      submission came by `due_at` (the figure "rectified on time"), False when after; None until accepted and
      for a voided one.
    - `closed_at`: when the office accepted it, or voided the rating; None while anything is owed.
    - `callback_at` / `callback_reached` / `callback_result`: the call-back to the rater (回访) the department
      recorded — a time between the rating and the submission; required for a named rating (rater name or
      phone), optional otherwise; `callback_reached` only with a call-back time."""

    number = models.CharField(_("整改编号"), max_length=40, unique=True)
    rating = models.OneToOneField(Rating, verbose_name=_("差评"), on_delete=models.PROTECT,
                                  related_name="rectification")
    department = models.ForeignKey("accounts.Department", verbose_name=_("整改部门"), on_delete=models.PROTECT,
                                   related_name="+", db_index=False)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("整改承办人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=RectificationStatus.choices,
                              default=RectificationStatus.OPEN)
    opened_at = models.DateTimeField(_("下发时间"))
    limit_wd = models.PositiveSmallIntegerField(_("整改期限（工作日）"))
    due_at = models.DateTimeField(_("整改期限"))
    verification = models.TextField(_("核实情况"), blank=True)
    action = models.TextField(_("整改措施或情况说明"), blank=True)
    explained = models.BooleanField(_("经核实不属实，作情况说明"), default=False)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_result = models.TextField(_("回访结果"), blank=True)
    callback_reached = models.BooleanField(_("回访已联系到评价人"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_note = models.TextField(_("审核意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    on_time = models.BooleanField(_("按期整改"), null=True, blank=True)
    # The clock as supervision judges it (core/clocks.py): the highest card level reached on `due_at`, and
    # when the tick must look again (None: no clock runs).
    flag = models.CharField(_("预警状态"), max_length=8, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [
            models.Index(fields=["next_check_at"], name="ratings_rect_tick",
                         condition=Q(next_check_at__isnull=False)),
            models.Index(fields=["department", "status"], name="ratings_rect_dept"),
        ]

    def __str__(self) -> str:
        return self.number


class RectificationAction(models.Model):
    """The record of a rectification: each step, who took it, when, and what was said (the page's 办理过程)."""

    class Kind(models.TextChoices):
        OPEN = "open", _("下发整改")
        SAVE = "save", _("保存进展")
        SUBMIT = "submit", _("提交审核")
        ACCEPT = "accept", _("审核通过")
        RETURN = "return", _("退回重办")
        APPEAL = "appeal", _("提出申诉")
        APPEAL_UPHELD = "appeal_upheld", _("申诉成立，差评作废")
        APPEAL_REJECTED = "appeal_rejected", _("申诉驳回")
        ASSIGN = "assign", _("指定承办人")

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("动作"), max_length=16, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"))
    text = models.TextField(_("内容"), blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Appeal(models.Model):
    """申诉: a department asks the office to void a rating it holds malicious or mistaken, with evidence. The
    office upholds (the rating is voided: excluded from figures, never deleted) or rejects it; reasons kept."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉驳回")

    rating = models.ForeignKey(Rating, verbose_name=_("差评"), on_delete=models.PROTECT, related_name="appeals")
    department = models.ForeignKey("accounts.Department", verbose_name=_("申诉部门"), on_delete=models.PROTECT,
                                   related_name="+")
    reason = models.TextField(_("申诉理由"))
    evidence = models.FileField(_("证据材料"), upload_to="ratings/appeals/%Y/%m/", max_length=200, blank=True)
    evidence_name = models.CharField(_("证据原名"), max_length=200, blank=True)
    filed_at = models.DateTimeField(_("申诉时间"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申诉人"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(_("审核结果"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")
        constraints = [
            # One appeal under review per rating at a time.
            models.UniqueConstraint(fields=["rating"], condition=Q(decision="pending"), name="ratings_appeal_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.rating_id}"
