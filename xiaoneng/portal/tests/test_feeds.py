"""Feeds (RSS 2.0 and Atom) and the sitemap: what is published goes in, what is not stays out (drafts,
superseded and withdrawn entries, unpublished bulletins, checks and reports, entries dated in the future),
Chinese titles, the county's times, stable URLs, no personal data; robots.txt points to the sitemap."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from xiaoneng.disclosure.tests.report_fixture import make_entries, make_request

TZ = ZoneInfo("Asia/Shanghai")
ATOM = "{http://www.w3.org/2005/Atom}"


def t(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def published(depts, staff):
    """Bureau A's entries (report_fixture), a published and a draft bulletin, a published and a draft check,
    a published annual report, and a request whose applicant must never show."""
    from xiaoneng.disclosure.models import DisclosureCheck, DisclosureEntry
    from xiaoneng.disclosure.services.reports import annual_report_publish, annual_report_save_texts
    from xiaoneng.evaluation.models import Bulletin, Evaluation
    from xiaoneng.evaluation.services.schemes import default_spec, scheme_create_version

    make_entries(depts["a"])
    future = DisclosureEntry.objects.order_by("id").last()
    DisclosureEntry.objects.filter(pk=future.pk).update(published_at=timezone.now() + dt.timedelta(days=30))
    scheme = scheme_create_version(default_spec("quarter"), now=t("2025-01-01 09:00"))
    ev = Evaluation.objects.create(period="2025Q3", period_kind="quarter", starts_at=t("2025-07-01 00:00"),
                                   ends_at=t("2025-10-01 00:00"), scheme=scheme, status="published",
                                   computed_at=t("2025-10-10 09:00"), published_at=t("2025-10-12 10:00"))
    Bulletin.objects.create(evaluation=ev, number="测试县效通〔2025〕3号", title="关于2025年第三季度机关效能考核结果的通报",
                            content={"number": "测试县效通〔2025〕3号", "intro": "根据考核方案，对全县单位进行了考核。"},
                            generated_at=t("2025-10-12 09:00"), published_at=t("2025-10-12 10:00"))
    Bulletin.objects.create(evaluation=ev, number="测试县效通〔2025〕4号", title="草稿通报", content={},
                            generated_at=t("2025-10-13 09:00"))
    DisclosureCheck.objects.create(date=dt.date(2025, 10, 9), year=2025, quarter=4, status="published",
                                   run_at=t("2025-10-09 17:00"), rectify_due_at=t("2025-10-16 17:30"),
                                   number="测试县效办〔2025〕公开4号", summary="全县应公开事项均已按期公开。",
                                   published_at=t("2025-10-09 18:00"))
    DisclosureCheck.objects.create(date=dt.date(2026, 1, 5), year=2026, quarter=1, status="draft",
                                   run_at=t("2026-01-05 17:00"), rectify_due_at=t("2026-01-12 17:30"))
    make_request(depts["a"], "person", "2025-03-01 10:00")
    annual_report_save_texts(year=2025, department=depts["a"], overview="总体情况。", problems="", other="",
                             by=staff["supervisor"], now=t("2026-01-20 10:00"))
    annual_report_publish(year=2025, department=depts["a"], by=staff["supervisor"], now=t("2026-01-20 10:00"))
    return depts


def _rss(client, path):
    r = client.get(path)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(r.content), r.content.decode()


def _atom(client, path):
    r = client.get(path)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(r.content), r.content.decode()


def test_disclosure_rss(published, client):
    root, text = _rss(client, "/feeds/disclosure.rss")
    items = root.findall("./channel/item")
    titles = [i.findtext("title") for i in items]
    # published ones newest first; superseded, withdrawn and future-dated ones out
    assert titles == ["食品经营许可办理流程", "关于农贸市场管理的通知（更正）", "关于废止《个体工商户年检规定》的决定",
                      "关于印发清源县市场主体登记管理办法的通知", "关于规范食品经营许可的若干规定"]
    assert "关于临时停业登记的通知" not in titles and "关于2026年度抽查计划的通知" not in titles
    assert len(titles) == 5
    first = items[1]
    assert first.findtext("pubDate") == "Thu, 01 May 2025 10:00:00 +0800"
    assert first.findtext("link").startswith("http://testserver/disclosure/entries/GK-T-")
    assert "【测试县市场监督管理局 · 规范性文件】" in first.findtext("description")
    assert root.find("./channel/title").text.endswith("政务公开信息")
    assert "申请人" not in text and "13800001234" not in text


def test_entries_of_a_department_without_a_public_catalogue_stay_out(published, client):
    from xiaoneng.disclosure.models import Catalogue

    Catalogue.objects.filter(department=published["a"]).update(current=False, status="draft")
    root, _ = _rss(client, "/feeds/disclosure.rss")
    assert root.findall("./channel/item") == []
    assert "/disclosure/entries/" not in client.get("/sitemap.xml").content.decode()


def test_disclosure_atom(published, client):
    root, _text = _atom(client, "/feeds/disclosure.atom")
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 5
    assert entries[1].findtext(f"{ATOM}updated") == "2025-05-01T10:00:00+08:00"
    assert root.findtext(f"{ATOM}subtitle").startswith("各部门、乡镇")


def test_bulletins_feed_only_published(published, client):
    root, _ = _rss(client, "/feeds/bulletins.rss")
    items = root.findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["关于2025年第三季度机关效能考核结果的通报"]
    assert items[0].findtext("pubDate") == "Sun, 12 Oct 2025 10:00:00 +0800"
    from xiaoneng.evaluation.models import Bulletin

    assert items[0].findtext("link").endswith(f"/bulletins/{Bulletin.objects.get(title__startswith='关于').pk}/")
    root, _ = _atom(client, "/feeds/bulletins.atom")
    assert len(root.findall(f"{ATOM}entry")) == 1


def test_checks_feed_only_published(published, client):
    root, _ = _rss(client, "/feeds/checks.rss")
    items = root.findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["2025年第4季度统一公开日（10月9日）检查通报"]
    assert items[0].findtext("link").endswith("/disclosure/checks/2025-10-09/")
    assert "测试县效办〔2025〕公开4号" in items[0].findtext("description")
    root, _ = _atom(client, "/feeds/checks.atom")
    assert len(root.findall(f"{ATOM}entry")) == 1


def test_reports_feed(published, client):
    root, _ = _rss(client, "/feeds/reports.rss")
    items = root.findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["测试县市场监督管理局2025年政府信息公开工作年度报告"]
    assert items[0].findtext("link").endswith("/disclosure/reports/2025/TA/")
    assert client.get("/feeds/reports.atom").status_code == 200


def test_empty_feeds_are_valid(db, client):
    for name in ("disclosure", "bulletins", "checks", "reports"):
        root, _ = _rss(client, f"/feeds/{name}.rss")
        assert root.findall("./channel/item") == []
        root, _ = _atom(client, f"/feeds/{name}.atom")
        assert root.findall(f"{ATOM}entry") == []


def test_feed_query_count(published, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get("/feeds/disclosure.rss")


def test_feeds_refuse_posts(db, client):
    assert client.post("/feeds/disclosure.rss").status_code == 405
    assert client.post("/sitemap.xml").status_code == 405
    assert client.head("/feeds/disclosure.atom").status_code == 200


# ----------------------------------------------------------------------------------------------- sitemap
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_sitemap_lists_public_pages_only(published, client):
    r = client.get("/sitemap.xml")
    assert r.status_code == 200
    locs = [u.findtext(f"{SM}loc") for u in ET.fromstring(r.content).findall(f"{SM}url")]
    assert "http://testserver/" in locs or any(u.endswith("/guide/") for u in locs)
    assert any(u.endswith("/guide/") for u in locs)
    assert "http://testserver/disclosure/reports/2025/" in locs
    assert "http://testserver/disclosure/reports/2025/TA/" in locs
    assert not any("/staff/" in u for u in locs)
    from xiaoneng.disclosure.models import DisclosureEntry

    try:
        from django.urls import reverse

        reverse("disclosure:public_entry", kwargs={"number": "X"})
    except Exception:  # the catalogue part not merged here: its entries are left out, not broken
        assert not any("/disclosure/entries/" in u for u in locs)
    else:
        published_numbers = DisclosureEntry.objects.filter(status="published", published_at__lte=timezone.now())
        for e in published_numbers:
            assert any(u.endswith(f"/disclosure/entries/{e.number}/") for u in locs)
        for e in DisclosureEntry.objects.exclude(status="published"):
            assert not any(u.endswith(f"/disclosure/entries/{e.number}/") for u in locs)


def test_sitemap_lists_active_guides(depts, client, staff):
    from xiaoneng.catalog.services import service_item_create, service_item_deactivate
    from xiaoneng.disclosure.tests.report_fixture import ITEM

    service_item_create(department=depts["a"], data={**ITEM, "code": "SP001"}, by=None, now=t("2025-01-02 09:00"))
    off = service_item_create(department=depts["a"], data={**ITEM, "code": "SP002"}, by=None,
                              now=t("2025-01-02 09:00"))
    service_item_deactivate(item=off, by=None, now=t("2025-01-03 09:00"))
    text = client.get("/sitemap.xml").content.decode()
    assert "/guide/SP001/" in text and "/guide/SP002/" not in text


def test_sitemap_query_count(published, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert client.get("/sitemap.xml").status_code == 200


def test_robots_points_to_the_sitemap(db, client):
    r = client.get("/robots.txt")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    body = r.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body and "Disallow: /staff/" in body
