"""Printed documents of issue 10, looked at in a real browser: a §45 special-procedure notice (特别程序告知书)
and a denial decision (不予行政许可决定书) issued from the case page, and a deemed-approval notice
(超时默许告知书) the platform recorded after the case had been granted late. Each is screenshot as printed
(print media) for a person to read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from e2e.conftest import login, shot
from xiaoneng.cases.models import Case, CaseDocument
from xiaoneng.cases.services import case_deemed_approval_record, case_events_ingest
from xiaoneng.catalog.demo import RENEWAL_DEEMED_BASIS
from xiaoneng.catalog.services import service_item_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM = {
    "code": "SP001", "name": "食品经营许可证核发", "category": "licensing", "item_type": "committed",
    "audience": "both", "description": "", "conditions": "",
    "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "statutory_limit_value": 20, "statutory_limit_unit": "wd", "committed_limit_value": 10,
    "committed_limit_unit": "wd", "suspension_allowed": True,
    "suspension_reasons": ["supplement", "testing", "expert_review"],
    "deemed_approval": False, "online": True, "offline": True, "online_url": "", "max_visits": 1,
    "location": "县政务服务中心", "office_hours": "", "phone": "0571-88886666", "complaint_phone": "",
    "result": "食品经营许可证",
    "materials": [{"name": "食品经营许可申请书", "form": "original", "copies": 1, "source": "applicant"}],
    "fees": [],
    "steps": [
        {"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd", "post": "综合窗口"},
        {"kind": "review", "name": "审核", "limit_value": 5, "limit_unit": "wd", "post": "许可科"},
    ],
}


def _ev(no, code, eid, etype, at, **kw):
    return {"event_id": eid, "case_no": no, "service_code": code, "type": etype, "occurred_at": at.isoformat(), **kw}


def _open_case(no: str, code: str, received: dt.datetime) -> Case:
    case_events_ingest(events=[
        _ev(no, code, f"{no}-1", "received", received,
            applicant={"name": "张三丰", "id_no": "330102199001011234", "phone": "13812345678"}),
        _ev(no, code, f"{no}-2", "accepted", received + dt.timedelta(minutes=10)),
    ], now=received + dt.timedelta(minutes=20))
    return Case.objects.get(case_no=no)


def _print_shot(page, name: str) -> None:
    page.emulate_media(media="print")
    shot(page, name)
    page.emulate_media(media="screen")


def test_special_procedure_notice_and_denial_decision_are_issued_and_printed(page, calendar, depts, staff):
    now = timezone.now()
    service_item_create(department=depts["a"], data=ITEM, by=None, now=now - dt.timedelta(days=30))
    received = (now - dt.timedelta(days=3)).replace(hour=9, minute=30)
    _open_case("SP-1", "SP001", received)

    login(page, "handler_a")
    page.goto("/staff/cases/SP-1/")
    page.click("[data-testid=case-special]")
    page.select_option("#id_procedure", "testing")
    page.fill("#id_expected_days", "8")
    page.fill("#id_reason", "需对送检样品进行微生物指标检测，检测由有资质的检验机构完成")
    page.click("[data-testid=special-submit]")
    page.wait_for_selector("[data-testid=special-text]")
    text = page.inner_text("[data-testid=document]")
    assert "特别程序告知书" in text and "需要进行检测" in text and "预计需要 8 个工作日" in text
    assert "第四十五条" in text and "不计算在本机关作出行政许可决定的期限内" in text and "0571-88886666" in text
    _print_shot(page, "document-special-procedure-notice-print")
    page.click("text=返回办件")
    page.wait_for_selector("[data-testid=case-special-end]")
    assert "特别程序（暂停计时）" in page.inner_text("[data-testid=case-status]")
    page.click("[data-testid=case-special-end]")
    page.wait_for_selector("[data-testid=case-status]")
    assert page.inner_text("[data-testid=case-status]") == "已受理"

    page.context.clear_cookies()
    login(page, "head_a")
    page.goto("/staff/cases/SP-1/")
    page.click("[data-testid=case-deny]")
    page.fill("#id_reason", "经检测，送检样品菌落总数超过食品安全国家标准限量，不符合准予许可的法定条件")
    page.click("[data-testid=deny-submit]")
    page.wait_for_selector("[data-testid=denial-text]")
    text = page.inner_text("[data-testid=document]")
    assert "不予行政许可决定书" in text and "决定不予行政许可" in text and "菌落总数" in text
    assert "六十日内" in text and "六个月内" in text and "第三十八条第二款" in text
    _print_shot(page, "document-denial-decision-print")
    page.goto("/staff/cases/SP-1/")
    docs = page.inner_text("[data-testid=documents]")
    assert "特别程序告知书" in docs and "不予行政许可决定书" in docs
    assert page.inner_text("[data-testid=case-status]") == "不予许可"
    shot(page, "case-with-special-notice-and-denial")


def test_a_deemed_approval_notice_recorded_after_a_late_grant_reads_right(page, calendar, depts, staff):
    now = timezone.now()
    service_item_create(department=depts["a"], data=dict(ITEM, code="MY001", name="食品经营许可证延续",
                                                         deemed_approval=True,
                                                         deemed_approval_basis=RENEWAL_DEEMED_BASIS),
                        by=None, now=now - dt.timedelta(days=150))
    received = (now - dt.timedelta(days=90)).replace(hour=9, minute=30)
    c = _open_case("MY-1", "MY001", received)
    deadline = c.statutory_deadline
    granted = deadline + dt.timedelta(days=10)
    case_events_ingest(events=[_ev("MY-1", "MY001", "MY-1-3", "completed", granted),
                               _ev("MY-1", "MY001", "MY-1-4", "delivered", granted + dt.timedelta(days=1))],
                       now=granted + dt.timedelta(days=1, hours=1))
    case_deemed_approval_record(marks=[(c.pk, deadline)], now=now)  # the platform learns of it only now
    notice = CaseDocument.objects.get(case=c, kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE)

    login(page, "head_a")
    page.goto(f"/staff/cases/MY-1/documents/{notice.pk}/")
    text = page.inner_text("[data-testid=document]")
    tz = timezone.get_current_timezone()
    local = deadline.astimezone(tz)
    assert f"{local.year}年{local.month}月{local.day}日" in page.inner_text("[data-testid=document-date]")
    assert "第五十条第二款" in text and "领取证照" not in text and "作出准予许可决定" in text
    assert "记录出具" in page.inner_text("[data-testid=document-recorded]")
    assert "已由准予许可决定取代" in page.inner_text("[data-testid=document-standing]")
    shot(page, "document-deemed-notice-recorded-late")
    _print_shot(page, "document-deemed-notice-recorded-late-print")
    page.goto("/staff/cases/MY-1/")
    assert "已由准予许可决定取代" in page.inner_text("[data-testid=deemed-standing]")
    shot(page, "case-deemed-notice-superseded")
