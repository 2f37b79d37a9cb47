"""Case.handler: the name a department system reports is matched to one staff account of the case's
department subtree when the case is folded (unique full name only, one query per batch), and a head may
(re)assign the handler on the case page — the assignment stands over names reported later."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.services import staff_create
from xiaoneng.accounts.testing import TEST_PASSWORD, make_staff
from xiaoneng.cases.models import Case, HandlerAssignment
from xiaoneng.cases.services import case_assign_handler
from xiaoneng.core.errors import DomainError, NotPermitted

from .conftest import NOW, TZ, ev

REASON = "原承办人外出学习，改由其办理。"


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
    # Sent as they happen (the test is about the fold's handler look-up, not about time): no threshold has
    # passed, so the engine issues no card and looks up no recipient.
    sent = datetime(2026, 11, 2, 10, 5, tzinfo=TZ)

    def count(prefix, n):
        events = [ev(f"{prefix}{i}", "received", "2026-11-02 09:00", handler=("王伟", "赵敏", "李娜")[i % 3])
                  for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            ingest(events, now=sent)
        return sum(1 for q in ctx.captured_queries if "accounts_staff" in q["sql"])

    assert count("Q", 2) == count("R", 60) == 1
    # Refolding existing cases too: their current names are looked up in the same one query.
    with CaptureQueriesContext(connection) as ctx:
        ingest([ev(f"R{i}", "accepted", "2026-11-02 10:00") for i in range(60)], now=sent)
    assert sum(1 for q in ctx.captured_queries if "accounts_staff" in q["sql"]) == 1
    assert Case.objects.filter(case_no__startswith="R", handler=people["wang"]).count() == 20


def test_head_assignment_stands_over_later_names(items, ingest, people, staff):
    ingest([ev("A1", "received", "2026-11-02 09:00", handler="李娜")])
    case = Case.objects.get(case_no="A1")
    assert case.handler_id is None
    case = case_assign_handler(case=case, handler=people["li_a1"], by=staff["head"], now=NOW, reason=REASON)
    assert (case.handler_id, case.handler_assigned_by_id, case.handler_assigned_at) == (
        people["li_a1"].pk, staff["head"].pk, NOW)
    ingest([ev("A1", "accepted", "2026-11-02 10:00", handler="王伟")])
    assert handler_of("A1") == (people["li_a1"].pk, "王伟")


def test_assignment_rules(items, ingest, people, staff, depts):
    ingest([ev("A2", "received", "2026-11-02 09:00")])
    case = Case.objects.get(case_no="A2")
    for role in ("window", "handler", "supervisor", "leader", "admin"):
        with pytest.raises(NotPermitted):
            case_assign_handler(case=case, handler=people["wang"], by=staff[role], now=NOW, reason=REASON)
    with pytest.raises(NotPermitted):
        case_assign_handler(case=case, handler=people["wang"], by=make_staff("head_b", depts["b"], [R.HEAD]), now=NOW, reason=REASON)
    for who in ("chen_b", "sun_gone"):
        with pytest.raises(DomainError) as err:
            case_assign_handler(case=case, handler=people[who], by=staff["head"], now=NOW, reason=REASON)
        assert err.value.field == "handler"
    with pytest.raises(DomainError) as err:  # window staff do not handle cases
        case_assign_handler(case=case, handler=staff["window"], by=staff["head"], now=NOW, reason=REASON)
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
    r = client.post(url, {"handler": people["wang"].pk, "reason": REASON})
    assert r.status_code == expected
    # Who may not assign leaves no trace in 办理过程 either (head_b: another bureau's case is 404).
    assert HandlerAssignment.objects.filter(case__case_no="P1").count() == (role == "head")
    assert (Case.objects.get(case_no="P1").handler_id == people["wang"].pk) is (role == "head")
    detail = client.get(reverse("cases:case_detail", args=["P1"]))
    if detail.status_code == 200:
        assert (b'data-testid="handler-form"' in detail.content) is (role == "head")


def test_assign_page_refuses_someone_outside_without_500(client, staff, items, ingest, people):
    ingest([ev("P2", "received", "2026-11-02 09:00")])
    client.force_login(staff["head"])
    r = client.post(reverse("cases:case_handler", args=["P2"]), {"handler": people["chen_b"].pk, "reason": REASON}, follow=True)
    assert r.status_code == 200 and "所选人员不能承办本件" in r.content.decode()
    r = client.post(reverse("cases:case_handler", args=["P2"]), {"handler": "x", "reason": REASON}, follow=True)
    assert r.status_code == 200
    assert Case.objects.get(case_no="P2").handler_id is None
    r = client.post(reverse("cases:case_handler", args=["P2"]), {"handler": people["zhao_a1"].pk, "reason": REASON}, follow=True)
    assert "已指定承办人" in r.content.decode()
    assert 'data-testid="handler">赵敏' in r.content.decode()


# ------------------------------------------------------------------- reassignment in 办理过程 (issue 10 §5)
def test_reassignment_takes_a_reason_and_changes_nothing_without_one(items, ingest, people, staff):
    ingest([ev("H1", "received", "2026-11-02 09:00")])
    case = Case.objects.get(case_no="H1")
    for reason in ("", "   ", "理" * 501):
        with pytest.raises(DomainError) as err:
            case_assign_handler(case=case, handler=people["wang"], by=staff["head"], now=NOW, reason=reason)
        assert err.value.field == "reason" and "理由" in err.value.message
    assert Case.objects.get(pk=case.pk).handler_id is None and not HandlerAssignment.objects.exists()


def test_the_page_refuses_a_reassignment_without_a_reason_in_chinese(client, items, ingest, people, staff):
    ingest([ev("H2", "received", "2026-11-02 09:00")])
    client.force_login(staff["head"])
    r = client.post(reverse("cases:case_handler", args=["H2"]), {"handler": people["wang"].pk}, follow=True)
    assert "请填写指定（变更）承办人的理由。" in r.content.decode()
    assert Case.objects.get(case_no="H2").handler_id is None and not HandlerAssignment.objects.exists()
    assert 'name="reason"' in r.content.decode()  # the form asks for it


def test_assignments_show_in_the_timeline_with_who_when_from_whom_to_whom_and_why(
        client, items, ingest, people, staff):
    from datetime import timedelta

    ingest([ev("H3", "received", "2026-11-02 09:00", handler="王伟")])  # a reported name, matched to 王伟
    case = Case.objects.get(case_no="H3")
    assert case.handler_id == people["wang"].pk
    case = case_assign_handler(case=case, handler=people["zhao_a1"], by=staff["head"], now=NOW, reason=REASON)
    later = NOW + timedelta(hours=2)
    case_assign_handler(case=case, handler=people["wang"], by=staff["head"], now=later, reason="赵敏病假，交回王伟。")
    rows = list(HandlerAssignment.objects.filter(case=case))
    assert [(a.from_handler_id, a.to_handler_id, a.assigned_by_id, a.reason) for a in rows] == [
        (people["wang"].pk, people["zhao_a1"].pk, staff["head"].pk, REASON),
        (people["zhao_a1"].pk, people["wang"].pk, staff["head"].pk, "赵敏病假，交回王伟。")]
    client.force_login(staff["supervisor"])
    html = client.get(reverse("cases:case_detail", args=["H3"])).content.decode()
    timeline = html[html.index('data-testid="timeline"'):]
    assert timeline.count('data-testid="timeline-assignment"') == 2
    local = NOW.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert local in timeline  # the time as read in the county (Asia/Shanghai)
    assert "变更承办人" in timeline and "由 王伟 改为 赵敏" in timeline and REASON in timeline
    assert "由 赵敏 改为 王伟" in timeline and "赵敏病假，交回王伟。" in timeline
    assert staff["head"].display_name in timeline
    # In time order among the events: the received event first.
    assert timeline.index("由 王伟 改为 赵敏") < timeline.index("由 赵敏 改为 王伟")


def test_a_first_assignment_over_a_reported_name_says_whose_name_it_replaces(items, ingest, people, staff):
    ingest([ev("H4", "received", "2026-11-02 09:00", handler="李娜")])  # two 李娜: no account matched
    case = Case.objects.get(case_no="H4")
    case_assign_handler(case=case, handler=people["li_a1"], by=staff["head"], now=NOW, reason=REASON)
    a = HandlerAssignment.objects.get(case=case)
    assert (a.from_handler_id, a.from_name, a.to_handler_id) == (None, "李娜", people["li_a1"].pk)


def test_reassigning_to_the_assigned_handler_is_refused(items, ingest, people, staff):
    ingest([ev("H5", "received", "2026-11-02 09:00")])
    case = Case.objects.get(case_no="H5")
    case = case_assign_handler(case=case, handler=people["wang"], by=staff["head"], now=NOW, reason=REASON)
    with pytest.raises(DomainError) as err:
        case_assign_handler(case=case, handler=people["wang"], by=staff["head"], now=NOW, reason=REASON)
    assert err.value.field == "handler" and HandlerAssignment.objects.filter(case=case).count() == 1
