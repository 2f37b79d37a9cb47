"""Every calculation the shipped scheme names is registered, the scheme exists after migrate and validates,
every calculation and every drill-down runs on real data, and no drill-down label carries personal data."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaoneng.core.periods import Period
from xiaoneng.evaluation import indicators as reg
from xiaoneng.evaluation.models import Scheme
from xiaoneng.evaluation.services.evaluate import evaluation_run, placement
from xiaoneng.evaluation.services.schemes import (
    DEFAULT_BONUSES,
    DEFAULT_DEDUCTIONS,
    DEFAULT_INDICATORS,
    DEFAULT_VETOES,
    default_spec,
    scheme_validate,
)

from .conftest import TZ

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)


def test_every_shipped_code_is_registered_with_a_chinese_definition():
    reg.load()
    for codes, registry in ((DEFAULT_INDICATORS, reg.INDICATORS), (DEFAULT_DEDUCTIONS, reg.DEDUCTIONS),
                            (DEFAULT_BONUSES, reg.BONUSES), (DEFAULT_VETOES, reg.VETOES)):
        for code, *_ in codes:
            calc = registry[code]
            assert calc.definition and not calc.definition.isascii()
            assert calc.name and not calc.name.isascii()
            if getattr(calc, "available", True):
                assert calc.evidence is not None, code
    scheme_validate(default_spec())


@pytest.mark.django_db
def test_the_shipped_scheme_exists_for_every_period_kind_after_migrate():
    assert sorted(Scheme.objects.values_list("period_kind", flat=True)) == ["half", "month", "quarter", "year"]
    s = Scheme.objects.get(period_kind="quarter")
    assert [i.code for i in s.indicators.all()] == [c for c, *_ in DEFAULT_INDICATORS]


@pytest.mark.django_db
def test_every_calculation_and_drill_down_runs_and_shows_no_personal_data(depts, ended_case):
    ended_case("E1", received="2026-09-21 09:00", ended="2026-09-21 10:00")  # early
    ended_case("E2", received="2026-07-01 09:00", ended="2026-08-20 10:00")  # overdue
    ev = evaluation_run("2026Q3", now=NOW)
    assert ev.scores.count() == 2
    where = placement()
    ctx = reg.Context(period=Period.parse("2026Q3"), departments=where.departments, owner_of=where.owner_of, now=NOW)
    for registry in (reg.INDICATORS, reg.DEDUCTIONS, reg.BONUSES, reg.VETOES):
        for calc in registry.values():
            calc.compute(ctx)
            if calc.evidence is None:
                continue
            for d in where.departments:
                for row in calc.evidence(ctx, d):
                    text = f"{row.kind}{row.label}{row.counted}"
                    assert "张三" not in text and "13812345678" not in text and "330102" not in text
    rows = reg.INDICATORS["on_time_rate"].evidence(ctx, depts["a"])
    assert [r.label for r in rows] == ["E2", "E1"] and rows[0].url.endswith("/E2/")
