"""Pages and the API: every role on every page and endpoint, filters, pagination, scoping."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xiaoneng.accounts.services import api_client_create
from xiaoneng.cases.models import Case
from xiaoneng.supervision.models import RuleChange, Warning
from xiaoneng.supervision.services import supervise_tick, supervision_order_issue

from .conftest import at

ROLES = ["window", "handler", "head", "handler_b", "supervisor", "leader", "admin"]


@pytest.fixture
def world(accepted_case, staff, ingest):
    """A yellow card in bureau A (C1), a yellow card in bureau B (B1), and an order on the first."""
    accepted_case("C1")
    accepted_case("B1", code="ZR001", handler="handler_b")
    supervise_tick(now=at("2026-10-13 09:00"))
    wa = Warning.objects.about(Case.objects.get(case_no="C1")).get()
    wb = Warning.objects.about(Case.objects.get(case_no="B1")).get()
    order = supervision_order_issue(warning=wa, by=staff["supervisor"], now=at("2026-10-13 09:30"), due_wd=2,
                                    instructions="请说明原因。")
    return {"wa": wa, "wb": wb, "order": order}


def _pages(world):
    wa, order = world["wa"], world["order"]
    return {
        "monitor": reverse("supervision:monitor"),
        "panel": reverse("supervision:monitor_panel"),
        "charts": reverse("supervision:monitor_charts"),
        "warnings": reverse("supervision:warning_list"),
        "warning": reverse("supervision:warning_detail", args=[wa.pk]),
        "orders": reverse("supervision:order_list"),
        "order": reverse("supervision:order_detail", args=[order.pk]),
        "rules": reverse("supervision:rule_list"),
        "rule": reverse("supervision:rule_edit", args=["committed-yellow"]),
        "desk": reverse("supervision:desk"),
    }


# Expected status per page and role (card/order of bureau A: other departments get 404).
EXPECTED = {
    "monitor": {"supervisor": 200, "leader": 200, "admin": 200},
    "panel": {"supervisor": 200, "leader": 200, "admin": 200},
    "charts": {"supervisor": 200, "leader": 200, "admin": 200},
    "warnings": dict.fromkeys(ROLES, 200),
    "warning": {"window": 200, "handler": 200, "head": 200, "handler_b": 404, "supervisor": 200, "leader": 200,
                "admin": 200},
    "orders": dict.fromkeys(ROLES, 200),
    "order": {"window": 200, "handler": 200, "head": 200, "handler_b": 404, "supervisor": 200, "leader": 200,
              "admin": 200},
    "rules": {"supervisor": 200, "leader": 200, "admin": 200},
    "rule": {"supervisor": 200, "leader": 200, "admin": 200},
    "desk": dict.fromkeys(ROLES, 200),
}


@pytest.mark.parametrize("role", ROLES + ["anonymous"])
def test_every_page_for_every_role(world, client, staff, role):
    if role != "anonymous":
        client.force_login(staff[role])
    for name, url in _pages(world).items():
        r = client.get(url)
        if role == "anonymous":
            assert r.status_code == 302 and "/accounts/login/" in r["Location"], name
        else:
            assert r.status_code == EXPECTED[name].get(role, 403), (name, role, r.status_code)
        if r.status_code == 200 and name not in ("charts",):
            body = r.content.decode()
            assert "style=\"" not in body and "<script>" not in body, name  # CSP: no inline styles or scripts


def case_link(no: str) -> str:
    # The case's link, not the bare number: "C1" alone can occur in the page's random CSP nonce.
    return f'href="{reverse("cases:case_detail", args=[no])}"'


def test_card_lists_are_scoped(world, client_as):
    body = client_as("handler_b").get(reverse("supervision:warning_list")).content.decode()
    assert case_link("B1") in body and case_link("C1") not in body
    body = client_as("supervisor").get(reverse("supervision:warning_list")).content.decode()
    assert case_link("B1") in body and case_link("C1") in body


def test_monitor_shows_counts_and_drills_down(world, client_as):
    r = client_as("supervisor").get(reverse("supervision:monitor"))
    body = r.content.decode()
    assert 'data-testid="count-yellow">2<' in body
    assert reverse("cases:case_detail", args=["C1"]) in body
    assert 'hx-trigger="every 30s"' in body
    charts = client_as("supervisor").get(reverse("supervision:monitor_charts")).json()
    assert {"ontime", "items", "rules"} <= set(charts)
    assert charts["rules"][0]["yellow"] == 2


ACTIONS = ["explain", "correct", "confirm", "withdraw", "escalate", "appeal", "decide", "order"]


@pytest.mark.parametrize("role", ROLES)
def test_card_actions_by_role(world, client_as, role):
    """Only the department answers, only supervisors decide; others get 403 (or 404 outside scope)."""
    c = client_as(role)
    wa = world["wa"]
    allowed = {"handler": {"explain", "correct"}, "head": {"explain", "correct", "appeal"},
               "supervisor": {"confirm", "withdraw", "escalate", "order"}}.get(role, set())
    for action in ACTIONS:
        if action == "decide":
            continue
        wa.refresh_from_db()
        Warning.objects.filter(pk=wa.pk).update(status="issued")
        data = {f"{action}-text": "说明", f"{action}-reason": "理由", f"{action}-due_wd": "2",
                f"{action}-instructions": "请办结"}
        r = c.post(reverse("supervision:warning_action", args=[wa.pk, action]), data)
        if role == "handler_b":
            assert r.status_code == 404, action
        elif action in allowed:
            assert r.status_code == 302, (role, action, r.status_code)
        else:
            assert r.status_code == 403, (role, action, r.status_code)


def test_explain_form_error_shown(world, client_as):
    r = client_as("handler").post(reverse("supervision:warning_action", args=[world["wa"].pk, "explain"]),
                                  {"explain-text": ""})
    assert r.status_code == 400


def test_rule_edit_page(world, client_as):
    url = reverse("supervision:rule_edit", args=["committed-yellow"])
    data = {"name": "超承诺时限黄牌", "enabled": "on", "level": "yellow", "mode": "automatic", "scope": "all",
            "auto_order": "on", "order_due_wd": "5", "auto_proposal": "on",  # the form's escalation settings
            "t_over_wd": "2", "note": "调整"}
    assert client_as("leader").post(url, data).status_code == 403
    r = client_as("supervisor").post(url, data)
    assert r.status_code == 302
    assert RuleChange.objects.get().after["thresholds"] == {"over_wd": 2}
    log = client_as("admin").get(url).content.decode()
    # The history says what changed in the form's words, never the stored keys (issue 10 §4; it used to
    # print "thresholds: {'over_wd': 1} → {'over_wd': 2}").
    assert "阈值：超过承诺时限 1 个工作日以上发牌 → 超过承诺时限 2 个工作日以上发牌" in log and "调整" in log
    history = log.split('data-testid="rule-changes"', 1)[1]
    assert "over_wd" not in history and "thresholds" not in history
    listing = client_as("leader").get(reverse("supervision:rule_list")).content.decode()
    assert "超过承诺时限 2 个工作日以上发牌" in listing and "承诺时限到期前 2 个工作日提醒" in listing
    assert "_wd=" not in listing
    bad = dict(data, t_over_wd="99")
    assert client_as("supervisor").post(url, bad).status_code == 400


def test_order_pages(world, client_as):
    order = world["order"]
    url = reverse("supervision:order_action", args=[order.pk, "answer"])
    assert client_as("handler_b").post(url, {"answer-answer": "x"}).status_code == 404
    assert client_as("supervisor").post(url, {"answer-answer": "x"}).status_code == 403
    assert client_as("handler").post(url, {"answer-answer": "已办结"}).status_code == 302
    close = reverse("supervision:order_action", args=[order.pk, "close"])
    assert client_as("head").post(close, {"close-note": ""}).status_code == 403
    assert client_as("supervisor").post(close, {"close-note": ""}).status_code == 302


def test_desk_lists_my_cards_and_orders(world, client_as):
    body = client_as("handler").get(reverse("supervision:desk")).content.decode()
    assert case_link("C1") in body and world["order"].number in body and case_link("B1") not in body


def test_a_reassigned_case_brings_its_open_cards_to_the_new_handlers_desk(world, client_as, staff, depts):
    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.testing import make_staff
    from xiaoneng.cases.services import case_assign_handler

    card_link = f'href="{reverse("supervision:warning_detail", args=[world["wa"].pk])}"'

    def cards_to_answer(client) -> str:  # the desk's "my cards" list (the notifications below keep history)
        html = client.get(reverse("supervision:desk")).content.decode()
        return html.split('data-testid="desk-cards"', 1)[1].split("</ul>", 1)[0]

    assert card_link in cards_to_answer(client_as("handler"))
    other = make_staff("handler_a2", depts["a"], [R.HANDLER])
    case_assign_handler(case=Case.objects.get(pk=world["wa"].subject_id), handler=other, by=staff["head"], now=at("2026-10-14 09:00"),
                        reason="原承办人休假。")
    client = client_as("handler")
    assert card_link not in cards_to_answer(client)
    client.force_login(other)
    assert card_link in cards_to_answer(client)


# ================================================================================================ API
def test_case_api_lists_warnings(world, client_as):
    data = client_as("handler").get("/api/v1/cases/C1").json()
    assert [(w["rule"], w["level"], w["status"]) for w in data["warnings"]] == [("committed-yellow", "yellow", "issued")]
    assert data["warnings"][0]["issued_at"].startswith("2026-10-13T")


def test_warning_api_scoping(world, client, client_as, depts):
    assert client.get("/api/v1/warnings").status_code == 401
    _c, token = api_client_create(name="市场监管系统", department=depts["a"], by=None, now=at("2026-10-01 09:00"))
    r = client.get("/api/v1/warnings", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and [i["case_no"] for i in r.json()["items"]] == ["C1"]
    assert client.get(f"/api/v1/warnings/{world['wb'].pk}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
    assert [i["case_no"] for i in client_as("handler_b").get("/api/v1/warnings").json()["items"]] == ["B1"]
    assert client_as("supervisor").get("/api/v1/warnings").json()["count"] == 2


@pytest.mark.parametrize(("query", "expected"), [
    ("level=yellow", 2), ("level=red", 0), ("status=issued", 2), ("status=open", 2), ("status=withdrawn", 0),
    ("department=TA", 1), ("department=T00", 2), ("department=NOPE", 0), ("rule=committed-yellow", 2),
    ("rule=statutory-red", 0), ("issued_from=2026-10-13&issued_to=2026-10-13", 2), ("issued_from=2026-10-14", 0),
    ("issued_to=2026-10-12", 0), ("case_no=B", 1),
])
def test_warning_api_filters(world, client_as, query, expected):
    r = client_as("supervisor").get(f"/api/v1/warnings?{query}")
    assert r.status_code == 200 and r.json()["count"] == expected


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "offset=-1", "offset=99999999999", "level=green",
                                   "status=nope", "issued_from=2026-13-01", "limit=abc"])
def test_warning_api_bad_values_are_422(world, client_as, query):
    r = client_as("supervisor").get(f"/api/v1/warnings?{query}")
    assert r.status_code == 422 and r.json()["errors"]


def test_warning_api_pagination_and_detail(world, client_as):
    c = client_as("supervisor")
    page = c.get("/api/v1/warnings?limit=1&offset=1").json()
    assert page["count"] == 2 and len(page["items"]) == 1 and page["offset"] == 1
    detail = c.get(f"/api/v1/warnings/{world['wa'].pk}").json()
    assert detail["rule"] == "committed-yellow" and detail["history"][0]["kind"] == "order"


def test_case_page_lists_cards_by_name_with_links(world, client_as):
    """The case page shows each card in Chinese (level, rule name, status) and links to the card."""
    body = client_as("supervisor").get(reverse("cases:case_detail", args=["C1"])).content.decode()
    assert "黄牌" in body and "超承诺时限黄牌" in body
    assert reverse("supervision:warning_detail", args=[world["wa"].pk]) in body
    assert "committed-yellow ·" not in body  # never the raw rule code
