"""Fixtures for supervision tests: catalogue items built through the catalogue services, cases built
through the real cases ingest service, the default rules, a local SMS outbox."""

from __future__ import annotations

import copy
import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from xiaoneng.cases.ingest import case_events_ingest
from xiaoneng.cases.models import Case
from xiaoneng.catalog.demo import RENEWAL_DEEMED_BASIS as RENEWAL_BASIS
from xiaoneng.catalog.services import service_item_create
from xiaoneng.core import sms
from xiaoneng.supervision.defaults import rules_ensure_defaults
from xiaoneng.supervision.rulecache import rules_invalidate

TZ = ZoneInfo("Asia/Shanghai")
T_CATALOG = datetime(2025, 1, 2, 9, 0, tzinfo=TZ)
SECOND = timedelta(seconds=1)

ITEM = {
    "name": "食品经营许可证核发", "category": "licensing", "item_type": "committed", "audience": "both",
    "description": "", "conditions": "", "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "statutory_limit_value": 20, "statutory_limit_unit": "wd", "committed_limit_value": 5,
    "committed_limit_unit": "wd", "suspension_allowed": True, "suspension_reasons": ["supplement", "testing"],
    "deemed_approval": False, "online": True, "offline": True, "online_url": "", "max_visits": 1,
    "location": "县政务服务中心", "office_hours": "", "phone": "", "complaint_phone": "", "result": "许可证",
    "materials": [
        {"name": "食品经营许可申请书", "form": "original", "copies": 1, "requirement": "mandatory", "condition": "",
         "source": "applicant", "blank_form": "", "sample": "", "note": ""},
    ],
    "fees": [
        {"name": "工本费", "legal_basis": "价费字〔2020〕1号", "amount": "10.00", "amount_min": None,
         "amount_max": None, "unit": "件", "note": ""},
        {"name": "检测费", "legal_basis": "价费字〔2020〕2号", "amount": None, "amount_min": "50.00",
         "amount_max": "200.00", "unit": "次", "note": ""},
    ],
    "steps": [
        {"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd", "post": "", "description": ""},
        {"kind": "review", "name": "审核", "limit_value": 2, "limit_unit": "wd", "post": "", "description": ""},
        {"kind": "approve", "name": "批准", "limit_value": 1, "limit_unit": "wd", "post": "", "description": ""},
    ],
}


def at(text: str) -> datetime:
    """'2026-09-28 09:00' → aware datetime in Asia/Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


_ids = itertools.count(1)


def ev(case_no: str, type_: str, when: datetime | str, code: str = "SP001", **fields) -> dict:
    """One event dict as a department system sends it."""
    when = at(when) if isinstance(when, str) else when
    data = {"event_id": f"sv{next(_ids)}", "case_no": case_no, "service_code": code, "type": type_,
            "occurred_at": when.isoformat(), **fields}
    if type_ == "received" and "applicant" not in data:
        data["applicant"] = {"name": "张三", "id_no": "330102199001011234", "phone": "13812345678"}
    return data


@pytest.fixture(autouse=True)
def _supervision_env(db, settings):
    """Default rules present (a transactional test elsewhere may have flushed them), a fresh rules cache,
    a local SMS outbox and no chart caching."""
    settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.LocmemBackend"
    settings.XIAONENG_CHART_CACHE_SECONDS = 0
    rules_ensure_defaults()
    rules_invalidate()
    sms.outbox.clear()
    yield
    rules_invalidate()


@pytest.fixture
def make_item(depts):
    def make(code="SP001", dept="a", **changes):
        data = copy.deepcopy(ITEM)
        data.update(changes)
        data["code"] = code
        return service_item_create(department=depts[dept], data=data, by=None, now=T_CATALOG)

    return make


@pytest.fixture
def items(calendar, make_item):
    """SP001 (bureau A: 5 wd committed / 20 wd statutory), ZR001 (bureau B), MY001 (A, deemed approval)."""
    return {"a": make_item(), "b": make_item(code="ZR001", dept="b", name="建设用地规划许可证核发"),
            "deemed": make_item(code="MY001", name="农药经营许可证延续", deemed_approval=True,
                                deemed_approval_basis=RENEWAL_BASIS)}


@pytest.fixture
def ingest(items):
    """ingest(events, now=…) → IngestResult, through the real cases service (as an operator import)."""

    def run(events, now):
        res = case_events_ingest(events=events, now=now, source="supervision-tests")
        assert not res.errors, res.errors
        return res

    return run


@pytest.fixture
def accepted_case(ingest):
    """open_case('C1', '2026-09-28 09:00') receives and accepts a case of SP001 at that moment."""

    def open_case(case_no="C1", when="2026-09-28 09:00", code="SP001", handler="handler_a", **kw):
        w = at(when)
        ingest([ev(case_no, "received", w, code, handler=handler), ev(case_no, "accepted", w, code)],
               now=w + timedelta(minutes=1))
        return Case.objects.get(case_no=case_no)

    return open_case
