"""The port is enough: a clock owner declared here, in a handful of lines (its rows, its rules), gets reminder,
yellow and red cards, automatic orders, a draft proposal and notifications from the unchanged engine — what the
next issues' owners (a bad rating's rectification, an inspection finding's correction …) will do. Nothing in
supervision knows this kind."""

from __future__ import annotations

from datetime import datetime

import pytest

from xiaoneng.core import clocks
from xiaoneng.core.clocks import DEADLINE_FAMILY, ClockRow, Subject
from xiaoneng.supervision.defaults import rules_ensure_defaults
from xiaoneng.supervision.models import Notification, Rule, SupervisionOrder, SupervisionProposal, Warning
from xiaoneng.supervision.rulecache import rules_invalidate
from xiaoneng.supervision.services import supervise_tick, warning_escalate

from .conftest import TZ

DUE = datetime(2026, 3, 9, 17, 30, tzinfo=TZ)  # Monday, close of office hours


class Rectifications:
    """A test clock owner: rectification tasks (整改) kept in memory, one deadline each."""

    kind, label, family = "rectify", "整改事项", DEADLINE_FAMILY
    subject_model, number_field, handler_field = None, "", ""  # kept in memory: no model
    # Its rules ship with it: supervision creates them after migrate (defaults.rules_ensure_defaults).
    default_rules = tuple(
        {"code": f"rectify-{level}", "name": f"整改{level}", "check_code": check, "subject_kind": "rectify",
         "kind": "time", "level": level, "thresholds": n, "mode": "automatic"}
        for level, check, n in (("reminder", "deadline_reminder", {"before_wd": 2}),
                                ("yellow", "deadline_overdue", {"over_wd": 1}),
                                ("red", "deadline_overdue_long", {"over_wd": 2})))

    def __init__(self, rows: list[ClockRow]):
        self.rows, self.next = {r.id: r for r in rows}, {}

    def any_due(self, *, now):
        return True

    def due(self, *, now, limit, skip_locked):
        return [r for r in self.rows.values() if self.next.get(r.id, now) is not None and self.next.get(r.id, now) <= now]

    def checked(self, results, *, now):
        for c in results:
            c.row.flag, self.next[c.row.id] = c.flag, c.next_check_at
        return {}

    def url_of(self, pk, number):
        return f"/rectify/{pk}/"

    def subjects(self, ids):
        return {i: Subject(self.rows[i].number, f"/rectify/{i}/", self.rows[i].department_id) for i in ids}

    def sync(self, *, now):
        return 0

    def consequence(self, name, marks, *, now):
        return 0

    def reschedule(self, *, now):
        self.next.clear()
        return len(self.rows)


@pytest.fixture
def rectify(depts, staff, calendar):
    owner = clocks.register_owner(Rectifications([
        ClockRow("rectify", 7, "ZG-2026-007", depts["a"].pk, handler_id=staff["handler"].pk, stage="rectify", due_at=DUE,
                 label="整改期限"),
    ]))
    assert rules_ensure_defaults() == 3  # what `migrate` does for a registered owner (post_migrate)
    yield owner
    clocks.unregister_owner("rectify")
    rules_invalidate()


def _cards():
    return list(Warning.objects.filter(subject_kind="rectify", subject_id=7).order_by("crossed_at", "id")
                .values_list("rule__code", "level", "department_id", "handler_id"))


def test_a_declared_owner_gets_cards_orders_proposals_and_notifications(rectify, depts, staff, client_as):
    assert clocks.owner("rectify") is rectify and Rectifications.kind in clocks.kinds()
    r = supervise_tick(now=datetime(2026, 3, 5, 17, 30, tzinfo=TZ))  # 2 wd before the due day's close
    assert r.checked["rectify"] == 1 and r.issued["reminder"] == 1
    a, h = depts["a"].pk, staff["handler"].pk
    assert _cards() == [("rectify-reminder", "reminder", a, h)]
    w = Warning.objects.get(subject_kind="rectify", level="reminder")
    assert w.deadline_key == "rectify@2026-03-09T09:30:00Z" and w.detail == "整改期限 2026-03-09 17:30 即将到期"
    assert rectify.rows[7].flag == "reminder" and rectify.next[7] is not None
    assert not SupervisionOrder.objects.exists()  # a reminder brings no order

    supervise_tick(now=datetime(2026, 3, 10, 17, 31, tzinfo=TZ))  # more than 1 wd over
    supervise_tick(now=datetime(2026, 3, 11, 17, 31, tzinfo=TZ))  # more than 2 wd over
    assert [c[:2] for c in _cards()] == [("rectify-reminder", "reminder"), ("rectify-yellow", "yellow"),
                                         ("rectify-red", "red")]
    assert rectify.rows[7].flag == "red" and rectify.next[7] is None
    supervise_tick(now=datetime(2026, 3, 12, 9, tzinfo=TZ))
    assert len(_cards()) == 3  # nothing twice

    # Escalation as for any card: an automatic order per yellow and red card, a draft proposal at red.
    orders = SupervisionOrder.objects.filter(subject_kind="rectify", subject_id=7)
    assert orders.count() == 2 and all(o.automatic and o.department_id == a for o in orders)
    assert SupervisionProposal.objects.filter(subject_kind="rectify", subject_id=7, status="draft").count() == 1
    # Notifications: the handler hears of every card, in-app at once.
    got = Notification.objects.filter(recipient=staff["handler"], warning__subject_kind="rectify", channel="in_app")
    assert got.count() == 3 and all(n.subject.startswith("【") and "整改事项 ZG-2026-007" in n.subject for n in got)

    # The office escalates a card by hand like any other, and the pages show the owner's number and link.
    yellow = Warning.objects.get(subject_kind="rectify", level="yellow")
    warning_escalate(warning=yellow, by=staff["supervisor"], now=datetime(2026, 3, 12, 10, tzinfo=TZ), text="仍未整改")
    page = client_as("supervisor").get(f"/staff/supervision/warnings/{yellow.pk}/").content.decode()
    assert "ZG-2026-007" in page and "/rectify/7/" in page and "整改事项" in page
    listing = client_as("head").get("/staff/supervision/warnings/").content.decode()
    assert "ZG-2026-007" in listing


def test_rules_of_one_kind_never_judge_another(rectify, depts, calendar):
    # The complaint rules (subject kind "complaint") are the same checks: they must not card a rectification.
    Rule.objects.filter(subject_kind="rectify").delete()
    rules_invalidate()
    r = supervise_tick(now=datetime(2026, 3, 20, tzinfo=TZ))
    assert r.checked["rectify"] == 1 and _cards() == [] and rectify.next[7] is None


def test_a_deadline_rule_cannot_be_scoped_to_a_service_item(staff, items):
    from xiaoneng.core.errors import DomainError
    from xiaoneng.supervision.services import rule_update

    rule = Rule.objects.get(code="complaint-yellow")
    with pytest.raises(DomainError, match="不能按事项设置适用范围") as e:
        rule_update(rule=rule, data={"scope": "item", "scope_item": items["a"]}, by=staff["supervisor"],
                    now=DUE)
    assert e.value.field == "scope" and Rule.objects.get(pk=rule.pk).scope == "all"


def test_an_owners_shipped_rules_are_created_once_and_edits_kept(rectify):
    Rule.objects.filter(code="rectify-yellow").update(thresholds={"over_wd": 4}, enabled=False)
    Rule.objects.filter(code="rectify-red").delete()
    assert rules_ensure_defaults() == 1  # only the missing one comes back
    yellow = Rule.objects.get(code="rectify-yellow")
    assert yellow.thresholds == {"over_wd": 4} and not yellow.enabled
    assert Rule.objects.get(code="rectify-red").subject_kind == "rectify"
