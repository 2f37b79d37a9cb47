"""民主评议 / 万人评机关: questionnaires designed by the supervision office, answered by weighted respondent groups
through a public link or one-time invitation codes, and the survey score of each department they yield.

Shape:
- `Survey` is the campaign: title, open period, how it is distributed (public link and/or codes, phone
  verification), its respondent groups. Its questions live in a `SurveyVersion`: the draft is edited; publishing
  freezes it; changing a published survey makes a new draft version (services.survey_revise), and every
  `Response` stays with the version it answered.
- `Section` → `Question` → `Option` (choices) or the question's departments (a department matrix:
  rate each listed department on the 1-5 scale — the 万人评机关 form).
- `RespondentGroup` (服务对象, 企业, 人大代表 …): a weight in the score and a minimum response count.
- `InvitationCode`: one code, one response (`InvitationCode.response`, unique).
- `Response` carries no identity: its group, channel and time; a verified phone only as a keyed hash (the
  one-response-per-phone rule). `Answer` is one row per answered question (per option ticked for multiple
  choice, per department rated for a matrix); survey, group and department are copied onto it so a period's
  scores per department are one GROUP BY with no join.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.accounts.models import Department


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    SCALE = "scale", _("满意度（1-5 分）")
    MATRIX = "matrix", _("部门评议矩阵（逐个部门 1-5 分）")
    TEXT = "text", _("文字题")


class ResponseChannel(models.TextChoices):
    LINK = "link", _("公开链接")
    CODE = "code", _("邀请码")
    API = "api", _("接口")
    DEMO = "demo", _("演示数据")


# The 1-5 scale, as the respondent reads it, and its points (0-100) in a department's score. Printed on the
# results pages: the score is linear in the answer, 非常不满意 0 … 非常满意 100.
SCALE_LABELS = {5: _("非常满意"), 4: _("满意"), 3: _("基本满意"), 2: _("不满意"), 1: _("非常不满意")}
SCALE_POINTS = {5: 100, 4: 75, 3: 50, 2: 25, 1: 0}


class Survey(models.Model):
    """One survey campaign (e.g. 2026 年度万人评机关): its open period, distribution and groups. What is asked
    lives in its versions; `current_version` is the published one respondents answer (None until published)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    title = models.CharField(_("问卷标题"), max_length=120)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))  # exclusive: a response at closes_at is refused
    public_link = models.BooleanField(_("允许公开链接作答"), default=True)
    verify_phone = models.BooleanField(_("公开链接须短信验证手机（每个手机号一份）"), default=False)
    token = models.CharField(max_length=32, unique=True, editable=False)  # the public link's unguessable part
    current_version = models.ForeignKey("SurveyVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-opens_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                              name="survey_period_ordered")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now) -> bool:
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at


class SurveyVersion(models.Model):
    """The questions of a survey as they were at one time. A draft (published_at None) is edited; a published
    version is frozen: its responses reference it and are read against it forever."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")
        ordering = ["survey", "number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique")]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class Section(models.Model):
    """A titled part of a questionnaire (一、服务态度 …)."""

    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("部分标题"), max_length=100)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """One question. Choices have options; a matrix lists departments, each rated 1-5; a text question has
    a length limit. `required`: for a matrix, every listed department must be rated."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("题型"), max_length=16, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    required = models.BooleanField(_("必答"), default=True)
    max_length = models.PositiveIntegerField(_("字数上限"), default=500)
    order = models.PositiveIntegerField(default=0)
    departments = models.ManyToManyField(Department, blank=True, related_name="+", verbose_name=_("评议部门"))

    class Meta:
        ordering = ["section__order", "section_id", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    """A choice of a single- or multiple-choice question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("选项"), max_length=100)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.label


class RespondentGroup(models.Model):
    """评议对象群体: who answered, with the group's weight in a department's score and the fewest responses
    (about that department) for the group to count; below it the group is flagged and left out, the other
    weights renormalised. `public`: respondents of the public link may say they belong to it (the others —
    人大代表, 政协委员, 特邀监督员 — answer only with an invitation code of their group)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(_("编码"), max_length=32)
    name = models.CharField(_("群体名称"), max_length=40)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=4)
    min_responses = models.PositiveIntegerField(_("最少有效份数"), default=30)
    public = models.BooleanField(_("公开链接可选"), default=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("评议对象群体")
        verbose_name_plural = _("评议对象群体")
        ordering = ["survey", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="survey_group_code_unique")]

    def __str__(self) -> str:
        return self.name


class Response(models.Model):
    """One submitted questionnaire. No name, no phone, no address, no IP: the group, the channel and the time;
    a verified phone only as a keyed hash (unique per survey: one response per phone)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    group = models.ForeignKey(RespondentGroup, on_delete=models.PROTECT, related_name="responses")
    channel = models.CharField(_("渠道"), max_length=8, choices=ResponseChannel.choices)
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    phone_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["survey", "submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "phone_hash"], condition=~Q(phone_hash=""),
                                               name="survey_response_one_per_phone")]

    def __str__(self) -> str:
        return f"答卷 {self.pk}"


class Answer(models.Model):
    """One answer: an option ticked (single, multiple: one row per option), a value (scale 1-5; a matrix:
    one row per department rated), or text. Survey, group and department copied on for the scores."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(RespondentGroup, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.PROTECT, related_name="answers")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["survey", "department", "group"], name="survey_answer_score_idx")]

    def __str__(self) -> str:
        return f"答案 {self.pk}"


class InvitationCode(models.Model):
    """邀请码: admits exactly one response, into its group. Printed on a sheet or sent by SMS; `response` is
    set when it is used (unique: a second use is refused)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    group = models.ForeignKey(RespondentGroup, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(_("邀请码"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("生成时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    response = models.OneToOneField(Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="code")

    class Meta:
        verbose_name = _("邀请码")
        verbose_name_plural = _("邀请码")
        ordering = ["survey", "group", "id"]

    def __str__(self) -> str:
        return self.code


class InvitationMessage(models.Model):
    """An invitation code on its way by SMS (a source of the outbox, surveys/outbox.py). The phone is kept
    only until the message is sent (then erased): responses never learn it."""

    class MessageStatus(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    code = models.OneToOneField(InvitationCode, on_delete=models.CASCADE, related_name="message")
    phone = models.CharField(max_length=20, blank=True)
    body = models.CharField(max_length=300)
    status = models.CharField(max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="survey_msg_due_idx")]

    def __str__(self) -> str:
        return f"邀请短信 {self.pk}"


class PhoneVerification(models.Model):
    """An SMS verification code sent to a phone for a public-link response (only where the survey asks for
    it). Phone and code kept as keyed hashes; a code is good for 10 minutes and 5 tries."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    phone_hash = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["survey", "phone_hash"], name="survey_phone_verif_idx")]

    def __str__(self) -> str:
        return f"短信验证 {self.pk}"


class RateCounter(models.Model):
    """Hits of one key (an address on a survey's public link, a phone asking for codes — as a keyed hash) in
    one fixed window."""

    key = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="survey_rate_unique")]

    def __str__(self) -> str:
        return self.key
