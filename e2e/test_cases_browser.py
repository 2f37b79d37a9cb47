"""Browser tests of window registration (受理登记) and the case pages: a window staff member registers a case,
issues a one-time notice listing all missing materials, prints it, then accepts once the materials are
complete; a refusal needs a written reason and produces a printable decision; another bureau's handler
cannot see the case; the list and the case page read on a phone. Screenshots are saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from e2e.conftest import login, shot
from xiaoneng.cases.models import Case, CaseDocument
from xiaoneng.cases.services import case_register, case_request_supplement
from xiaoneng.catalog.demo import RENEWAL_DEEMED_BASIS
from xiaoneng.catalog.services import service_item_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MATERIALS = ["食品经营许可申请书", "营业执照", "食品安全管理制度文本", "经营场所平面布局图"]

ITEM = {
    "code": "SP001", "name": "食品经营许可证核发", "category": "licensing", "item_type": "committed",
    "audience": "both", "description": "", "conditions": "",
    "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "statutory_limit_value": 20, "statutory_limit_unit": "wd", "committed_limit_value": 10,
    "committed_limit_unit": "wd", "suspension_allowed": True, "suspension_reasons": ["supplement"],
    "deemed_approval": False, "online": True, "offline": True, "online_url": "", "max_visits": 1,
    "location": "县政务服务中心", "office_hours": "", "phone": "", "complaint_phone": "", "result": "食品经营许可证",
    "materials": [{"name": m, "form": "original", "copies": 1, "source": "applicant"} for m in MATERIALS],
    "fees": [],
    "steps": [
        {"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd", "post": "综合窗口"},
        {"kind": "review", "name": "审核", "limit_value": 5, "limit_unit": "wd", "post": "许可科"},
    ],
}


@pytest.fixture
def item(calendar, depts, staff):
    return service_item_create(department=depts["a"], data=ITEM, by=None,
                               now=timezone.now() - dt.timedelta(days=30))


def _no_horizontal_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _width(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["width"]


def test_window_registers_notifies_and_accepts(page, item):
    login(page, "window_a")
    page.goto("/staff/cases/")
    page.click("[data-testid=case-register]")
    page.wait_for_selector("[data-testid=register-form]")
    page.select_option("#id_item", "SP001")
    page.fill("#id_applicant_name", "张三丰")
    page.fill("#id_applicant_id_no", "330102199001011234")
    page.fill("#id_applicant_phone", "13812345678")
    shot(page, "cases-register")
    page.click("[data-testid=register-form] button[type=submit]")
    page.wait_for_selector("[data-testid=case-status]")
    case = Case.objects.get()
    assert page.url.endswith(f"/staff/cases/{case.case_no}/")
    assert page.inner_text("[data-testid=case-status]") == "已接件"
    assert "已登记办件" in page.content()
    assert page.inner_text("[data-testid=applicant]").startswith("张三丰")
    basic = page.inner_text("section[aria-labelledby=h-basic]")
    assert "首问责任人\nwindow_a" in basic or "首问责任人\twindow_a" in basic, basic
    shot(page, "cases-received")

    # One-time notice: every material of the checklist is offered; tick them all.
    page.click("[data-testid=case-supplement]")
    page.wait_for_selector("input[name=materials]")
    boxes = page.locator("input[name=materials]")
    assert boxes.count() == len(MATERIALS)
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.fill("#id_note", "复印件须加盖公章")
    shot(page, "cases-supplement-form")
    page.click("form button[type=submit].btn-warning")
    page.wait_for_selector("[data-testid=document]")
    doc = CaseDocument.objects.get()
    assert doc.kind == CaseDocument.Kind.ONE_TIME_NOTICE and doc.missing_materials == MATERIALS
    text = page.inner_text("[data-testid=document]")
    assert "一次性告知书" in text
    number = page.inner_text("[data-testid=document-number]")
    assert number == doc.number_text and "〔" in number and "第1号" in number
    assert [li.strip() for li in page.locator("[data-testid=missing-materials] li").all_inner_texts()] == MATERIALS
    assert "第三十二条" in text  # legal basis
    assert "行政复议" in text and "行政诉讼" in text and "六十日" in text and "六个月" in text
    assert "复印件须加盖公章" in text
    shot(page, "cases-notice")
    page.emulate_media(media="print")
    assert not page.locator("button[data-print]").is_visible()
    # The printed notice is the document alone: no platform header, no "issued" message.
    assert not page.locator("header").is_visible()
    assert not page.locator("main > .alert").first.is_visible()
    shot(page, "cases-notice-print")
    page.emulate_media(media="screen")

    # Back on the case: supplementing; the applicant brings the materials, the window accepts.
    page.goto(f"/staff/cases/{case.case_no}/")
    assert page.inner_text("[data-testid=case-status]") == "补正中"
    assert doc.number_text in page.inner_text("[data-testid=documents]")
    page.click("[data-testid=case-accept]")
    page.wait_for_selector("text=已受理，开始计时。")
    case.refresh_from_db()
    assert case.status == "accepted" and case.committed_deadline is not None
    assert page.inner_text("[data-testid=case-status]") == "已受理"

    clock = page.inner_text("[data-testid=clock]")
    assert "起算" in clock and "第 0 日" in clock  # 受理当日 in office hours, 起算当日 after the close (real time)
    assert "10 个工作日" in clock and "20 个工作日" in clock
    local = timezone.localtime(case.committed_deadline)
    assert page.inner_text("[data-testid=committed-deadline]") == local.strftime("%Y-%m-%d %H:%M")
    assert page.inner_text("[data-testid=statutory-deadline]") == timezone.localtime(
        case.statutory_deadline).strftime("%Y-%m-%d %H:%M")
    # Ten working days always span a weekend: the skipped days are named.
    assert "周末" in page.inner_text("[data-testid=skipped]")
    assert "补正" in page.inner_text("[data-testid=suspensions]")
    timeline = page.inner_text("[data-testid=timeline]")
    for label in ("接件", "一次性告知补正", "受理"):
        assert label in timeline
    assert "需补正的全部材料：食品经营许可申请书、营业执照、食品安全管理制度文本、经营场所平面布局图；补正要求：复印件须加盖公章" \
        in timeline
    shot(page, "cases-accepted")


def test_refusal_needs_a_reason_and_gives_a_decision(page, item, staff):
    case = case_register(item=item, by=staff["window"], now=timezone.now(), applicant={"name": "钱七"})
    login(page, "window_a")
    page.goto(f"/staff/cases/{case.case_no}/")
    page.click("[data-testid=case-refuse]")
    page.wait_for_selector("#id_reason")
    page.click("form button[type=submit].btn-danger")
    page.wait_for_selector("#id_reason.is-invalid")
    error = page.inner_text("#reason-err")
    assert "请写明不予受理的理由" in error, error
    assert page.locator("#id_reason[aria-describedby=reason-err]").count() == 1
    shot(page, "cases-refuse-error")
    case.refresh_from_db()
    assert case.status == "received" and not CaseDocument.objects.exists()

    page.fill("#id_reason", "申请事项不属于本机关职权范围，请向测试县自然资源局申请。")
    page.click("form button[type=submit].btn-danger")
    page.wait_for_selector("[data-testid=document]")
    doc = CaseDocument.objects.get()
    assert doc.kind == CaseDocument.Kind.REFUSAL_DECISION
    text = page.inner_text("[data-testid=document]")
    assert "不予受理决定书" in text
    assert page.inner_text("[data-testid=document-number]") == doc.number_text and "不受〔" in doc.number_text
    assert "职权范围" in page.inner_text("[data-testid=refusal-reason]")
    assert "第三十二条" in text and "测试县人民政府" in text and "行政复议" in text and "行政诉讼" in text
    shot(page, "cases-refusal-decision")
    page.goto(f"/staff/cases/{case.case_no}/")
    assert page.inner_text("[data-testid=case-status]") == "不予受理"
    assert page.locator("[data-testid=case-accept]").count() == 0
    assert page.locator("[data-testid=case-refuse]").count() == 0


def test_other_bureau_cannot_open_case_or_notice(page, item, staff):
    case = case_register(item=item, by=staff["window"], now=timezone.now(), applicant={"name": "赵六"})
    doc = case_request_supplement(case=case, materials=["营业执照"], by=staff["window"], now=timezone.now())
    login(page, "handler_b")
    for url in (f"/staff/cases/{case.case_no}/", f"/staff/cases/{case.case_no}/documents/{doc.pk}/",
                f"/staff/cases/{case.case_no}/supplement/", f"/staff/cases/{case.case_no}/refuse/"):
        response = page.goto(url)
        assert response.status == 404, url
        assert "赵六" not in page.content()
    shot(page, "cases-other-bureau-404")
    page.goto("/staff/cases/")
    assert case.case_no not in page.inner_text("[data-testid=case-table]")


def test_list_and_case_page_on_a_phone(phone_page, item, staff):
    page = phone_page
    now = timezone.now()
    case = None
    for i, name in enumerate(("孙八", "周九", "吴十")):
        case = case_register(item=item, by=staff["window"], now=now - dt.timedelta(hours=3 - i),
                             applicant={"name": name, "id_no": "330102199001011234", "phone": "13812345678"})
    case_request_supplement(case=case, materials=MATERIALS[:2], by=staff["window"], now=now)
    login(page, "window_a")
    page.goto("/staff/cases/")
    assert page.locator("[data-testid=case-table] tbody tr").count() == 3
    assert _no_horizontal_scroll(page) <= 0
    # Chinese text columns are not squeezed to one character a line (the table scrolls sideways instead).
    assert _width(page, "[data-testid=case-table] tbody td.xn-text") >= 100
    shot(page, "cases-list-phone")
    page.goto(f"/staff/cases/{case.case_no}/")
    page.wait_for_selector("[data-testid=clock]")
    assert _no_horizontal_scroll(page) <= 0
    assert page.locator("[data-testid=case-supplement]").is_visible()
    assert _width(page, "[data-testid=timeline] tbody td.xn-text-wide") >= 200
    assert _width(page, "[data-testid=suspensions] tbody td.xn-text") >= 100
    shot(page, "cases-detail-phone")


def test_head_extends_assigns_and_deemed_notice_prints(page, calendar, staff, depts):
    """A head extends the review period under §42 (the statutory deadline moves, the committed one stays),
    assigns the handler, and the deemed-approval notice prints; the English page reads English. The item is a
    renewal that records its legal basis for deemed approval: an item without one is never deemed approved."""
    from xiaoneng.cases.services import case_accept, case_deemed_approval_record

    now = timezone.now()
    item = service_item_create(department=depts["a"], data=dict(ITEM, code="YX001", name="食品经营许可证延续",
                                                                deemed_approval=True,
                                                                deemed_approval_basis=RENEWAL_DEEMED_BASIS),
                               by=None, now=now - dt.timedelta(days=30))
    case = case_register(item=item, by=staff["window"], now=now - dt.timedelta(hours=2), case_no="EXT-1",
                         applicant={"name": "张三丰", "id_no": "330102199001011234", "phone": "13812345678"})
    case_accept(case=case, by=staff["window"], now=now - dt.timedelta(hours=1))
    before = Case.objects.get(pk=case.pk)
    login(page, "head_a")
    page.goto("/staff/cases/EXT-1/")
    page.click("[data-testid=case-extend]")
    page.fill("#id_granted_days", "12")
    page.fill("#id_reason", "需组织专家现场核查经营场所")
    page.click("[data-testid=extend-submit]")
    assert "不能超过 10 个工作日" in page.content()
    shot(page, "cases-extend-error")
    page.fill("#id_granted_days", "10")
    page.click("[data-testid=extend-submit]")
    page.wait_for_selector("[data-testid=extension-text]")
    assert "审查期限延长 10 个工作日" in page.inner_text("[data-testid=extension-text]")
    shot(page, "cases-extension-notice")
    after = Case.objects.get(pk=case.pk)
    assert after.statutory_deadline > before.statutory_deadline
    assert after.committed_deadline == before.committed_deadline

    page.goto("/staff/cases/EXT-1/")
    page.select_option("[data-testid=handler-form] select", str(staff["handler"].pk))
    page.fill("[data-testid=handler-form] input[name=reason]", "原承办人外出学习，改由其办理。")
    page.click("[data-testid=handler-form] button[type=submit]")
    page.wait_for_selector("text=已指定承办人")
    assert page.inner_text("[data-testid=handler]").startswith("handler_a")
    assert "10" in page.inner_text("[data-testid=statutory-extension]")
    row = page.inner_text("[data-testid=timeline-assignment]")  # 办理过程 says who, to whom and why
    assert "承办人" in row and "原承办人外出学习，改由其办理。" in row
    shot(page, "cases-detail-extended")

    case_deemed_approval_record(marks=[(case.pk, after.statutory_deadline)], now=now)
    doc = CaseDocument.objects.get(case=case, kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE)
    page.goto(f"/staff/cases/EXT-1/documents/{doc.pk}/")
    assert "视为准予许可" in page.inner_text("[data-testid=deemed-text]")
    shot(page, "cases-deemed-notice")
    page.goto("/staff/cases/EXT-1/")
    assert page.is_visible("[data-testid=deemed-approved]") and page.is_visible("[data-testid=applicant-messages]")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])
    page.goto("/staff/cases/EXT-1/")
    clock = page.inner_text("[data-testid=clock]")
    assert "extended by 10 working days" in clock and "working days" in clock and "星期" not in clock
    shot(page, "cases-detail-extended-en")


def test_a_void_deemed_approval_notice_says_so_on_a_phone(phone_page, calendar, depts, staff):
    """超时默许告知书 issued by the tick, then undone by a decision reported late: the notice stays, marked void,
    and the case's document list says so."""
    from xiaoneng.cases.services import case_events_ingest
    from xiaoneng.supervision.defaults import rules_ensure_defaults
    from xiaoneng.supervision.rulecache import rules_invalidate
    from xiaoneng.supervision.services import supervise_tick

    rules_ensure_defaults()  # a transactional test starts from an empty database (an earlier one flushed it)
    rules_invalidate()
    now = timezone.now()
    service_item_create(department=depts["a"], data=dict(ITEM, code="MY001", name="药品经营许可证延续",
                                                         deemed_approval=True,
                                                         deemed_approval_basis=RENEWAL_DEEMED_BASIS),
                        by=None, now=now - dt.timedelta(days=120))
    received = (now - dt.timedelta(days=60)).replace(hour=9, minute=30)

    def ev(eid, etype, at, **kw):
        return {"event_id": eid, "case_no": "MY-1", "service_code": "MY001", "type": etype,
                "occurred_at": at.isoformat(), **kw}

    case_events_ingest(events=[ev("e1", "received", received, applicant={"name": "李四", "phone": "13800000000"}),
                               ev("e2", "accepted", received)], now=received + dt.timedelta(hours=1))
    supervise_tick(now=now)
    notice = CaseDocument.objects.get(case__case_no="MY-1", kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE)
    case_events_ingest(events=[ev("e3", "completed", received + dt.timedelta(days=10))], now=now)
    login(phone_page, "head_a")
    phone_page.goto(f"/staff/cases/MY-1/documents/{notice.pk}/")
    banner = phone_page.locator("[data-testid=document-void]")
    assert banner.is_visible() and "作废" in banner.inner_text()
    assert _no_horizontal_scroll(phone_page) <= 1
    shot(phone_page, "case-deemed-notice-void-phone")
    phone_page.goto("/staff/cases/MY-1/")
    assert "已作废" in phone_page.locator("[data-testid=documents]").inner_text()
