"""A staff account without any role (created and not yet given one, or whose roles were taken away when the
person changed jobs) sees no department's data anywhere: the pages already refused it (role_required), and
the JSON API, which decides by department scope alone, served it its bureau's cases and cards. Found by the
permission matrix (issue 9); scoping is decided once, in accounts.selectors, so that is where it is fixed."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from xiaoneng.accounts.testing import make_staff
from xiaoneng.cases.ingest import case_events_ingest
from xiaoneng.catalog.services import service_item_create

from .conftest import ITEM

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 9, 28, 9, 0, tzinfo=TZ)


@pytest.fixture
def roleless(depts, calendar, client):
    data = copy.deepcopy(ITEM)
    data["code"] = "SP001"
    service_item_create(department=depts["a"], data=data, by=None, now=AT)
    res = case_events_ingest(events=[
        {"event_id": "r1", "case_no": "C-1", "service_code": "SP001", "type": "received",
         "occurred_at": AT.isoformat(), "applicant": {"name": "张三", "phone": "13812345678"}},
    ], now=AT, source="roleless-test")
    assert not res.errors
    staff = make_staff("norole_a", depts["a"], [])
    client.force_login(staff)
    return client


def test_roleless_staff_reads_no_cases_or_cards_through_the_api(roleless):
    cases = roleless.get("/api/v1/cases")
    assert cases.status_code == 200 and cases.json()["count"] == 0
    assert roleless.get("/api/v1/cases/C-1").status_code == 404
    cards = roleless.get("/api/v1/warnings")
    assert cards.status_code == 200 and cards.json()["count"] == 0


def test_roleless_staff_sees_no_department_or_catalogue(roleless):
    assert roleless.get("/api/v1/accounts/departments").json() == []
    assert roleless.get("/accounts/departments/TA/").status_code == 404
    assert "SP001" not in roleless.get("/staff/catalog/").content.decode()
    assert roleless.get("/staff/catalog/SP001/").status_code == 404


def test_a_role_restores_the_bureau(roleless, depts):
    from xiaoneng.accounts.models import Staff
    from xiaoneng.accounts.services import staff_update

    admin = make_staff("admin", None, ["admin"])
    staff_update(staff=Staff.objects.get(username="norole_a"), by=admin, name="norole_a", department=depts["a"],
                 roles=["handler"])
    assert roleless.get("/api/v1/cases").json()["count"] == 1
