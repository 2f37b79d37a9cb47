"""Fixtures for case tests: catalogue items of bureaus A and B built through the real catalogue services,
API clients of both departments, and a helper that writes events."""

from __future__ import annotations

import copy
import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from xiaoneng.accounts.services import api_client_create
from xiaoneng.cases.services import case_events_ingest
from xiaoneng.catalog.services import service_item_create

from .fakes import probing

TZ = ZoneInfo("Asia/Shanghai")
T_CATALOG = datetime(2025, 1, 2, 9, 0, tzinfo=TZ)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)

ITEM = {
    "name": "食品经营许可证核发",
    "category": "licensing",
    "item_type": "committed",
    "audience": "both",
    "description": "",
    "conditions": "",
    "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "statutory_limit_value": 20,
    "statutory_limit_unit": "wd",
    "committed_limit_value": 5,
    "committed_limit_unit": "wd",
    "suspension_allowed": True,
    "suspension_reasons": ["supplement", "testing"],
    "deemed_approval": False,
    "online": True,
    "offline": True,
    "online_url": "",
    "max_visits": 1,
    "location": "县政务服务中心",
    "office_hours": "",
    "phone": "",
    "complaint_phone": "",
    "result": "许可证",
    "materials": [
        {"name": "食品经营许可申请书", "form": "original", "copies": 1, "requirement": "mandatory", "condition": "",
         "source": "applicant", "blank_form": "", "sample": "", "note": ""},
        {"name": "营业执照", "form": "copy", "copies": 1, "requirement": "mandatory", "condition": "",
         "source": "government", "blank_form": "", "sample": "", "note": ""},
        {"name": "经营场所平面图", "form": "original", "copies": 1, "requirement": "mandatory", "condition": "",
         "source": "applicant", "blank_form": "", "sample": "", "note": ""},
    ],
    "fees": [],
    "steps": [
        {"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd", "post": "", "description": ""},
        {"kind": "review", "name": "审核", "limit_value": 2, "limit_unit": "wd", "post": "", "description": ""},
        {"kind": "approve", "name": "批准", "limit_value": 1, "limit_unit": "wd", "post": "", "description": ""},
    ],
}


def at(text: str) -> str:
    """'2026-09-28 09:00' → ISO 8601 with +08:00."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ).isoformat()


@pytest.fixture(autouse=True)
def _production_mode(db):
    """These tests run the cases app as production does: with its watcher, supervision's real engine
    (registered in its AppConfig.ready), and the shipped default rules (seeded by supervision's migrations;
    restored here because a transactional test elsewhere may have flushed them). There is no "cases alone"
    mode; the one fake is in fakes.py."""
    from xiaoneng.supervision.defaults import rules_ensure_defaults

    rules_ensure_defaults()


@pytest.fixture
def watcher_probe():
    """The one fake (fakes.py): the real watcher wrapped, recording what it is handed; set `raise_in` to make
    it fail. Registered for the test through clocks.register_judge; the real judge is back afterwards."""
    with probing() as probe:
        yield probe


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
    """SP001 (bureau A, 5 wd committed / 20 wd statutory) and ZR001 (bureau B)."""
    return {"a": make_item(), "b": make_item(code="ZR001", dept="b", name="建设用地规划许可证核发"),
            "a1": make_item(code="DJ001", dept="a1", name="个体工商户登记")}


RENEWAL_BASIS = ("《中华人民共和国行政许可法》第五十条第二款：行政机关应当根据被许可人的申请，在该行政许可有效期届满前作出"
                 "是否准予延续的决定；逾期未作决定的，视为准予延续。")


@pytest.fixture
def deemed_item(items, make_item):
    """MY001 (bureau A): a renewal (延续), deemed approved when its statutory limit passes undecided."""
    return make_item(code="MY001", name="食品经营许可证延续", deemed_approval=True, deemed_approval_basis=RENEWAL_BASIS)


@pytest.fixture
def clients(depts):
    """API clients (department systems) of bureaus A and B, with their raw tokens."""
    a, token_a = api_client_create(name="市场监管审批系统", department=depts["a"], by=None, now=NOW)
    b, token_b = api_client_create(name="自然资源审批系统", department=depts["b"], by=None, now=NOW)
    return {"a": a, "b": b, "token_a": token_a, "token_b": token_b}


_ids = itertools.count(1)


def ev(case_no: str, type_: str, when: str, code: str = "SP001", **fields) -> dict:
    """One event dict as a department system sends it."""
    data = {"event_id": f"e{next(_ids)}", "case_no": case_no, "service_code": code, "type": type_,
            "occurred_at": at(when), **fields}
    if type_ == "received" and "applicant" not in data:
        data["applicant"] = {"name": "张三", "id_no": "330102199001011234", "phone": "13812345678"}
    return data


@pytest.fixture
def ingest(clients):
    """ingest(events, client='a') → IngestResult, through the real service."""

    def run(events, client="a", now=NOW, **kw):
        return case_events_ingest(events=events, client=clients[client] if client else None, now=now, **kw)

    return run
