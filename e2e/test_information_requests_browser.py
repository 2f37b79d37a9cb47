"""Browser test of information requests (依申请公开) on a phone, no account: a citizen reads what it is, files a
request with an SMS code, keeps the number and tracking code, and tracks it after the department answered;
axe finds no serious or critical violation on any of these public pages. A head then sees the request on the
desk and its page. Screenshots are saved (artefacts/screenshots/)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from e2e.conftest import login, shot
from e2e.test_accessibility import violations
from xiaoneng.core import sms
from xiaoneng.disclosure.models import InformationRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    # axe is injected as a script the pages' CSP would refuse; only this context bypasses the CSP.
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
                              is_mobile=True, has_touch=True, base_url=live_server.url, bypass_csp=True)
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    yield pg
    ctx.close()


@pytest.fixture
def ready(calendar, depts, staff, settings):
    from xiaoneng.supervision.defaults import rules_ensure_defaults

    settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.LocmemBackend"
    sms.outbox.clear()
    rules_ensure_defaults()
    yield staff
    sms.outbox.clear()


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_a_citizen_files_a_request_on_a_phone_and_tracks_it(phone, ready, browser, live_server):
    from xiaoneng.disclosure.services import requests as svc

    page = phone
    page.goto("/information-requests/")
    assert "依申请公开政府信息" in page.content() and "20 个工作日" in page.content()
    assert violations(page) == []
    _no_overflow(page)
    shot(page, "inforequest-home-phone")
    page.click("[data-testid=apply]")
    page.wait_for_url("**/information-requests/new/")
    assert violations(page) == []
    page.select_option("#id_department", "TA")
    page.fill("#id_applicant_name", "张晓明")
    page.fill("#id_id_number", "330102199001011234")
    page.fill("#id_phone", "139 1234 5678")
    page.fill("#id_description", "测试县市场监督管理局 2025 年行政处罚案件的数量统计表")
    page.select_option("#id_delivery", "email")
    page.fill("#id_email", "zhang@example.com")
    page.click("[data-testid=send-code]")
    page.wait_for_selector("[data-testid=code-sent]")
    assert page.input_value("#id_applicant_name") == "张晓明"  # what was typed is kept
    code = re.search(r"\d{6}", sms.outbox[-1][1]).group(0)
    page.fill("#id_sms_code", code)
    _no_overflow(page)
    shot(page, "inforequest-form-phone")
    page.click("[data-testid=submit]")
    page.wait_for_url("**/information-requests/submitted/")
    number = page.inner_text("[data-testid=number]").strip()
    tracking = page.inner_text("[data-testid=tracking-code]").strip()
    assert number.startswith("YSQ-") and len(tracking.replace("-", "")) == 12
    assert "17:30" in page.inner_text("[data-testid=due]")
    assert violations(page) == []
    shot(page, "inforequest-receipt-phone")

    # The department answers (the services, as its staff would) and publishes the answer.
    req = InformationRequest.objects.get(number=number)
    svc.information_request_answer(request=req, answer_type="partial", text="部分公开：统计表见电子邮件附件，涉及个人信息的部分已删除。",
                                   by=ready["handler"], now=timezone.now())

    # A wrong code answers like an unknown number.
    page.goto("/information-requests/track/")
    page.fill("#id_number", number)
    page.fill("#id_code", "AAAA-BBBB-CCCC")
    page.click("[data-testid=track]")
    page.wait_for_selector("[data-testid=not-found]")
    page.fill("#id_number", number)
    page.fill("#id_code", tracking.lower())
    page.click("[data-testid=track]")
    page.wait_for_selector("[data-testid=status]")
    text = page.inner_text("main")
    assert "已答复" in text and "部分公开" in text and "统计表见电子邮件附件" in text
    for secret in ("张晓明", "13912345678", "330102199001011234", "zhang@example.com"):
        assert secret not in page.content()
    assert violations(page) == []
    _no_overflow(page)
    shot(page, "inforequest-track-phone")


def test_the_head_sees_the_request_on_the_desk(page, ready):
    from xiaoneng.disclosure.services import requests as svc

    now = timezone.now()
    req = svc.information_request_submit(department=ready["head"].department, channel="visit",
                                         applicant_kind="person", applicant_name="李建国", phone="13812345678",
                                         address="测试县人民路 18 号", description="某地块的拆迁补偿方案",
                                         by=ready["window"], now=now)
    login(page, "head_a")
    page.goto("/staff/disclosure/requests/")
    assert req.number in page.inner_text("[data-testid=desk]")
    page.click(f"text={req.number}")
    page.wait_for_selector("[data-testid=action-extend]")
    assert "13812345678" in page.inner_text("[data-testid=applicant]")
    shot(page, "inforequest-detail-head")
