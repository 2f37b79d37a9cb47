"""差评整改 pages: the department's list (own department only), the detail page with the rater masked for all
but the office, the department's heads and the handler, the forms each reader may use, the office's review
queue, bad input answered beside its field (400, nothing stored), landing panels and query counts."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.testing import make_staff
from xiaoneng.ratings.models import Appeal, Rating, Rectification
from xiaoneng.ratings.services import rectification as svc

from .rectify_helpers import at, open_rectification

T0 = at("2026-03-02 10:00")
BASE = "/staff/ratings/rectifications/"
WORK = {"verification": "经调取监控核实，窗口人员答复生硬属实。", "action": "已对当事人批评教育。"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rects(depts, calendar):
    a = open_rectification(depts["a"], when=T0, rater_name="王小明", rater_phone="13912345678",
                           comment="王小明反映：窗口人员让我跑了三趟，电话13912345678也没人接。")
    b = open_rectification(depts["b"], when=T0)
    return a, b


def _page(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.status_code)
    return resp.content.decode()


def test_the_department_sees_only_its_own(rects, client_as):
    a, b = rects
    page = _page(client_as("head"), BASE)
    assert a.number in page and b.number not in page and "剩" in page
    page = _page(client_as("handler_b"), BASE)
    assert b.number in page and a.number not in page
    for role in ("supervisor", "leader", "admin"):
        page = _page(client_as(role), BASE)
        assert a.number in page and b.number in page
    _page(client_as("window"), BASE, 403)


def test_status_filter(rects, staff, client_as):
    a, _b = rects
    svc.rectification_submit(rectification=a, by=staff["head"], now=at("2026-03-03 10:00"),
                             callback_at=at("2026-03-03 09:00"), callback_result="已回访。", **WORK)
    c = client_as("supervisor")
    assert a.number in _page(c, BASE + "?status=submitted") and a.number not in _page(c, BASE + "?status=running")
    assert a.number in _page(c, BASE + "?status=nonsense")  # an unknown filter is no filter


def test_other_bureau_gets_404_on_every_url(rects, depts, client):
    a, _b = rects
    head_b = make_staff("head_b", depts["b"], [R.HEAD])
    client.force_login(head_b)
    assert client.get(BASE + a.number + "/").status_code == 404
    for name in ("save", "submit", "assign", "appeal", "review", "decide"):
        assert client.post(BASE + a.number + f"/{name}/", WORK).status_code == 404
    assert client.get(BASE + a.number + "/appeals/1/evidence/").status_code == 404
    assert Rectification.objects.get(pk=a.pk).status == "open"


@pytest.mark.parametrize("role,sees", [("supervisor", True), ("head", True), ("handler", False), ("leader", False),
                                       ("admin", False)])
def test_the_rater_is_masked_for_all_but_office_heads_and_handler(rects, client_as, role, sees):
    a, _b = rects
    page = _page(client_as(role), BASE + a.number + "/")
    assert ("王小明" in page) is sees and ("13912345678" in page) is sees
    if not sees:
        assert "王**" in page and "139****5678" in page and "已隐去" in page and "【评价人】" in page and "服务态度差" in page


def test_the_assigned_handler_sees_the_rater(rects, staff, client_as):
    a, _b = rects
    svc.rectification_assign(rectification=a, handler=staff["handler"], by=staff["head"], now=T0)
    assert "13912345678" in _page(client_as("handler"), BASE + a.number + "/")


def test_forms_shown_to_each_reader(rects, client_as):
    a, _b = rects
    page = _page(client_as("head"), BASE + a.number + "/")
    assert 'data-testid="form-work"' in page and 'data-testid="form-assign"' in page and 'data-testid="form-appeal"' in page
    page = _page(client_as("handler"), BASE + a.number + "/")
    assert 'data-testid="form-work"' in page and "form-assign" not in page and "form-appeal" not in page
    for role in ("supervisor", "leader", "admin"):
        page = _page(client_as(role), BASE + a.number + "/")
        assert "form-work" not in page and "form-review" not in page


def test_handler_rectifies_and_office_accepts_through_the_pages(rects, client_as):
    a, _b = rects
    c = client_as("handler")
    resp = c.post(BASE + a.number + "/save/", {"verification": "正在核实。"})
    assert resp.status_code == 302
    resp = c.post(BASE + a.number + "/submit/", {**WORK, "callback_at": "2026-03-02T15:00",
                                                 "callback_result": "已电话致歉。", "callback_reached": "on"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    r = Rectification.objects.get(pk=a.pk)
    assert r.status == "submitted" and r.callback_reached and r.handler.username == "handler_a"
    s = client_as("supervisor")
    page = _page(s, BASE + "review/")
    assert a.number in page
    assert 'data-testid="form-review"' in _page(s, BASE + a.number + "/")
    assert s.post(BASE + a.number + "/review/", {"decision": "accept", "note": "整改到位。"}).status_code == 302
    r.refresh_from_db()
    assert r.status == "accepted" and r.on_time is False  # submitted today, long after its March due date
    page = _page(s, BASE + a.number + "/")
    assert "已通过" in page and "逾期整改" in page and "审核通过" in page


@pytest.mark.parametrize("data,field,text", [
    ({**WORK, "verification": ""}, "verification", "请填写核实情况"),
    ({**WORK}, "callback_at", "实名差评须全部回访"),
    ({**WORK, "callback_at": "2099-01-01T09:00", "callback_result": "x"}, "callback_at", "不能晚于现在"),
    ({**WORK, "callback_at": "0001-01-01T09:00", "callback_result": "x"}, "callback_at", "不能早于评价时间"),
    ({**WORK, "callback_at": "明天", "callback_result": "x"}, "callback_at", "回访时间格式不正确"),
    ({**WORK, "action": "改" * 2001}, "action", ""),
])
def test_bad_input_is_answered_beside_the_field_and_nothing_stored(rects, client_as, data, field, text):
    a, _b = rects
    resp = client_as("handler").post(BASE + a.number + "/submit/", data)
    assert resp.status_code == 400
    page = resp.content.decode()
    assert f'id="work-{field}-err"' in page and text in page
    r = Rectification.objects.get(pk=a.pk)
    assert r.status == "open" and r.verification == "" and r.actions.count() == 1


def test_review_bad_input_and_permissions(rects, staff, client_as):
    a, _b = rects
    svc.rectification_submit(rectification=a, by=staff["head"], now=at("2026-03-03 10:00"),
                             callback_at=at("2026-03-03 09:00"), callback_result="已回访。", **WORK)
    s = client_as("supervisor")
    resp = s.post(BASE + a.number + "/review/", {"decision": "return", "note": ""})
    assert resp.status_code == 400 and "请填写退回理由" in resp.content.decode()
    assert s.post(BASE + a.number + "/review/", {"decision": "maybe"}).status_code == 400
    assert Rectification.objects.get(pk=a.pk).status == "submitted"
    for role in ("head", "handler"):
        assert client_as(role).post(BASE + a.number + "/review/", {"decision": "accept"}).status_code == 403
    for role in ("leader", "admin", "window"):
        assert client_as(role).post(BASE + a.number + "/review/", {"decision": "accept"}).status_code == 403
    _page(client_as("head"), BASE + "review/", 403)
    _page(client_as("leader"), BASE + "review/", 403)
    s = client_as("supervisor")
    assert s.post(BASE + a.number + "/nonsense/", {}).status_code == 404
    assert Rectification.objects.get(pk=a.pk).status == "submitted"


def test_appeal_with_evidence_and_the_offices_decision(rects, client_as):
    a, _b = rects
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buf, "PNG")
    buf.name = "截图.png"
    buf.seek(0)
    h = client_as("head")
    bad = io.BytesIO(b"#!/bin/sh\necho hi\n")
    bad.name = "x.png"
    resp = h.post(BASE + a.number + "/appeal/", {"reason": "评价人恶意差评，有监控为证。", "evidence": bad})
    assert resp.status_code == 400 and 'id="appeal-evidence-err"' in resp.content.decode()
    assert not Appeal.objects.exists()
    assert h.post(BASE + a.number + "/appeal/", {"reason": "评价人恶意差评，有监控为证。", "evidence": buf}).status_code == 302
    appeal = Appeal.objects.get()
    assert h.get(BASE + a.number + f"/appeals/{appeal.pk}/evidence/").status_code == 200
    assert client_as("leader").get(BASE + a.number + f"/appeals/{appeal.pk}/evidence/").status_code == 403
    s = client_as("supervisor")
    assert s.get(BASE + a.number + f"/appeals/{appeal.pk}/evidence/").status_code == 200
    assert a.number in _page(s, BASE + "review/")
    assert s.post(BASE + a.number + "/decide/", {"decision": "uphold", "note": ""}).status_code == 400
    assert s.post(BASE + a.number + "/decide/", {"decision": "uphold", "note": "属恶意评价，作废。"}).status_code == 302
    assert Rating.objects.get(pk=a.rating_id).voided_at is not None
    page = _page(s, BASE + a.number + "/")
    assert "差评已作废" in page and "属恶意评价，作废。" in page


def test_free_text_is_escaped(depts, staff, client_as, calendar):
    r = open_rectification(depts["a"], when=T0, comment="<script>alert(1)</script>")
    svc.rectification_save(rectification=r, by=staff["head"], now=T0, verification="<b>粗体</b>")
    page = _page(client_as("head"), BASE + r.number + "/")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page and "<b>粗体</b>" not in page


def test_landing_panels(rects, staff, client_as):
    a, _b = rects
    page = _page(client_as("head"), "/staff/")
    assert "差评整改" in page and a.number in page
    svc.rectification_submit(rectification=a, by=staff["head"], now=at("2026-03-03 10:00"),
                             callback_at=at("2026-03-03 09:00"), callback_result="已回访。", **WORK)
    page = _page(client_as("supervisor"), "/staff/")
    assert "差评整改待审核" in page and a.number in page


def test_list_query_count_is_flat(depts, staff, client_as, calendar, django_assert_max_num_queries):
    for _ in range(3):
        open_rectification(depts["a"], when=T0)
    c = client_as("head")
    c.get(BASE)
    with django_assert_max_num_queries(12):
        c.get(BASE)
    for _ in range(20):
        open_rectification(depts["a"], when=T0)
    with django_assert_max_num_queries(12):
        assert c.get(BASE).status_code == 200
    s = client_as("supervisor")
    s.get(BASE + "review/")
    with django_assert_max_num_queries(12):
        s.get(BASE + "review/")


def test_other_departments_ids_in_fields_are_refused(rects, staff, client_as):
    a, b = rects
    resp = client_as("head").post(BASE + a.number + "/assign/", {"handler": staff["handler_b"].pk})
    assert resp.status_code == 400 and "承办人须为整改部门的承办人或负责人" in resp.content.decode()
    for bad in ("abc", "99999999999999999999", "-1", ""):
        assert client_as("head").post(BASE + a.number + "/assign/", {"handler": bad}).status_code == 400
    assert Rectification.objects.get(pk=a.pk).handler_id is None
    # An appeal of bureau B named under bureau A's rectification: not found.
    appeal_b = svc.rectification_appeal(rectification=b, by=make_staff("head_b", b.department, [R.HEAD]), now=T0,
                                        reason="评价人并未到本窗口办事。")
    for role in ("head", "supervisor"):
        assert client_as(role).get(BASE + a.number + f"/appeals/{appeal_b.pk}/evidence/").status_code == 404
    assert client_as("head").get(BASE + "ZG9999-0000001/").status_code == 404
    assert client_as("head").get(BASE + ("9" * 300) + "/").status_code == 404


def test_department_and_card_filters(rects, client_as):
    a, b = rects
    Rectification.objects.filter(pk=b.pk).update(flag="red")
    s = client_as("supervisor")
    page = _page(s, BASE + "?department=TA")
    assert a.number in page and b.number not in page
    page = _page(s, BASE + "?flag=red")
    assert b.number in page and a.number not in page
    page = _page(s, BASE + "?flag=purple&department=" + "Z" * 500)
    assert a.number not in page and "没有符合条件的差评整改" in page
    # A department names only itself: another department's code finds nothing.
    page = _page(client_as("head"), BASE + "?department=TB")
    assert b.number not in page and a.number not in page


def test_detail_query_count_is_flat(rects, staff, client_as, django_assert_max_num_queries):
    a, _b = rects
    c = client_as("head")
    c.get(BASE + a.number + "/")
    with django_assert_max_num_queries(20):
        c.get(BASE + a.number + "/")
    for i in range(10):
        svc.rectification_save(rectification=a, by=staff["head"], now=T0, verification=f"第{i}次进展。")
    with django_assert_max_num_queries(20):
        assert c.get(BASE + a.number + "/").status_code == 200
