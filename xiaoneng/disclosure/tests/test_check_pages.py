"""Pages and API of the disclosure day and its check: who reads and writes what, the JSON, the bulletin as page,
PDF and Excel, bad input answered in Chinese with nothing stored, list pages in a pinned number of queries."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from xiaoneng.disclosure.models import CatalogueItem, CheckStatus, DisclosureCheck, DisclosureDay
from xiaoneng.disclosure.services.check import disclosure_check_publish, disclosure_check_run

from .check_fixture import DAY, RUN, build


@pytest.fixture
def world(calendar, depts, staff):
    return build(depts)


@pytest.fixture
def published(world, staff):
    check = disclosure_check_run(date=DAY, now=RUN, by=staff["supervisor"])
    return disclosure_check_publish(check=check, now=RUN, by=staff["supervisor"])


def test_days_api(client, calendar):
    r = client.get("/api/v1/disclosure/days?year=2026")
    assert r.status_code == 200
    assert r.json() == {"year": 2026, "days": [
        {"quarter": 1, "date": "2026-01-05", "moved": False, "set_by_office": False},
        {"quarter": 2, "date": "2026-04-07", "moved": True, "set_by_office": False},
        {"quarter": 3, "date": "2026-07-06", "moved": False, "set_by_office": False},
        {"quarter": 4, "date": "2026-10-08", "moved": True, "set_by_office": False}]}


@pytest.mark.parametrize("year", ["2031", "0001", "9999", "abc", "", "20266", "-1", "２０２６"])
def test_days_api_bad_years_are_400_in_chinese(client, calendar, year):
    r = client.get("/api/v1/disclosure/days", {"year": year})
    assert r.status_code == 400
    body = r.json()
    assert body["field"] == "year" and ("年度" in body["error"] or "日历" in body["error"])


def test_check_api_published_public_draft_office_only(client, client_as, published, staff):
    r = client.get(f"/api/v1/disclosure/checks/{DAY:%Y-%m-%d}")
    assert r.status_code == 200
    data = r.json()
    assert (data["date"], data["status"], data["number"]) == ("2026-10-08", "published", "测试县效办〔2026〕公开1号")
    assert data["rectify_due_at"].startswith("2026-10-14T")
    assert [(d["department"], d["due"], d["published"], d["missing"], d["stale"], d["compliance"])
            for d in data["departments"]] == [
        ("TA", 9, 4, 3, 2, 0.4444), ("TB", 3, 3, 0, 0, 1.0), ("TT", 1, 0, 1, 0, 0.0), ("TTV", 1, 0, 1, 0, 0.0)]
    assert data["departments"][0]["department_name"] == "测试县市场监督管理局"
    draft = disclosure_check_run(date="2026-07-06", now=RUN, by=staff["supervisor"])
    assert client.get("/api/v1/disclosure/checks/2026-07-06").status_code == 404
    assert client_as("handler").get("/api/v1/disclosure/checks/2026-07-06").status_code == 404
    assert client_as("supervisor").get("/api/v1/disclosure/checks/2026-07-06").json()["status"] == draft.status
    for bad in ("2026-13-01", "x", "2026-10-8", "9999-12-31"):
        assert client.get(f"/api/v1/disclosure/checks/{bad}").status_code in (400, 404)


def test_the_office_runs_and_publishes_from_the_pages(client_as, world):
    c = client_as("supervisor")
    r = c.post(reverse("disclosure:check_list"), {"date": "2026-10-05", "rectify_wd": "5"})
    assert r.status_code == 400 and "2026年第4季度的统一公开日是2026年10月8日" in r.content.decode()
    assert not DisclosureCheck.objects.exists()
    r = c.post(reverse("disclosure:check_list"), {"date": "2026-10-08", "rectify_wd": "99"})
    assert r.status_code == 400 and "整改期限须为 1-30 个工作日" in r.content.decode()
    assert not DisclosureCheck.objects.exists()
    # The page runs the check as of the real clock; the fixture's counts are for its own check time, so the run is
    # made through the service at that time, then read and published through the pages.
    disclosure_check_run(date=DAY, now=RUN)
    page = c.get(reverse("disclosure:check_detail", args=["2026-10-08"])).content.decode()
    assert "测试县市场监督管理局" in page and "44.4%" in page and "待发布" in page
    r = c.post(reverse("disclosure:check_publish", args=["2026-10-08"]))
    assert r.status_code == 302
    assert DisclosureCheck.objects.get().status == CheckStatus.PUBLISHED
    r = c.post(reverse("disclosure:check_publish", args=["2026-10-08"]))
    assert r.status_code == 400 and "已通报" in r.content.decode()


def test_roles_on_the_office_pages(client_as, published):
    url = reverse("disclosure:check_detail", args=["2026-10-08"])
    assert client_as("leader").get(url).status_code == 200
    for role in ("head", "handler", "window", "admin"):
        assert client_as(role).get(url).status_code == 403
    assert client_as("leader").post(reverse("disclosure:check_list"), {"date": "2026-10-08"}).status_code == 403
    assert client_as("leader").post(reverse("disclosure:check_days"), {"year": "2026", "quarter": "3",
                                                                       "date": "2026-07-08", "note": "x"}).status_code == 403
    assert not DisclosureDay.objects.exists()
    assert client_as("supervisor").get(reverse("disclosure:check_detail", args=["2026-10-09"])).status_code == 404


def test_the_desk_shows_a_department_its_own_findings(client_as, published):
    head = client_as("head").get(reverse("disclosure:check_findings")).content.decode()
    assert head.count('data-testid="finding"') == 5 and "测试镇人民政府" not in head
    other = client_as("handler_b").get(reverse("disclosure:check_findings")).content.decode()
    assert other.count('data-testid="finding"') == 0
    office = client_as("supervisor").get(reverse("disclosure:check_findings") + "?status=open").content.decode()
    assert office.count('data-testid="finding"') == 7
    bad = client_as("supervisor").get(reverse("disclosure:check_findings") + "?status=zzz")
    assert bad.status_code == 200 and "状态筛选无效" in bad.content.decode()


def test_the_days_page_sets_and_refuses(client_as, world):
    c = client_as("supervisor")
    r = c.post(reverse("disclosure:check_days"), {"year": "2026", "quarter": "3", "date": "2026-07-11",
                                                  "note": "调整"})
    assert r.status_code == 400 and "不是工作日" in r.content.decode()
    r = c.post(reverse("disclosure:check_days"), {"year": "2026", "quarter": "3", "date": "2026-07-08",
                                                  "note": "与常务会议错开"})
    assert r.status_code == 302 and DisclosureDay.objects.get().note == "与常务会议错开"
    page = c.get(reverse("disclosure:check_days") + "?year=2026").content.decode()
    assert "2026年7月8日" in page and "效能办调整" in page
    r = c.post(reverse("disclosure:check_days"), {"year": "2026", "quarter": "3", "op": "clear"})
    assert r.status_code == 302 and not DisclosureDay.objects.exists()


def test_the_public_bulletin_page_pdf_and_excel(client, published):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    page = client.get(reverse("disclosure:check_public", args=["2026-10-08"])).content.decode()
    assert "测试县效办〔2026〕公开1号" in page and "关于2026年第4季度统一公开日政务公开检查情况的通报" in page
    assert "按要求全部公开的单位（1个）：测试县自然资源局" in page
    pdf = client.get(reverse("disclosure:check_public_pdf", args=["2026-10-08"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace("\x00", "")
    assert "统一公开日" in text and "测试县市场监督管理局" in text
    xlsx = client.get(reverse("disclosure:check_public_xlsx", args=["2026-10-08"]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["通报", "各单位检查结果", "问题清单"]
    rows = list(wb["各单位检查结果"].values)
    assert rows[1] == ("测试县市场监督管理局", 9, 4, 3, 2, "44.4%", "已备案")
    assert client.get(reverse("disclosure:check_public", args=["2026-07-06"])).status_code == 404
    listing = client.get(reverse("disclosure:check_public_list")).content.decode()
    assert "2026年第4季度统一公开日检查情况通报" in listing


def test_a_formula_in_an_item_name_is_neutralised_in_excel(client, world, staff):
    from openpyxl import load_workbook

    CatalogueItem.objects.filter(code="A-PRJ").update(name="=HYPERLINK(\"http://x\")")
    check = disclosure_check_run(date=DAY, now=RUN, by=staff["supervisor"])
    disclosure_check_publish(check=check, now=RUN, by=staff["supervisor"])
    wb = load_workbook(io.BytesIO(client.get(reverse("disclosure:check_public_xlsx", args=["2026-10-08"])).content))
    cells = [c for row in wb["问题清单"].iter_rows() for c in row if str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_list_pages_read_a_pinned_number_of_queries(client_as, client, published, django_assert_max_num_queries):
    c = client_as("supervisor")
    with django_assert_max_num_queries(12):
        assert c.get(reverse("disclosure:check_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get(reverse("disclosure:check_findings")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("disclosure:check_public", args=["2026-10-08"])).status_code == 200


def test_landing_panels(client_as, published):
    office = client_as("supervisor").get("/staff/").content.decode()
    assert "统一公开日检查" in office and "逾期未整改问题" in office
    head = client_as("head").get("/staff/").content.decode()
    assert "政务公开问题整改" in head and "GK20261008-0001" in head


def test_a_cards_link_opens_its_finding(client_as, published):
    from xiaoneng.disclosure.clocks import DISCLOSURE_CLOCKS
    from xiaoneng.disclosure.models import CheckFinding

    f = CheckFinding.objects.get(number="GK20261008-0001")
    url = DISCLOSURE_CLOCKS.url_of(f.pk, f.number)
    body = client_as("head").get(url).content.decode()
    assert body.count('data-testid="finding"') == 1 and "GK20261008-0001" in body
    other = client_as("handler_b").get(url).content.decode()
    assert other.count('data-testid="finding"') == 0
