"""The landing page (工作台, /staff/): each role opens on its own page, built from the panels the apps
register (core/landing.py), every figure scoped as the lists behind it, a bounded number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.testing import make_staff
from xiaoneng.cases.models import Case
from xiaoneng.supervision.models import OrderStatus, SupervisionOrder, Warning
from xiaoneng.supervision.services import supervise_tick, supervision_order_issue

from .conftest import at

# The panels each role's page shows, in order.
PANELS = {
    "leader": ["leader-headline", "leader-complaints", "ratings-quarter"],
    "supervisor": ["supervisor-today", "complaint-intake", "ratings-quarter", "rating-rectify-review",
                   "inspections-office",
                   # issue 14: catalogues filed for the office to decide; the disclosure day (the head's check panel
                   # shows only with open findings)
                   "disclosure-catalogue-office", "evaluation-status", "evaluation-consequences",
                   "disclosure-check-office"],
    # issue 14: the department's catalogue and entries; its information requests
    "head": ["department-due", "department-cards", "department-complaints", "rating-rectify", "inspections-department",
             "disclosure-catalogue-department", "inforequest-department"],
    "handler": ["handler-desk", "rating-rectify"],
    "window": ["window-today"],
    "admin": ["admin-today"],
}


@pytest.fixture
def world(accepted_case, staff):
    """Bureau A: C1 (handler_a) and C2 (handler_a1, in section A1 under A) with yellow cards; bureau B: B1 and
    B2 (handler_b). An order on C1's card and one on B1's, both past due by the time the tests run."""
    accepted_case("C1")
    accepted_case("C2", handler="handler_a1")
    accepted_case("B1", code="ZR001", handler="handler_b")
    accepted_case("B2", code="ZR001", handler="handler_b")
    supervise_tick(now=at("2026-10-13 09:00"))
    for no in ("C1", "B1"):
        supervision_order_issue(warning=Warning.objects.about(Case.objects.get(case_no=no)).get(), by=staff["supervisor"],
                                now=at("2026-10-13 09:30"), due_wd=2, instructions="请说明原因。")


def _panels(body: str) -> list[str]:
    return re.findall(r'data-testid="panel-([\w-]+)"', body)


def rows_text(body: str) -> str:
    """The text of the panels' row lists only: case numbers are short ("C2", "B1") and a whole page's random
    CSRF token contains one now and then (the test was flaky on the whole body)."""
    return " ".join(re.findall(r'<a [^>]*href="/staff/cases/([^/"]+)/"', body))


def tile(body: str, panel: str, key: str) -> str:
    """The value of one tile of one panel."""
    section = body.split(f'data-testid="panel-{panel}"', 1)[1].split("</section>", 1)[0]
    m = re.search(rf'data-testid="tile-{key}".*?data-value="([^"]*)"', section, re.S)
    assert m, f"no tile {key} in panel {panel}"
    return m.group(1)


@pytest.mark.parametrize("role", list(PANELS))
def test_each_role_lands_on_its_own_page(world, client_as, role):
    body = client_as(role).get(reverse("core:home")).content.decode()
    assert f'data-role="{role}"' in body
    assert _panels(body) == PANELS[role]
    assert 'data-testid="role-switch"' not in body  # one role: nothing to switch to


def test_a_roleless_account_is_told_why_the_page_is_empty(world, client, depts):
    client.force_login(make_staff("nobody", depts["a"], []))
    body = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="no-role"' in body and "尚未分配角色" in body
    assert _panels(body) == []


def _issued_orders(dept) -> int:
    return SupervisionOrder.objects.filter(department__path__startswith=dept.path, status=OrderStatus.ISSUED).count()


def test_the_head_sees_the_departments_due_and_overdue_and_never_another_departments(world, client_as, depts):
    body = client_as("head").get(reverse("core:home")).content.decode()
    # C1 and C2 (section A1 is under bureau A) are past their committed deadline; B1 and B2 are bureau B's.
    assert tile(body, "department-due", "overdue") == "2"
    listed = rows_text(body).split()
    assert "C1" in listed and "C2" in listed and "B1" not in listed and "B2" not in listed
    assert tile(body, "department-cards", "cards") == "2"
    ours, theirs = _issued_orders(depts["a"]), _issued_orders(depts["b"])
    assert ours and theirs  # supervision issued some on its own too (escalation): count them, never B's
    assert tile(body, "department-cards", "orders") == str(ours) == tile(body, "department-cards", "late-orders")


def test_the_handler_sees_their_own_desk_only(world, client_as, depts):
    body = client_as("handler").get(reverse("core:home")).content.decode()
    assert tile(body, "handler-desk", "overdue") == "1"  # C1 only: C2 is handler_a1's
    assert tile(body, "handler-desk", "cards") == "1"
    # The desk lists the department's orders to answer (selectors.desk_for): bureau A's, never B's.
    assert tile(body, "handler-desk", "orders") == str(_issued_orders(depts["a"]))
    listed = rows_text(body).split()
    assert "C1" in listed and "C2" not in listed and "B1" not in listed
    body_b = client_as("handler_b").get(reverse("core:home")).content.decode()
    assert tile(body_b, "handler-desk", "overdue") == "2" and "C1" not in rows_text(body_b).split()


def test_the_supervisor_sees_what_needs_a_decision_county_wide(world, client_as):
    body = client_as("supervisor").get(reverse("core:home")).content.decode()
    late = SupervisionOrder.objects.filter(status=OrderStatus.ISSUED, due_at__lt=timezone.now()).count()
    assert late >= 2 and tile(body, "supervisor-today", "late-orders") == str(late)
    assert tile(body, "supervisor-today", "appeals") == "0" and tile(body, "supervisor-today", "drafts") == "0"
    assert tile(body, "complaint-intake", "waiting") == "0"


def test_the_leader_sees_open_cards_named_as_open(world, client_as):
    body = client_as("leader").get(reverse("core:home")).content.decode()
    assert "在办黄牌" in body
    assert tile(body, "leader-headline", "open-yellow") == "4"
    assert 'data-testid="trend-leader-headline"' in body


def test_the_window_sees_todays_queue_of_its_department(world, client_as):
    body = client_as("window").get(reverse("core:home")).content.decode()
    assert tile(body, "window-today", "today") == "0" and tile(body, "window-today", "waiting") == "0"
    assert reverse("cases:case_register") in body


def test_several_roles_open_the_most_senior_page_with_links_to_the_others(world, client, depts):
    both = make_staff("head_window", depts["a"], [R.WINDOW, R.HEAD])
    client.force_login(both)
    body = client.get(reverse("core:home")).content.decode()
    assert 'data-role="head"' in body and 'data-testid="role-switch"' in body and "?role=window" in body
    assert 'data-role="window"' in client.get(reverse("core:home") + "?role=window").content.decode()
    # A role not held is ignored: the page stays the person's own, nothing county-wide leaks.
    body = client.get(reverse("core:home") + "?role=supervisor").content.decode()
    assert 'data-role="head"' in body and "supervisor-today" not in body


# Queries per landing page, whatever the number of cases and cards (sessions, user and groups included).
# 5 of them the page's own: session, user, groups, the user's department, the session's save after login.
# The window's page asks once whether the window is at a service centre (whose queue is the cases it registered).
# Since issue 12 the rectifications of bad ratings add their panel: two queries for a department's (counts, the
# nearest rows), three for the office's review queue (two counts, the rows).
# The office's 明查暗访 panel (visits and findings counted: 2), the head's correction tasks (count, rows: 2).
# This quarter's ratings for the leader and the office (the GROUP BY, the open rectifications: 2); the office's
# open surveys (the surveys, today's responses: 2).
# Issue 13: the office's evaluation state of this and last quarter (one query each: 2) and its consequences
# (proposals and appeals counted, the oldest proposals, published evaluations without a bulletin: 4).
# The leader's latest published quarter (whether one is published: 1; the fixture has none).
# Issue 14, the disclosure day: the office's panel (the office's own dates, drafts waiting, late findings: 3), the
# head's open findings (counted: 1; no panel without any). The disclosure catalogues' panels (the office's filing
# queue, a head's units: 3 each) and the head's information requests (counts, the rows due this week: 2).
QUERIES = {"leader": 14, "supervisor": 35, "head": 23, "handler": 14, "window": 10, "admin": 10}


@pytest.mark.parametrize("role", list(QUERIES))
def test_query_count_of_each_landing_page_is_pinned(world, client_as, role, accepted_case):
    c = client_as(role)
    with CaptureQueriesContext(connection) as first:
        assert c.get(reverse("core:home")).status_code == 200
    for i in range(3):  # more rows must not mean more queries
        accepted_case(f"C9{i}")
    with CaptureQueriesContext(connection) as second:
        assert c.get(reverse("core:home")).status_code == 200
    assert len(first) == len(second) == QUERIES[role], [q["sql"][:120] for q in second.captured_queries]


def test_the_windows_queue_counts_todays_cases_of_its_department_only(world, ingest, client_as, staff):
    from .conftest import ev

    now = timezone.now()
    ingest([ev("T1", "received", now - timedelta(minutes=5)), ev("T2", "received", now - timedelta(minutes=3)),
            ev("TB", "received", now - timedelta(minutes=4), "ZR001")], now=now)
    body = client_as("window").get(reverse("core:home")).content.decode()
    assert tile(body, "window-today", "today") == "2" and tile(body, "window-today", "waiting") == "2"
    listed = rows_text(body).split()
    assert "T1" in listed and "T2" in listed and "TB" not in listed


def test_the_administrator_sees_accounts_without_a_role(world, client_as, depts):
    make_staff("nobody", depts["a"], [])
    body = client_as("admin").get(reverse("core:home")).content.decode()
    assert tile(body, "admin-today", "roleless") == "1"
