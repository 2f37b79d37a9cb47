"""The demo's annual reports (issue 14 §4): the last complete year's county-wide report and one per reporting
department, published with their texts on 20 January, the tables counting what the earlier steps left."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from xiaoneng.demo.county import DemoContext


@pytest.mark.django_db
def test_reports_published_for_the_county_and_each_department(depts, staff):
    from xiaoneng.accounts.models import Department
    from xiaoneng.demo.disclosure_report import step_disclosure_report
    from xiaoneng.disclosure.models import AnnualReport
    from xiaoneng.disclosure.tests.report_fixture import build_year

    build_year(depts, cases=False)
    ctx = DemoContext(scale="small", rng=random.Random(2026), now=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
                      password="Demo-Pass-2026!", departments=list(Department.objects.order_by("path")),
                      staff={s.username: s for s in staff.values()})
    step_disclosure_report(ctx)
    reports = AnnualReport.objects.filter(year=2025)
    # the county-wide one, the county government, bureaus A and B, the office (not the section)
    assert reports.count() == 5 == ctx.counts["annual_reports"]
    assert not reports.filter(published_at__isnull=True).exists()
    assert not reports.filter(department__code="TA1").exists()
    a = reports.get(department__code="TA")
    assert a.published_at == datetime(2026, 1, 20, 2, 0, tzinfo=UTC)  # 10:00 in the county
    assert "新收政府信息公开申请9件" in a.figures["texts"]["overview"]
    assert "结转下年度" in a.figures["texts"]["overview"]
    assert a.figures["texts"]["problems"] and a.figures["texts"]["other"]
    county = reports.get(department__isnull=True)
    assert "新收政府信息公开申请10件" in county.figures["texts"]["overview"]


@pytest.mark.django_db
def test_early_january_clock_publishes_an_hour_ago(depts, staff):
    from xiaoneng.demo.disclosure_report import step_disclosure_report
    from xiaoneng.disclosure.models import AnnualReport

    now = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)
    ctx = DemoContext(scale="small", rng=random.Random(1), now=now, password="x", departments=[depts["a"]],
                      staff={s.username: s for s in staff.values()})
    step_disclosure_report(ctx)
    assert [r.published_at for r in AnnualReport.objects.all()] == [datetime(2026, 1, 10, 1, 0, tzinfo=UTC)] * 2
