"""Browser tests of the 好差评 channels (issue 12 §1, §5): an applicant rates an ended case from its one-time
link on a phone (不满意 with two reasons), then the link says it is used; a clerk records a window contact and
pushes it to the counter tablet (a second browser context at tablet size, paired through its one-time URL),
where the applicant rates it. Screenshots are saved (Chinese text, big buttons, no overflow at 375 px)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from e2e.conftest import login, shot
from xiaoneng.cases.ingest import case_events_ingest
from xiaoneng.cases.models import Case
from xiaoneng.catalog.services import service_item_create
from xiaoneng.ratings.defaults import reasons_ensure_defaults
from xiaoneng.ratings.models import Channel, Rating, WindowContact
from xiaoneng.ratings.services import contacts as S
from xiaoneng.ratings.services.links import link_for_case
from xiaoneng.supervision.tests.conftest import ITEM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(calendar, depts, staff):
    reasons_ensure_defaults()  # a transactional test flushes what the data migration made
    item = service_item_create(department=depts["a"], data={**ITEM, "code": "SP001"}, by=None,
                               now=timezone.now() - dt.timedelta(days=30))
    return {"item": item, "staff": staff}


def ended_case(case_no="SP2026-000731"):
    now = timezone.now().replace(microsecond=0)
    start = now - dt.timedelta(days=2)
    evs = [{"event_id": f"{case_no}-1", "case_no": case_no, "service_code": "SP001", "type": "received",
            "occurred_at": start.isoformat(), "handler": "handler_a",
            "applicant": {"name": "张三", "id_no": "330102199001011234", "phone": "13812345678"}},
           {"event_id": f"{case_no}-2", "case_no": case_no, "service_code": "SP001", "type": "accepted",
            "occurred_at": start.isoformat()},
           {"event_id": f"{case_no}-3", "case_no": case_no, "service_code": "SP001", "type": "completed",
            "occurred_at": (now - dt.timedelta(hours=1)).isoformat()}]
    res = case_events_ingest(events=evs, now=now, source="e2e")
    assert not res.errors, res.errors
    return Case.objects.get(case_no=case_no)


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_an_applicant_rates_a_case_from_the_link_on_a_phone(browser, live_server, world):
    case = ended_case()
    link = link_for_case(case, timezone.now())
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}, device_scale_factor=2,
                              is_mobile=True, has_touch=True, base_url=live_server.url)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"/r/{link.token}/")
        assert "政务服务好差评" in page.content() and "张三" not in page.content()
        assert page.locator("[data-testid=case-no]").inner_text() == "SP20*****0731"
        assert _overflow(page) <= 0
        box = page.locator("[data-testid=level-2]").bounding_box()
        assert box["height"] >= 60 and box["width"] >= 300  # big, full-width buttons
        shot(page, "ratings-link-levels-phone")
        page.click("[data-testid=level-2]")
        page.wait_for_selector("[data-testid=chosen-level]")
        assert "不满意" in page.locator("[data-testid=chosen-level]").inner_text()
        page.click("[data-testid=reason-multiple-trips]")
        page.click("[data-testid=reason-poor-attitude]")
        page.fill("#rate-comment", "跑了三次才办好，窗口说法前后不一。")
        assert page.locator("#rate-comment-count").inner_text() == "17"
        assert _overflow(page) <= 0
        shot(page, "ratings-link-reasons-phone")
        page.click("[data-testid=rate-submit]")
        page.wait_for_selector("[data-testid=rate-thanks]")
        shot(page, "ratings-link-thanks-phone")
        rating = Rating.objects.get(case=case)
        assert (rating.level, rating.channel, sorted(rating.reasons)) == (2, Channel.LINK, ["multiple-trips", "poor-attitude"])
        page.goto(f"/r/{link.token}/")
        assert "已于" in page.locator("[data-testid=rate-rated]").inner_text()
        shot(page, "ratings-link-used-phone")
    finally:
        ctx.close()


def test_a_clerk_pushes_a_window_contact_to_the_tablet(browser, live_server, page, world):
    staff = world["staff"]
    kiosk = S.kiosk_create(by=staff["window"], name="3号窗口", now=timezone.now())
    tablet_ctx = browser.new_context(locale="zh-CN", viewport={"width": 768, "height": 1024}, has_touch=True,
                                     base_url=live_server.url)
    tablet = tablet_ctx.new_page()
    tablet.set_default_timeout(20000)
    try:
        # The clerk opens the tablet's pairing page; the tablet opens the one-time link and pairs.
        login(page, "window_a")
        page.goto(f"/staff/ratings/kiosks/{kiosk.pk}/pairing/")
        url = page.locator("[data-testid=pairing-url]").inner_text().strip()
        shot(page, "ratings-kiosk-pairing")
        tablet.goto(url)
        tablet.click("[data-testid=kiosk-pair-submit]")
        tablet.wait_for_selector("[data-testid=kiosk-idle]")
        assert "欢迎评价我们的服务" in tablet.content()
        shot(tablet, "ratings-kiosk-idle-tablet")
        # The clerk records a consultation on the fast form and pushes it to the tablet.
        page.goto("/staff/ratings/window/")
        page.select_option("#id_kind", "consultation")
        page.select_option("#id_service_item", "SP001")
        page.fill("#id_window_name", "3号窗口")
        page.fill("#id_note", "咨询食品经营许可办理条件")
        page.click("[data-testid=contact-submit]")
        page.wait_for_selector("[data-testid=contacts] >> text=CK")
        contact = WindowContact.objects.get()
        shot(page, "ratings-window-contacts")
        page.click(f"[data-testid=push-{contact.number}]")
        page.wait_for_selector(".alert-success")
        # The tablet's polling brings the prompt; the applicant taps 满意 and a reason.
        tablet.wait_for_selector("[data-testid=level-4]")
        assert "食品经营许可证核发" in tablet.content()
        box = tablet.locator("[data-testid=level-4]").bounding_box()
        assert box["height"] >= 80
        shot(tablet, "ratings-kiosk-prompt-tablet")
        tablet.click("[data-testid=level-4]")
        tablet.wait_for_selector("[data-testid=chosen-level]")
        tablet.click("[data-testid=reason-warm-service]")
        shot(tablet, "ratings-kiosk-reasons-tablet")
        tablet.click("[data-testid=rate-submit]")
        tablet.wait_for_selector("[data-testid=kiosk-message]")
        assert "感谢您的评价" in tablet.content()
        shot(tablet, "ratings-kiosk-thanks-tablet")
        rating = Rating.objects.get(contact=contact)
        assert (rating.level, rating.channel, rating.reasons) == (4, Channel.KIOSK, ["warm-service"])
    finally:
        tablet_ctx.close()


def test_a_printed_one_time_notice_carries_the_rating_qr(page, world):
    from xiaoneng.cases.services import case_request_supplement

    now = timezone.now().replace(microsecond=0)
    res = case_events_ingest(events=[{
        "event_id": "QR-1", "case_no": "SP2026-000800", "service_code": "SP001", "type": "received",
        "occurred_at": (now - dt.timedelta(hours=2)).isoformat(),
        "applicant": {"name": "张三", "id_no": "330102199001011234", "phone": "13812345678"}}], now=now, source="e2e")
    assert not res.errors
    case = Case.objects.get(case_no="SP2026-000800")
    doc = case_request_supplement(case=case, materials=["食品经营许可申请书"], by=world["staff"]["window"], now=now)
    login(page, "window_a")
    page.goto(f"/staff/cases/{case.case_no}/documents/{doc.pk}/")
    qr = page.locator("[data-testid=rating-qr]")
    assert "扫码评价本次服务（好差评）" in qr.inner_text() and "办结后即可评价" in qr.inner_text()
    assert qr.locator("img").bounding_box()["width"] >= 100
    shot(page, "ratings-document-qr")
