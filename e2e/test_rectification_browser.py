"""Browser test of 差评整改: a department handler rectifies a bad rating (核实, 整改, 回访 for a named rating),
submits it, and the office accepts it. Screenshots: the department's list, the detail page on a desktop and at
a phone's width (rater masked for a handler not yet assigned), the office's review queue and the accepted page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from e2e.conftest import login, shot
from xiaoneng.ratings.models import Rectification
from xiaoneng.ratings.tests.rectify_helpers import open_rectification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rect(calendar, depts, staff):
    from xiaoneng.supervision.defaults import rules_ensure_defaults

    rules_ensure_defaults()  # a transactional test flushes the rules
    when = timezone.now() - timedelta(days=1)
    return open_rectification(depts["a"], when=when, level=1, rater_name="王小明", rater_phone="13912345678",
                              comment="窗口人员态度生硬，让我跑了三趟。王小明 13912345678")


def test_a_handler_rectifies_and_the_office_accepts(page, phone_page, browser, live_server, rect):
    # The department: the list, then the page at a phone's width (the rater masked: not yet assigned).
    login(phone_page, "handler_a")
    phone_page.goto(f"/staff/ratings/rectifications/{rect.number}/")
    rater = phone_page.inner_text("[data-testid=rater]")
    assert "王**" in rater and "13912345678" not in phone_page.inner_text("main")
    shot(phone_page, "rectification-detail-phone")

    login(page, "handler_a")
    page.goto("/staff/ratings/rectifications/")
    assert rect.number in page.inner_text("main")
    shot(page, "rectification-list")
    page.click(f"text={rect.number}")
    page.wait_for_selector("[data-testid=form-work]")
    # Submitting without the call-back of a named rating is refused beside the field.
    page.fill("#work-verification", "经调取窗口监控核实，工作人员答复生硬属实。")
    page.fill("#work-action", "已对当事人批评教育，窗口增设导办员，一次性告知清单张贴上墙。")
    page.click("[data-testid=submit]")
    page.wait_for_selector("#work-callback_at-err")
    assert "实名差评须全部回访" in page.inner_text("#work-callback_at-err")
    shot(page, "rectification-detail-error")
    called = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#work-callback_at", called)
    page.check("#work-callback_reached")
    page.fill("#work-callback_result", "已电话向评价人致歉并说明整改措施，评价人表示认可。")
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=整改情况已提交效能办审核。")
    assert page.inner_text("[data-testid=status]") == "待审核"
    # The handler who submitted is now its handler and reads the rater in full.
    assert "13912345678" in page.inner_text("[data-testid=rater]")
    shot(page, "rectification-detail-submitted")

    # The office: the review queue, then accept.
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    office = ctx.new_page()
    login(office, "supervisor")
    office.goto("/staff/ratings/rectifications/review/")
    assert rect.number in office.inner_text("main")
    shot(office, "rectification-review-queue")
    office.click(f"text={rect.number}")
    office.wait_for_selector("[data-testid=form-review]")
    office.check("#review-decision_0")
    office.fill("#review-note", "核实、整改、回访到位，同意销号。")
    office.click("[data-testid=form-review] button[type=submit]")
    office.wait_for_selector("text=整改已审核通过。")
    assert office.inner_text("[data-testid=status]") == "已通过"
    assert "按期整改" in office.inner_text("main")
    shot(office, "rectification-detail-accepted")
    ctx.close()
    r = Rectification.objects.get(pk=rect.pk)
    assert r.status == "accepted" and r.on_time is True and r.callback_reached and r.closed_at is not None
