"""Issue 9 on the ingest path: joint parents only within the sender's scope and only at creation (item 1),
undeclared fields capped in size and depth (item 8), event ids per department system rather than per token
(item 9), and refusals that do not tell whether another department uses a case number (item 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xiaoneng.accounts.services import api_client_create
from xiaoneng.cases.events import EXTRA_MAX_DEPTH, EventInvalid, normalize
from xiaoneng.cases.ingest import case_no_unavailable, parent_unavailable
from xiaoneng.cases.models import Case, CaseEvent
from xiaoneng.cases.services import case_events_ingest

from .conftest import NOW, ev

CLOCK = ("is_joint_parent", "committed_deadline", "statutory_deadline", "verdict", "verdict_working_days",
         "verdict_hours", "statutory_overdue", "status", "events_count", "updated_at", "parent_id")


def snapshot(case_no: str) -> dict:
    return Case.objects.filter(case_no=case_no).values(*CLOCK).get()


def accepted(ingest, case_no, code="SP001", client="a", **fields):
    r = ingest([ev(case_no, "received", "2026-11-02 09:00", code=code, **fields),
                ev(case_no, "accepted", "2026-11-02 09:00", code=code)], client=client)
    assert r.accepted == 2 and not r.errors, r.errors
    return Case.objects.get(case_no=case_no)


def decided_late(ingest, case_no, code="SP001", client="a", **fields):
    """A case completed four working weeks after acceptance: committed 5 wd, statutory 20 wd → overdue."""
    accepted(ingest, case_no, code=code, client=client, **fields)
    r = ingest([ev(case_no, "completed", "2026-12-01 10:00", code=code)], client=client,
               now=dt.datetime(2026, 12, 2, 10, 0, tzinfo=NOW.tzinfo))
    assert r.accepted == 1
    case = Case.objects.get(case_no=case_no)
    assert case.verdict == "overdue" and case.statutory_overdue
    return case


# ------------------------------------------------------------------------------ item 1: joint parents

def test_a_child_may_not_name_another_departments_case_as_parent(items, ingest):
    """The hole: a department named another department's case as its parent and moved its deadlines."""
    accepted(ingest, "B1", code="ZR001", client="b")
    before = snapshot("B1")
    r = ingest([ev("A1", "received", "2026-11-03 09:00", parent_case_no="B1")], client="a")
    assert r.accepted == 0 and r.errors == [{"index": 0, "event_id": r.errors[0]["event_id"],
                                             "error": parent_unavailable("B1")}]
    assert snapshot("B1") == before and not before["is_joint_parent"]
    assert not Case.objects.filter(case_no="A1").exists()


def test_a_child_may_not_name_another_departments_decided_case_and_undo_its_lateness(items, ingest):
    decided_late(ingest, "B2", code="ZR001", client="b")
    before = snapshot("B2")
    r = ingest([ev("A2", "received", "2026-11-03 09:00", parent_case_no="B2")], client="a")
    assert r.accepted == 0 and r.errors[0]["error"] == parent_unavailable("B2")
    after = snapshot("B2")
    assert after == before and after["verdict"] == "overdue"


def test_nor_another_departments_joint_parent(items, ingest, make_item):
    """Even a real joint parent of another department is not in the sender's scope."""
    make_item(code="LB002", dept="b", name="开办建筑企业一件事")
    accepted(ingest, "BJ", code="LB002", client="b", is_joint_parent=True)
    assert Case.objects.get(case_no="BJ").is_joint_parent
    r = ingest([ev("A3", "received", "2026-11-03 09:00", parent_case_no="BJ")], client="a")
    assert r.errors[0]["error"] == parent_unavailable("BJ")
    assert not Case.objects.get(case_no="BJ").children.exists()


def test_own_decided_case_may_not_become_a_joint_parent(items, ingest):
    """The other half of the hole: a department erasing its own lateness by naming its decided case."""
    decided_late(ingest, "C1")
    before = snapshot("C1")
    r = ingest([ev("C1-X", "received", "2026-11-03 09:00", parent_case_no="C1")])
    assert r.accepted == 0 and "不是联办主件" in r.errors[0]["error"]
    assert snapshot("C1") == before


def test_own_open_non_joint_case_may_not_become_a_joint_parent(items, ingest):
    accepted(ingest, "C2")
    before = snapshot("C2")
    r = ingest([ev("C2-X", "received", "2026-11-03 09:00", parent_case_no="C2")])
    assert r.accepted == 0 and "不是联办主件" in r.errors[0]["error"]
    assert snapshot("C2") == before
    # Nor by declaring it on a later event of the case itself.
    r = ingest([ev("C2", "step_completed", "2026-11-03 10:00", step="accept", is_joint_parent=True)])
    assert r.accepted == 0 and "不是联办主件" in r.errors[0]["error"] and "首次登记" in r.errors[0]["error"]
    assert snapshot("C2") == before


def test_a_decided_joint_parent_takes_a_late_child_without_being_refolded(items, ingest, make_item):
    """A child reported after its parent was decided is linked; the parent's frozen verdict is not touched
    (no refold of a closed parent triggered by another case)."""
    make_item(code="LB001", dept="a", name="开办餐饮店一件事", item_type="committed", committed_limit_value=10)
    accepted(ingest, "P1", code="LB001", is_joint_parent=True)
    r = ingest([ev("P1", "completed", "2026-11-20 10:00", code="LB001"),
                ev("P1", "delivered", "2026-11-20 11:00", code="LB001")])
    assert r.accepted == 2
    before = snapshot("P1")
    assert before["is_joint_parent"] and before["verdict"] == "early" and before["status"] == "delivered"
    r = ingest([ev("P1-A", "received", "2026-11-03 09:00", parent_case_no="P1")],
               now=NOW + dt.timedelta(hours=1))
    assert r.accepted == 1 and not r.errors
    assert Case.objects.get(case_no="P1-A").parent.case_no == "P1"
    assert snapshot("P1") == before  # not even updated_at: the parent row was not written


def test_an_existing_joint_parent_may_be_named_again_and_declared_again(items, ingest, make_item):
    make_item(code="LB001", dept="a", name="开办餐饮店一件事", item_type="committed", committed_limit_value=10)
    accepted(ingest, "P2", code="LB001", is_joint_parent=True)
    r = ingest([ev("P2", "step_completed", "2026-11-03 10:00", code="LB001", step="accept", is_joint_parent=True),
                ev("P2-A", "received", "2026-11-03 09:00", parent_case_no="P2"),
                ev("P2-B", "received", "2026-11-03 09:00", parent_case_no="P2")])
    assert r.accepted == 3 and not r.errors
    assert sorted(Case.objects.get(case_no="P2").children.values_list("case_no", flat=True)) == ["P2-A", "P2-B"]


def test_staff_are_held_to_their_scope_for_parents_too(items, staff):
    case_events_ingest(events=[ev("B3", "received", "2026-11-02 09:00", code="ZR001", is_joint_parent=True)],
                       by=staff["handler_b"], now=NOW)
    assert Case.objects.get(case_no="B3").is_joint_parent
    r = case_events_ingest(events=[ev("A4", "received", "2026-11-03 09:00", parent_case_no="B3")],
                           by=staff["handler"], now=NOW)
    assert r.accepted == 0 and r.errors[0]["error"] == parent_unavailable("B3")


def test_a_child_of_a_parent_whose_own_events_were_refused_is_refused_not_a_500(items, ingest):
    """The parent new in the batch is not created (its event names another department's item): its child
    gets a per-event error instead of failing the whole batch (it raised KeyError before)."""
    r = ingest([ev("K1", "received", "2026-11-03 09:00", parent_case_no="K0"),
                ev("K0", "received", "2026-11-03 09:00", code="ZR001"),
                ev("OK", "received", "2026-11-03 09:00")])
    assert r.accepted == 1 and [e["index"] for e in r.errors] == [0, 1]
    assert r.errors[0]["error"] == parent_unavailable("K0") and "无权写入" in r.errors[1]["error"]
    assert list(Case.objects.values_list("case_no", flat=True)) == ["OK"]


def test_is_joint_parent_must_be_a_boolean_and_not_on_a_child(items, ingest):
    r = ingest([ev("J1", "received", "2026-11-03 09:00", is_joint_parent="yes"),
                ev("J2", "received", "2026-11-03 09:00", is_joint_parent=True, parent_case_no="J9")])
    assert r.accepted == 0
    assert "is_joint_parent" in r.errors[0]["error"] and "子件" in r.errors[1]["error"]


# ---------------------------------------------------------- item 10: no oracle for other departments' numbers

def test_parent_refusal_reads_the_same_for_another_departments_case_and_a_missing_one(items, ingest):
    accepted(ingest, "B4", code="ZR001", client="b")
    r = ingest([ev("A5", "received", "2026-11-03 09:00", parent_case_no="B4"),
                ev("A6", "received", "2026-11-03 09:00", parent_case_no="B5")])  # B5 was never used
    elsewhere, missing = (e["error"] for e in r.errors)
    assert elsewhere.replace("B4", "#") == missing.replace("B5", "#")
    assert elsewhere == parent_unavailable("B4") and "不存在" not in elsewhere


def test_a_number_taken_by_another_department_says_not_whose_or_what(items, ingest, depts):
    accepted(ingest, "B6", code="ZR001", client="b")
    r = ingest([ev("B6", "accepted", "2026-11-02 10:00", code="SP001")], client="a")
    message = r.errors[0]["error"]
    assert message == case_no_unavailable("B6")
    assert "ZR001" not in message and depts["b"].name not in message and "已登记" not in message


def test_a_number_the_sender_owns_under_another_item_is_named_as_such(items, ingest, make_item):
    make_item(code="SP002", dept="a", name="小餐饮登记")
    accepted(ingest, "A8")
    r = ingest([ev("A8", "completed", "2026-11-02 10:00", code="SP002")])
    assert "已登记为其他事项" in r.errors[0]["error"]


def test_the_window_is_not_told_that_another_department_uses_a_number(items, ingest, staff, make_item):
    """Window registration with a chosen number: "已存在" only for the clerk's own department's cases."""
    from xiaoneng.cases.services import case_register
    from xiaoneng.core.errors import DomainError

    staff_b = make_staff_window_b(staff)
    accepted(ingest, "B7", code="ZR001", client="b")
    accepted(ingest, "A9")
    answers = {}
    for no in ("B7", "A9"):
        with pytest.raises(DomainError) as err:
            case_register(item=items["a"], by=staff["window"], now=NOW, case_no=no, applicant={"name": "李四"})
        answers[no] = err.value.message
    assert answers == {"B7": case_no_unavailable("B7"), "A9": "办件编号“A9”已存在。"}
    with pytest.raises(DomainError) as err:
        case_register(item=items["b"], by=staff_b, now=NOW, case_no="A9", applicant={"name": "李四"})
    assert err.value.message == case_no_unavailable("A9")


def make_staff_window_b(staff):
    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.testing import make_staff

    return make_staff("window_b", staff["handler_b"].department, [R.WINDOW])


# ------------------------------------------------------------- item 8: undeclared fields, size and depth

def test_undeclared_fields_are_kept_within_the_cap(items, ingest):
    e = ev("X1", "received", "2026-11-02 09:00", erp_ref="ERP-2026-0042", extra={"window": 3, "tags": ["a"]})
    assert ingest([e]).accepted == 1
    payload = CaseEvent.objects.get(case__case_no="X1").payload
    assert payload["erp_ref"] == "ERP-2026-0042" and payload["extra"] == {"window": 3, "tags": ["a"]}


def test_an_oversize_undeclared_field_is_a_per_event_error_and_the_rest_applies(items, ingest):
    big = ev("X2", "received", "2026-11-02 09:00", blob="x" * 5000)
    r = ingest([big, ev("X3", "received", "2026-11-02 09:00")])
    assert r.accepted == 1 and [e["index"] for e in r.errors] == [0]
    assert "4096 字节" in r.errors[0]["error"] and "blob" in r.errors[0]["error"]
    assert list(Case.objects.values_list("case_no", flat=True)) == ["X3"]


def test_the_cap_counts_bytes_and_is_a_setting(items, ingest, settings):
    settings.XIAONENG_EVENT_EXTRA_MAX_BYTES = 100
    r = ingest([ev("X4", "received", "2026-11-02 09:00", note="办" * 40),  # 120 bytes of UTF-8 in 40 characters
                ev("X5", "received", "2026-11-02 09:00", note="ok")])
    assert r.accepted == 1 and "100 字节" in r.errors[0]["error"]


def test_a_huge_field_is_refused_without_reading_all_of_it(items):
    """19 MB in one field (the probe's): refused once the lower bound of its size passes the cap."""
    e = ev("X6", "received", "2026-11-02 09:00", blob=["y" * 1000] * 19_000)
    with pytest.raises(EventInvalid) as err:
        normalize(e, now=NOW)
    assert "4096 字节" in str(err.value)


@pytest.mark.parametrize("field", ["extra", "type", "event_id", "step", "reason", "applicant", "amount"])
def test_deeply_nested_values_are_per_event_errors_not_recursion_errors(items, ingest, field):
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    e = ev("X7", "received", "2026-11-02 09:00")
    e[field] = deep
    r = ingest([e, ev("X8", "received", "2026-11-02 09:00")])
    assert r.accepted == 1 and [x["index"] for x in r.errors] == [0], r.errors


def test_nesting_is_limited_even_when_small(items, ingest):
    nested: dict = {}
    for _ in range(EXTRA_MAX_DEPTH + 1):
        nested = {"n": nested}
    r = ingest([ev("X9", "received", "2026-11-02 09:00", extra=nested)])
    assert r.accepted == 0 and f"嵌套超过 {EXTRA_MAX_DEPTH} 层" in r.errors[0]["error"]


def test_a_nul_character_in_an_undeclared_field_is_refused(items, ingest):
    """PostgreSQL's jsonb cannot store \\u0000: it failed the whole batch there; now it is one event's error."""
    r = ingest([ev("XA", "received", "2026-11-02 09:00", note="a\x00b"),
                ev("XB", "received", "2026-11-02 09:00", **{"k\x00": 1}),
                ev("XC", "received", "2026-11-02 09:00")])
    assert r.accepted == 1 and [e["index"] for e in r.errors] == [0, 1]
    assert all("NUL" in e["error"] for e in r.errors)


# ------------------------------------------------------------- item 9: event ids per department system

def test_a_second_token_of_the_same_system_does_not_double_a_resent_batch(items, ingest, clients, depts):
    batch = [ev("R1", "received", "2026-11-02 09:00"), ev("R1", "accepted", "2026-11-02 10:00")]
    assert ingest(batch).accepted == 2
    rotated, _raw = api_client_create(name="市场监管审批系统", department=depts["a"], by=None, now=NOW)
    assert rotated.system == clients["a"].system == "市场监管审批系统"
    r = case_events_ingest(events=batch, client=rotated, now=NOW)
    assert (r.accepted, r.duplicates, r.errors) == (0, 2, [])
    assert Case.objects.get(case_no="R1").events_count == 2
    # A named system, given explicitly to a token of another name, is the same identity too.
    renamed, _raw = api_client_create(name="市场监管审批系统（新）", system="市场监管审批系统", department=depts["a"],
                                      by=None, now=NOW)
    assert case_events_ingest(events=batch, client=renamed, now=NOW).duplicates == 2
    # The stored events say which token sent them, and whose ids they are.
    e = CaseEvent.objects.filter(case__case_no="R1").first()
    assert e.client_id == clients["a"].pk and e.source == f"d:{depts['a'].pk}:市场监管审批系统"


def test_another_system_or_department_has_ids_of_its_own(items, ingest, clients, depts):
    e = ev("R2", "received", "2026-11-02 09:00")
    assert ingest([e]).accepted == 1
    other, _raw = api_client_create(name="窗口综合受理系统", department=depts["a"], by=None, now=NOW)
    assert case_events_ingest(events=[dict(e, case_no="R3")], client=other, now=NOW).accepted == 1
    same_name_b, _raw = api_client_create(name="市场监管审批系统", department=depts["b"], by=None, now=NOW)
    r = case_events_ingest(events=[dict(e, case_no="R4", service_code="ZR001")], client=same_name_b, now=NOW)
    assert r.accepted == 1


def test_the_system_is_at_most_sixty_characters(depts):
    from xiaoneng.core.errors import DomainError

    long_name = "系" * 100
    client, _raw = api_client_create(name=long_name, department=depts["a"], by=None, now=NOW)
    assert client.system == "系" * 60
    with pytest.raises(DomainError) as err:
        api_client_create(name="x", system="统" * 61, department=depts["a"], by=None, now=NOW)
    assert err.value.field == "system"


@pytest.mark.django_db(transaction=True)
def test_upgrade_moves_event_ids_from_tokens_to_department_systems(items, ingest, clients, depts):
    """Migration cases 0006 (with accounts 0003): per-token source keys become department + system keys,
    the way back restores them from CaseEvent.client, and two tokens of one system that already doubled an
    event id (the old behaviour) are kept apart instead of breaking the uniqueness of (source, event_id)."""
    a1, b = clients["a"], clients["b"]
    a2, _raw = api_client_create(name=a1.name, department=depts["a"], by=None, now=NOW)
    assert ingest([ev("M1", "received", "2026-11-02 09:00", event_id="m-1")]).accepted == 1
    assert case_events_ingest(events=[ev("M1", "accepted", "2026-11-02 10:00", event_id="m-2")], client=a2,
                              now=NOW).accepted == 1
    assert ingest([ev("M2", "received", "2026-11-02 09:00", code="ZR001", event_id="m-1")], client="b").accepted == 1
    executor = MigrationExecutor(connection)
    before = [("cases", "0005_case_check_schedule"), ("accounts", "0002_role_groups")]
    try:
        executor.migrate(before)
        assert sorted(CaseEvent.objects.values_list("event_id", "source")) == sorted(
            [("m-1", f"c:{a1.pk}"), ("m-2", f"c:{a2.pk}"), ("m-1", f"c:{b.pk}")])
        # The old doubling: a third token of the same name re-sent m-1 under its own key.
        old = executor.loader.project_state(before).apps
        OldClient, OldEvent = old.get_model("accounts", "ApiClient"), old.get_model("cases", "CaseEvent")
        a3 = OldClient.objects.create(name=a1.name, department_id=depts["a"].pk, token_hash="0" * 64,
                                      token_prefix="xn_old", created_at=NOW)
        first = OldEvent.objects.get(source=f"c:{a1.pk}")
        OldEvent.objects.create(case_id=first.case_id, source=f"c:{a3.pk}", client_id=a3.pk, event_id="m-1",
                                type="received", occurred_at=first.occurred_at, recorded_at=NOW, payload={})
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        key_a, key_b = f"d:{depts['a'].pk}:{a1.name}", f"d:{depts['b'].pk}:{b.name}"
        assert sorted(CaseEvent.objects.values_list("event_id", "source", "client_id")) == sorted([
            ("m-1", key_a, a1.pk), ("m-2", key_a, a2.pk), ("m-1", key_b, b.pk),
            ("m-1", f"{key_a}#{a3.pk}", a3.pk)])
        from xiaoneng.accounts.models import ApiClient

        assert ApiClient.objects.get(pk=a3.pk).system == f"{a1.name}#{a3.pk}"
        assert ApiClient.objects.get(pk=a2.pk).system == a1.name
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


# ------------------------------------------------------------------------------- through the API and imports

def test_the_api_answers_an_oversize_field_per_event(items, client, clients):
    """A 1 MB field in one event of a posted batch: 200, that event refused naming the cap, the rest stored."""
    import json

    body = [ev("Y1", "received", "2026-11-02 09:00", attachment="z" * 1_000_000),
            ev("Y2", "received", "2026-11-02 09:00", erp_ref="E-1")]
    r = client.post("/api/v1/case-events", data=json.dumps(body), content_type="application/json",
                    headers={"Authorization": f"Bearer {clients['token_a']}"})
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["accepted"] == 1 and out["errors"][0]["index"] == 0 and "4096 字节" in out["errors"][0]["error"]
    assert CaseEvent.objects.get().payload["erp_ref"] == "E-1"


def test_an_import_sets_up_a_joint_parent_from_a_spreadsheet_column(items, tmp_path, make_item):
    import csv
    import io

    from django.core.management import call_command

    make_item(code="LB001", dept="a", name="开办餐饮店一件事", item_type="committed", committed_limit_value=10)
    f = tmp_path / "joint.csv"
    with open(f, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["event_id", "case_no", "service_code", "type", "occurred_at", "applicant_name", "is_joint_parent",
                    "parent_case_no"])
        w.writerow(["j1", "JP1", "LB001", "received", "2026-11-02T09:00:00+08:00", "孙八", "是", ""])
        w.writerow(["j2", "JP2", "SP001", "received", "2026-11-02T09:00:00+08:00", "孙八", "否", ""])
    call_command("import_cases", str(f), "--source", "joint", stdout=io.StringIO(), stderr=io.StringIO())
    assert dict(Case.objects.values_list("case_no", "is_joint_parent")) == {"JP1": True, "JP2": False}


def test_one_new_number_with_two_items_in_one_batch_keeps_the_first_and_refuses_the_other(items, ingest, make_item):
    """Before, the second item's events were folded into the case registered under the first item."""
    make_item(code="SP002", dept="a", name="小餐饮登记")
    r = ingest([ev("A-TWO", "received", "2026-11-02 09:00"), ev("A-TWO", "accepted", "2026-11-02 10:00"),
                ev("A-TWO", "completed", "2026-11-03 10:00", code="SP002")])
    assert r.accepted == 2 and [e["index"] for e in r.errors] == [2]
    assert "SP001" in r.errors[0]["error"] and "SP002" in r.errors[0]["error"]
    case = Case.objects.get(case_no="A-TWO")
    assert case.service_item.code == "SP001" and case.events_count == 2 and case.status != "completed"
