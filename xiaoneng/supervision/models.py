"""Electronic supervision (电子监察): rules, warnings (cards), their follow-up, supervision orders and the
notifications they send.

A `Rule` says when a card is due (time-based rules are evaluated by the tick, event-based ones as events
are applied). A `Warning` is the card itself: one per subject, rule and deadline instance (`deadline_key`),
guaranteed by a unique constraint so that two ticks or two workers can never issue the same card twice.
Everything that happens to a card afterwards is a `WarningAction`; supervision orders (督办) and the
notifications to staff are their own records, each written once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """How serious a card is (DOMAIN.md §4): reminder (预警提醒) → yellow (黄牌) → red (红牌)."""

    REMINDER = "reminder", _("预警提醒")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


LEVEL_ORDER = {Level.REMINDER: 0, Level.YELLOW: 1, Level.RED: 2}


class RuleKind(models.TextChoices):
    TIME = "time", _("时间类（定时检查）")
    EVENT = "event", _("事件类（事件到达时检查）")


class RuleMode(models.TextChoices):
    AUTOMATIC = "automatic", _("自动发牌")
    CONFIRM = "confirm", _("监察员确认后发牌")


class RuleScope(models.TextChoices):
    ALL = "all", _("全部部门和事项")
    DEPARTMENT = "department", _("指定部门（含下级）")
    ITEM = "item", _("指定事项")


class Check(models.TextChoices):
    """What a rule checks: the evaluator behind it. Several rules may share a check with different scopes;
    for a case the most specific one applies (item > department > all)."""

    COMMITTED_REMINDER = "committed_reminder", _("承诺时限到期前提醒")
    COMMITTED_OVERDUE = "committed_overdue", _("超承诺时限")
    STATUTORY_OVERDUE = "statutory_overdue", _("超法定时限")
    STEP_OVERDUE = "step_overdue", _("环节超时")
    DELIVERY_LATE = "delivery_late", _("办结后未按时送达")
    DELIVERY_STATUTORY = "delivery_statutory", _("超法定期限送达证照")
    DEEMED_APPROVAL = "deemed_approval", _("超时默许")
    NO_REASON = "no_reason", _("不予受理/不予许可未说明理由")
    SECOND_NOTICE = "second_notice", _("二次补正告知")
    FEE_IRREGULAR = "fee_irregular", _("乱收费")
    FEE_ABOVE_MINIMUM = "fee_above_minimum", _("未按下限收费")
    STEP_ORDER = "step_order", _("环节缺失或顺序颠倒")
    OFF_BOOK = "off_book", _("体外循环")
    # The deadline family (deadlines.py): every clock owner whose rows carry one running deadline (complaints'
    # acceptance, handling and reply; the clocks of the issues to come), by the rule's subject kind.
    DEADLINE_REMINDER = "deadline_reminder", _("期限到期前提醒")
    DEADLINE_OVERDUE = "deadline_overdue", _("超期")
    DEADLINE_OVERDUE_LONG = "deadline_overdue_long", _("严重超期")
    # A manual card the office raises on a finding (明查暗访发现问题, issue 12): never evaluated by the engine,
    # issued only through Judge.card_raise (services.cards.warning_raise_manual).
    FINDING = "finding", _("检查发现问题")


TIME_CHECKS = frozenset({
    Check.COMMITTED_REMINDER, Check.COMMITTED_OVERDUE, Check.STATUTORY_OVERDUE, Check.STEP_OVERDUE,
    Check.DELIVERY_LATE, Check.DELIVERY_STATUTORY, Check.DEEMED_APPROVAL,
})
# The deadline family's checks: rules of any subject kind but cases (time-based; see deadlines.py).
DEADLINE_CHECKS = frozenset({Check.DEADLINE_REMINDER, Check.DEADLINE_OVERDUE, Check.DEADLINE_OVERDUE_LONG})
# Checks whose cards only the office raises by hand (through a clock owner's page): the engine never judges them.
MANUAL_CHECKS = frozenset({Check.FINDING})


class Rule(models.Model):
    """A supervision rule (监察规则): which check, at what level, with which thresholds, for whom.

    `thresholds` holds the numbers of the check in working days, e.g. {"before_wd": 2} for the reminder
    before the committed limit or {"over_wd": 1} for a card more than one working day past it. Edits go
    through `services.rule_update`, which records a `RuleChange` and takes effect at once (no deploy).
    The shipped defaults of DOMAIN.md §4 are seeded by a data migration (`defaults.DEFAULT_RULES`).
    """

    code = models.SlugField(_("规则编码"), max_length=64, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    check_code = models.CharField(_("检查内容"), max_length=32, choices=Check.choices)
    # Whose clocks the rule judges: a clock owner's kind (core/clocks.py: "case", "complaint", …). The case
    # checks are for cases only; the deadline checks serve every other owner, one set of rules per kind.
    subject_kind = models.CharField(_("监察对象"), max_length=16, default="case")
    kind = models.CharField(_("类型"), max_length=8, choices=RuleKind.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    level = models.CharField(_("等级"), max_length=8, choices=Level.choices)
    thresholds = models.JSONField(_("阈值"), default=dict, blank=True)
    scope = models.CharField(_("适用范围"), max_length=12, choices=RuleScope.choices, default=RuleScope.ALL)
    scope_department = models.ForeignKey(
        "accounts.Department", verbose_name=_("适用部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    scope_item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("适用事项"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(_("发牌方式"), max_length=10, choices=RuleMode.choices, default=RuleMode.AUTOMATIC)
    # Escalation (DOMAIN.md §4): a yellow or red card of this rule brings a supervision order (督办) due in
    # `order_due_wd` working days, and a red card a draft rectification proposal (整改建议书) that the office
    # confirms before it is sent. On by default; a reminder never brings either.
    auto_order = models.BooleanField(_("黄牌、红牌自动督办"), default=True)
    order_due_wd = models.PositiveSmallIntegerField(_("自动督办答复期限（工作日）"), default=5)
    auto_proposal = models.BooleanField(_("红牌自动起草整改建议书"), default=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("监察规则")
        verbose_name_plural = _("监察规则")
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="all", scope_department__isnull=True, scope_item__isnull=True)
                           | Q(scope="department", scope_department__isnull=False, scope_item__isnull=True)
                           | Q(scope="item", scope_item__isnull=False, scope_department__isnull=True)),
                name="supervision_rule_scope_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def subject_label(self) -> str:
        """The kind of subject as the office calls it (办件, 投诉), from its clock owner."""
        from xiaoneng.core import clocks

        return clocks.kinds().get(self.subject_kind, self.subject_kind)

    @property
    def specificity(self) -> int:
        return {RuleScope.ITEM: 2, RuleScope.DEPARTMENT: 1}.get(self.scope, 0)

    @property
    def thresholds_text(self) -> str:
        """The thresholds as the office says them ("承诺时限到期前 2 个工作日提醒"), never the stored keys."""
        from .defaults import thresholds_text

        return thresholds_text(self.check_code, self.thresholds, self.subject_label)


class RuleChange(models.Model):
    """Audit of one edit of a rule: who, when, and the rule's values before and after."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("修改时间"))
    before = models.JSONField(_("修改前"), default=dict)
    after = models.JSONField(_("修改后"), default=dict)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("规则修改记录")
        verbose_name_plural = _("规则修改记录")
        indexes = [models.Index(fields=["rule", "changed_at"], name="supervision_rulechange_rule")]

    def __str__(self) -> str:
        return f"{self.rule_id}@{self.changed_at:%Y-%m-%d %H:%M}"

    def differences(self) -> list[tuple[str, str, str]]:
        """(what, before, after) of each value this edit changed, in the words of the rule's edit form: the
        snapshots keep the stored keys ("thresholds", "over_wd"), which no page shows as such."""
        from .defaults import thresholds_text

        labels = {f.name: str(f.verbose_name) for f in Rule._meta.fields}
        choices = {"level": Level, "mode": RuleMode, "scope": RuleScope}
        yes_no = {True: str(_("是")), False: str(_("否"))}

        def show(key, value) -> str:
            if value is None or value == "" or value == {}:
                return "—"
            if key == "thresholds":
                return thresholds_text(self.rule.check_code, value, self.rule.subject_label)
            if key in choices:
                try:
                    return str(choices[key](value).label)
                except ValueError:
                    return str(value)
            if isinstance(value, bool):
                return yes_no[value]
            return str(value)

        return [(labels.get(k, k), show(k, v), show(k, self.after.get(k)))
                for k, v in self.before.items() if k in self.after and self.after[k] != v]


class WarningStatus(models.TextChoices):
    PENDING_CONFIRMATION = "pending_confirmation", _("待确认")
    ISSUED = "issued", _("已发出")
    EXPLAINED = "explained", _("已说明")
    CORRECTED = "corrected", _("已纠正")
    CONFIRMED = "confirmed", _("已确认")
    WITHDRAWN = "withdrawn", _("已撤销")
    ESCALATED = "escalated", _("已升级")
    APPEALED = "appealed", _("申诉中")


# Cards the department still has to answer.
TO_ANSWER = (WarningStatus.ISSUED, WarningStatus.ESCALATED)
# Cards not yet closed by the supervision office (a late event may still correct them).
OPEN_STATUSES = (
    WarningStatus.PENDING_CONFIRMATION, WarningStatus.ISSUED, WarningStatus.EXPLAINED, WarningStatus.CORRECTED,
    WarningStatus.ESCALATED, WarningStatus.APPEALED,
)
FINAL_STATUSES = (WarningStatus.CONFIRMED, WarningStatus.WITHDRAWN)



class AboutSubject:
    """What a card, an order and a proposal say about their subject (`subject_kind`, `subject_id`), through
    subjects.py, the one module that knows the kinds. `subject_number` is set by `subjects.subjects_attach` or
    `subjects.with_subject_numbers` for lists; a lone object reads its number with one query."""

    @property
    def subject_no(self) -> str:
        """The case number, or the complaint number (never anything about the complainant: departments see
        these)."""
        if self.__dict__.get("subject_number") is None:
            # Not read yet, or annotated NULL by a list's query (an owner without a model describes its
            # subjects itself; a subject deleted by hand): ask the owner.
            from .subjects import subjects_attach

            self.__dict__.pop("subject_number", None)
            subjects_attach([self])
        return self.subject_number or ""

    @property
    def subject_label(self) -> str:
        from .subjects import subject_label

        return subject_label(self.subject_kind)

    @property
    def subject_badge(self) -> str:
        from .subjects import subject_badge

        return subject_badge(self.subject_kind)

    @property
    def subject_url(self) -> str:
        from .subjects import subject_url

        return subject_url(self.subject_kind, self.subject_id, self.subject_no)


class SubjectQuerySet(models.QuerySet):
    """Filters by subject for cards, orders and proposals."""

    def about(self, obj) -> SubjectQuerySet:
        """Those about one subject instance (a Case, a Complaint)."""
        from .subjects import about

        return self.filter(about(obj))


class Warning(AboutSubject, models.Model):  # the glossary's name for a card (shadows the builtin only in this module)
    """A card (预警 / 黄牌 / 红牌) raised by a rule on a subject's clock: a case or a complaint today (`subject_kind`,
    `subject_id`; subjects.py says what each kind is).

    `deadline_key` names the threshold instance the card is about: the ISO datetime of the deadline for
    time-based rules (a moved deadline is a new instance), the event id or a count for event-based rules.
    (subject_kind, subject_id, rule, deadline_key) is unique: inserts (`services.cards_insert`) use ON CONFLICT
    DO NOTHING, so concurrent ticks and re-applied events can never issue a card twice. `crossed_at` is when
    the threshold was crossed (or the event occurred); `issued_at` when the platform raised the card.

    Complaint cards: the key is "<stage>@<due instant>" (a moved due date is a new instance). Their department is the lead department
    of the dispatch for the handling stage, and the supervision office for acceptance, reply and a handling
    clock not yet dispatched (the office is the one late then); see complaints/clocks.py.
    """

    # Foreign keys that lead a composite index or unique constraint below have no index of their own: the tick
    # inserts thousands of cards a minute and each index is a write (docs/performance.md).
    # The subject the card is about: its kind ("case", "complaint", and the kinds of clock owners to come) and
    # its primary key. No foreign key per kind, hence no database constraint to the subject: subjects.py is the
    # one place that knows the kinds (their numbers, pages, and what deleting a subject does to its cards).
    subject_kind = models.CharField(_("对象类型"), max_length=16)
    subject_id = models.BigIntegerField(_("对象"))
    # No database constraint on rule and department (PROTECT is still enforced by Django on every delete): the
    # values are copied from rows the same transaction holds, and checking them cost the tick ~0.1 s of row
    # triggers per 15,000 cards at commit (docs/performance.md).
    rule = models.ForeignKey(Rule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="warnings",
                             db_index=False, db_constraint=False)
    level = models.CharField(_("等级"), max_length=8, choices=Level.choices)
    deadline_key = models.CharField(_("期限/事件标识"), max_length=80)
    status = models.CharField(_("状态"), max_length=24, choices=WarningStatus.choices, default=WarningStatus.ISSUED)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="warnings",
        db_index=False, db_constraint=False,
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="warnings", db_index=False,
    )
    crossed_at = models.DateTimeField(_("触发时间"))
    issued_at = models.DateTimeField(_("发牌时间"))
    detail = models.CharField(_("情况说明"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("部门答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("预警纠错卡")
        verbose_name_plural = _("预警纠错卡")
        constraints = [
            # One card per subject, rule and deadline instance (inserts: ON CONFLICT DO NOTHING on these
            # columns); also the index that finds a subject's cards.
            models.UniqueConstraint(fields=["subject_kind", "subject_id", "rule", "deadline_key"],
                                    name="supervision_warning_once"),
        ]
        indexes = [
            models.Index(fields=["status", "issued_at"], name="supervision_warning_status"),
            models.Index(fields=["department", "issued_at"], name="supervision_warning_dept"),
            models.Index(fields=["level", "issued_at"], name="supervision_warning_level"),
            models.Index(fields=["issued_at"], name="supervision_warning_issued"),
            models.Index(fields=["rule", "issued_at"], name="supervision_warning_rule"),
            models.Index(fields=["handler", "status"], name="supervision_warning_handler"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.rule_id}/{self.subject_kind}:{self.subject_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES



class ActionKind(models.TextChoices):
    ISSUE = "issue", _("发牌")
    CONFIRM_ISSUE = "confirm_issue", _("确认发牌")
    EXPLAIN = "explain", _("情况说明")
    CORRECT = "correct", _("纠正整改")
    CONFIRM = "confirm", _("确认")
    WITHDRAW = "withdraw", _("撤销")
    AUTO_WITHDRAW = "auto_withdraw", _("自动撤销（事件更正）")
    ESCALATE = "escalate", _("升级")
    APPEAL = "appeal", _("申诉")
    APPEAL_UPHELD = "appeal_upheld", _("申诉成立")
    APPEAL_REJECTED = "appeal_rejected", _("申诉驳回")
    ORDER = "order", _("发出督办")
    PROPOSAL = "proposal", _("发出整改建议书")


def appeal_upload_to(instance, filename: str) -> str:
    # The stored name never comes from the client: only the checked extension survives.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"supervision/appeals/{instance.at:%Y/%m}/{instance.warning_id}-{instance.at:%Y%m%d%H%M%S}.{ext}"


class WarningAction(models.Model):
    """One step in a card's history: issued, explained or corrected by the department, confirmed,
    withdrawn or escalated by the supervision office, appealed (申诉, with reason and attachment) and the
    decision on the appeal. `by` is empty for what the platform did itself."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("动作"), max_length=16, choices=ActionKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    text = models.TextField(_("内容"), blank=True)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    attachment = models.FileField(_("附件"), upload_to=appeal_upload_to, max_length=200, blank=True)
    attachment_name = models.CharField(_("附件原名"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("预警处理记录")
        verbose_name_plural = _("预警处理记录")
        indexes = [models.Index(fields=["warning", "at"], name="supervision_action_warning")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("待答复")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


class SupervisionOrder(AboutSubject, models.Model):
    """A supervision order (督办): the office orders a department to fix a case or a complaint's handling (or
    answer a card) by a due date counted in working days. An order still unanswered after its due date is
    escalated once by the tick (`escalated_at`), which also raises the linked card one level.

    `automatic`: issued by the platform when a yellow or red card was issued under a rule with `auto_order`
    (`issued_by` empty); at most one automatic order per card (a partial unique constraint: concurrent ticks
    cannot double it)."""

    number = models.CharField(_("督办编号"), max_length=40, unique=True)
    # No database constraint on warning and department (PROTECT is still enforced by Django on every delete):
    # the tick writes automatic orders in bulk with values copied from the cards the same transaction holds,
    # as it writes the cards themselves (Warning.rule/department).
    warning = models.ForeignKey(
        Warning, verbose_name=_("预警纠错卡"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
        db_constraint=False,
    )
    # The subject, as on the card (subjects.py): a subject with orders or proposals cannot be deleted.
    subject_kind = models.CharField(_("对象类型"), max_length=16)
    subject_id = models.BigIntegerField(_("对象"))
    automatic = models.BooleanField(_("自动督办"), default=False)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+",
        db_constraint=False,
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("督办人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("督办时间"))
    due_wd = models.PositiveSmallIntegerField(_("限期（工作日）"))
    due_at = models.DateTimeField(_("答复期限"))
    instructions = models.TextField(_("督办要求"))
    status = models.CharField(_("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.ISSUED)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("办结人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    close_note = models.TextField(_("办结意见"), blank=True)
    escalated_at = models.DateTimeField(_("逾期升级时间"), null=True, blank=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        indexes = [
            models.Index(fields=["status", "due_at"], name="supervision_order_due"),
            models.Index(fields=["department", "status"], name="supervision_order_dept"),
            models.Index(fields=["subject_kind", "subject_id"], name="supervision_order_subject"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["warning"], condition=Q(automatic=True),
                                    name="supervision_order_automatic_once"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_late(self) -> bool:
        return self.escalated_at is not None



class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    ISSUED = "issued", _("已发出")
    DISCARDED = "discarded", _("不予发出")


class SupervisionProposal(AboutSubject, models.Model):
    """A rectification proposal (整改建议书 / 监察建议书) of the supervision office to a department, about a
    red card (DOMAIN.md §4: red card + rectification proposal + accountability).

    The platform drafts one when a red card is issued under a rule with `auto_proposal` (or a card is raised
    to red); the office reviews the text and confirms it (`supervision_proposal_issue`), which numbers it in
    the office's series of the year (no number is spent on a draft that is never sent) and shows it to the
    department; or it decides not to send it, with a reason. One proposal per card."""

    # Written in bulk by the tick like orders: no database constraint on warning and department (see there).
    warning = models.ForeignKey(Warning, verbose_name=_("预警纠错卡"), on_delete=models.PROTECT,
                                related_name="proposals", db_constraint=False)
    # The subject, as on the card (subjects.py): a subject with orders or proposals cannot be deleted.
    subject_kind = models.CharField(_("对象类型"), max_length=16)
    subject_id = models.BigIntegerField(_("对象"))
    department = models.ForeignKey("accounts.Department", verbose_name=_("被建议部门"), on_delete=models.PROTECT,
                                   related_name="+", db_constraint=False)
    status = models.CharField(_("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT)
    number = models.CharField(_("文号"), max_length=60, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    serial = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    problem = models.TextField(_("存在问题"))
    suggestion = models.TextField(_("整改建议"))
    due_wd = models.PositiveSmallIntegerField(_("整改期限（工作日）"), default=15)
    due_at = models.DateTimeField(_("整改期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("起草时间"))
    issued_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issuer = models.ForeignKey("accounts.Department", verbose_name=_("发文机关"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    discarded_at = models.DateTimeField(_("决定不予发出时间"), null=True, blank=True)
    discarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    discard_reason = models.TextField(_("不予发出理由"), blank=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("整改建议书")
        verbose_name_plural = _("整改建议书")
        constraints = [
            models.UniqueConstraint(fields=["warning"], name="supervision_proposal_once"),
            models.UniqueConstraint(fields=["year", "serial"], condition=Q(serial__isnull=False),
                                    name="supervision_proposal_serial"),
        ]
        indexes = [models.Index(fields=["department", "status"], name="supervision_proposal_dept"),
                   models.Index(fields=["status", "created_at"], name="supervision_proposal_status"),
                   models.Index(fields=["subject_kind", "subject_id"], name="supervision_proposal_subject")]

    def __str__(self) -> str:
        return self.number or f"{self.get_status_display()} #{self.pk}"



class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class NotificationKind(models.TextChoices):
    WARNING_ISSUED = "warning_issued", _("新预警纠错卡")
    WARNING_ESCALATED = "warning_escalated", _("预警升级")
    ORDER_ISSUED = "order_issued", _("督办通知")
    ORDER_OVERDUE = "order_overdue", _("督办逾期")
    PROPOSAL_ISSUED = "proposal_issued", _("整改建议书")


class Notification(models.Model):
    """A message to a staff member about a card or a supervision order, on one channel.

    Unique per (card or order, recipient, channel, kind): it is recorded once however often the tick runs.
    In-app messages are visible at once; e-mail and SMS wait in the table until the tick runs inside office
    hours (`sent_at` set when handed to the backend; `error` kept when the backend refused)."""

    # No index of their own: each leads a composite index or partial unique constraint below.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications",
        db_index=False,
    )
    warning = models.ForeignKey(Warning, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications",
                                db_index=False)
    order = models.ForeignKey(
        SupervisionOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("类型"), max_length=20, choices=NotificationKind.choices)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("生成时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    error = models.CharField(_("发送错误"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            models.UniqueConstraint(
                fields=["warning", "recipient", "channel", "kind"], condition=Q(warning__isnull=False),
                name="supervision_notification_warning_once",
            ),
            models.UniqueConstraint(
                fields=["order", "recipient", "channel", "kind"], condition=Q(order__isnull=False),
                name="supervision_notification_order_once",
            ),
            models.CheckConstraint(
                condition=Q(warning__isnull=False) | Q(order__isnull=False), name="supervision_notification_about",
            ),
        ]
        indexes = [
            models.Index(fields=["sent_at", "channel"], name="supervision_notif_pending"),
            models.Index(fields=["recipient", "created_at"], name="supervision_notif_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_id}: {self.subject}"
