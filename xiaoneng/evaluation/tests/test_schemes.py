"""Every bad configuration scheme_validate refuses (issue 13 §1): the field named and the Chinese message, every
fault reported at once, and nothing written by scheme_create_version."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal as D

import pytest

from xiaoneng.evaluation.models import Scheme, SchemeAdjustment, SchemeIndicator, SchemeVeto
from xiaoneng.evaluation.services.schemes import (
    SchemeInvalid,
    default_spec,
    red_card_rule_text,
    scheme_create_version,
    scheme_validate,
    spec_of,
)

from .conftest import TZ

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)


def spec_with(change) -> dict:
    spec = copy.deepcopy(default_spec())
    # the shipped veto and the red-card one an office may add: the veto rows' faults are tried on both
    spec["vetoes"].insert(0, {"code": "red_cards", "threshold": 5, "sanction_kind": "criticism"})
    change(spec)
    return spec


def ind(spec, code) -> dict:
    return next(i for i in spec["indicators"] if i["code"] == code)


def setter(path, value):
    """A change of one value of the shipped spec: path like ("indicators", 0, "weight")."""
    def change(spec):
        target = spec
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


# (id, change, field, message)
CASES = [
    ("weights-not-summing", setter(("indicators", 0, "weight"), D(3)), "indicators",
     "各指标分值合计为 95 分，应等于指标总分 100 分。"),
    ("total-changed", setter(("total",), D(120)), "indicators", "各指标分值合计为 100 分，应等于指标总分 120 分。"),
    ("unknown-indicator", setter(("indicators", 1, "code"), "speed"), "indicators.2.code",
     "第2项指标“speed”不是系统提供的指标。"),
    ("empty-indicator", setter(("indicators", 1, "code"), ""), "indicators.2.code", "第2项指标“（空）”不是系统提供的指标。"),
    ("unknown-deduction", setter(("deductions", 0, "code"), "late_lunch"), "deductions.1.code",
     "第1项扣分项目“late_lunch”不是系统提供的项目。"),
    ("indicator-as-deduction", setter(("deductions", 0, "code"), "on_time_rate"), "deductions.1.code",
     "第1项扣分项目“on_time_rate”不是系统提供的项目。"),
    ("unknown-bonus", setter(("bonuses", 1, "code"), "card_red"), "bonuses.2.code",
     "第2项加分项目“card_red”不是系统提供的项目。"),
    ("unknown-veto", setter(("vetoes", 0, "code"), "rain"), "vetoes.1.code", "第1项一票否决的条件“rain”不是系统提供的条件。"),
    ("veto-without-condition", setter(("vetoes", 1, "code"), ""), "vetoes.2.code", "第2项一票否决没有设置否决条件。"),
    ("veto-threshold-0", setter(("vetoes", 0, "threshold"), 0), "vetoes.1.threshold",
     "“红牌数量达到否决标准”的触发数量须在 1 至 10000 之间。"),
    ("veto-threshold-text", setter(("vetoes", 0, "threshold"), "五"), "vetoes.1.threshold",
     "“红牌数量达到否决标准”的触发数量须为整数。"),
    ("veto-sanction-kind", setter(("vetoes", 0, "sanction_kind"), "prison"), "vetoes.1.sanction_kind",
     "“红牌数量达到否决标准”提出的处理方式无效。"),
    ("floor-at-target", lambda s: ind(s, "on_time_rate").update(floor=D(1)), "indicators.1.floor",
     "“按时办结率”的起评值（1）须小于目标值（1）：该指标数值越高越好。"),
    ("floor-above-target", lambda s: ind(s, "rating_good_rate").update(floor=D("0.99")), "indicators.5.floor",
     "“好评率”的起评值（0.99）须小于目标值（0.98）：该指标数值越高越好。"),
    ("lower-is-better-reversed", lambda s: ind(s, "avg_working_days_ratio").update(floor=D("0.4")),
     "indicators.2.floor", "“平均用时比”的起评值（0.4）须大于目标值（0.5）：该指标数值越低越好。"),
    ("grades-out-of-order", setter(("good_at",), D(95)), "excellent_at", "等次分数线须满足：优秀 > 良好 > 合格 ≥ 0。"),
    ("pass-below-zero", setter(("pass_at",), D(-1)), "excellent_at", "等次分数线须满足：优秀 > 良好 > 合格 ≥ 0。"),
    ("excellent-above-total", setter(("excellent_at",), D(101)), "excellent_at",
     "优秀分数线（101）不能高于指标总分（100）。"),
    ("weight-not-a-number", setter(("indicators", 0, "weight"), "八"), "indicators.1.weight",
     "“按时办结率”的分值“八”不是数字。"),
    ("floor-empty", setter(("indicators", 0, "floor"), ""), "indicators.1.floor", "“按时办结率”的起评值不能为空。"),
    ("weight-huge", setter(("indicators", 0, "weight"), "1e7"), "indicators.1.weight", "“按时办结率”的分值超出允许范围。"),
    ("weight-nan", setter(("indicators", 0, "weight"), "NaN"), "indicators.1.weight", "“按时办结率”的分值超出允许范围。"),
    ("target-infinite", setter(("indicators", 0, "target"), "Infinity"), "indicators.1.target",
     "“按时办结率”的目标值超出允许范围。"),
    ("weight-zero", lambda s: (s["indicators"][0].update(weight=D(0)), s["indicators"][1].update(weight=D(14))),
     "indicators.1.weight", "“按时办结率”的分值须大于0。"),
    ("points-negative", setter(("deductions", 1, "points"), D(-5)), "deductions.2.points", "“黄牌”的每项分值须大于0。"),
    ("points-huge", setter(("deductions", 1, "points"), "99999999"), "deductions.2.points", "“黄牌”的每项分值超出允许范围。"),
    ("cap-zero", setter(("deductions", 1, "cap"), D(0)), "deductions.2.cap", "“黄牌”的上限须大于0（不设上限请留空）。"),
    ("cap-not-a-number", setter(("bonuses", 0, "cap"), "很多"), "bonuses.1.cap", "“提前办结”的上限“很多”不是数字。"),
    ("duplicate-indicator", lambda s: s["indicators"].append(dict(s["indicators"][0])), "indicators.12.code",
     "指标“按时办结率”重复设置。"),
    ("duplicate-deduction", lambda s: s["deductions"].append(dict(s["deductions"][0])), "deductions.9.code",
     "扣分项目“预警提醒”重复设置。"),
    ("duplicate-bonus", lambda s: s["bonuses"].append(dict(s["bonuses"][1])), "bonuses.3.code",
     "加分项目“承诺时限压缩”重复设置。"),
    ("duplicate-veto", lambda s: s["vetoes"].append(dict(s["vetoes"][0])), "vetoes.3.code",
     "一票否决条件“红牌数量达到否决标准”重复设置。"),
    ("no-indicators", setter(("indicators",), []), "indicators", "考核方案至少要有一项指标。"),
    ("period-kind", setter(("period_kind",), "week"), "period_kind", "考核周期须为月度、季度、半年或年度。"),
    ("name-empty", setter(("name",), "  "), "name", "方案名称不能为空。"),
    ("valid-from", setter(("valid_from",), "2026-02-30"), "valid_from", "起用日期须为有效日期（如 2026-01-01）。"),
    ("total-zero", lambda s: s.update(total=D(0), excellent_at=D(0), good_at=D(0), pass_at=D(0)), "total",
     "指标总分须大于0。"),
    ("min-sample-zero", setter(("min_sample",), 0), "min_sample", "最少样本数须在 1 至 10000 之间。"),
    ("bulletin-top-huge", setter(("bulletin_top",), 10**12), "bulletin_top", "通报表扬名次须在 0 至 100 之间。"),
    # the red-card threshold (红牌处理标准), part of the scheme since issue 13's follow-up
    ("red-card-negative", setter(("red_card_threshold",), -1), "red_card_threshold",
     "红牌处理标准（张数）须在 0 至 1000 之间。"),
    ("red-card-huge", setter(("red_card_threshold",), 10**9), "red_card_threshold",
     "红牌处理标准（张数）须在 0 至 1000 之间。"),
    ("red-card-not-a-number", setter(("red_card_threshold",), "三"), "red_card_threshold",
     "红牌处理标准（张数）须为整数。"),
    ("red-card-fraction", setter(("red_card_threshold",), "2.5"), "red_card_threshold",
     "红牌处理标准（张数）须为整数。"),
    ("red-card-empty", setter(("red_card_threshold",), ""), "red_card_threshold", "红牌处理标准（张数）须为整数。"),
    ("red-card-unknown-kind", setter(("red_card_sanction",), "prison"), "red_card_sanction",
     "达到红牌处理标准时提出的处理方式“prison”无效。"),
    ("red-card-no-kind", setter(("red_card_sanction",), ""), "red_card_sanction",
     "请选择达到红牌处理标准时提出的处理方式。"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_bad_configuration_is_refused_with_its_field_and_message_and_nothing_is_written(change, field, message):
    before = (Scheme.objects.count(), SchemeIndicator.objects.count(), SchemeAdjustment.objects.count(),
              SchemeVeto.objects.count())
    spec = spec_with(change)
    with pytest.raises(SchemeInvalid) as e:
        scheme_validate(spec)
    assert {"field": field, "error": message} in e.value.errors, e.value.errors
    with pytest.raises(SchemeInvalid):
        scheme_create_version(spec, now=NOW)
    assert (Scheme.objects.count(), SchemeIndicator.objects.count(), SchemeAdjustment.objects.count(),
            SchemeVeto.objects.count()) == before


def test_every_fault_is_reported_at_once_and_the_first_is_the_message():
    def change(s):
        s["indicators"][0]["code"] = "speed"
        s["vetoes"][0]["code"] = ""
        s["good_at"] = D(99)
    with pytest.raises(SchemeInvalid) as e:
        scheme_validate(spec_with(change))
    fields = [x["field"] for x in e.value.errors]
    # the unknown indicator's weight is not counted, so the weights no longer add up either
    assert fields == ["excellent_at", "indicators.1.code", "indicators", "vetoes.1.code"]
    assert e.value.message.startswith("考核方案有 4 处错误，未保存：等次分数线须满足")
    assert e.value.field == "excellent_at"
    assert e.value.as_dict()["errors"] == e.value.errors


def test_the_shipped_scheme_and_a_new_version_of_it_are_accepted(db):
    clean = scheme_validate(default_spec())
    assert sum(i["weight"] for i in clean["indicators"]) == 100
    spec = spec_with(setter(("valid_from",), "2027-01-01"))
    s = scheme_create_version(spec, now=NOW)
    assert s.version == 2 and s.valid_from == dt.date(2027, 1, 1)  # the shipped one (post_migrate) is version 1
    assert s.indicators.count() == 11 and s.vetoes.count() == 2  # the shipped veto and the red-card one


# ------------------------------------------------------------------------------------------ the red-card rule
def test_the_red_card_rule_is_shipped_for_quarters_and_off_elsewhere():
    assert (default_spec("quarter")["red_card_threshold"], default_spec("quarter")["red_card_sanction"]) == (3, "warning")
    for kind in ("month", "half", "year"):
        assert default_spec(kind)["red_card_threshold"] == 0
    assert red_card_rule_text(default_spec("quarter")) == "一个季度内同一承办人被发出红牌3张及以上的，提出效能告诫。"
    assert red_card_rule_text(default_spec("month")) == "未启用：红牌数量不自动提出问责。"


def test_a_spec_without_the_rule_takes_its_kinds_default_and_off_needs_no_kind():
    spec = copy.deepcopy(default_spec("quarter"))
    del spec["red_card_threshold"], spec["red_card_sanction"]
    clean = scheme_validate(spec)
    assert (clean["red_card_threshold"], clean["red_card_sanction"]) == (3, "warning")
    spec = copy.deepcopy(default_spec("month"))
    spec.update(red_card_threshold="0", red_card_sanction="")
    clean = scheme_validate(spec)
    assert (clean["red_card_threshold"], clean["red_card_sanction"]) == (0, "warning")


@pytest.mark.django_db
def test_a_new_version_stores_the_rule_and_the_next_copies_it():
    spec = copy.deepcopy(default_spec("quarter"))
    spec.update(valid_from=dt.date(2027, 1, 1), red_card_threshold=" 8 ", red_card_sanction="admonishment")
    s = scheme_create_version(spec, now=NOW)
    assert (s.red_card_threshold, s.red_card_sanction) == (8, "admonishment")
    assert red_card_rule_text(s) == "一个季度内同一承办人被发出红牌8张及以上的，提出诫勉谈话。"
    nxt = spec_of(s)
    assert (nxt["red_card_threshold"], nxt["red_card_sanction"]) == (8, "admonishment")
    # the shipped versions, made after migrate: on for the quarter, off for the other kinds
    shipped = {x.period_kind: x.red_card_threshold for x in Scheme.objects.filter(version=1)}
    assert shipped == {"month": 0, "quarter": 3, "half": 0, "year": 0}
