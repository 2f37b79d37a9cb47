"""The inspections' pages and API: recording on the phone form (photos included), review and publication, and
the covert rule on every surface the inspected department can reach — lists, counts, pages, photos, landing
panels, the API, notifications — before and after the office publishes."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaoneng.accounts.services import api_client_create
from xiaoneng.inspections import services as svc
from xiaoneng.inspections.models import Result, Visit, VisitStatus

from .conftest import T0, png


def _form_data(checklist, **over) -> dict:
    data = {"department": "TA", "place": "县政务服务中心二楼", "window": "5号窗口", "visited_at": "2026-03-02T09:30",
            "inspectors": "王代表"}
    for item in checklist.items.all():
        data[f"result_{item.pk}"] = Result.PASS
        data[f"note_{item.pk}"] = ""
    first = checklist.items.first()
    data[f"result_{first.pk}"] = Result.FAIL
    data[f"note_{first.pk}"] = "9:30 窗口无人，等候 15 分钟。"
    data.update(over)
    return data


@pytest.fixture
def frozen_now(monkeypatch):
    """Pages take `timezone.now()`: pin it inside the plans' period."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: T0.replace(hour=11))


def test_an_invited_supervisor_records_a_covert_visit_with_a_photo_on_the_form(client, invited, plans, checklist,
                                                                               frozen_now):
    client.force_login(invited)
    url = reverse("inspections:visit_new", args=[plans["covert"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "在岗在位" in page.content.decode()
    data = _form_data(checklist, submit="1")
    data["photos"] = SimpleUploadedFile("现场.jpg", png(exif=True), content_type="image/jpeg")
    resp = client.post(url, data)
    assert resp.status_code == 302
    v = Visit.objects.get()
    assert v.status == VisitStatus.SUBMITTED and v.recorded_by == invited and v.photos.count() == 1
    assert v.score is not None and v.failed == 1
    detail = client.get(reverse("inspections:visit", args=[v.pk])).content.decode()
    assert "得分" in detail and str(v.score) in detail


@pytest.mark.parametrize("over, field", [
    ({"place": ""}, "place"), ({"department": "TX"}, "department"), ({"visited_at": "0001-01-01T00:00"}, "visited_at"),
    ({"visited_at": "9999-12-31T23:59"}, "visited_at"), ({"visited_at": "2026-13-45T99:00"}, "visited_at"),
    ({"visited_at": "2026-05-01T10:00"}, "visited_at"),
])
def test_bad_input_on_the_form_is_shown_beside_the_field_and_nothing_is_stored(client, invited, plans, checklist,
                                                                               frozen_now, over, field):
    client.force_login(invited)
    resp = client.post(reverse("inspections:visit_new", args=[plans["covert"].pk]), _form_data(checklist, **over))
    assert resp.status_code == 400
    assert f'id="id_{field}' in resp.content.decode() and "invalid-feedback" in resp.content.decode()
    assert not Visit.objects.exists()


def test_a_bad_photo_is_refused_and_nothing_is_stored(client, invited, plans, checklist, frozen_now):
    client.force_login(invited)
    data = _form_data(checklist)
    data["photos"] = SimpleUploadedFile("伪装.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", content_type="image/jpeg")
    resp = client.post(reverse("inspections:visit_new", args=[plans["covert"].pk]), data)
    assert resp.status_code == 400 and "只接受" in resp.content.decode()
    assert not Visit.objects.exists()


def test_a_failed_item_without_a_note_is_refused_beside_its_field(client, invited, plans, checklist, frozen_now):
    client.force_login(invited)
    first = checklist.items.first()
    resp = client.post(reverse("inspections:visit_new", args=[plans["covert"].pk]),
                       _form_data(checklist, **{f"note_{first.pk}": ""}))
    assert resp.status_code == 400 and "请说明发现的问题" in resp.content.decode()


def _surfaces(client, user, visit, finding, photo) -> dict:
    client.force_login(user)
    out = {
        "visits": client.get(reverse("inspections:visits")).content.decode(),
        "visit": client.get(reverse("inspections:visit", args=[visit.pk])).status_code,
        "findings": client.get(reverse("inspections:findings")).content.decode(),
        "finding": client.get(reverse("inspections:finding", args=[finding.pk])).status_code,
        "photo": client.get(reverse("inspections:photo", args=[photo.pk])).status_code,
        "home": client.get(reverse("core:home")).content.decode(),
    }
    return out


def test_a_covert_visit_is_invisible_to_the_inspected_department_until_published(client, staff, invited, record,
                                                                                  depts, frozen_now):
    from xiaoneng.supervision.models import Notification

    v = record(invited, photos=svc.clean_photos([("现场.png", png())]), submit=True)
    v = svc.visit_review(visit=v, accept=True, by=staff["supervisor"], now=T0)
    f, p = v.findings.get(), v.photos.get()
    _, token = api_client_create(name="sys-a", department=depts["a"], by=None, now=T0)
    for role in ("window", "handler", "handler_a1", "head"):
        s = _surfaces(client, staff[role], v, f, p)
        assert v.number not in s["visits"] and f.number not in s["findings"], role
        assert (s["visit"], s["finding"], s["photo"]) == (404, 404, 404), role
        assert v.number not in s["home"] and f.number not in s["home"], role
    api = client.get("/api/v1/inspections/visits", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert api["count"] == 0
    assert not Notification.objects.filter(recipient__department=depts["a"]).exists()
    # The office sees it (with a count on its landing page), the leader too.
    client.force_login(staff["supervisor"])
    assert v.number in client.get(reverse("inspections:visits") + "?status=unpublished").content.decode()
    svc.visit_publish(visit=v, by=staff["supervisor"], now=T0)
    svc.finding_correction_start(finding=f, by=staff["supervisor"], now=T0)
    for role in ("window", "handler", "head"):
        s = _surfaces(client, staff[role], v, f, p)
        assert v.number in s["visits"] and (s["visit"], s["photo"]) == (200, 200), role
        assert s["finding"] == 200 and f.number in s["findings"], role
    assert staff["head"].pk and f.number in _surfaces(client, staff["head"], v, f, p)["home"]
    api = client.get("/api/v1/inspections/visits?period=2026Q1", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert api["count"] == 1 and api["items"][0]["findings"][0]["number"] == f.number
    assert "inspectors" not in api["items"][0] and "王代表" not in str(api)
    # Bureau B never sees bureau A's visit.
    s = _surfaces(client, staff["handler_b"], v, f, p)
    assert (s["visit"], s["finding"], s["photo"]) == (404, 404, 404) and v.number not in s["visits"]


def test_an_invited_supervisor_sees_its_own_visits_only_and_nothing_else(client, staff, invited, invited2, record,
                                                                         frozen_now):
    mine = record(invited)
    office = record(staff["supervisor"], mode="open")
    client.force_login(invited)
    body = client.get(reverse("inspections:visits")).content.decode()
    assert mine.number in body and office.number not in body
    assert client.get(reverse("inspections:visit", args=[office.pk])).status_code == 404
    assert client.get(reverse("inspections:findings")).status_code == 403
    for name in ("cases:list", "complaints:inbox", "supervision:monitor", "supervision:cards"):
        try:
            url = reverse(name)
        except Exception:  # noqa: BLE001  a page under another name: the matrix covers every pattern anyway
            continue
        assert client.get(url).status_code == 403, name
    home = client.get(reverse("core:home")).content.decode()
    assert mine.number in home and 'data-testid="panel-inspections-invited"' in home
    client.force_login(invited2)
    assert mine.number not in client.get(reverse("inspections:visits")).content.decode()
    assert client.get(reverse("inspections:visit", args=[mine.pk])).status_code == 404
    assert client.get(reverse("inspections:visit_edit", args=[mine.pk])).status_code == 404
    # Not even the office sees an unsubmitted draft.
    client.force_login(staff["supervisor"])
    assert client.get(reverse("inspections:visit", args=[mine.pk])).status_code == 404


def test_the_office_reviews_and_publishes_on_the_pages(client, staff, invited, record, frozen_now):
    v = record(invited, submit=True)
    client.force_login(staff["supervisor"])
    page = client.get(reverse("inspections:visit", args=[v.pk])).content.decode()
    assert 'data-testid="accept-visit"' in page and "王代表" in page
    client.post(reverse("inspections:visit_review", args=[v.pk]), {"decision": "return", "note": ""})
    assert Visit.objects.get(pk=v.pk).status == VisitStatus.SUBMITTED  # a return needs reasons
    client.post(reverse("inspections:visit_review", args=[v.pk]), {"decision": "accept"})
    assert Visit.objects.get(pk=v.pk).status == VisitStatus.ACCEPTED
    client.post(reverse("inspections:visit_publish", args=[v.pk]))
    assert Visit.objects.get(pk=v.pk).published_at is not None
    f = v.findings.get()
    client.post(reverse("inspections:finding_action", args=[f.pk, "correct"]), {"wd": "99"})
    f.refresh_from_db()
    assert f.correction == ""
    client.post(reverse("inspections:finding_action", args=[f.pk, "correct"]), {"wd": "10"})
    f.refresh_from_db()
    assert f.correction == "open"
    client.force_login(staff["head"])
    client.post(reverse("inspections:finding_action", args=[f.pk, "answer"]), {"text": "已调整排班，落实AB岗。"})
    f.refresh_from_db()
    assert f.correction == "answered"
    client.force_login(staff["supervisor"])
    client.post(reverse("inspections:finding_action", args=[f.pk, "review"]), {"decision": "accept"})
    f.refresh_from_db()
    assert f.correction == "accepted"
    client.post(reverse("inspections:finding_action", args=[f.pk, "sanction"]),
                {"kind": "admonition", "reason": "工作时间脱岗。", "staff": str(staff["handler_b"].pk)})
    assert not f.sanctions.exists()  # another bureau's staff: refused
    client.post(reverse("inspections:finding_action", args=[f.pk, "sanction"]),
                {"kind": "admonition", "reason": "工作时间脱岗。", "staff": str(staff["handler"].pk)})
    assert f.sanctions.count() == 1


def test_plans_and_checklists_pages(client, staff, invited, checklist, depts, frozen_now):
    client.force_login(staff["supervisor"])
    resp = client.post(reverse("inspections:plans"), {
        "title": "二季度暗访", "mode": "covert", "checklist": str(checklist.pk), "starts_on": "2026-04-01",
        "ends_on": "2026-06-30", "departments": ["TA", "TB"], "inspectors": [str(invited.pk)]})
    assert resp.status_code == 302
    resp = client.post(reverse("inspections:plans"), {
        "title": "x", "mode": "covert", "checklist": str(checklist.pk), "starts_on": "2026-04-01",
        "ends_on": "2026-03-30", "departments": ["TA"], "inspectors": [str(staff["handler"].pk)]})
    assert resp.status_code == 400
    resp = client.post(reverse("inspections:checklists"), {"name": "窗口检查", "items": "在岗|abc|"})
    assert resp.status_code == 400 and "权重" in resp.content.decode()
    resp = client.post(reverse("inspections:checklists"), {"name": "窗口检查", "items": "在岗|20|在岗在位\n着装|10|"})
    assert resp.status_code == 302
    client.force_login(invited)
    body = client.get(reverse("inspections:plans")).content.decode()
    assert "二季度暗访" in body
    assert client.post(reverse("inspections:plans"), {"title": "x"}).status_code == 403


def test_api_bad_input_is_json_in_chinese_naming_the_field(client, staff):
    client.force_login(staff["supervisor"])
    for query, field in (("period=2026Q5", "period"), ("period=0001", "period"), ("department=NOPE", "department")):
        resp = client.get(f"/api/v1/inspections/visits?{query}")
        assert resp.status_code == 400, query
        body = resp.json()
        assert body.get("field") == field and re.search(r"[\u4e00-\u9fff]", body["error"])
    assert client.get("/api/v1/inspections/visits?limit=999999").status_code in (400, 422)
    client.force_login(staff["head"])
    assert client.get("/api/v1/inspections/visits").status_code == 403


def test_list_pages_query_counts_are_pinned(client, staff, record, django_assert_max_num_queries, frozen_now):
    for _ in range(6):
        record(staff["supervisor"], mode="open")
    client.force_login(staff["supervisor"])
    with django_assert_max_num_queries(14):
        assert client.get(reverse("inspections:visits")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("inspections:findings")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/api/v1/inspections/visits").status_code == 200


def test_the_office_records_who_an_invited_supervisor_is(client, staff, invited, invited2):
    client.force_login(staff["supervisor"])
    page = client.get(reverse("inspections:supervisors")).content.decode()
    assert "人大代表" in page and "县人大常委会" in page
    resp = client.post(reverse("inspections:supervisors"), {"staff": str(invited2.pk), "kind": "journalist",
                                                           "affiliation": "清源融媒体中心"})
    assert resp.status_code == 302
    invited2.refresh_from_db()
    assert invited2.supervisor_profile.kind == "journalist"
    resp = client.post(reverse("inspections:supervisors"), {"staff": str(staff["handler"].pk), "kind": "deputy"})
    assert resp.status_code == 400
    client.force_login(invited)
    assert client.get(reverse("inspections:supervisors")).status_code == 403


def test_the_invited_supervisors_menu_offers_its_own_pages_only(client, invited, staff):
    client.force_login(invited)
    body = client.get(reverse("core:home")).content.decode()
    nav = body.split('id="staffNav"', 1)[1].split("</nav>", 1)[0]
    assert "检查计划" in nav and "我的检查记录" in nav
    for other in ("办件", "预警纠错", "督办", "事项目录", "投诉", "实时监控"):
        assert other not in nav, other
    client.force_login(staff["handler"])
    nav = client.get(reverse("core:home")).content.decode().split('id="staffNav"', 1)[1].split("</nav>", 1)[0]
    assert "办件" in nav and "检查计划" not in nav


def test_a_findings_card_shows_on_its_page_and_in_supervision(client, staff, record, frozen_now):
    v = record(staff["supervisor"], mode="open")
    f = svc.finding_card_raise(finding=v.findings.get(), level="red", by=staff["supervisor"], now=T0)
    client.force_login(staff["head"])
    page = client.get(reverse("inspections:finding", args=[f.pk])).content.decode()
    assert "检查发现问题红牌" in page and "红牌" in page
    card = client.get(reverse("supervision:warning_detail", args=[f.card_id]))
    assert card.status_code == 200 and f.number in card.content.decode()
    assert client.get(reverse("supervision:warning_list")).status_code == 200
    client.force_login(staff["handler_b"])
    assert client.get(reverse("supervision:warning_detail", args=[f.card_id])).status_code == 404
