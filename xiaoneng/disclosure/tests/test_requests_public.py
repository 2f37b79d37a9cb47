"""The public side of information requests: the form with its SMS code (console/locmem backend), the receipt,
the look-up that needs the number AND its code and never shows who asked, the published answers with personal
data masked, and the limits."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from xiaoneng.core import sms
from xiaoneng.disclosure.models import InformationRequest
from xiaoneng.disclosure.services import requests as svc

TZ = ZoneInfo("Asia/Shanghai")
FORM = {"department": "TA", "applicant_kind": "person", "applicant_name": "张晓明", "id_number": "330102199001011234",
        "phone": "139 1234-5678", "description": "本局 2025 年行政处罚案件统计表", "delivery": "email",
        "email": "zhang@example.com"}


@pytest.fixture(autouse=True)
def _sms(settings, db):
    from xiaoneng.supervision.defaults import rules_ensure_defaults

    settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.LocmemBackend"
    sms.outbox.clear()
    rules_ensure_defaults()
    yield
    sms.outbox.clear()


def _code() -> str:
    phone, text = sms.outbox[-1]
    assert phone == "13912345678"
    return re.search(r"\d{6}", text).group(0)


def test_a_citizen_files_a_request_with_an_sms_code_and_tracks_it(client, calendar, depts):
    url = reverse("disclosure:request_new")
    page = client.get(url).content.decode()
    assert "测试县市场监督管理局" in page and "登记注册科" not in page  # sections do not answer requests
    # Without a code: refused beside the field, nothing stored.
    r = client.post(url, {**FORM, "action": "submit"})
    assert r.status_code == 400 and "请填写短信验证码" in r.content.decode()
    r = client.post(url, {**FORM, "action": "send_code"})
    body = r.content.decode()
    assert r.status_code == 200 and "尾号 5678" in body and "张晓明" in body  # what was typed comes back
    code = _code()
    wrong = "000000" if code != "000000" else "111111"
    r = client.post(url, {**FORM, "action": "submit", "sms_code": wrong})
    assert r.status_code == 400 and "短信验证码不正确" in r.content.decode()
    assert not InformationRequest.objects.exists()
    r = client.post(url, {**FORM, "action": "submit", "sms_code": code})
    assert r.status_code == 302 and r["Location"] == reverse("disclosure:request_submitted")
    req = InformationRequest.objects.get()
    assert req.channel == "online" and req.phone == "13912345678" and req.phone_verified_at is not None
    body = client.get(r["Location"]).content.decode()
    assert req.number in body and svc.tracking_code_display(req.tracking_code) in body
    assert "张晓明" not in body and "13912345678" not in body
    # The code was spent: a second submission needs a new one.
    r = client.post(url, {**FORM, "action": "submit", "sms_code": code})
    assert r.status_code == 400
    # Tracking: number + code → the status, the public events, never the applicant.
    track = reverse("disclosure:request_track")
    r = client.post(track, {"number": req.number.lower(), "code": svc.tracking_code_display(req.tracking_code).lower()})
    body = r.content.decode()
    assert r.status_code == 200 and "已收到待答复" in body and "收到申请" in body
    for secret in ("张晓明", "13912345678", "330102199001011234", "zhang@example.com"):
        assert secret not in body


def test_a_wrong_pair_answers_exactly_like_an_unknown_number(client, calendar, depts, staff):
    req = svc.information_request_submit(department=depts["a"], channel="visit", applicant_kind="person",
                                         applicant_name="李四", address="测试县人民路 1 号", description="某文件",
                                         by=staff["window"], now=datetime(2026, 10, 12, 10, tzinfo=TZ))
    other = svc.information_request_submit(department=depts["b"], channel="visit", applicant_kind="person",
                                           applicant_name="王五", address="x", description="另一文件",
                                           by=staff["supervisor"], now=datetime(2026, 10, 12, 11, tzinfo=TZ))
    track = reverse("disclosure:request_track")
    answers = []
    for number, code in ((req.number, other.tracking_code), ("YSQ-2026-99999", req.tracking_code),
                         (req.number, "")):
        r = client.post(track, {"number": number, "code": code})
        # What was typed comes back in the fields, and the CSRF token changes: the rest must be identical.
        answers.append((r.status_code, re.sub(r'(value|content)="[^"]*"', "", r.content.decode())))
    assert answers[0] == answers[1] and answers[0][0] == 404
    assert "未找到与该申请编号和查询码相符的申请" in answers[0][1] and "李四" not in answers[0][1]
    assert answers[2][0] == 400  # the code is required


def test_the_public_list_shows_published_answers_with_personal_data_masked(client, calendar, depts, staff):
    req = svc.information_request_submit(
        department=depts["a"], channel="visit", applicant_kind="person", applicant_name="李建国",
        phone="13812345678", description="我叫李建国，电话13812345678，请提供人民路 18 号的拆迁补偿方案。",
        by=staff["window"], now=datetime(2026, 10, 12, 10, tzinfo=TZ))
    url = reverse("disclosure:requests_public")
    assert "拆迁补偿" not in client.get(url).content.decode()  # not answered, not published
    svc.information_request_answer(request=req, answer_type="disclosed", text="李建国：方案见附件。", by=staff["head"],
                                   now=datetime(2026, 10, 14, 10, tzinfo=TZ))
    assert "拆迁补偿" not in client.get(url).content.decode()  # answered, not published
    svc.information_request_publish(request=req, publish=True, by=staff["supervisor"],
                                    now=datetime(2026, 10, 15, 10, tzinfo=TZ))
    body = client.get(url).content.decode()
    assert "拆迁补偿方案" in body and "予以公开" in body and "测试县市场监督管理局" in body
    for secret in ("李建国", "13812345678"):
        assert secret not in body
    assert "2026-10-14" in body and "T0" not in body  # county time, never ISO


def test_the_form_is_rate_limited_per_phone(client, calendar, depts, settings):
    settings.XIAONENG_INFOREQUEST_RATES = {"sms_phone": (2, 3600)}
    url = reverse("disclosure:request_new")
    for _i in range(2):
        assert client.post(url, {**FORM, "action": "send_code"}).status_code == 200
    r = client.post(url, {**FORM, "action": "send_code"})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0 and "过于频繁" in r.content.decode()
    assert len(sms.outbox) == 2
    r = client.post(url, {**FORM, "phone": "12345", "action": "send_code"})
    assert r.status_code == 400 and "手机号码格式不正确" in r.content.decode()


def test_the_look_up_is_rate_limited(client, calendar, depts, settings):
    settings.XIAONENG_INFOREQUEST_RATES = {"track_ip": (3, 3600)}
    track = reverse("disclosure:request_track")
    codes = [client.post(track, {"number": "YSQ-2026-00001", "code": "ABCD"}).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_five_wrong_codes_need_a_new_one(client, calendar, depts):
    url = reverse("disclosure:request_new")
    client.post(url, {**FORM, "action": "send_code"})
    code = _code()
    wrong = "000000" if code != "000000" else "111111"
    for _i in range(5):
        assert "短信验证码不正确" in client.post(url, {**FORM, "action": "submit", "sms_code": wrong}).content.decode()
    body = client.post(url, {**FORM, "action": "submit", "sms_code": code}).content.decode()
    assert "错误次数过多" in body and not InformationRequest.objects.exists()


def test_the_published_answers_list_has_a_fixed_number_of_queries(client, calendar, depts, staff,
                                                                  django_assert_max_num_queries):
    def publish(i):
        req = svc.information_request_submit(
            department=depts["a" if i % 2 else "b"], channel="visit", applicant_kind="person",
            applicant_name=f"申请人{i}", address="x", description=f"文件{i}", by=staff["supervisor"],
            now=datetime(2026, 10, 12, 10, tzinfo=TZ))
        svc.information_request_answer(request=req, answer_type="disclosed", text="予以公开。",
                                       by=staff["head"] if i % 2 else staff["handler_b"],
                                       now=datetime(2026, 10, 13, 10, tzinfo=TZ))
        svc.information_request_publish(request=req, publish=True, by=staff["supervisor"],
                                        now=datetime(2026, 10, 13, 11, tzinfo=TZ))

    url = reverse("disclosure:requests_public")
    publish(1)
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
    for i in range(2, 8):
        publish(i)
    with django_assert_max_num_queries(6):
        body = client.get(url).content.decode()
    assert body.count("予以公开。") == 7
