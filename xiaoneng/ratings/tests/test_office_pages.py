"""The office's ratings pages: the list (filters, masking, escaping, scope), a rating's page, the figures page
and its exports, the policy and the reasons — every role, bad input shown in the form, query counts pinned."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from xiaoneng.ratings.models import Rating, RatingPolicy, RatingPolicyChange, RatingReason
from xiaoneng.ratings.services.rating import rating_record

from .conftest import at

NOW = at("2026-10-09 10:00")
LIST, FIG = "/staff/ratings/", "/staff/ratings/figures/"
B1_CELL = '<td class="text-nowrap">B1</td>'


@pytest.fixture
def rated(ended_case):
    a = rating_record(case=ended_case("R1"), level=1, reasons=["poor-attitude"], channel="api", now=NOW,
                      rater_name="王小五", rater_phone="13912345678",
                      comment="<script>alert(1)</script>=HYPERLINK(\"x\") 身份证330102199001011234")
    b = rating_record(case=ended_case("B1", code="ZR001", handler="handler_b"), level=5, channel="link", now=NOW)
    return a, b


def test_the_list_masks_raters_except_for_the_office_and_the_rated_departments_head(client, rated, staff):
    a, b = rated
    client.force_login(staff["supervisor"])
    page = client.get(LIST + "?period=2026Q4").content.decode()
    assert "王小五" in page and "13912345678" in page and "<script>alert" not in page and "&lt;script&gt;" in page
    assert "330102199001011234" in page  # the office reads the comment whole
    client.force_login(staff["head"])
    page = client.get(LIST).content.decode()
    # a case number is matched as its cell: a bare "B1" also turns up inside the random CSRF token
    assert "王小五" in page and B1_CELL not in page and "330102199001011234" not in page
    client.force_login(staff["handler"])
    page = client.get(LIST).content.decode()
    assert "王小五" not in page and "王**" in page and "139****5678" in page
    client.force_login(staff["leader"])
    page = client.get(LIST).content.decode()
    assert "王小五" not in page and B1_CELL in page
    client.force_login(staff["window"])
    assert client.get(LIST).status_code == 403


def test_list_filters_and_bad_filters(client, rated, staff, django_assert_max_num_queries):
    client.force_login(staff["supervisor"])
    for q, n in (("level=5", 1), ("kind=bad", 1), ("department=TB", 1), ("channel=link", 1), ("period=2026Q3", 0),
                 ("voided=yes", 0), ("", 2)):
        r = client.get(f"{LIST}?{q}")
        assert r.status_code == 200 and f"共 {n} 条" in r.content.decode(), q
    for q in ("level=9", "period=2026Q5", "channel=x", "department=NOPE", "voided=x", "period=" + "9" * 500):
        r = client.get(f"{LIST}?{q}")
        assert r.status_code == 400 and 'data-testid="form-error"' in r.content.decode(), q
    with django_assert_max_num_queries(12):
        client.get(LIST)


def test_the_list_query_count_does_not_grow(client, ended_case, staff, django_assert_max_num_queries):
    for i in range(12):
        rating_record(case=ended_case(f"Q{i}"), level=(i % 5) + 1, channel="api", now=NOW)
    client.force_login(staff["supervisor"])
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_a_ratings_page(client, rated, staff):
    a, b = rated
    client.force_login(staff["head"])
    page = client.get(f"{LIST}{a.pk}/").content.decode()
    assert "服务态度差" in page and "/staff/cases/R1/" in page and a.rectification.number in page
    assert client.get(f"{LIST}{b.pk}/").status_code == 404
    client.force_login(staff["handler_b"])
    assert client.get(f"{LIST}{a.pk}/").status_code == 404
    client.force_login(staff["supervisor"])
    assert client.get(f"{LIST}{b.pk}/").status_code == 200
    assert client.get(f"{LIST}999999/").status_code == 404


def test_the_figures_page_and_exports(client, rated, staff, django_assert_max_num_queries):
    client.force_login(staff["supervisor"])
    with django_assert_max_num_queries(12):
        r = client.get(FIG + "?period=2026Q4")
    page = r.content.decode()
    assert r.status_code == 200 and "2026年第四季度" in page and "好评率 = " in page and "样本较少" in page
    assert 'id="rating-chart-data"' in page and 'data-testid="table-levels"' in page
    assert client.get(FIG + "?period=2026Q0").status_code == 400
    x = client.get(FIG + "export/?period=2026Q4&fmt=xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content))["各部门"]
    rows = list(ws.values)
    assert rows[0][:3] == ("部门编码", "部门", "评价数")
    c = client.get(FIG + "export/?period=2026Q4&fmt=csv")
    assert c.status_code == 200 and "好评率" in c.content.decode("utf-8-sig")
    assert client.get(FIG + "export/?period=2026Q4&fmt=pdf").status_code == 400
    client.force_login(staff["head"])
    page = client.get(FIG + "?period=2026Q4").content.decode()
    assert "测试县自然资源局" not in page
    assert client.get(FIG + "?period=2026Q4&department=TB").status_code == 400
    client.force_login(staff["window"])
    assert client.get(FIG).status_code == 403


def test_the_list_export_neutralises_formulas_and_masks(client, rated, staff):
    client.force_login(staff["handler"])
    x = client.get(LIST + "export/?fmt=xlsx")
    ws = load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.iter_rows())
    comment = rows[1][6]
    assert comment.data_type == "s" and "13912345678" not in str([c.value for c in rows[1]])
    csv = client.get(LIST + "export/?fmt=csv").content.decode("utf-8-sig")
    assert "王小五" not in csv and "330102199001011234" not in csv
    client.force_login(staff["supervisor"])
    x = client.get(LIST + "export/?fmt=csv&kind=good").content.decode("utf-8-sig")
    assert "B1" in x and "R1" not in x


def test_a_formula_comment_is_text_in_the_export(client, ended_case, staff):
    rating_record(case=ended_case("F1"), level=5, channel="api", now=NOW, comment="=cmd|' /C calc'!A0")
    client.force_login(staff["supervisor"])
    csv = client.get(LIST + "export/?fmt=csv").content.decode("utf-8-sig")
    assert "'=cmd|" in csv
    ws = load_workbook(io.BytesIO(client.get(LIST + "export/?fmt=xlsx").content)).active
    cell = list(ws.iter_rows())[1][6]
    assert cell.value.startswith("=cmd") and cell.data_type == "s" and cell.quotePrefix


def test_the_policy_page(client, staff):
    url = "/staff/ratings/settings/"
    client.force_login(staff["supervisor"])
    assert client.get(url).status_code == 200
    good = {"rectification_limit_wd": "15", "link_valid_days": "60", "default_after_days": "7",
            "sms_invite_after_days": "1", "default_level": "basic"}
    r = client.post(url, good)
    assert r.status_code == 302
    p = RatingPolicy.current()
    assert (p.rectification_limit_wd, p.link_valid_days, p.default_level) == (15, 60, "basic")
    change = RatingPolicyChange.objects.get()
    assert change.before["rectification_limit_wd"] == 10 and change.after["rectification_limit_wd"] == 15
    page = client.get(url).content.decode()
    assert "10 → 15" in page and "默认基本满意" in page and not p.sms_invite
    # The SMS invitations are switched on by ticking the box and off by leaving it unticked.
    assert client.post(url, {**good, "sms_invite": "1"}).status_code == 302 and RatingPolicy.current().sms_invite
    assert "办结后短信邀请评价：关闭 → 开启" in client.get(url).content.decode()
    assert client.post(url, good).status_code == 302 and not RatingPolicy.current().sms_invite
    assert RatingPolicyChange.objects.count() == 3
    RatingPolicyChange.objects.exclude(pk=change.pk).delete()
    for field, value in (("rectification_limit_wd", "0"), ("rectification_limit_wd", "61"),
                         ("link_valid_days", "366"), ("link_valid_days", "abc"), ("default_level", "always"),
                         ("rectification_limit_wd", "9" * 30)):
        r = client.post(url, {**good, field: value})
        assert r.status_code == 400 and 'data-testid="form-error"' in r.content.decode(), (field, value)
    assert RatingPolicyChange.objects.count() == 1
    client.force_login(staff["leader"])
    assert client.get(url).status_code == 200
    assert client.post(url, {**good, "rectification_limit_wd": "20"}).status_code == 403
    for role in ("head", "handler", "window", "admin"):
        client.force_login(staff[role])
        assert client.get(url).status_code == 403
        assert client.post(url, good).status_code == 403
    assert RatingPolicy.current().rectification_limit_wd == 15


def test_the_reasons_page(client, staff):
    url = "/staff/ratings/settings/reasons/"
    client.force_login(staff["supervisor"])
    assert "服务态度差" in client.get(url).content.decode()
    r = client.post(url, {"code": "no-guidance", "name": "缺少引导", "levels": ["1", "2"]})
    assert r.status_code == 302
    new = RatingReason.objects.get(code="no-guidance")
    assert new.levels == [2, 1] and new.enabled
    for bad in ({"code": "no-guidance", "name": "另一个", "levels": ["1"]}, {"code": "Bad Code", "name": "x", "levels": ["1"]},
                {"code": "ok-code", "name": "", "levels": ["1"]}, {"code": "ok-code", "name": "x", "levels": ["9"]},
                {"code": "ok-code", "name": "x"}, {"code": "ok-code", "name": "服务态度差", "levels": ["1"]}):
        r = client.post(url, bad)
        assert r.status_code == 400 and 'data-testid="form-error"' in r.content.decode(), bad
    edit = f"{url}{new.pk}/"
    client.post(edit, {"name": "缺少引导服务"})
    client.post(edit, {"set_levels": "1", "levels": ["1"]})
    client.post(edit, {"enabled": "0"})
    new.refresh_from_db()
    assert (new.name, new.levels, new.enabled) == ("缺少引导服务", [1], False)
    for role in ("leader", "head", "handler", "window", "admin"):
        client.force_login(staff[role])
        assert client.get(url).status_code == 403
        assert client.post(edit, {"enabled": "1"}).status_code == 403
    new.refresh_from_db()
    assert not new.enabled


def test_nav_and_landing(client, rated, staff):
    client.force_login(staff["leader"])
    home = client.get("/staff/").content.decode()
    assert "好差评统计" in home and 'data-testid="panel-ratings-quarter"' in home
    client.force_login(staff["head"])
    home = client.get("/staff/").content.decode()
    assert "本部门好差评" in home and "好差评设置" not in home
    assert timedelta(0) == timedelta(0) and Rating.objects.count() == 2


def test_the_sms_switch_takes_only_on_or_off(staff):
    from xiaoneng.core.errors import DomainError
    from xiaoneng.ratings.services.office import policy_update

    for bad in ("maybe", 2, None, ["1"], {"on": True}):
        with pytest.raises(DomainError) as e:
            policy_update(by=staff["supervisor"], values={"sms_invite": bad}, now=at("2026-10-09 10:00"))
        assert e.value.field == "sms_invite"
    assert not RatingPolicy.current().sms_invite and not RatingPolicyChange.objects.exists()
    policy_update(by=staff["supervisor"], values={"sms_invite": True}, now=at("2026-10-09 10:00"))
    assert RatingPolicy.current().sms_invite
