"""Staff pages of information requests: the desk (scoped, due soonest first, query count pinned), the staff
entry, a request's page (applicant in full for the department and the office, masked for leaders; the forms
each reader may use), actions through the page, the office's overview, the head's landing panel."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from xiaoneng.disclosure.models import InformationRequest, RequestStatus
from xiaoneng.disclosure.services import requests as svc

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _rules(db):
    from xiaoneng.supervision.defaults import rules_ensure_defaults

    rules_ensure_defaults()


def visit(depts, staff, dept="a", *, name="李建国", when=None, **kw):
    by = staff["window"] if dept == "a" else staff["handler_b"]
    return svc.information_request_submit(
        department=depts[dept], channel="visit", applicant_kind="person", applicant_name=name, phone="13812345678",
        id_number="330102199001011234", address="测试县人民路 18 号", description=f"{name}申请某文件",
        by=by, now=when or timezone.now() - timedelta(days=1), **kw)


def test_the_desk_is_scoped_due_soonest_first_and_its_queries_are_pinned(client_as, calendar, depts, staff,
                                                                         django_assert_max_num_queries):
    first = visit(depts, staff, when=timezone.now() - timedelta(days=3))
    second = visit(depts, staff, name="王芳", when=timezone.now() - timedelta(days=10))
    b = visit(depts, staff, "b", name="赵六")
    c = client_as("handler")
    body = c.get(reverse("disclosure:request_desk")).content.decode()
    assert body.index(second.number) < body.index(first.number) and b.number not in body
    with django_assert_max_num_queries(12):
        c.get(reverse("disclosure:request_desk"))
    for i in range(5):
        visit(depts, staff, name=f"申请人{i}")
    with django_assert_max_num_queries(12):
        assert c.get(reverse("disclosure:request_desk")).status_code == 200
    body = client_as("supervisor").get(reverse("disclosure:request_desk")).content.decode()
    assert b.number in body and first.number in body
    assert client_as("admin").get(reverse("disclosure:request_desk")).status_code == 403
    assert client_as("window").get(reverse("disclosure:request_desk")).status_code == 403


def test_the_applicant_is_shown_to_the_department_and_the_office_and_masked_for_leaders(client_as, calendar, depts,
                                                                                       staff):
    r = visit(depts, staff)
    url = reverse("disclosure:request_detail", args=[r.number])
    for role in ("handler", "head", "supervisor"):
        body = client_as(role).get(url).content.decode()
        assert "13812345678" in body and "330102199001011234" in body and "李建国" in body
    body = client_as("leader").get(url).content.decode()
    assert "13812345678" not in body and "330102199001011234" not in body and "李建国" not in body
    assert "138****5678" in body and "已隐去个人信息" in body
    assert 'data-testid="action-' not in body  # leaders read
    assert client_as("handler_b").get(url).status_code == 404


def _login(staff, role):
    from django.test import Client

    c = Client()
    c.force_login(staff[role])
    return c


def test_a_request_is_handled_through_its_page(calendar, depts, staff):
    r = visit(depts, staff)
    handler = _login(staff, "handler")
    do = lambda name: reverse("disclosure:request_action", args=[r.number, name])  # noqa: E731
    body = handler.get(reverse("disclosure:request_detail", args=[r.number])).content.decode()
    assert 'data-testid="action-answer"' in body and 'data-testid="action-extend"' not in body  # heads extend
    resp = handler.post(do("answer"), {"answer-answer_type": "withheld", "answer-text": "不予公开。"})
    assert resp.status_code == 400 and "须选择理由" in resp.content.decode()
    resp = handler.post(do("extend"), {"extend-wd": "10", "extend-reason": "需调档。"})
    assert resp.status_code == 403
    resp = handler.post(do("correction_notice"), {"correction_notice-text": "请说明文件的形成时间。"})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.status == RequestStatus.CORRECTION
    resp = handler.post(do("corrected"), {"corrected-note": "申请人已补充。"})
    assert resp.status_code == 302
    head = _login(staff, "head")
    assert head.post(do("extend"), {"extend-wd": "21", "extend-reason": "x"}).status_code == 400
    assert head.post(do("extend"), {"extend-wd": "10", "extend-reason": "需调档。"}).status_code == 302
    resp = handler.post(do("answer"), {"answer-answer_type": "withheld", "answer-reason": "third_party",
                                       "answer-text": "涉及第三方合法权益，不予公开。"})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert (r.status, r.answer_type, r.extension_wd, r.on_time) == ("answered", "withheld", 10, True)
    assert handler.post(do("publish"), {"publish-publish": "on"}).status_code == 403
    assert head.post(do("publish"), {"publish-publish": "on"}).status_code == 302
    sup = _login(staff, "supervisor")
    today = timezone.localdate()
    assert sup.post(do("review"), {"review-kind": "review", "review-filed_on": today.isoformat(),
                                   "review-result": "pending"}).status_code == 302
    review = r.reviews.get()
    resp = sup.post(reverse("disclosure:request_review_decide", args=[r.number, review.pk]),
                    {f"rv{review.pk}-result": "upheld", f"rv{review.pk}-decided_on": today.isoformat()})
    assert resp.status_code == 302
    review.refresh_from_db()
    assert review.result == "upheld"
    assert handler.post(do("nonsense"), {}).status_code == 404


def test_staff_register_a_letter_with_its_sign_off_date(client_as, calendar, depts, staff):
    c = client_as("window")
    url = reverse("disclosure:request_register")
    body = c.get(url).content.decode()
    assert "测试县市场监督管理局" in body and "测试县自然资源局" not in body
    data = {"department": "TA", "channel": "letter", "applicant_kind": "person", "applicant_name": "孙七",
            "address": "测试县人民路 9 号", "description": "某文件"}
    resp = c.post(url, data)
    assert resp.status_code == 400 and "签收" in resp.content.decode()
    signed = timezone.localtime() - timedelta(days=1)
    resp = c.post(url, {**data, "received_at": signed.strftime("%Y-%m-%dT%H:%M")})
    assert resp.status_code == 302  # the window does not read the desk: back to the form with the number
    req = InformationRequest.objects.get()
    assert req.channel == "letter" and req.received_at == signed.replace(second=0, microsecond=0)
    assert c.post(url, {**data, "department": "TB", "received_at": "2026-10-09T09:00"}).status_code == 400


def test_the_overview_counts_every_department_and_the_heads_panel(client_as, calendar, depts, staff):
    now = timezone.now()
    late = visit(depts, staff, when=now - timedelta(days=60))
    ok = visit(depts, staff, name="王芳", when=now - timedelta(days=2))
    visit(depts, staff, "b", name="赵六", when=now - timedelta(days=1))
    svc.information_request_answer(request=ok, answer_type="disclosed", text="予以公开。", by=staff["handler"], now=now)
    body = client_as("supervisor").get(reverse("disclosure:request_overview")).content.decode()
    assert "测试县市场监督管理局" in body and "测试县自然资源局" in body
    if timezone.localtime(late.received_at).year == timezone.localtime(now).year:
        assert "100.0%" in body
    assert client_as("head").get(reverse("disclosure:request_overview")).status_code == 403
    from xiaoneng.disclosure.views_requests import department_panel

    panel = department_panel(staff["head"], now=now)
    tiles = {t["key"]: t["value"] for t in panel["tiles"]}
    assert tiles["open"] == 1 and tiles["overdue"] == 1 and panel["rows"][0]["text"] == late.number
    other = department_panel(staff["handler_b"], now=now)
    assert other["tiles"][0]["value"] == 1 and late.number not in str(other)


def test_a_late_correction_notice_is_flagged_on_the_page(client_as, calendar, depts, staff):
    r = visit(depts, staff, when=datetime(2026, 9, 21, 10, tzinfo=TZ))
    svc.information_request_correction_notice(request=r, text="请补正。", by=staff["handler"],
                                              now=datetime(2026, 10, 9, 10, tzinfo=TZ))
    body = client_as("handler").get(reverse("disclosure:request_detail", args=[r.number])).content.decode()
    assert 'data-testid="notice-late"' in body and "2026-10-08 17:30" in body


def test_bad_input_on_the_staff_forms_is_a_400_and_stores_nothing(calendar, depts, staff):
    from xiaoneng.disclosure.models import InformationRequestEvent, RequestReview

    r = visit(depts, staff)
    other = visit(depts, staff, "b", name="赵六")
    svc.information_request_answer(request=other, answer_type="disclosed", text="予以公开。", by=staff["handler_b"],
                                   now=timezone.now())
    foreign = svc.request_review_record(request=other, kind="review", filed_on=timezone.localdate(),
                                        by=staff["supervisor"], now=timezone.now())
    events = InformationRequestEvent.objects.count()
    window, head, sup = _login(staff, "window"), _login(staff, "head"), _login(staff, "supervisor")
    url = reverse("disclosure:request_register")
    base = {"department": "TA", "channel": "letter", "applicant_kind": "person", "applicant_name": "孙七",
            "address": "x", "description": "某文件"}
    for when in ("0001-01-01T00:00", "9999-12-31T23:59", "2026-13-45T10:00", "x" * 300):
        assert window.post(url, {**base, "received_at": when}).status_code == 400, when
    for phone in ("=cmd|' /C calc'!A0", "1" * 40):
        assert window.post(url, {**base, "received_at": "2026-10-09T09:00", "phone": phone}).status_code == 400
    do = lambda name: reverse("disclosure:request_action", args=[r.number, name])  # noqa: E731
    for wd in ("99999999999999999999", "-1", "0", "NaN", ""):
        assert head.post(do("extend"), {"extend-wd": wd, "extend-reason": "x"}).status_code == 400, wd
    assert head.post(do("answer"), {"answer-answer_type": "disclosed", "answer-text": "x",
                                    "answer-fee": "1e309"}).status_code == 400
    assert head.post(do("assign"), {"assign-handler": str(staff["handler_b"].pk)}).status_code == 400
    # Another bureau's review under this bureau's number: not there.
    decide = reverse("disclosure:request_review_decide", args=[r.number, foreign.pk])
    assert sup.post(decide, {f"rv{foreign.pk}-result": "upheld"}).status_code == 404
    r.refresh_from_db()
    assert (r.status, r.extension_wd, r.handler_id) == ("received", 0, None)
    assert InformationRequest.objects.count() == 2 and InformationRequestEvent.objects.count() == events
    assert RequestReview.objects.get().result == "pending"
