"""The demo county's 政务服务中心 (issue 10 §2): it hosts the bureaus with licensing items, and its window clerk
(qy_zwzx_win) finds their items in 受理登记 and the cases the centre registered in its queue."""

from datetime import UTC, datetime

import pytest

from xiaoneng.accounts.models import Department, HostedDepartment, Staff
from xiaoneng.cases.models import Case, Channel
from xiaoneng.cases.selectors import CaseFilters, case_list_for
from xiaoneng.catalog.selectors import registrable_item_list_for
from xiaoneng.demo.county import FOUNDATION, build_county

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in the county


@pytest.mark.django_db
def test_demo_centre_hosts_licensing_bureaus_and_has_its_own_queue():
    build_county(scale="small", seed=2026, now=NOW, password="Demo-Pass-2026!", only=(*FOUNDATION, "centre"))
    centre = Department.objects.get(code="QY-ZWZX")
    hosted = set(HostedDepartment.objects.filter(host=centre).values_list("department__code", flat=True))
    assert {"QY-FGJ", "QY-JYJ", "QY-GAJ", "QY-MZJ"} <= hosted and "QY-KJJ" not in hosted  # 科技局: generic
    clerk = Staff.objects.get(username="qy_zwzx_win")
    items = registrable_item_list_for(clerk)
    assert items.exists() and all(i.department.code.startswith(tuple(hosted)) for i in items)
    cases = Case.objects.filter(intake_department=centre)
    assert cases.count() >= 25
    assert set(cases.values_list("channel", flat=True)) == {Channel.WINDOW}
    assert set(cases.values_list("first_contact__username", flat=True)) == {"qy_zwzx_win"}
    assert all(c.department.code.startswith(tuple(hosted)) for c in cases)
    today = case_list_for(clerk, CaseFilters(intake_mine=True, received_from=NOW.date()), now=NOW)
    assert today.count() >= 1
    assert case_list_for(clerk, now=NOW).count() == cases.count()  # its own registrations, nothing else
