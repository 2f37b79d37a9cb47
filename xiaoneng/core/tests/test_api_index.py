"""The API roots say what is there (issue 10 §5: /api/v1/ and /open311/v2/ answered 404), and the docs pages use
only this server's assets, with no inline script (so the CSP holds and an intranet without internet works)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_api_v1_index_lists_endpoints_and_docs(client):
    r = client.get("/api/v1/")
    assert r.status_code == 200
    body = r.json()
    assert body["docs"].endswith("/api/v1/docs") and body["openapi"].endswith("/api/v1/openapi.json")
    assert body["open311"].endswith("/open311/v2/")
    paths = {(e["method"], e["path"]) for e in body["endpoints"]}
    assert {("POST", "/api/v1/case-events"), ("GET", "/api/v1/cases"), ("GET", "/api/v1/workdays/add")} <= paths
    assert all(e["summary"] for e in body["endpoints"])
    # Summaries are read by the departments' integrators in the docs page: Chinese, not ninja's default taken
    # from the function name ("Me", "Departments").
    english = [e for e in body["endpoints"] if not re.search(r"[\u4e00-\u9fff]", e["summary"])]
    assert english == []
    assert "Bearer" in body["authentication"]


def test_open311_index_and_discovery(client):
    r = client.get("/open311/v2/")
    assert r.status_code == 200
    body = r.json()
    assert body["specification"] == "http://wiki.open311.org/GeoReport_v2"
    paths = {(e["method"], e["path"]) for e in body["endpoints"]}
    assert {("GET", "/open311/v2/services.json"), ("GET", "/open311/v2/services/{code}.json"),
            ("POST", "/open311/v2/requests.json"), ("GET", "/open311/v2/requests.json"),
            ("GET", "/open311/v2/requests/{service_request_id}.json"),
            ("GET", "/open311/v2/discovery.json")} <= paths
    discovery = client.get("/open311/v2/discovery.json").json()
    [endpoint] = discovery["endpoints"]
    assert endpoint["specification"] == body["specification"]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["application/json"] and discovery["changeset"]


@pytest.mark.parametrize("path", ["/api/v1/docs", "/open311/v2/docs"])
def test_docs_page_uses_only_local_assets_and_no_inline_script(client, path):
    r = client.get(path)
    assert r.status_code == 200
    html = r.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attrs, content in scripts:
        if 'type="application/json"' in attrs:
            continue  # a data block: never executed
        assert content.strip() == "", "inline script: the CSP would refuse it"
        src = re.search(r'src="([^"]+)"', attrs)[1]
        assert src.startswith("/static/") and finders.find(src.removeprefix("/static/")), src
    for href in re.findall(r'<link[^>]*href="([^"]+)"', html):
        assert href.startswith("/static/") and finders.find(href.removeprefix("/static/")), href
    assert "'unsafe-inline'" not in r["Content-Security-Policy"]
