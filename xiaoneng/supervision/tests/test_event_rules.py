"""Event-based rules, evaluated inside the ingest transaction as events are applied."""

from __future__ import annotations

from xiaoneng.cases.models import Case
from xiaoneng.supervision.models import Rule, Warning, WarningStatus
from xiaoneng.supervision.services import warning_confirm

from .conftest import at, ev


def codes(case_no):
    return sorted((w.rule.code, w.status) for w in Warning.objects.about(Case.objects.get(case_no=case_no)).select_related("rule"))


def test_refusal_without_reason(ingest):
    ingest([ev("R1", "received", "2026-09-28 09:00"), ev("R1", "refused", "2026-09-28 10:00"),
            ev("R2", "received", "2026-09-28 09:00"),
            ev("R2", "refused", "2026-09-28 10:00", reason="申请事项不属于本机关职权范围，可向县自然资源局申请。")],
           now=at("2026-09-28 11:00"))
    assert codes("R1") == [("no-reason", "issued")]
    assert codes("R2") == []


def test_second_one_time_notice(ingest):
    ingest([ev("N1", "received", "2026-09-28 09:00"),
            ev("N1", "supplement_requested", "2026-09-28 10:00", missing_materials=["营业执照"])],
           now=at("2026-09-28 11:00"))
    assert codes("N1") == []
    ingest([ev("N1", "supplement_received", "2026-09-29 10:00"),
            ev("N1", "supplement_requested", "2026-09-29 11:00", missing_materials=["平面图"])],
           now=at("2026-09-29 12:00"))
    assert codes("N1") == [("second-notice", "issued")]
    ingest([ev("N1", "supplement_received", "2026-09-29 15:00")], now=at("2026-09-29 16:00"))
    assert codes("N1") == [("second-notice", "issued")]  # re-judged, still deserved, not duplicated


def test_fees_outside_the_published_list(ingest):
    ingest([ev("F1", "received", "2026-09-28 09:00"), ev("F1", "accepted", "2026-09-28 09:00"),
            ev("F1", "fee_charged", "2026-09-28 09:10", fee_item="工本费", amount="10.00"),
            ev("F1", "fee_charged", "2026-09-28 09:11", fee_item="检测费", amount="50"),
            ev("F2", "received", "2026-09-28 09:00"), ev("F2", "accepted", "2026-09-28 09:00"),
            ev("F2", "fee_charged", "2026-09-28 09:10", fee_item="工本费", amount="12.00"),
            ev("F2", "fee_charged", "2026-09-28 09:11", fee_item="检测费", amount="300"),
            ev("F2", "fee_charged", "2026-09-28 09:12", fee_item="咨询费", amount="5")],
           now=at("2026-09-28 11:00"))
    assert codes("F1") == []
    details = sorted(Warning.objects.about(Case.objects.get(case_no="F2")).values_list("detail", flat=True))
    assert len(details) == 3 and all(w.level == "red" for w in Warning.objects.about(Case.objects.get(case_no="F2")))
    assert any("不在公布的收费标准内" in d for d in details)
    assert any("不等于标准金额" in d for d in details)
    assert any("超过上限" in d for d in details)


def test_ranged_fee_above_its_lower_bound(ingest):
    """Seed 003: 有上下限的，一律按下限收费. 检测费 is 50-200 yuan: 50 is right, 120 is a yellow card of its own
    rule, 300 is 乱收费 (red) only — one card per fee event, the most serious."""
    ingest([ev("F3", "received", "2026-09-28 09:00"), ev("F3", "accepted", "2026-09-28 09:00"),
            ev("F3", "fee_charged", "2026-09-28 09:10", fee_item="检测费", amount="50.00"),
            ev("F4", "received", "2026-09-28 09:00"), ev("F4", "accepted", "2026-09-28 09:00"),
            ev("F4", "fee_charged", "2026-09-28 09:10", fee_item="检测费", amount="120"),
            ev("F5", "received", "2026-09-28 09:00"), ev("F5", "accepted", "2026-09-28 09:00"),
            ev("F5", "fee_charged", "2026-09-28 09:10", fee_item="检测费", amount="300")],
           now=at("2026-09-28 11:00"))
    assert codes("F3") == []
    w = Warning.objects.about(Case.objects.get(case_no="F4")).get()
    assert (w.rule.code, w.level) == ("fee-above-minimum", "yellow")
    assert "高于下限 50.00 元" in w.detail
    assert codes("F5") == [("fee-irregular", "issued")]


def test_fee_above_minimum_level_is_configurable_and_switchable(ingest, staff):
    from xiaoneng.supervision.services import rule_update

    rule = Rule.objects.get(code="fee-above-minimum")
    rule_update(rule=rule, data={"level": "red"}, by=staff["supervisor"], now=at("2026-09-28 08:00"))
    ingest([ev("F6", "received", "2026-09-28 09:00"), ev("F6", "accepted", "2026-09-28 09:00"),
            ev("F6", "fee_charged", "2026-09-28 09:10", fee_item="检测费", amount="60")], now=at("2026-09-28 11:00"))
    assert Warning.objects.about(Case.objects.get(case_no="F6")).get().level == "red"
    rule_update(rule=rule, data={"enabled": False}, by=staff["supervisor"], now=at("2026-09-28 12:00"))
    # Only this rule off: the fee list is still read for it when 乱收费 is off too.
    Rule.objects.filter(code="fee-irregular").update(enabled=False)
    from xiaoneng.supervision.rulecache import rules_invalidate
    rules_invalidate()
    ingest([ev("F7", "received", "2026-09-28 09:00"), ev("F7", "accepted", "2026-09-28 09:00"),
            ev("F7", "fee_charged", "2026-09-28 09:10", fee_item="检测费", amount="60")], now=at("2026-09-28 13:00"))
    assert codes("F7") == []


def test_steps_out_of_order_await_confirmation(ingest, staff):
    ingest([ev("S1", "received", "2026-09-28 09:00"), ev("S1", "accepted", "2026-09-28 09:00"),
            ev("S1", "step_completed", "2026-09-28 15:00", step="批准")], now=at("2026-09-28 16:00"))
    w = Warning.objects.about(Case.objects.get(case_no="S1")).get(rule__code="step-order")
    assert w.status == WarningStatus.PENDING_CONFIRMATION  # the rule's mode: supervisor confirms first
    warning_confirm(warning=w, by=staff["supervisor"], now=at("2026-09-28 17:00"))
    w.refresh_from_db()
    assert w.status == WarningStatus.ISSUED and w.issued_at == at("2026-09-28 17:00")


def test_late_step_event_corrects_order_card(ingest):
    ingest([ev("S2", "received", "2026-09-28 09:00"), ev("S2", "accepted", "2026-09-28 09:00"),
            ev("S2", "step_completed", "2026-09-29 15:00", step="批准")], now=at("2026-09-29 16:00"))
    assert codes("S2") == [("step-order", "pending_confirmation")]
    # The review step happened first; its event was only synced later.
    ingest([ev("S2", "step_completed", "2026-09-29 10:00", step="审核")], now=at("2026-09-29 17:00"))
    assert codes("S2") == [("step-order", "withdrawn")]


def test_completed_never_registered_is_off_book(ingest):
    ingest([ev("O1", "accepted", "2026-09-28 09:00"), ev("O1", "completed", "2026-09-29 09:00")],
           now=at("2026-09-29 10:00"))
    assert ("off-book", "issued") in codes("O1")
    ingest([ev("O1", "received", "2026-09-28 08:30")], now=at("2026-09-29 11:00"))
    assert ("off-book", "withdrawn") in codes("O1")


def test_scoped_rule_beats_the_general_one(ingest, depts):
    # A department-scoped copy switched off: bureau A gets no refusal cards, bureau B still does.
    Rule.objects.create(code="no-reason-a", name="A 局不检查", check_code="no_reason", kind="event", level="yellow",
                        scope="department", scope_department=depts["a"], enabled=False)
    ingest([ev("R3", "received", "2026-09-28 09:00"), ev("R3", "refused", "2026-09-28 10:00"),
            ev("R4", "received", "2026-09-28 09:00", code="ZR001"),
            ev("R4", "refused", "2026-09-28 10:00", code="ZR001")], now=at("2026-09-28 11:00"))
    assert codes("R3") == []
    assert codes("R4") == [("no-reason", "issued")]
