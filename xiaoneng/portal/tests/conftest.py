"""Fixtures of the portal figures' tests (helper "figures"): the evaluation tests' world (departments, calendar,
items, the real ingest, ended cases) and two published quarters built by hand through the real services.

By hand (scheme: on-time rate 100 points from 0.5 to 1, red card −10, minimum sample 3):
- 2026Q2: bureau A one case, on time (1/1 = 100%, a small sample); bureau B none.
- 2026Q3: bureau A two cases, one on time and one late (1/2 = 50%, a small sample) and two red cards;
  bureau B two cases, both on time (2/2 = 100%, a small sample).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from xiaoneng.evaluation.tests.conftest import (  # noqa: F401  (fixtures, registered by being imported here)
    TZ,
    _supervision_env,
    accepted_case,
    at,
    ended_case,
    ev,
    ingest,
    items,
    make_item,
)
from xiaoneng.evaluation.tests.test_sanctions import people, red_cards  # noqa: F401

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)


def scheme_spec(**over):
    spec = {"period_kind": "quarter", "name": "门户测试方案", "valid_from": dt.date(2026, 1, 1), "total": D(100),
            "excellent_at": D(90), "good_at": D(80), "pass_at": D(60), "min_sample": 3, "bulletin_top": 8,
            "bulletin_bottom": 8, "escalation_bottom": 5,
            "indicators": [{"code": "on_time_rate", "weight": D(100), "floor": D("0.5"), "target": D(1)}],
            "deductions": [{"code": "card_red", "points": D(10), "cap": None}], "bonuses": [], "vetoes": []}
    spec.update(over)
    return spec


@pytest.fixture
def quarters(depts, people, ended_case):  # noqa: F811
    """{"q2": Evaluation, "q3": Evaluation}, both RUN but NOT published (tests publish what they need)."""
    from xiaoneng.evaluation.services.evaluate import evaluation_run
    from xiaoneng.evaluation.services.schemes import scheme_create_version

    scheme_create_version(scheme_spec(), now=NOW)
    ended_case("A0", received="2026-05-11 09:00", ended="2026-05-11 10:00")
    ended_case("A1", received="2026-09-28 09:00", ended="2026-09-28 10:00")
    ended_case("A2", received="2026-08-03 09:00", ended="2026-09-28 10:00")
    ended_case("B1", received="2026-09-28 09:00", ended="2026-09-28 10:00", code="ZR001", handler="handler_b")
    ended_case("B2", received="2026-09-28 09:00", ended="2026-09-28 11:00", code="ZR001", handler="handler_b")
    red_cards(depts["a"], people["handler_a"], 2)
    return {"q2": evaluation_run("2026Q2", now=NOW), "q3": evaluation_run("2026Q3", now=NOW)}


@pytest.fixture
def published(quarters):
    from xiaoneng.evaluation.services.evaluate import evaluation_publish

    return {k: evaluation_publish(e, now=NOW) for k, e in quarters.items()}
