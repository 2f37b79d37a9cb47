"""The case page of an instant case (即办件) accepted after the office closed (issue 10 §1): the verdict reads
按时办结, the 起算 line says the count started at the next working day's opening and why, the deadline is that
day's close. Desktop and phone width; screenshots saved."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from e2e.conftest import login, shot
from xiaoneng.cases.ingest import case_events_ingest
from xiaoneng.catalog.services import service_item_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TZ = ZoneInfo("Asia/Shanghai")

ITEM = {
    "code": "JB001", "name": "个体工商户名称自主申报", "category": "licensing", "item_type": "instant",
    "audience": "both", "description": "", "conditions": "", "legal_basis": "《个体工商户条例》第八条",
    "statutory_limit_value": 1, "statutory_limit_unit": "wd", "committed_limit_value": 0,
    "committed_limit_unit": "wd", "suspension_allowed": False, "suspension_reasons": [],
    "deemed_approval": False, "online": True, "offline": True, "online_url": "", "max_visits": 0,
    "location": "县政务服务中心", "office_hours": "", "phone": "", "complaint_phone": "", "result": "名称申报回执",
    "materials": [{"name": "名称申报书", "form": "original", "copies": 1, "source": "applicant"}],
    "fees": [],
    "steps": [{"kind": "accept", "name": "受理", "limit_value": 0, "limit_unit": "wd", "post": "综合窗口"}],
}


def _events():
    def ev(i, kind, hhmm, **kw):
        h, m = map(int, hhmm.split(":"))
        return {"event_id": f"jb-{i}", "case_no": "TA-20261204-00010", "service_code": "JB001", "type": kind,
                "occurred_at": dt.datetime(2026, 12, 4, h, m, tzinfo=TZ).isoformat(), **kw}
    return [ev(1, "received", "18:40", applicant={"name": "赵六", "id_no": "", "phone": "13800000000"},
               handler="handler_a"),
            ev(2, "accepted", "18:49"), ev(3, "completed", "18:55"), ev(4, "delivered", "19:00")]


@pytest.fixture
def instant_case(calendar, depts, staff):
    service_item_create(department=depts["a"], data=ITEM, by=None, now=dt.datetime(2026, 1, 5, 9, tzinfo=TZ))
    r = case_events_ingest(events=_events(), now=dt.datetime(2026, 12, 5, 10, tzinfo=TZ), source="e2e")
    assert not r.errors, r.errors
    return "TA-20261204-00010"


def test_instant_case_accepted_after_hours_reads_on_time(page, phone_page, instant_case):
    login(page, "handler_a")
    page.goto(f"/staff/cases/{instant_case}/")
    assert page.inner_text("[data-testid=case-verdict]") == "按时办结"
    clock = page.inner_text("[data-testid=clock]")
    assert "2026-12-04 18:49 不在办公时间内，顺延至下一个工作日开始办公时起算（该日为第 0 日），2026-12-07 09:00" in clock
    assert page.inner_text("[data-testid=committed-deadline]") == "2026-12-07 17:30"
    assert "超期" not in page.inner_text("[data-testid=verdict]")
    shot(page, "clock-instant-after-hours")
    login(phone_page, "handler_a")
    phone_page.goto(f"/staff/cases/{instant_case}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    shot(phone_page, "clock-instant-after-hours-phone")
