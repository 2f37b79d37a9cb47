"""The demo county's 明查暗访 step: two quarters of open and covert visits with findings, corrections (some
late: their cards come from the tick), two invited supervisors whose log-ins the demo lists."""

from datetime import UTC, datetime

import pytest

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Staff
from xiaoneng.demo.county import FOUNDATION, build_county, sample_logins
from xiaoneng.demo.inspections import step_inspections

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_step_inspections_builds_two_quarters_through_the_services():
    from xiaoneng.inspections.models import Finding, SanctionProposal, Visit
    from xiaoneng.supervision.defaults import rules_ensure_defaults
    from xiaoneng.supervision.models import Warning

    rules_ensure_defaults()
    ctx = build_county(scale="small", seed=2026, now=NOW, password="Demo-Pass-2026!", only=FOUNDATION)
    step_inspections(ctx)
    invited = Staff.objects.filter(groups__name=R.INVITED)
    assert invited.count() == 2
    assert {s.supervisor_profile.kind for s in invited} == {"deputy", "journalist"}
    usernames = {u for _role, u in sample_logins()}
    assert usernames & set(invited.values_list("username", flat=True))
    visits = Visit.objects.all()
    assert visits.count() == 24 and {v.mode for v in visits} == {"open", "covert"}
    assert visits.filter(recorded_by__in=invited).exists()
    assert visits.filter(mode="covert", status="accepted", published_at__isnull=True).exists()
    assert visits.filter(status="submitted").exists()
    assert len({v.visited_at.month for v in visits}) >= 4  # two quarters
    assert Finding.objects.exists() and Finding.objects.filter(correction="accepted").exists()
    late = Finding.objects.filter(correction="open", flag__in=("yellow", "red"))
    assert late.exists()
    assert Warning.objects.filter(subject_kind="finding", rule__check_code__startswith="deadline").exists()
    assert ctx.counts["inspection_visits"] == 24
    assert SanctionProposal.objects.count() == ctx.counts["inspection_sanctions"]
