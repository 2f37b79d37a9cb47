"""The dashboard and the leader's landing panel speak the reader's language where the catalogue has the words:
their labels and messages go through gettext when the page is drawn (the grade names used to be fixed in Chinese
when the module was imported). New messages (named placeholders) wait for the English catalogue; here they must
at least read whole in Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation

from .test_dashboard import URL, chart, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_dashboard_s_charts_speak_english(world, client_as):  # noqa: F811
    resp = client_as("leader").get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    data = chart(resp)
    assert data["grades"]["labels"][0] == "Excellent"
    names = {s["name"] for s in data["metrics"]["charts"]["rates"] + data["metrics"]["charts"]["counts"]}
    assert {"On-time completion rate", "Yellow card", "Red card"} <= names
    # … and in Chinese by default, from the same module (nothing fixed at import).
    data = chart(client_as("leader").get(URL))
    assert data["grades"]["labels"] == ["优秀", "良好", "合格", "不合格"]
    assert data["trend"]["label_mean"] == "全部单位平均分"


def test_bad_input_messages_are_whole_with_their_placeholders(world, client_as):  # noqa: F811
    errors = client_as("leader").get(URL, {"period": "2026Q4", "places": "99"}).context["errors"]
    assert "2026年第四季度尚无已发布的考核结果，已显示最近一期。" in errors
    assert "每组显示的名次数应为 1 至 50 之间的整数，已按 10 名显示。" in errors
    assert not any("%(" in e for e in errors)


def test_the_leader_s_landing_panel(world, staff):  # noqa: F811
    from xiaoneng.evaluation.selectors_dashboard import landing_leader

    from .test_dashboard import NOW

    panel = landing_leader(staff["leader"], now=NOW)
    assert panel["title"] == "2026年第三季度效能考核" and panel["link"] == "打开领导驾驶舱"
    assert panel["rows_title"] == "总排名末位"
    assert panel["rows"][0]["meta"] == "第2名 · 0.00分 · 不合格"  # B: overall 2nd, 0 points, 不合格
    with translation.override("en"):
        panel = landing_leader(staff["leader"], now=NOW)
    assert [t["label"] for t in panel["tiles"]][0] == "Excellent"
    # The grade inside the (not yet translated) line follows the language already.
    assert panel["rows"][0]["meta"].endswith(" · Fail")
