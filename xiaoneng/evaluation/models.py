"""Evaluation (效能考核): schemes, period evaluations and their scores, bulletins and the sanctions register.

The top of the chain: it reads what every other app measured (cases, cards, complaints, ratings, surveys,
inspections) and nothing but the portal reads it. Writes go through services/, reads through selectors.py.

- A `Scheme` (考核方案) is versioned per period kind; a period is evaluated under the version in force when it
  began (`valid_from` ≤ the period's first day, the latest such). Its indicators, deductions, bonuses and vetoes
  are rows naming a calculation of indicators.py by code.
- An `Evaluation` is one run of one period (2026Q3, 2026-07, 2026H2, 2026): a draft the office may re-run,
  published once (then frozen), corrected only by a new revision with its reason (the old one kept, superseded).
- A `Score` per department and evaluation, opened by its `ScoreLine`s (one per indicator, deduction, bonus and
  veto) which keep numerator, denominator, value, points and flags as computed, so a published score never
  changes when the data under it does.
- A `Bulletin` (通报) is generated from a published evaluation; `Sanction` (效能告诫 … 纪律处分) is the register,
  fed by escalation of repeated bottom places, vetoes, thresholds, inspections and the office by hand.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.core import periods


class PeriodKind(models.TextChoices):
    MONTH = periods.MONTH, _("月度")
    QUARTER = periods.QUARTER, _("季度")
    HALF = periods.HALF, _("半年")
    YEAR = periods.YEAR, _("年度")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class DepartmentGroup(models.Model):
    """A ranking group (考核分组): departments are ranked within their group and overall. A department falls in
    the group whose `kinds` lists its kind, unless a `GroupMember` row places it elsewhere."""

    code = models.SlugField(_("分组编码"), max_length=32, unique=True)
    name = models.CharField(_("分组名称"), max_length=40)
    kinds = models.JSONField(_("包含的单位类型"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("考核分组")
        verbose_name_plural = _("考核分组")

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """An explicit placement of one department in a group, overriding the group its kind would give."""

    department = models.OneToOneField("accounts.Department", verbose_name=_("单位"), on_delete=models.CASCADE,
                                      related_name="+")
    group = models.ForeignKey(DepartmentGroup, verbose_name=_("考核分组"), on_delete=models.CASCADE,
                              related_name="members")

    class Meta:
        verbose_name = _("分组成员")
        verbose_name_plural = _("分组成员")

    def __str__(self) -> str:
        return f"{self.department} → {self.group}"


class SanctionKind(models.TextChoices):
    WARNING = "warning", _("效能告诫")
    ADMONISHMENT = "admonishment", _("诫勉谈话")
    CRITICISM = "criticism", _("通报批评")
    RECTIFY = "rectify", _("责令整改")
    ORGANISATIONAL = "organisational", _("组织处理（建议）")
    DISCIPLINARY = "disciplinary", _("纪律处分（建议）")


class Scheme(models.Model):
    """A version of the evaluation scheme (考核方案) for one period kind: total points, grade thresholds, the
    fairness rule (minimum sample), the bulletin's sizes and the escalation rule. Never edited once used by an
    evaluation: a change is a new version (services.schemes.scheme_create_version)."""

    period_kind = models.CharField(_("考核周期"), max_length=8, choices=PeriodKind.choices)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("方案名称"), max_length=100)
    valid_from = models.DateField(_("起用日期"))
    total = models.DecimalField(_("指标总分"), max_digits=6, decimal_places=2, default=Decimal(100))
    excellent_at = models.DecimalField(_("优秀分数线"), max_digits=6, decimal_places=2, default=Decimal(90))
    good_at = models.DecimalField(_("良好分数线"), max_digits=6, decimal_places=2, default=Decimal(80))
    pass_at = models.DecimalField(_("合格分数线"), max_digits=6, decimal_places=2, default=Decimal(60))
    min_sample = models.PositiveIntegerField(_("最少样本数"), default=20)
    bulletin_top = models.PositiveSmallIntegerField(_("通报表扬名次"), default=8)
    bulletin_bottom = models.PositiveSmallIntegerField(_("通报后进名次"), default=8)
    escalation_bottom = models.PositiveSmallIntegerField(_("连续后进名次"), default=5)
    # The red-card threshold (处理标准): this many red cards issued to one handler within one period of this
    # scheme's kind propose `red_card_sanction` against that handler; 0 turns the rule off.
    red_card_threshold = models.PositiveSmallIntegerField(_("红牌处理标准（张）"), default=3)
    red_card_sanction = models.CharField(_("达到红牌处理标准时提出的处理"), max_length=16,
                                         choices=SanctionKind.choices, default=SanctionKind.WARNING)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["period_kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["period_kind", "version"], name="evaluation_scheme_version")]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class SchemeIndicator(models.Model):
    """One scored indicator of a scheme: its calculation (`code`, indicators.INDICATORS), weight (points) and
    curve. Points = weight × the value's position between `floor` (0 points) and `target` (full points),
    linear and capped; for an indicator where lower is better the floor lies above the target."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("指标"), max_length=40)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    floor = models.DecimalField(_("起评值"), max_digits=10, decimal_places=4)
    target = models.DecimalField(_("目标值"), max_digits=10, decimal_places=4)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="evaluation_indicator_once")]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")

    def __str__(self) -> str:
        return self.code


class AdjustmentKind(models.TextChoices):
    DEDUCTION = "deduction", _("扣分")
    BONUS = "bonus", _("加分")


class SchemeAdjustment(models.Model):
    """A deduction (扣分) or bonus (加分) of a scheme: its calculation counts units per department (cards, complaints,
    each further 10% of early completions …); points = units × `points`, at most `cap` when set."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(_("类型"), max_length=10, choices=AdjustmentKind.choices)
    code = models.CharField(_("项目"), max_length=40)
    points = models.DecimalField(_("每项分值"), max_digits=6, decimal_places=2)
    cap = models.DecimalField(_("上限"), max_digits=6, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["kind", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kind", "code"], name="evaluation_adjustment_once")]
        verbose_name = _("加减分项目")
        verbose_name_plural = _("加减分项目")

    def __str__(self) -> str:
        return self.code


class SchemeVeto(models.Model):
    """A veto item (一票否决): when its condition holds (`code`'s count reaches `threshold`) the department fails
    (不合格) whatever its score, and `sanction_kind` is proposed at once."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="vetoes")
    code = models.CharField(_("否决条件"), max_length=40)
    threshold = models.PositiveIntegerField(_("触发数量"), default=1)
    sanction_kind = models.CharField(_("提出的处理"), max_length=16, choices=SanctionKind.choices, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="evaluation_veto_once")]
        verbose_name = _("一票否决项")
        verbose_name_plural = _("一票否决项")

    def __str__(self) -> str:
        return self.code


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已更正")  # a later revision replaced it; kept and visible


class Evaluation(models.Model):
    """One evaluation of one period (`period`: a core.periods code) under its scheme. Revision 1 is the first;
    a correction after publication is revision n+1 with its `reason`. Only drafts are re-computed."""

    period = models.CharField(_("考核期"), max_length=16)
    period_kind = models.CharField(_("考核周期"), max_length=8, choices=PeriodKind.choices)
    starts_at = models.DateTimeField(_("起始时间"))
    ends_at = models.DateTimeField(_("截止时间"))
    scheme = models.ForeignKey(Scheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="evaluations")
    revision = models.PositiveIntegerField(_("修订次数"), default=1)
    status = models.CharField(_("状态"), max_length=12, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.DRAFT)
    reason = models.TextField(_("更正理由"), blank=True)
    notes = models.JSONField(_("计算说明"), default=list, blank=True)  # [str]: what the page must say (weights moved …)
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("计算人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-starts_at", "-revision"]
        constraints = [models.UniqueConstraint(fields=["period", "revision"], name="evaluation_period_revision")]
        verbose_name = _("考核")
        verbose_name_plural = _("考核")

    def __str__(self) -> str:
        return f"{periods.Period.parse(self.period).label}（第{self.revision}次）"

    @property
    def period_obj(self) -> periods.Period:
        return periods.Period.parse(self.period)

    @property
    def period_label(self) -> str:
        return periods.Period.parse(self.period).label


class Score(models.Model):
    """A department's result in one evaluation: points from indicators, deductions, bonuses, the total, the grade,
    ranks (in its group and overall), the veto if one applied, and flags (small samples …)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    department = models.ForeignKey("accounts.Department", verbose_name=_("单位"), on_delete=models.PROTECT,
                                   related_name="+")
    group_code = models.CharField(_("分组编码"), max_length=32)
    group_name = models.CharField(_("考核分组"), max_length=40)
    base_points = models.DecimalField(_("指标得分"), max_digits=7, decimal_places=2)
    deductions = models.DecimalField(_("扣分"), max_digits=7, decimal_places=2, default=Decimal(0))
    bonuses = models.DecimalField(_("加分"), max_digits=7, decimal_places=2, default=Decimal(0))
    score = models.DecimalField(_("总分"), max_digits=7, decimal_places=2)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices)
    rank = models.PositiveIntegerField(_("组内名次"))
    rank_overall = models.PositiveIntegerField(_("总名次"))
    group_size = models.PositiveIntegerField(_("组内单位数"), default=0)
    veto = models.JSONField(_("一票否决"), null=True, blank=True)  # {"code", "name", "count", "threshold", "text"}
    flags = models.JSONField(_("提示"), default=list, blank=True)  # [str] in Chinese
    small_sample = models.BooleanField(_("样本较少"), default=False)

    class Meta:
        ordering = ["evaluation", "group_code", "rank"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "department"], name="evaluation_score_once")]
        indexes = [models.Index(fields=["department", "evaluation"], name="evaluation_score_dept")]
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")

    def __str__(self) -> str:
        return f"{self.department} {self.score}"


class LineKind(models.TextChoices):
    INDICATOR = "indicator", _("指标")
    DEDUCTION = "deduction", _("扣分")
    BONUS = "bonus", _("加分")
    VETO = "veto", _("一票否决")


class ScoreLine(models.Model):
    """One line of a score's breakdown, as computed (frozen with the evaluation): an indicator with numerator,
    denominator, value, Wilson interval, weight (as set and after redistribution) and points; or a deduction,
    bonus or veto with its units and points. `scored` is False for an indicator the department had no data for
    (its weight went to the others)."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("类型"), max_length=10, choices=LineKind.choices)
    code = models.CharField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, null=True, blank=True)
    effective_weight = models.DecimalField(_("折算分值"), max_digits=8, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(_("分子"), max_digits=14, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("分母"), max_digits=14, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4, null=True, blank=True)
    low = models.DecimalField(_("区间下限"), max_digits=6, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(_("区间上限"), max_digits=6, decimal_places=4, null=True, blank=True)
    units = models.DecimalField(_("数量"), max_digits=14, decimal_places=4, null=True, blank=True)
    points = models.DecimalField(_("得分"), max_digits=8, decimal_places=2, default=Decimal(0))
    scored = models.BooleanField(_("参与计分"), default=True)
    flags = models.JSONField(_("提示"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["score", "position", "id"]
        verbose_name = _("得分明细")
        verbose_name_plural = _("得分明细")

    def __str__(self) -> str:
        return self.name


class Bulletin(models.Model):
    """A bulletin (通报) generated from a published evaluation: the top N commended and the bottom N named, each
    with the main failings in words (`content`, as generated, so the PDF, workbook and page always agree)."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("考核"), on_delete=models.PROTECT,
                                   related_name="bulletins")
    number = models.CharField(_("文号"), max_length=60, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    content = models.JSONField(_("内容"), default=dict)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-generated_at", "-id"]
        verbose_name = _("考核通报")
        verbose_name_plural = _("考核通报")

    def __str__(self) -> str:
        return self.title


class SanctionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已决定")
    DISMISSED = "dismissed", _("不予处理")
    APPEALED = "appealed", _("申诉中")
    REVOKED = "revoked", _("申诉成立已撤销")  # the appeal upheld: the sanction and its deduction are gone
    UPHELD = "upheld", _("申诉驳回维持")


class SanctionSource(models.TextChoices):
    MANUAL = "manual", _("效能办提出")
    ESCALATION = "escalation", _("连续排名后进")
    VETO = "veto", _("一票否决")
    THRESHOLD = "threshold", _("达到处理标准")
    INSPECTION = "inspection", _("明查暗访问责建议")


# Sanctions whose deduction counts in the score of the period they were decided in.
COUNTING_STATUSES = (SanctionStatus.CONFIRMED, SanctionStatus.APPEALED, SanctionStatus.UPHELD)


class Sanction(models.Model):
    """An entry of the sanctions register (效能问责): against a department, or a staff member of it; proposed
    (by a rule or the office), then confirmed with a numbered decision document or dismissed with reasons;
    appealable. A confirmed sanction carries `points` into the department's score of the period of
    `decided_at` (unless revoked on appeal). `source_key` makes automatic proposals idempotent."""

    number = models.CharField(_("决定书文号"), max_length=60, blank=True)
    kind = models.CharField(_("处理方式"), max_length=16, choices=SanctionKind.choices)
    department = models.ForeignKey("accounts.Department", verbose_name=_("对象单位"), on_delete=models.PROTECT,
                                   related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("对象人员"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=SanctionStatus.choices,
                              default=SanctionStatus.PROPOSED)
    source = models.CharField(_("来源"), max_length=12, choices=SanctionSource.choices, default=SanctionSource.MANUAL)
    source_key = models.CharField(max_length=80, null=True, blank=True, unique=True, editable=False)  # noqa: DJ001
    evaluation = models.ForeignKey(Evaluation, verbose_name=_("考核"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="sanctions")
    reason = models.TextField(_("事由"))
    basis = models.CharField(_("依据"), max_length=300, blank=True)
    points = models.DecimalField(_("扣分"), max_digits=6, decimal_places=2, default=Decimal(0))
    proposed_at = models.DateTimeField(_("提出时间"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField(_("决定意见"), blank=True)
    appeal_text = models.TextField(_("申诉理由"), blank=True)
    appealed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    appeal_decided_at = models.DateTimeField(_("申诉处理时间"), null=True, blank=True)
    appeal_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申诉处理人"), null=True,
                                          blank=True, on_delete=models.SET_NULL, related_name="+")
    appeal_note = models.TextField(_("申诉处理意见"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["department", "decided_at"], name="evaluation_sanction_dept")]
        verbose_name = _("效能问责")
        verbose_name_plural = _("效能问责")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()


class EvidenceKind(models.TextChoices):
    CARD = "card", _("预警")
    COMPLAINT = "complaint", _("投诉")
    RATING = "rating", _("评价")
    FINDING = "finding", _("检查发现问题")
    BULLETIN = "bulletin", _("通报")
    SCORE = "score", _("考核得分")
    CASE = "case", _("办件")


class SanctionEvidence(models.Model):
    """What a sanction rests on: a card, complaint, rating, inspection finding, bulletin or score, by id (the apps
    below own them) with a label as it read when linked."""

    sanction = models.ForeignKey(Sanction, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("类型"), max_length=12, choices=EvidenceKind.choices)
    object_id = models.BigIntegerField(_("对象"))
    label = models.CharField(_("说明"), max_length=200)

    class Meta:
        ordering = ["kind", "object_id"]
        constraints = [models.UniqueConstraint(fields=["sanction", "kind", "object_id"], name="evaluation_evidence_once")]
        verbose_name = _("问责依据")
        verbose_name_plural = _("问责依据")

    def __str__(self) -> str:
        return self.label


class SanctionSeries(models.Model):
    """The yearly counter of decision documents per kind (X效告〔2026〕3号), taken under a row lock."""

    kind = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="evaluation_series_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_number}"
