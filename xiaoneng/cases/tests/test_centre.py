"""The county hall's window (政务服务中心, 窗口式集中办理): a service centre registers cases for the departments it
hosts (accounts.HostedDepartment). The case is the department's; the centre is its first contact and its
intake window, sees its own queue across the hosted departments, and acts at the window on the cases it
registered — and on nothing else of those departments."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import AuditEvent, Department, HostedDepartment
from xiaoneng.accounts.selectors import hosted_departments_for
from xiaoneng.accounts.services import department_create, department_hosting_set
from xiaoneng.accounts.testing import make_staff
from xiaoneng.cases.models import Case, CaseStatus
from xiaoneng.cases.selectors import CaseFilters, can_act_at_window, case_get_for, case_list_for
from xiaoneng.cases.services import (
    case_accept,
    case_deny,
    case_events_ingest,
    case_refuse,
    case_register,
    case_request_supplement,
)
from xiaoneng.catalog.selectors import registrable_item_list_for
from xiaoneng.core.errors import DomainError, NotPermitted

from .conftest import NOW, ev

APPLICANT = {"name": "王小明", "id_no": "330102199001011234", "phone": "13812345678"}


@pytest.fixture
def centre(depts, staff):
    """The county's 政务服务中心, hosting bureau A (not B), with a window clerk and its head."""
    c = department_create(code="TZX", name="测试县政务服务中心", kind=Department.Kind.CENTRE, parent=depts["county"])
    department_hosting_set(host=c, departments=[depts["a"]], by=staff["admin"], now=NOW)
    return {"dept": c, "clerk": make_staff("zx_win", c, [R.WINDOW]), "head": make_staff("zx_head", c, [R.HEAD])}


def test_centre_registers_for_a_hosted_department_the_case_is_the_departments(centre, items, depts, staff):
    clerk = centre["clerk"]
    codes = set(registrable_item_list_for(clerk).values_list("code", flat=True))
    assert codes == {"SP001", "DJ001"}  # bureau A and its section; B is not hosted
    case = case_register(item=items["a"], by=clerk, now=NOW, applicant=APPLICANT)
    case = Case.objects.get(pk=case.pk)
    assert case.department_id == depts["a"].pk  # the department's case: its handlers, heads, clocks, cards
    assert case.case_no.startswith("TA-")  # numbered in the department's series
    assert case.first_contact_id == clerk.pk and case.intake_department_id == centre["dept"].pk
    assert case.handler_id is None and case.handler_name == ""  # the clerk is not the department's handler
    # The centre's queue: its registrations, across hosted departments.
    queue = case_list_for(clerk, CaseFilters(intake_mine=True, open_only=True), now=NOW)
    assert [c.case_no for c in queue] == [case.case_no]
    # The department sees and handles it as any of its own.
    assert case_get_for(staff["handler"], case.case_no).pk == case.pk
    assert case_get_for(staff["window"], case.case_no).pk == case.pk


def test_centre_window_actions_on_its_registrations_documents_in_the_departments_series(centre, items, depts):
    clerk = centre["clerk"]
    case = case_register(item=items["a"], by=clerk, now=NOW, applicant=APPLICANT)
    assert can_act_at_window(clerk, case_get_for(clerk, case.case_no))
    doc = case_request_supplement(case=case, materials=["营业执照"], by=clerk, now=NOW)
    assert doc.number_text.startswith("测试县市场监督管理局告〔2026〕")  # the owning department's series
    assert case_accept(case=case, by=clerk, now=NOW).status == CaseStatus.ACCEPTED
    other = case_register(item=items["a1"], by=clerk, now=NOW, applicant=APPLICANT)
    refusal = case_refuse(case=other, reason="不属于本县管辖范围。", by=clerk, now=NOW)
    assert refusal.number_text.startswith("登记注册科不受") and refusal.case.department_id == depts["a1"].pk


def test_centre_cannot_register_for_a_department_it_does_not_host(centre, items):
    with pytest.raises(NotPermitted):
        case_register(item=items["b"], by=centre["clerk"], now=NOW, applicant=APPLICANT)
    assert not Case.objects.exists()


def test_centre_cannot_see_or_act_on_a_case_registered_at_the_departments_own_window(centre, items, staff):
    own = case_register(item=items["a"], by=staff["window"], now=NOW, applicant=APPLICANT)
    clerk = centre["clerk"]
    with pytest.raises(Http404):
        case_get_for(clerk, own.case_no)
    assert not case_list_for(clerk, now=NOW).exists()
    with pytest.raises(NotPermitted):
        case_accept(case=own, by=clerk, now=NOW)
    assert Case.objects.get(pk=own.pk).status == CaseStatus.RECEIVED


def test_department_window_cannot_see_the_centres_registration_for_another_department(centre, items, depts, staff):
    department_hosting_set(host=centre["dept"], departments=[depts["a"], depts["b"]], by=staff["admin"], now=NOW)
    case = case_register(item=items["b"], by=centre["clerk"], now=NOW, applicant=APPLICANT)
    with pytest.raises(Http404):
        case_get_for(staff["window"], case.case_no)  # bureau A's window
    with pytest.raises(NotPermitted):
        case_accept(case=case, by=staff["window"], now=NOW)
    assert case_get_for(staff["handler_b"], case.case_no).pk == case.pk  # bureau B's own


def test_decisions_stay_with_the_department(centre, items):
    case = case_register(item=items["a"], by=centre["clerk"], now=NOW, applicant=APPLICANT)
    case_accept(case=case, by=centre["clerk"], now=NOW)
    with pytest.raises(NotPermitted):  # the centre's head is not the head of the licensing organ
        case_deny(case=case, reason="不符合法定条件。", by=centre["head"], now=NOW)


def test_the_api_gives_a_centre_no_write_on_hosted_departments(centre, items):
    """Only the window services act for a hosted department (window_for); events a centre clerk sends
    through the ingest directly (the API with a session) stay refused."""
    result = case_events_ingest(events=[ev("API-1", "received", "2026-11-23 09:00")], by=centre["clerk"], now=NOW)
    assert result.accepted == 0 and "无权写入其他部门的办件" in result.errors[0]["error"]


def test_hosting_withdrawn_stops_registration_but_not_the_centres_own_registrations(centre, items, staff):
    clerk = centre["clerk"]
    case = case_register(item=items["a"], by=clerk, now=NOW, applicant=APPLICANT)
    department_hosting_set(host=centre["dept"], departments=[], by=staff["admin"], now=NOW)
    assert not registrable_item_list_for(clerk).exists()
    with pytest.raises(NotPermitted):
        case_register(item=items["a"], by=clerk, now=NOW, applicant=APPLICANT)
    assert case_accept(case=case, by=clerk, now=NOW).status == CaseStatus.ACCEPTED


def test_hosting_is_for_administrators_only_audited_and_checked(centre, depts, staff):
    host = centre["dept"]
    assert set(hosted_departments_for(centre["clerk"])) == {depts["a"]}
    assert hosted_departments_for(staff["supervisor"]).count() == 0
    with pytest.raises(NotPermitted):
        department_hosting_set(host=host, departments=[depts["b"]], by=staff["head"], now=NOW)
    with pytest.raises(DomainError, match="不是服务中心"):
        department_hosting_set(host=depts["a"], departments=[depts["b"]], by=staff["admin"], now=NOW)
    for wrong in (depts["county"], depts["office"]):
        with pytest.raises(DomainError):
            department_hosting_set(host=host, departments=[wrong], by=staff["admin"], now=NOW)
    assert set(HostedDepartment.objects.values_list("department__code", flat=True)) == {"TA"}
    department_hosting_set(host=host, departments=[depts["b"]], by=staff["admin"], now=NOW)
    audit = AuditEvent.objects.filter(kind=AuditEvent.Kind.HOSTING_CHANGED).first()
    assert audit.actor_name == "admin" and "新增：测试县自然资源局" in audit.detail and "取消：测试县市场监督管理局" in audit.detail


def test_hosting_page(client, centre, depts, staff):
    url = reverse("accounts:department_hosting", args=["TZX"])
    client.force_login(staff["admin"])
    page = client.get(url)
    assert page.status_code == 200 and "测试县自然资源局" in page.content.decode()
    resp = client.post(url, {"departments": ["TA", "TB"]})
    assert resp.status_code == 302
    assert set(HostedDepartment.objects.values_list("department__code", flat=True)) == {"TA", "TB"}
    detail = client.get(reverse("accounts:department_detail", args=["TZX"])).content.decode()
    assert "进驻部门" in detail and "测试县自然资源局" in detail
    bad = client.post(url, {"departments": ["TX"]})  # the office is not offered: refused beside the field
    assert bad.status_code == 400 and "请选择有效的部门" in bad.content.decode()
    assert client.get(reverse("accounts:department_hosting", args=["TA"])).status_code == 200  # says: not a centre
    client.force_login(centre["clerk"])
    assert client.get(url).status_code == 403


def test_centre_clerk_pages(client, centre, items, staff):
    client.force_login(centre["clerk"])
    form = client.get(reverse("cases:case_register")).content.decode()
    assert "SP001" in form and "ZR001" not in form
    resp = client.post(reverse("cases:case_register"), {"item": "SP001", "applicant_name": "王小明",
                                                        "applicant_phone": "13812345678"})
    assert resp.status_code == 302
    case = Case.objects.get()
    page = client.get(reverse("cases:case_detail", args=[case.case_no])).content.decode()
    assert "测试县政务服务中心" in page and "王小明" in page  # the intake window; the data it took, in clear
    assert reverse("cases:case_accept", args=[case.case_no]) in page
    queue = client.get(reverse("cases:case_list") + "?intake=mine&open=1").content.decode()
    assert case.case_no in queue
    assert client.post(reverse("cases:case_accept", args=[case.case_no])).status_code == 302
    assert Case.objects.get().status == CaseStatus.ACCEPTED
    own = case_register(item=items["a"], by=staff["window"], now=NOW, applicant=APPLICANT)
    assert client.get(reverse("cases:case_detail", args=[own.case_no])).status_code == 404
    assert client.post(reverse("cases:case_accept", args=[own.case_no])).status_code == 404
    client.force_login(staff["handler_b"])
    assert client.get(reverse("cases:case_detail", args=[case.case_no])).status_code == 404


def test_window_numbering_skips_a_number_the_departments_system_already_used(centre, items, ingest):
    """The window's automatic number (TA-<day>-00001…) is never the number of a case a department system sent:
    before, the registration was folded into that case as a second 'received' event."""
    ingest([ev("TA-20261123-00001", "received", "2026-11-23 09:00")])
    case = case_register(item=items["a"], by=centre["clerk"], now=NOW, applicant=APPLICANT)
    assert case.case_no == "TA-20261123-00002"
    assert Case.objects.get(case_no="TA-20261123-00001").events.count() == 1


def test_window_numbering_follows_the_countys_year_not_utcs(centre, items):
    """1 January 07:00 in the county is still 31 December in UTC: the number's date says 20270101, so its serial
    is the first of 2027's series (it was the next of 2026's)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    # Aware moments in UTC, as the platform's own clock gives them.
    tz, utc = ZoneInfo("Asia/Shanghai"), dt.UTC
    first = case_register(item=items["a"], by=centre["clerk"], applicant=APPLICANT,
                          now=dt.datetime(2026, 12, 31, 10, tzinfo=tz).astimezone(utc))
    new_year = case_register(item=items["a"], by=centre["clerk"], applicant=APPLICANT,
                             now=dt.datetime(2027, 1, 1, 7, tzinfo=tz).astimezone(utc))
    assert first.case_no == "TA-20261231-00001" and new_year.case_no == "TA-20270101-00001"


def test_centre_reads_the_hosted_departments_guides_but_cannot_edit_them(client, centre, items):
    client.force_login(centre["clerk"])
    listing = client.get(reverse("catalog:item_list")).content.decode()
    assert "SP001" in listing and "ZR001" not in listing
    assert client.get(reverse("catalog:item_detail", args=["SP001"])).status_code == 200
    assert client.get(reverse("catalog:item_detail", args=["ZR001"])).status_code == 404
    assert client.get(reverse("catalog:item_edit", args=["SP001"])).status_code in (403, 404)


def test_departments_case_scope_is_unchanged_away_from_a_centre(centre, staff):
    """Only staff at a service centre get the intake clause: a bureau's case queries stay one prefix filter."""
    from xiaoneng.accounts.selectors import case_scope_q, department_scope_q

    for role in ("window", "handler", "head", "handler_b"):
        assert case_scope_q(staff[role]) == department_scope_q(staff[role])
    assert case_scope_q(centre["clerk"]) != department_scope_q(centre["clerk"])


def test_the_centre_windows_landing_page_counts_its_own_queue(client, centre, items, depts):
    """/staff/ for a centre clerk: today's registrations across the hosted departments (the centre's own
    department has no cases of its own, so the department-scoped count said 0), linked to the queue."""
    import re

    from django.utils import timezone

    now = timezone.now()
    case_register(item=items["a"], by=centre["clerk"], now=now, applicant=APPLICANT)
    client.force_login(centre["clerk"])
    body = client.get(reverse("core:home")).content.decode()
    section = body.split('data-testid="panel-window-today"', 1)[1].split("</section>", 1)[0]
    today = re.search(r'data-testid="tile-today".*?data-value="([^"]*)"', section, re.S).group(1)
    assert today == "1" and "intake=mine" in section
