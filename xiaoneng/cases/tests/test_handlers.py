"""Case.handler: the name a department system reports is matched to one staff account of the case's
department subtree when the case is folded (unique full name only, one query per batch), and a head may
(re)assign the handler on the case page — the assignment stands over names reported later."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.services import staff_create
from xiaoneng.accounts.testing import TEST_PASSWORD, make_staff
from xiaoneng.cases.models import Case
from xiaoneng.cases.services import case_assign_handler
from xiaoneng.core.errors import DomainError, NotPermitted

from .conftest import NOW, ev


def person(username, name, dept, roles=(R.HANDLER,), active=True):
    s = staff_create(username=username, name=name, department=dept, roles=list(roles), password=TEST_PASSWORD)
    if not active:
        s.is_active = False
        s.save(update_fields=["is_active"])
    return s


@pytest.fixture
def people(depts, staff):
    return {
        "wang": person("wangwei", "王伟", depts["a"]),
        "zhao_a1": person("zhaomin", "赵敏", depts["a1"]),  # a section of bureau A: inside A's subtree
        "li_a": person("lina1", "李娜", depts["a"]),
        "li_a1": person("lina2", "李娜", depts["a1"]),  # two 李娜 in A's subtree: ambiguous for A's cases
        "chen_b": person("chenjie", "陈杰", depts["b"]),  # another bureau
        "sun_gone": person("sunli", "孙丽", depts["a"], active=False),
        "zhou_window": person("zhoujie", "周洁", depts["a"], roles=(R.WINDOW,)),  # a window clerk: never 承办人
        "wu_both": person("wufang", "吴芳", depts["a"], roles=(R.HANDLER, R.HEAD)),  # two roles, one person
    }


def handler_of(no):
    c = Case.objects.get(case_no=no)
    return c.handler_id, c.handler_name


@pytest.mark.parametrize(("name", "who"), [
    ("王伟", "wang"), ("赵敏", "zhao_a1"), ("李娜", None), ("陈杰", None), ("孙丽", None), ("无此人", None),
    ("周洁", None), ("吴芳", "wu_both"),
])
def test_name_maps_to_a_unique_staff_of_the_subtree(items, ingest, people, name, who):
    ingest([ev("H1", "received", "2026-11-02 09:00", handler=name)])
    hid, hname = handler_of("H1")
    assert hid == (people[who].pk if who else None)
    assert hname == name  # what the system sent is kept either way


def test_section_case_does_not_match_the_bureau_above(items, ingest, people):
    ingest([ev("S1", "received", "2026-11-02 09:00", code="DJ001", handler="王伟"),
            ev("S2", "received", "2026-11-02 09:00", code="DJ001", handler="李娜")], client=None)
    assert handler_of("S1")[0] is None  # 王伟 works in bureau A, above section A1
    assert handler_of("S2")[0] == people["li_a1"].pk  # only one 李娜 inside A1's subtree


def test_the_latest_reported_name_wins_in_any_order(items, ingest, people):
    ingest([ev("L1", "received", "2026-11-02 09:00", handler="王伟")])
    ingest([ev("L1", "accepted", "2026-11-02 10:00", handler="赵敏")])
    assert handler_of("L1") == (people["zhao_a1"].pk, "赵敏")
    ingest([ev("L1", "step_completed", "2026-11-02 09:30", step="审核", handler="王伟")])  # late, but older
    assert handler_of("L1") == (people["zhao_a1"].pk, "赵敏")


def test_one_staff_query_per_batch(items, ingest, people):
    def count(prefix, n):
        events = [ev(f"{prefix}{i}", "received", "2026-11-02 09:00", handler=("王伟", "赵敏", "李娜")[i % 3])
                  for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            ingest(events)
        return sum(1 for q in ctx.captured_queries if "accounts_staff" in q["sql"])

    assert count("Q", 2) == count("R", 60) == 1
    # Refolding existing cases too: their current names are looked up in the same one query.
    with CaptureQueriesContext(connection) as ctx:
        ingest([ev(f"R{i}", "accepted", "2026-11-02 10:00") for i in range(60)])
    assert sum(1 for q in ctx.captured_queries if "accounts_staff" in q["sql"]) == 1
    assert Case.objects.filter(case_no__startswith="R", handler=people["wang"]).count() == 20


def test_head_assignment_stands_over_later_names(items, ingest, people, staff):
    ingest([ev("A1", "received", "2026-11-02 09:00", handler="李娜")])
    case = Case.objects.get(case_no="A1")
    assert case.handler_id is None
    case = case_assign_handler(case=case, handler=people["li_a1"], by=staff["head"], now=NOW)
    assert (case.handler_id, case.handler_assigned_by_id, case.handler_assigned_at) == (
        people["li_a1"].pk, staff["head"].pk, NOW)
    ingest([ev("A1", "accepted", "2026-11-02 10:00", handler="王伟")])
    assert handler_of("A1") == (people["li_a1"].pk, "王伟")


def test_assignment_rules(items, ingest, people, staff, depts):
    ingest([ev("A2", "received", "2026-11-02 09:00")])
    case = Case.objects.get(case_no="A2")
    for role in ("window", "handler", "supervisor", "leader", "admin"):
        with pytest.raises(NotPermitted):
            case_assign_handler(case=case, handler=people["wang"], by=staff[role], now=NOW)
    with pytest.raises(NotPermitted):
        case_assign_handler(case=case, handler=people["wang"], by=make_staff("head_b", depts["b"], [R.HEAD]), now=NOW)
    for who in ("chen_b", "sun_gone"):
        with pytest.raises(DomainError) as err:
            case_assign_handler(case=case, handler=people[who], by=staff["head"], now=NOW)
        assert err.value.field == "handler"
    with pytest.raises(DomainError) as err:  # window staff do not handle cases
        case_assign_handler(case=case, handler=staff["window"], by=staff["head"], now=NOW)
    assert err.value.field == "handler"
    assert Case.objects.get(pk=case.pk).handler_id is None


ROLES = ["window", "handler", "head", "handler_a1", "handler_b", "head_b", "supervisor", "leader", "admin",
         "anonymous"]


@pytest.mark.parametrize("role", ROLES)
def test_assign_page_permissions(client, staff, depts, items, ingest, people, role):
    staff = dict(staff, head_b=make_staff("head_b", depts["b"], [R.HEAD]))
    ingest([ev("P1", "received", "2026-11-02 09:00")])
    if role != "anonymous":
        client.force_login(staff[role])
    url = reverse("cases:case_handler", args=["P1"])
    expected = {"head": 302, "head_b": 404, "anonymous": 302}.get(role, 403)
    assert client.get(url).status_code in ((405,) if role in ("head", "head_b") else (expected,))
    r = client.post(url, {"handler": people["wang"].pk})
    assert r.status_code == expected
    assert (Case.objects.get(case_no="P1").handler_id == people["wang"].pk) is (role == "head")
    detail = client.get(reverse("cases:case_detail", args=["P1"]))
    if detail.status_code == 200:
        assert (b'data-testid="handler-form"' in detail.content) is (role == "head")


def test_assign_page_refuses_someone_outside_without_500(client, staff, items, ingest, people):
    ingest([ev("P2", "received", "2026-11-02 09:00")])
    client.force_login(staff["head"])
    r = client.post(reverse("cases:case_handler", args=["P2"]), {"handler": people["chen_b"].pk}, follow=True)
    assert r.status_code == 200 and "所选人员不能承办本件" in r.content.decode()
    r = client.post(reverse("cases:case_handler", args=["P2"]), {"handler": "x"}, follow=True)
    assert r.status_code == 200
    assert Case.objects.get(case_no="P2").handler_id is None
    r = client.post(reverse("cases:case_handler", args=["P2"]), {"handler": people["zhao_a1"].pk}, follow=True)
    assert "已指定承办人" in r.content.decode()
    assert 'data-testid="handler">赵敏' in r.content.decode()
