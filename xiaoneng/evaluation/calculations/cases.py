"""Calculations over cases (办件): time limits, procedure, fees, early completion, committed limits, reporting.

The cases counted (`_completed`): completed (办结, a decision: 办结 or 不予许可) in the period by their decision
time (`completed_at`), with a frozen verdict; joint parents are counted through their sub-cases. One GROUP BY
over them (`_completion_counts`) answers on_time_rate, procedure_rate, fee_compliance_rate and
early_completion at once; avg_working_days_ratio is a second one (by committed limit), data_incomplete and
short_commitment one each.

Working days taken (avg_working_days_ratio), derived from what the case stores, in SQL: the clock's verdict
is taken at the decision against the committed deadline, which already excludes stopped time (补正, 特别程序)
— the deadline moved by it. `verdict_working_days` is how many working days the decision day lies before
(early) or after (overdue) the deadline day. The deadline falls on working day `limit` counted from the
clock start (day 0), so the working days taken are: limit − verdict_working_days (early), limit (on time: the
decision on the deadline day), limit + verdict_working_days (overdue). Only cases whose committed limit is in
working days and above 0 are counted (limits in natural days or working hours have no such day count; 即办件
with 0 have no ratio): those cases still count in the on-time rate.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from xiaoneng.cases.models import Case, Verdict
from xiaoneng.catalog.models import ServiceItemVersion
from xiaoneng.supervision.models import Check, Warning

from ..indicators import (
    BONUSES,
    DEDUCTIONS,
    INDICATORS,
    Adjustment,
    Context,
    EvidenceRow,
    Indicator,
    Measure,
    register,
)
from .cards import NOT_COUNTED
from .common import ids_under, q4, shares, summed, url

ON_TIME = (Verdict.EARLY, Verdict.ON_TIME)
# Cards of these checks on a case mean its procedure was not followed (办事程序) / its fees were not (收费).
PROCEDURE_CHECKS = (Check.NO_REASON, Check.SECOND_NOTICE, Check.STEP_ORDER, Check.OFF_BOOK)
FEE_CHECKS = (Check.FEE_IRREGULAR, Check.FEE_ABOVE_MINIMUM)
SHORT_COMMITMENT_SHARE = Fraction(7, 10)  # committed ≤ 70% of statutory, on average: ≥ 30% shorter


def _completed(ctx: Context):
    """The cases completed (办结) in the period, with their frozen verdict (joint parents are counted through
    their sub-cases)."""
    return Case.objects.filter(completed_at__gte=ctx.start, completed_at__lt=ctx.end,
                               is_joint_parent=False).exclude(verdict="")


def _carded(checks) -> Exists:
    """The case has a counted card (issued, not withdrawn, not awaiting confirmation) of one of `checks`."""
    return Exists(Warning.objects.filter(subject_kind="case", subject_id=OuterRef("pk"), rule__check_code__in=checks)
                  .exclude(status__in=NOT_COUNTED))


def _completion_counts(ctx: Context) -> dict[int, dict]:
    if "case_completion" not in ctx.cache:
        rows = (_completed(ctx).values("department_id").order_by()
                .annotate(n=Count("id"), on_time=Count("id", filter=Q(verdict__in=ON_TIME)),
                          early=Count("id", filter=Q(verdict=Verdict.EARLY)),
                          procedure_bad=Count("id", filter=_carded(PROCEDURE_CHECKS)),
                          fee_bad=Count("id", filter=_carded(FEE_CHECKS))))
        ctx.cache["case_completion"] = summed(ctx, rows, ("n", "on_time", "early", "procedure_bad", "fee_bad"))
    return ctx.cache["case_completion"]


# ------------------------------------------------------------------------------------------ on time
def on_time_rate(ctx: Context) -> dict[int, Measure]:
    return shares(_completion_counts(ctx), "on_time", "n")


def on_time_evidence(ctx: Context, department) -> list[EvidenceRow]:
    rows = (_completed(ctx).filter(department_id__in=ids_under(ctx, department)).order_by("completed_at", "id")
            .values("case_no", "completed_at", "verdict", "verdict_working_days"))
    labels = dict(Verdict.choices)
    out = []
    for r in rows:
        counted = str(labels.get(r["verdict"], r["verdict"]))
        if r["verdict"] != Verdict.ON_TIME and r["verdict_working_days"]:
            counted += f"（{r['verdict_working_days']}个工作日）"
        out.append(EvidenceRow("办件", r["case_no"], r["completed_at"], url("cases:case_detail", r["case_no"]), counted))
    return out


register(Indicator(
    "on_time_rate", "按时办结率",
    "本期办结（按办结时间，含不予许可决定）的办件中，在承诺期限内（无承诺时限的按法定期限）办结的比例；"
    "补正、特别程序等暂停计时期间不计入用时；联办件按各子件计算。",
    on_time_rate, on_time_evidence, default_floor=Decimal("0.8"), default_target=Decimal("1")), INDICATORS)


# ------------------------------------------------------------------------------------------ working days ratio
def _ratio_counts(ctx: Context) -> dict[int, tuple[Fraction, int]]:
    """{department: (Σ working days taken ÷ limit, cases)} — one GROUP BY by department, committed limit and
    verdict; the sums are exact (fractions), whatever the number of cases."""
    if "case_ratio" not in ctx.cache:
        rows = (_completed(ctx).filter(version__committed_limit_unit="wd", version__committed_limit_value__gt=0)
                .values("department_id", "version__committed_limit_value", "verdict").order_by()
                .annotate(n=Count("id"), days=Sum("verdict_working_days")))
        acc: dict[int, list] = defaultdict(lambda: [Fraction(0), 0])
        for owner, items in ctx.roll_up(rows).items():
            for r in items:
                limit, n, days = r["version__committed_limit_value"], r["n"], r["days"] or 0
                sign = {Verdict.EARLY: -1, Verdict.OVERDUE: 1}.get(r["verdict"], 0)
                acc[owner][0] += Fraction(limit * n + sign * days, limit)
                acc[owner][1] += n
        ctx.cache["case_ratio"] = {d: (v[0], v[1]) for d, v in acc.items()}
    return ctx.cache["case_ratio"]


def _dec(f: Fraction) -> Decimal:
    return Decimal(f.numerator) / Decimal(f.denominator)


def avg_working_days_ratio(ctx: Context) -> dict[int, Measure]:
    out = {}
    for dept, (total, n) in _ratio_counts(ctx).items():
        if n:
            out[dept] = Measure(q4(_dec(total)), Decimal(n), q4(_dec(total / n)))
    return out


def ratio_evidence(ctx: Context, department) -> list[EvidenceRow]:
    rows = (_completed(ctx).filter(department_id__in=ids_under(ctx, department), version__committed_limit_unit="wd",
                                   version__committed_limit_value__gt=0)
            .order_by("completed_at", "id")
            .values("case_no", "completed_at", "verdict", "verdict_working_days", "version__committed_limit_value"))
    out = []
    for r in rows:
        limit = r["version__committed_limit_value"]
        sign = {Verdict.EARLY: -1, Verdict.OVERDUE: 1}.get(r["verdict"], 0)
        taken = limit + sign * r["verdict_working_days"]
        out.append(EvidenceRow("办件", r["case_no"], r["completed_at"], url("cases:case_detail", r["case_no"]),
                               f"用时{taken}个工作日 ÷ 承诺{limit}个工作日 = {q4(Decimal(taken) / limit):.2f}"))
    return out


register(Indicator(
    "avg_working_days_ratio", "平均用时比",
    "本期办结的办件（同按时办结率）中，每件的实际用时（工作日）÷ 承诺时限（工作日）的平均值，越低越好；"
    "实际用时 = 承诺时限 − 提前工作日（提前办结）或 + 超期工作日（超期办结），暂停计时期间不计；"
    "承诺时限以自然日、工作小时计或为0（即办件）的办件不计入本指标。",
    avg_working_days_ratio, ratio_evidence, higher_is_better=False, is_rate=False, unit="倍",
    default_floor=Decimal("1"), default_target=Decimal("0.5")), INDICATORS)


# ------------------------------------------------------------------------------------------ procedure, fees
def _clean_rate(bad_key: str):
    def compute(ctx: Context) -> dict[int, Measure]:
        return shares(_completion_counts(ctx), lambda c: c["n"] - c[bad_key], "n")

    return compute


def _card_evidence(checks):
    labels = dict(Check.choices)

    def evidence(ctx: Context, department) -> list[EvidenceRow]:
        cases = dict(_completed(ctx).filter(department_id__in=ids_under(ctx, department))
                     .values_list("pk", "case_no"))
        cards = (Warning.objects.filter(subject_kind="case", subject_id__in=list(cases), rule__check_code__in=checks)
                 .exclude(status__in=NOT_COUNTED).order_by("issued_at", "id")
                 .values("pk", "subject_id", "rule__check_code", "level", "issued_at"))
        return [EvidenceRow("预警", f"{cases[w['subject_id']]} {labels.get(w['rule__check_code'], '')}",
                            w["issued_at"], url("supervision:warning_detail", w["pk"]), "该办件计为不合规")
                for w in cards]

    return evidence


register(Indicator(
    "procedure_rate", "办事程序合规率",
    "本期办结的办件中，没有办事程序类预警（不予受理/不予许可未说明理由、二次补正告知、环节缺失或顺序颠倒、体外循环；"
    "已撤销和待确认的不计）的办件所占比例。",
    _clean_rate("procedure_bad"), _card_evidence(PROCEDURE_CHECKS), default_floor=Decimal("0.9"),
    default_target=Decimal("1")), INDICATORS)
register(Indicator(
    "fee_compliance_rate", "收费合规率",
    "本期办结的办件中，没有收费类预警（乱收费、未按下限收费；已撤销和待确认的不计）的办件所占比例。",
    _clean_rate("fee_bad"), _card_evidence(FEE_CHECKS), default_floor=Decimal("0.95"),
    default_target=Decimal("1")), INDICATORS)


# ------------------------------------------------------------------------------------------ early completion
def early_completion(ctx: Context) -> dict[int, Decimal]:
    out = {}
    for dept, c in _completion_counts(ctx).items():
        tens = (10 * c["early"]) // c["n"] if c["n"] else 0  # whole tens of percent, rounded down
        if tens:
            out[dept] = Decimal(tens)
    return out


def early_evidence(ctx: Context, department) -> list[EvidenceRow]:
    return [r for r in on_time_evidence(ctx, department) if r.counted.startswith(str(Verdict.EARLY.label))]


register(Adjustment(
    "early_completion", "提前办结",
    "本期办结的办件中提前办结（办结日早于承诺期限所在日）的比例，每满10%计1项（10%计1项、20%计2项……）。",
    early_completion, early_evidence, unit="项"), BONUSES)


# ------------------------------------------------------------------------------------------ short commitment
def _items_in_force(ctx: Context):
    """Every service item in use at the period's end (created before it, not deactivated before it), through
    the version in force then."""
    latest = (ServiceItemVersion.objects.filter(item=OuterRef("item"), valid_from__lt=ctx.end)
              .order_by("-valid_from", "-number").values("pk")[:1])
    return (ServiceItemVersion.objects.filter(item__created_at__lt=ctx.end, pk=latest)
            .filter(Q(item__is_active=True, item__deactivated_at__isnull=True) | Q(item__deactivated_at__gte=ctx.end)))


def _commitment(ctx: Context) -> dict[int, tuple[Fraction, int]]:
    """{department: (Σ committed ÷ statutory, items)} over its items whose two limits share a unit."""
    if "commitment" not in ctx.cache:
        rows = (_items_in_force(ctx).values("item__department_id", "committed_limit_value", "committed_limit_unit",
                                            "statutory_limit_value", "statutory_limit_unit").order_by()
                .annotate(n=Count("id")))
        acc: dict[int, list] = defaultdict(lambda: [Fraction(0), 0])
        for owner, items in ctx.roll_up(rows, "item__department_id").items():
            for r in items:
                if r["committed_limit_unit"] != r["statutory_limit_unit"] or not r["statutory_limit_value"]:
                    continue
                acc[owner][0] += Fraction(r["committed_limit_value"] * r["n"], r["statutory_limit_value"])
                acc[owner][1] += r["n"]
        ctx.cache["commitment"] = {d: (v[0], v[1]) for d, v in acc.items()}
    return ctx.cache["commitment"]


def short_commitment(ctx: Context) -> dict[int, Decimal]:
    return {d: Decimal(1) for d, (total, n) in _commitment(ctx).items() if n and total / n <= SHORT_COMMITMENT_SHARE}


def commitment_evidence(ctx: Context, department) -> list[EvidenceRow]:
    units = {"wd": "个工作日", "d": "日", "wh": "个工作小时"}
    rows = (_items_in_force(ctx).filter(item__department_id__in=ids_under(ctx, department))
            .order_by("item__code").values("item__code", "name", "committed_limit_value", "committed_limit_unit",
                                           "statutory_limit_value", "statutory_limit_unit", "valid_from"))
    out = []
    for r in rows:
        same = r["committed_limit_unit"] == r["statutory_limit_unit"] and r["statutory_limit_value"]
        counted = (f"承诺为法定的{q4(Decimal(r['committed_limit_value']) / r['statutory_limit_value']):.0%}" if same
                   else "时限单位不同，不计入")
        out.append(EvidenceRow(
            "事项", f"{r['item__code']} {r['name']}：承诺{r['committed_limit_value']}{units.get(r['committed_limit_unit'], '')}，"
            f"法定{r['statutory_limit_value']}{units.get(r['statutory_limit_unit'], '')}"[:120],
            r["valid_from"], url("catalog:item_detail", r["item__code"]), counted))
    return out


register(Adjustment(
    "short_commitment", "承诺时限压缩",
    "考核期末在用的政务服务事项（按当时有效的版本）中，承诺时限与法定时限单位相同的，承诺时限 ÷ 法定时限的平均值"
    "不超过70%（即平均比法定时限缩短30%以上）的，计1项。",
    short_commitment, commitment_evidence, unit="项"), BONUSES)


# ------------------------------------------------------------------------------------------ data incomplete
def _received(ctx: Context):
    """The cases of the period: received in it (接件时间), or — never registered at intake, so without a
    receipt — whose first fact (the clock start: acceptance or the first event) lies in it."""
    return Case.objects.filter(Q(received_at__gte=ctx.start, received_at__lt=ctx.end)
                               | Q(received_at__isnull=True, clock_start__gte=ctx.start, clock_start__lt=ctx.end),
                               is_joint_parent=False)


def data_incomplete(ctx: Context) -> dict[int, Decimal]:
    rows = (_received(ctx).values("department_id").order_by()
            .annotate(n=Count("id"), missing=Count("id", filter=Q(registered=False))))
    out = {}
    for dept, c in summed(ctx, rows, ("n", "missing")).items():
        pct = (100 * c["missing"]) // c["n"] if c["n"] else 0  # whole percent, rounded down
        if pct:
            out[dept] = Decimal(pct)
    return out


def incomplete_evidence(ctx: Context, department) -> list[EvidenceRow]:
    rows = (_received(ctx).filter(department_id__in=ids_under(ctx, department), registered=False)
            .annotate(at=Coalesce("received_at", "clock_start")).order_by("at", "id").values("case_no", "at"))
    return [EvidenceRow("办件", r["case_no"], r["at"], url("cases:case_detail", r["case_no"]), "未登记接件")
            for r in rows]


register(Adjustment(
    "data_incomplete", "数据报送不完整",
    "本期收件（按接件时间；未登记接件的按首次办理时间）中未在接件环节登记的办件所占百分比，每满1%计1项。",
    data_incomplete, incomplete_evidence, unit="%"), DEDUCTIONS)
