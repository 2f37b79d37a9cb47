"""The evaluation API: GET /api/v1/rankings and GET /api/v1/scores/{department}/{period} — the published
revision only, every role (supervisors and leaders all; a head or a department token its own breakdown and the
published ranking; other roles 403), bad input a 400 naming the field in Chinese, figures as JSON numbers, and a
fixed number of queries whatever the number of departments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from xiaoneng.accounts.models import Department
from xiaoneng.accounts.services import api_client_create
from xiaoneng.evaluation.models import Score
from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run
from xiaoneng.evaluation.services.schemes import scheme_create_version

from .conftest import TZ
from .test_engine import one_indicator_spec

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ)
RANKINGS = "/api/v1/rankings"


@pytest.fixture
def quarter(depts, ended_case):
    """2026Q3 under a one-indicator scheme: bureau A with two cases (one on time, one late), bureau B one on
    time; computed and published. Answers the published evaluation."""

    def make(publish=True):
        scheme_create_version(one_indicator_spec(), now=NOW)
        ended_case("Q1", received="2026-09-21 09:00", ended="2026-09-21 10:00")
        ended_case("Q2", received="2026-08-03 09:00", ended="2026-09-29 10:00")
        ended_case("Q3", received="2026-09-21 09:00", ended="2026-09-22 10:00", code="ZR001", handler="handler_b")
        ev = evaluation_run("2026Q3", now=NOW)
        return evaluation_publish(ev, now=NOW) if publish else ev

    return make


@pytest.fixture
def tokens(depts):
    out = {}
    for key in ("a", "b"):
        _, raw = api_client_create(name=f"eval-{key}", department=depts[key], by=None, now=NOW)
        out[key] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    return out


def test_the_ranking_is_the_published_revision_in_rank_order(client_as, quarter):
    ev = quarter()
    r = client_as("supervisor").get(RANKINGS, {"period": "2026Q3"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["revision"] == ev.revision and body["period"] == "2026Q3" and body["group"] is None
    rows = body["rows"]
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    assert {row["department"] for row in rows} == {"TA", "TB"}
    first = rows[0]
    assert isinstance(first["score"], float) and first["grade"] in ("excellent", "good", "pass", "fail")
    assert set(first) >= {"department", "department_name", "group", "score", "rank", "grade", "veto", "flags"}
    s = Score.objects.get(evaluation=ev, department__code=first["department"])
    assert D(str(first["score"])) == s.score


def test_group_filter_ranks_within_the_group_and_an_unknown_group_is_named(client_as, quarter):
    quarter()
    c = client_as("leader")
    r = c.get(RANKINGS, {"period": "2026Q3", "group": "bureaus"})
    assert r.status_code == 200 and r.json()["group"] == "bureaus"
    assert [row["rank"] for row in r.json()["rows"]] == [1, 2]
    r = c.get(RANKINGS, {"period": "2026Q3", "group": "nope"})
    assert r.status_code == 400 and r.json()["field"] == "group" and "不存在" in r.json()["error"]


@pytest.mark.parametrize("period", ["2026Q5", "0000", "2026-13", "abc", "", "99999"])
def test_a_bad_period_is_a_400_naming_period(client_as, quarter, period):
    quarter()
    r = client_as("supervisor").get(RANKINGS, {"period": period})
    assert r.status_code == 400, r.content
    assert r.json()["field"] == "period"
    r = client_as("supervisor").get(f"/api/v1/scores/TA/{period or 'x'}")
    assert r.status_code == 400 and r.json()["field"] == "period"


def test_a_period_without_a_published_revision_is_404_in_chinese(client_as, quarter):
    quarter(publish=False)  # a draft: the office's, not the API's
    r = client_as("supervisor").get(RANKINGS, {"period": "2026Q3"})
    assert r.status_code == 404 and "尚无已发布" in r.json()["error"]
    assert client_as("supervisor").get("/api/v1/scores/TA/2026Q3").status_code == 404
    assert client_as("supervisor").get(RANKINGS, {"period": "9999"}).status_code == 404
    assert client_as("supervisor").get(RANKINGS, {"period": "0001"}).status_code == 404


@pytest.mark.parametrize("role,code", [("supervisor", 200), ("leader", 200), ("head", 200), ("handler", 403),
                                       ("window", 403), ("admin", 403)])
def test_who_reads_the_ranking(client_as, quarter, role, code):
    quarter()
    r = client_as(role).get(RANKINGS, {"period": "2026Q3"})
    assert r.status_code == code, r.content
    if code == 403:
        assert "权限" in r.json()["error"] or "只有" in r.json()["error"]


def test_anonymous_is_401(client, quarter):
    quarter()
    assert client.get(RANKINGS, {"period": "2026Q3"}).status_code == 401
    assert client.get("/api/v1/scores/TA/2026Q3").status_code == 401


def test_a_score_breakdown_with_numbers(client_as, quarter):
    ev = quarter()
    r = client_as("leader").get("/api/v1/scores/TA/2026Q3")
    assert r.status_code == 200, r.content
    b = r.json()
    s = Score.objects.get(evaluation=ev, department__code="TA")
    assert b["department"] == "TA" and b["period"] == "2026Q3" and b["revision"] == 1
    assert D(str(b["score"])) == s.score and b["grade"] == s.grade and b["rank"] == s.rank
    (ind,) = b["indicators"]
    assert ind["code"] == "on_time_rate" and ind["denominator"] == 2.0 and ind["numerator"] == 1.0
    assert ind["value"] == 0.5 and ind["weight"] == 100.0 and isinstance(ind["points"], float)
    assert set(ind) >= {"code", "name", "weight", "value", "numerator", "denominator", "points", "flags"}
    # the late case earned a red card: a deduction line with its units and points
    (red,) = b["deductions"]
    assert red["code"] == "card_red" and red["units"] >= 1.0 and red["points"] == red["units"] * 10
    assert b["bonuses"] == [] and b["veto"] is None


def test_a_head_and_a_token_read_their_own_breakdown_only(client_as, client, quarter, tokens):
    quarter()
    head = client_as("head")
    assert head.get("/api/v1/scores/TA/2026Q3").status_code == 200
    r = head.get("/api/v1/scores/TB/2026Q3")
    assert r.status_code == 404 and r.json()["field"] == "department"
    assert head.get("/api/v1/scores/NOPE/2026Q3").status_code == 404
    client.logout()
    assert client.get("/api/v1/scores/TA/2026Q3", **tokens["a"]).status_code == 200
    assert client.get("/api/v1/scores/TB/2026Q3", **tokens["a"]).status_code == 404
    assert client.get("/api/v1/scores/TB/2026Q3", **tokens["b"]).status_code == 200
    # the published ranking is every department's
    r = client.get(RANKINGS, {"period": "2026Q3"}, **tokens["b"])
    assert r.status_code == 200 and len(r.json()["rows"]) == 2
    assert client_as("handler").get("/api/v1/scores/TA/2026Q3").status_code == 403


def test_a_correction_shows_once_published(client_as, quarter):
    ev = quarter()
    fix = evaluation_run("2026Q3", now=NOW, reason="补录办件后更正")
    c = client_as("supervisor")
    assert c.get(RANKINGS, {"period": "2026Q3"}).json()["revision"] == 1  # the draft correction is not public
    evaluation_publish(fix, now=NOW)
    assert c.get(RANKINGS, {"period": "2026Q3"}).json()["revision"] == 2
    assert ev.pk != fix.pk


def test_query_counts_do_not_grow_with_departments(client_as, quarter, django_assert_max_num_queries, depts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiaoneng.accounts.services import department_create
    from xiaoneng.evaluation.models import Evaluation

    quarter()
    c = client_as("supervisor")
    with django_assert_max_num_queries(10):
        assert c.get("/api/v1/scores/TA/2026Q3").status_code == 200
    with CaptureQueriesContext(connection) as small:
        assert c.get(RANKINGS, {"period": "2026Q3"}).status_code == 200
    for n in range(12):
        department_create(code=f"TN{n}", name=f"测试县新设局{n}", parent=depts["county"])
    evaluation_run("2026Q3", now=NOW, reason="新设单位后重算")
    evaluation_publish(Evaluation.objects.get(period="2026Q3", status="draft"), now=NOW)
    assert Department.objects.filter(code__startswith="TN").count() == 12
    with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as big:
        r = c.get(RANKINGS, {"period": "2026Q3"})
    assert r.status_code == 200 and len(r.json()["rows"]) == 14
    assert len(big.captured_queries) == len(small.captured_queries)


def test_the_endpoints_are_in_the_openapi_docs(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/rankings" in schema["paths"] and "/api/v1/scores/{department}/{period}" in schema["paths"]
    assert "RankingRow" in str(schema["components"]) and "IndicatorOut" in str(schema["components"])


def test_a_veto_reads_as_an_object_and_ranks_last(client_as, depts, ended_case):
    scheme_create_version(one_indicator_spec(vetoes=[{"code": "red_cards", "threshold": 1, "sanction_kind": ""}]),
                          now=NOW)
    ended_case("Q1", received="2026-09-21 09:00", ended="2026-09-21 10:00")
    ended_case("Q2", received="2026-08-03 09:00", ended="2026-09-29 10:00")  # late: a red card → the veto
    ended_case("Q3", received="2026-09-21 09:00", ended="2026-09-22 10:00", code="ZR001", handler="handler_b")
    ev = evaluation_publish(evaluation_run("2026Q3", now=NOW), now=NOW)
    c = client_as("supervisor")
    rows = c.get(RANKINGS, {"period": "2026Q3"}).json()["rows"]
    assert [r["department"] for r in rows] == ["TB", "TA"]
    veto = rows[1]["veto"]
    assert rows[1]["grade"] == "fail" and veto["code"] == "red_cards" and veto["count"] >= 1 and veto["threshold"] == 1
    assert "达到否决标准" in veto["text"] and rows[0]["veto"] is None
    assert c.get("/api/v1/scores/TA/2026Q3").json()["veto"]["name"] == veto["name"]
    html = c.get(f"/staff/evaluation/{ev.pk}/").content.decode()
    assert 'data-testid="veto"' in html and "达到否决标准" in html
