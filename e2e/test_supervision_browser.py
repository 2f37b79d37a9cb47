"""Browser tests of electronic supervision: a supervisor watches the live monitor (cards, charts drawn by
ECharts) and drills down to a case; a handler answers a card from the desk. Screenshots are saved, on a
desktop and on a phone."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.utils import timezone

from e2e.conftest import login, shot
from xiaoneng.cases.ingest import case_events_ingest
from xiaoneng.catalog.services import service_item_create
from xiaoneng.supervision.defaults import rules_ensure_defaults
from xiaoneng.supervision.rulecache import rules_invalidate
from xiaoneng.supervision.services import supervise_tick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM = {
    "name": "食品经营许可证核发", "category": "licensing", "item_type": "committed", "audience": "both",
    "description": "", "conditions": "", "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "statutory_limit_value": 20, "statutory_limit_unit": "wd", "committed_limit_value": 5,
    "committed_limit_unit": "wd", "suspension_allowed": True, "suspension_reasons": ["supplement"],
    "deemed_approval": False, "online": True, "offline": True, "online_url": "", "max_visits": 1,
    "location": "县政务服务中心", "office_hours": "", "phone": "", "complaint_phone": "", "result": "许可证",
    "materials": [{"name": "申请书", "form": "original", "copies": 1, "requirement": "mandatory", "condition": "",
                   "source": "applicant", "blank_form": "", "sample": "", "note": ""}],
    "fees": [],
    "steps": [{"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd", "post": "", "description": ""}],
}


@pytest.fixture
def supervised(calendar, depts, staff, settings):
    """Two overdue open cases of bureau A and a history of decided cases over several months."""
    settings.XIAONENG_CHART_CACHE_SECONDS = 0
    rules_ensure_defaults()  # a transactional test starts from an empty database
    rules_invalidate()
    now = timezone.now()
    for code, name, dept in (("SP001", "食品经营许可证核发", "a"), ("ZR001", "建设用地规划许可证核发", "b")):
        data = copy.deepcopy(ITEM)
        data.update(code=code, name=name)
        service_item_create(department=depts[dept], data=data, by=None, now=now - dt.timedelta(days=400))
    events, n = [], 0

    def add(case_no, type_, when, code="SP001", **kw):
        nonlocal n
        n += 1
        e = {"event_id": f"b{n}", "case_no": case_no, "service_code": code, "type": type_,
             "occurred_at": when.isoformat(), **kw}
        if type_ == "received":
            e["applicant"] = {"name": "李四", "id_no": "", "phone": ""}
        events.append(e)

    for i, days in enumerate((40, 35)):
        start = now - dt.timedelta(days=days)
        add(f"SP-2026-{i + 1:04d}", "received", start, handler="handler_a")
        add(f"SP-2026-{i + 1:04d}", "accepted", start)
    for m in range(1, 7):
        for j in range(4):
            start = now - dt.timedelta(days=30 * m + j)
            no = f"H-{m}-{j}"
            code = "SP001" if j % 2 else "ZR001"
            add(no, "received", start, code)
            add(no, "accepted", start, code)
            add(no, "completed", start + dt.timedelta(days=3 + 6 * (j == 3) + m), code)
            add(no, "delivered", start + dt.timedelta(days=4 + 6 * (j == 3) + m), code)
    res = case_events_ingest(events=events, now=now, source="browser")
    assert not res.errors, res.errors[:3]
    supervise_tick(now=timezone.now())
    return now


def test_supervisor_monitor_charts_and_drill_down(page, supervised):
    login(page, "supervisor")
    page.goto("/staff/supervision/")
    assert page.locator("[data-testid=count-red]").inner_text() != ""
    assert int(page.locator("[data-testid=count-yellow]").inner_text()) >= 1
    assert page.locator("[hx-trigger='every 30s']").count() == 1
    page.wait_for_selector("#monitor-charts[data-ready='1']")
    for chart in ("chart-ontime", "chart-items", "chart-rules"):
        assert page.locator(f"#{chart} canvas").count() >= 1
    shot(page, "supervision-monitor")
    # The trend compares the county with one department chosen in the selector (never ~40 lines at once);
    # each chart's numbers are in a table under it; items carry their department.
    page.select_option("#ontime-dept", index=1)
    page.locator("details:has(#table-ontime) summary").click()
    assert page.locator("#table-ontime thead th").count() == 3
    page.locator("details:has(#table-items) summary").click()
    assert "测试县" in page.locator("#table-items tbody").inner_text()
    page.locator("#monitor-charts").scroll_into_view_if_needed()
    shot(page, "supervision-monitor-trend-department")
    link = page.locator("[data-testid=today-cards] [data-testid=case-link]").first
    case_no = link.inner_text()
    link.click()
    page.wait_for_url(f"**/staff/cases/{case_no}/")
    assert page.locator("h1").first.inner_text().find(case_no) >= 0
    shot(page, "supervision-drill-down-case")


def test_monitor_on_a_phone(phone_page, supervised):
    login(phone_page, "supervisor")
    phone_page.goto("/staff/supervision/")
    phone_page.wait_for_selector("#monitor-charts[data-ready='1']")
    assert phone_page.locator("#chart-rules canvas").count() >= 1
    shot(phone_page, "supervision-monitor-phone")


def test_handler_answers_a_card(page, supervised):
    login(page, "handler_a")
    page.goto("/staff/supervision/desk/")
    shot(page, "supervision-desk")
    page.locator("[data-testid=desk-cards] a").first.click()
    page.wait_for_url("**/staff/supervision/warnings/**")
    page.fill("#id_explain-text", "申请人补充现场核查材料延误，已安排于本周内办结。")
    page.locator("[data-testid=explain-form] button[type=submit]").click()
    page.wait_for_selector("text=已提交情况说明")
    assert page.locator("[data-testid=warning-status]").inner_text() == "已说明"
    shot(page, "supervision-card-answered")


def test_supervisor_sees_the_forms_the_card_status_allows(page, supervised):
    """Issue 11: the card page offers the office the moves transitions.CARD_TRANSITIONS allows from an issued
    card (confirm, withdraw, escalate; no appeal decision) and the order form."""
    login(page, "supervisor")
    page.goto("/staff/supervision/warnings/?status=issued")
    page.locator("tbody a").first.click()
    page.wait_for_url("**/staff/supervision/warnings/**")
    for action in ("confirm", "withdraw", "escalate"):
        assert page.locator(f"form[action$='/{action}/']").count() == 1, action
    assert page.locator("form[action$='/decide/']").count() == 0
    shot(page, "supervision-card-office-forms")


def test_supervisor_sends_a_rectification_proposal_and_prints_it(page, supervised):
    """Issue 10 §3: red cards bring orders and a draft proposal; the office confirms it, numbered, printable."""
    login(page, "supervisor")
    page.goto("/staff/supervision/orders/")
    assert page.locator("tbody tr").count() >= 2 and page.locator("text=自动").count() >= 1
    shot(page, "supervision-orders-automatic")
    page.goto("/staff/supervision/proposals/?status=draft")
    shot(page, "supervision-proposals-drafts")
    page.locator("tbody a").first.click()
    page.wait_for_url("**/staff/supervision/proposals/**")
    assert page.locator("[data-testid=proposal-status]").inner_text() == "待确认"
    page.fill("#id_issue-suggestion", "请立即办结超期办件，查明原因，对相关责任人进行效能告诫。")
    shot(page, "supervision-proposal-draft")
    page.locator("[data-testid=proposal-issue-form] button[type=submit]").click()
    page.wait_for_selector("text=整改建议书已编号发出")
    assert page.locator("[data-testid=proposal-status]").inner_text() == "已发出"
    page.locator("[data-testid=proposal-print]").click()
    page.wait_for_selector("[data-testid=document-number]")
    assert "效建〔" in page.locator("[data-testid=document-number]").inner_text()
    shot(page, "supervision-proposal-print")


def test_rules_monitor_and_steps_read_as_words(page, supervised):
    """Issue 10 §4 seen in a browser: rule thresholds as sentences (not before_wd=2), card ages as 1 个月 1 周
    (not 已 1 月，1 周), a case's step table in county time with step names, selects with a Chinese empty
    choice."""
    import re

    from xiaoneng.cases.ingest import case_events_ingest

    done = supervised - dt.timedelta(days=39, hours=-1)
    res = case_events_ingest(events=[{"event_id": "words-1", "case_no": "SP-2026-0001", "service_code": "SP001",
                                      "type": "step_completed", "step": "accept", "handler": "handler_a",
                                      "occurred_at": done.isoformat()}], now=supervised, source="browser")
    assert not res.errors, res.errors
    login(page, "supervisor")
    page.goto("/staff/supervision/rules/")
    body = page.locator("main").inner_text()
    assert "承诺时限到期前 2 个工作日提醒" in body and "超过承诺时限 1 个工作日以上发牌" in body
    assert "_wd" not in body
    shot(page, "supervision-rules-in-words")
    page.goto("/staff/supervision/rules/committed-reminder/")
    assert page.locator("select#id_scope_department option").first.inner_text() == "请选择"
    page.goto("/staff/supervision/")
    panel = page.locator("main").inner_text()
    assert "已发出 " in panel and not re.search(r"\d+ (月|周|天)，", panel), panel[:400]
    shot(page, "supervision-monitor-ages")
    page.goto("/staff/cases/SP-2026-0001/")
    steps = page.locator("#h-steps").locator("xpath=..").inner_text()
    assert "受理" in steps and "accept" not in steps and not re.search(r"\d{4}-\d\d-\d\dT\d\d:", steps)
    assert timezone.localtime(done).strftime("%Y-%m-%d %H:%M") in steps
    shot(page, "case-steps-local-time")
