"""The portal's pages: the home page's published bulletins, ranking ends and headline figures (hand-computed
from a hand-built published evaluation; drafts never shown), the search page and API (grouped by kind, paged,
bad input in Chinese at 400, snippet escaped), the department list, contact, the accessibility statement, the
适老化 mode cookie with and without JavaScript, query counts pinned."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from xiaoneng.accounts.services import department_create
from xiaoneng.evaluation.models import Bulletin, Evaluation, Scheme, Score, ScoreLine
from xiaoneng.portal.models import SearchDocument

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 10, 9, 9, 0, tzinfo=TZ)


def html(resp) -> str:
    return resp.content.decode()


@pytest.fixture
def evaluation(depts):
    """2026Q3 published: bureau A 92.5 (rank 1), bureau B 71 (rank 2), group 县直部门. Lines (num/den):
    on_time_rate A 45/50, B 30/40 → 75/90 = 83.3 %; complaint_on_time_rate A 3/4, B 1/1 → 4/5 = 80.0 %;
    rating_good_rate A only 18/20 = 90.0 % (B's line not scored: left out). A draft 2026Q4 must not show."""
    scheme = Scheme.objects.create(period_kind="quarter", version=99, name="季度方案", valid_from=date(2026, 1, 1),
                                   created_at=T0)
    ev = Evaluation.objects.create(period="2026Q3", period_kind="quarter", scheme=scheme, status="published",
                                   starts_at=datetime(2026, 7, 1, tzinfo=TZ), ends_at=datetime(2026, 10, 1, tzinfo=TZ),
                                   computed_at=T0, published_at=T0)
    draft = Evaluation.objects.create(period="2026Q4", period_kind="quarter", scheme=scheme, status="draft",
                                      starts_at=datetime(2026, 10, 1, tzinfo=TZ),
                                      ends_at=datetime(2027, 1, 1, tzinfo=TZ), computed_at=T0)
    lines = {"a": [("on_time_rate", 45, 50, True), ("complaint_on_time_rate", 3, 4, True),
                   ("rating_good_rate", 18, 20, True)],
             "b": [("on_time_rate", 30, 40, True), ("complaint_on_time_rate", 1, 1, True),
                   ("rating_good_rate", 0, 0, False)]}
    for e in (ev, draft):
        for rank, (key, score) in enumerate((("a", "92.50"), ("b", "71.00")), start=1):
            s = Score.objects.create(evaluation=e, department=depts[key], group_code="bureau", group_name="县直部门",
                                     base_points=Decimal(score), score=Decimal(score), grade="good", rank=rank,
                                     rank_overall=rank, group_size=2)
            for i, (code, num, den, scored) in enumerate(lines[key]):
                ScoreLine.objects.create(score=s, kind="indicator", code=code, name=code, numerator=num,
                                         denominator=den, scored=scored, position=i)
    Bulletin.objects.create(evaluation=ev, number="测效通〔2026〕3号", title="关于2026年第三季度机关效能考核结果的通报",
                            generated_at=T0, published_at=T0)
    Bulletin.objects.create(evaluation=ev, number="测效通〔2026〕4号", title="未印发的通报草稿", generated_at=T0)
    return ev


def test_home_shows_published_results_only(client, evaluation):
    body = html(client.get("/"))
    assert "2026年第3季度" in body or "2026年第三季度" in body  # the period is said
    assert 'data-testid="headline-on_time_rate">83.3%' in body
    assert 'data-testid="headline-complaint_on_time_rate">80.0%' in body
    assert 'data-testid="headline-rating_good_rate">90.0%' in body
    assert "关于2026年第三季度机关效能考核结果的通报" in body and "未印发的通报草稿" not in body
    assert '/departments/TA/' in body and "92.50" in body
    assert "/rankings/?period=2026Q3" in body


def test_home_without_any_evaluation(client, depts):
    body = html(client.get("/"))
    assert "暂无已发布的考核数据" in body and "暂无已印发的通报" in body


def test_home_links_and_site_identity(client, depts, settings):
    settings.XIAONENG_SITE_CODE = "3301270001"
    settings.XIAONENG_ICP_NUMBER = "浙ICP备12345678号"
    body = html(client.get("/"))
    for href in ("/guide/", "/progress/", "/complaints/", "/complaints/mailbox/", "/disclosure/",
                 "/information-requests/", "/departments/", "/contact/", "/accessibility/", "/site-map/", "/search/"):
        assert f'href="{href}"' in body, href
    assert "网站标识码：3301270001" in body and "浙ICP备12345678号" in body
    # every public page's footer carries it, not only the portal's own (the shell's context processor)
    for other in ("/guide/", "/complaints/", "/information-requests/"):
        page = html(client.get(other))
        assert "网站标识码：3301270001" in page and "浙ICP备12345678号" in page, other


def test_site_code_hidden_when_unset(client, depts, settings):
    settings.XIAONENG_SITE_CODE = ""
    assert "网站标识码" not in html(client.get("/"))


def test_home_query_count_is_pinned(client, evaluation, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


@pytest.fixture
def docs(db):
    for i in range(25):
        SearchDocument.objects.create(kind="guide", key=f"g{i}", title=f"户口事项{i}", body="户口<script>x</script>",
                                      url=f"/guide/G{i}/", published_at=T0 + timedelta(minutes=i))
    SearchDocument.objects.create(kind="disclosure", key="d1", title="社保基金", body="本月户口整顿经费",
                                  url="/disclosure/entries/d1/", published_at=T0)


def test_search_page_groups_pages_and_escapes(client, docs):
    body = html(client.get("/search/?q=户口"))
    assert "共找到 26 条结果" in body
    assert "办事指南 (25)" in body and "政务公开 (1)" in body
    assert "<script>x" not in body and "&lt;script&gt;x&lt;/script&gt;" in body
    assert "<mark>户口</mark>" in body
    assert "事项24" in body and "事项14" not in body  # newest first, 10 a page
    body2 = html(client.get("/search/?q=户口&page=3"))
    assert "事项0" in body2 and "社保基金" in body2  # the body-only hit comes last
    body3 = html(client.get("/search/?q=户口&kind=disclosure"))
    assert "社保基金" in body3 and "户口事项" not in body3.split("共找到")[1]


@pytest.mark.parametrize("q, status", [("", 400), ("   ", 400), ("户" * 51, 400), ("%_\\", 200)])
def test_search_page_bad_input(client, db, q, status):
    r = client.get("/search/", {"q": q})
    assert r.status_code == status
    if status == 400:
        assert "检索" in html(r) and 'aria-invalid="true"' in html(r)


@pytest.mark.parametrize("params", [{"q": "户口", "page": "0"}, {"q": "户口", "page": "abc"},
                                    {"q": "户口", "page": "99999999999999999999"}, {"q": "户口", "kind": "x"}])
def test_search_page_bad_page_or_kind(client, db, params):
    assert client.get("/search/", params).status_code == 400


def test_search_page_without_query_shows_the_form(client, db):
    r = client.get("/search/")
    assert r.status_code == 200 and 'name="q"' in html(r)


def test_search_api(client, docs):
    r = client.get("/api/v1/search", {"q": "社保 户口"})
    data = r.json()
    assert r.status_code == 200 and data["total"] == 26
    first = data["results"][0]
    assert first == {"kind": "disclosure", "title": "社保基金", "url": "/disclosure/entries/d1/",
                     "snippet": "本月户口整顿经费"}
    assert len(data["results"]) == 10
    assert client.get("/api/v1/search", {"q": "户口", "kind": "disclosure"}).json()["total"] == 1
    assert client.get("/api/v1/search", {"q": "户口", "page": "3"}).json()["results"][-1]["title"] == "社保基金"


@pytest.mark.parametrize("params, field", [({"q": ""}, "q"), ({}, "q"), ({"q": "户" * 51}, "q"),
                                           ({"q": "户口", "kind": "nope"}, "kind"), ({"q": "户口", "page": "-1"}, "page"),
                                           ({"q": "户口", "page": "1e9"}, "page")])
def test_search_api_bad_input(client, db, params, field):
    r = client.get("/api/v1/search", params)
    assert r.status_code == 400
    data = json.loads(r.content)
    assert data["field"] == field and any("\u4e00" <= c <= "\u9fff" for c in data["error"])


def test_search_page_query_count_is_pinned(client, docs, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get("/search/?q=户口 社保 基金").status_code == 200


def test_departments_list(client, depts):
    department_create(code="TZ", name="测试镇人民政府", kind="township", parent=depts["county"])
    depts["a"].address, depts["a"].phone = "人民路1号", "0571-1234 5678"
    depts["a"].save()
    body = html(client.get("/departments/"))
    assert "/departments/TA/" in body and "人民路1号" in body and 'href="tel:0571-12345678"' in body
    assert "测试镇人民政府" in body and "登记注册科" not in body  # sections are internal


def test_departments_query_count_is_pinned(client, depts, django_assert_max_num_queries):
    for i in range(20):
        department_create(code=f"TT{i}", name=f"测试局{i}", parent=depts["county"])
    with django_assert_max_num_queries(4):
        client.get("/departments/")


def test_contact_and_accessibility_and_site_map(client, depts):
    assert "测试县效能办" in html(client.get("/contact/"))
    body = html(client.get("/accessibility/"))
    assert "无障碍声明" in body and "适老化模式" in body and "/accessibility/mode/?on=1" in body
    assert "/disclosure/" in html(client.get("/site-map/"))


def test_a11y_mode_without_javascript(client, db):
    r = client.get("/accessibility/mode/", {"on": "1", "next": "/guide/?q=户口"})
    assert r.status_code == 302 and r["Location"] == "/guide/?q=%E6%88%B7%E5%8F%A3"
    assert r.cookies["xn_a11y"].value == "1" and r.cookies["xn_a11y"]["samesite"] == "Lax"
    body = html(client.get("/"))
    assert 'class="xn-public xn-a11y"' in body and 'aria-pressed="true"' in body and "退出适老化模式" in body
    r = client.get("/accessibility/mode/", {"on": "0", "next": "/"})
    assert r.cookies["xn_a11y"].value == ""
    client.cookies.pop("xn_a11y", None)
    body = html(client.get("/"))
    assert 'class="xn-public"' in body and 'aria-pressed="false"' in body


@pytest.mark.parametrize("nxt", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "", "\\\\evil"])
def test_a11y_mode_goes_back_only_to_this_site(client, db, nxt):
    r = client.get("/accessibility/mode/", {"on": "1", "next": nxt})
    assert r.status_code == 302 and r["Location"] == "/"


def test_a11y_mode_is_for_public_pages_only(client_as):
    c = client_as("supervisor")
    c.cookies["xn_a11y"] = "1"
    body = html(c.get("/staff/"))
    assert "xn-a11y" not in body and "portal/portal.css" not in body
    assert "xn-a11y" in html(c.get("/guide/"))


def test_public_shell_has_no_inline_script(client, db):
    body = html(client.get("/"))
    assert "<script>" not in body and 'src="/static/portal/a11y.js"' in body
    assert 'class="skip-link" href="#main"' in body and 'id="main"' in body


@pytest.mark.parametrize("nxt", ["/\r\nSet-Cookie: a=b", "/a\nb", "/" + "a" * 5000, "/\x00"])
def test_a11y_mode_next_cannot_inject_headers(client, db, nxt):
    r = client.get("/accessibility/mode/", {"on": "1", "next": nxt})
    assert r.status_code in (302, 400)
    assert "\n" not in r.get("Location", "") and "\r" not in r.get("Location", "")
