"""Fixtures for catalogue tests: a valid item content and items built through the real services."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from xiaoneng.catalog.services import service_item_create

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)

CONTENT = {
    "name": "食品经营许可证核发",
    "category": "licensing",
    "item_type": "committed",
    "audience": "both",
    "description": "从事食品销售和餐饮服务活动，应当依法取得食品经营许可。",
    "conditions": "具有与经营的食品品种、数量相适应的经营场所。",
    "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "statutory_limit_value": 20,
    "statutory_limit_unit": "wd",
    "committed_limit_value": 10,
    "committed_limit_unit": "wd",
    "suspension_allowed": True,
    "suspension_reasons": ["supplement", "site_survey"],
    "deemed_approval": False,
    "online": True,
    "offline": True,
    "online_url": "https://zwfw.example.gov.cn/spjy",
    "max_visits": 1,
    "location": "县政务服务中心二楼市场监管窗口",
    "office_hours": "工作日 9:00-12:00，13:30-17:00",
    "phone": "0571-88001234",
    "complaint_phone": "12345",
    "result": "食品经营许可证",
    "materials": [
        {"name": "食品经营许可申请书", "form": "original", "copies": 1, "requirement": "mandatory",
         "condition": "", "source": "applicant", "blank_form": "", "sample": "", "note": ""},
        {"name": "营业执照", "form": "copy", "copies": 1, "requirement": "mandatory", "condition": "",
         "source": "government", "blank_form": "", "sample": "", "note": "可数据共享免提交"},
        {"name": "授权委托书", "form": "original", "copies": 1, "requirement": "conditional",
         "condition": "委托他人办理的", "source": "applicant", "blank_form": "", "sample": "", "note": ""},
    ],
    "fees": [],
    "steps": [
        {"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd", "post": "综合窗口",
         "description": "一次性告知"},
        {"kind": "review", "name": "审核", "limit_value": 5, "limit_unit": "wd", "post": "许可科", "description": ""},
        {"kind": "approve", "name": "批准", "limit_value": 3, "limit_unit": "wd", "post": "分管局长",
         "description": ""},
        {"kind": "complete", "name": "办结", "limit_value": 1, "limit_unit": "wd", "post": "许可科",
         "description": ""},
    ],
}


@pytest.fixture
def content():
    """A fresh deep copy of a valid content dict (tests change it freely)."""
    return copy.deepcopy(CONTENT)


@pytest.fixture
def make_item(depts, staff):
    def make(code="SP001", dept="a", by="admin", now=T0, **changes):
        data = copy.deepcopy(CONTENT)
        data.update(changes)
        data["code"] = code
        return service_item_create(department=depts[dept], data=data, by=staff[by] if by else None, now=now)

    return make


@pytest.fixture
def item_a(make_item):
    """An item of bureau A (市场监督管理局)."""
    return make_item()


@pytest.fixture
def item_b(make_item):
    """An item of bureau B (自然资源局)."""
    return make_item(code="ZR001", dept="b", name="建设用地规划许可证核发")
