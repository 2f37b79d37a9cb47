"""The public progress look-up (办件查询, issue 14 §1): by case number + look-up code or + phone4, never by number
alone; an unknown number, a wrong code and a wrong phone4 answer byte-for-byte alike (page modulo the CSRF
token, API exactly); the limit counts failures per address and per case number; bad input names the field; the
answer carries no name, ID, phone, handler or reason; the code is in the staff case API and on the notice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from xiaoneng.cases.models import QUERY_CODE_ALPHABET, Case, new_query_codes
from xiaoneng.cases.selectors_progress import normalise_code, phone_last4, progress_query_parse
from xiaoneng.core.errors import DomainError
from xiaoneng.supervision.tests.conftest import (  # noqa: F401  (fixtures)
    _supervision_env,
    at,
    ev,
    ingest,
    items,
    make_item,
)

API = "/api/v1/progress"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.XIAONENG_PROGRESS_RATE_IP = (50, 600)
    settings.XIAONENG_PROGRESS_RATE_CASE = (50, 3600)


@pytest.fixture
def case(ingest):  # noqa: F811
    """SP001 (bureau A) received 2026-09-28 09:00, a one-time notice, supplement received, accepted, the
    审核 step done, a fee charged: the applicant 张三 with phone '+86 138-1234-5678'."""
    n = "P2026-0001"
    ingest([ev(n, "received", "2026-09-28 09:00", handler="handler_a",
               applicant={"name": "张三", "id_no": "330102199001011234", "phone": "+86 138-1234-5678"}),
            ev(n, "supplement_requested", "2026-09-28 10:00", missing_materials=["营业执照副本"]),
            ev(n, "supplement_received", "2026-09-30 10:00"),
            ev(n, "accepted", "2026-09-30 11:00"),
            ev(n, "step_completed", "2026-10-09 10:00", step="审核", handler="李四"),
            ev(n, "fee_charged", "2026-10-09 11:00", fee_item="工本费", amount="10.00")],
           now=at("2026-10-09 12:00"))
    return Case.objects.get(case_no=n)


def _page(client, **data):
    return client.post("/progress/", data)


def _strip_csrf(html: bytes) -> bytes:
    return re.sub(rb'(name="csrfmiddlewaretoken" value="|name="csrf-token" content=")[^"]+', rb"\1X", html)


def test_code_generation_alphabet_and_length():
    codes = new_query_codes(2000)
    assert len(codes) == 2000 and all(len(c) == 8 for c in codes)
    assert set("".join(codes)) <= set(QUERY_CODE_ALPHABET) and not set("0O1I") & set("".join(codes))
    assert len(set(codes)) > 1990  # 40 bits each: a repeat among 2,000 is a one-in-a-million event
    assert len(QUERY_CODE_ALPHABET) == 32 and len(set(QUERY_CODE_ALPHABET)) == 32


@pytest.mark.django_db
def test_new_cases_get_their_own_codes_through_the_ingest(ingest):  # noqa: F811
    ingest([ev(f"Q{i}", "received", "2026-09-28 09:00") for i in range(30)], now=at("2026-09-28 09:05"))
    codes = list(Case.objects.filter(case_no__startswith="Q").values_list("query_code", flat=True))
    assert len(codes) == 30 and len(set(codes)) == 30
    assert all(re.fullmatch(f"[{QUERY_CODE_ALPHABET}]{{8}}", c) for c in codes)
    before = Case.objects.get(case_no="Q1").query_code
    ingest([ev("Q1", "accepted", "2026-09-28 10:00")], now=at("2026-09-28 10:05"))  # a refold keeps the code
    assert Case.objects.get(case_no="Q1").query_code == before


def test_parse_rules():
    assert progress_query_parse(case_no=" N1 ", code="abcd-efgh").code == "ABCDEFGH"
    assert progress_query_parse(case_no="N1", code=" abcd efgh ").code == "ABCDEFGH"
    assert progress_query_parse(case_no="N1", phone4="5678").phone4 == "5678"
    cases = [({"case_no": "", "code": "ABCDEFGH"}, "case_no"), ({"case_no": None, "code": "ABCDEFGH"}, "case_no"),
             ({"case_no": "N" * 65, "code": "ABCDEFGH"}, "case_no"), ({"case_no": "N 1", "code": "ABCDEFGH"}, "case_no"),
             ({"case_no": "N1"}, "code"), ({"case_no": "N1", "code": "", "phone4": ""}, "code"),
             ({"case_no": "N1", "code": "ABCDEFGH", "phone4": "5678"}, "code"),
             ({"case_no": "N1", "code": "ABCDEFG"}, "code"), ({"case_no": "N1", "code": "ABCDEFGHJ"}, "code"),
             ({"case_no": "N1", "code": "ABCDEFG0"}, "code"), ({"case_no": "N1", "code": "ABCDEFGI"}, "code"),
             ({"case_no": "N1", "code": "=cmd|'/C"}, "code"),
             ({"case_no": "N1", "phone4": "56 78"}, "phone4"), ({"case_no": "N1", "phone4": "56-78"}, "phone4"),
             ({"case_no": "N1", "phone4": "567"}, "phone4"), ({"case_no": "N1", "phone4": "15678"}, "phone4"),
             ({"case_no": "N1", "phone4": "５６７８"}, "phone4"), ({"case_no": "N1", "phone4": "+8656"}, "phone4")]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as e:
            progress_query_parse(**kwargs)
        assert e.value.field == field, kwargs
        assert re.search(r"[\u4e00-\u9fff]", e.value.message)
    assert normalise_code("ab cd-ef gh") == "ABCDEFGH"
    assert phone_last4("+86 138-1234-5678") == "5678" and phone_last4("(0571) 8888 0123") == "0123"
    assert phone_last4("123") == "" and phone_last4("") == ""


@pytest.mark.django_db
def test_the_page_answers_with_the_code_and_with_phone4(case, client):
    r = client.get("/progress/")
    assert r.status_code == 200 and "办件进度查询" in r.content.decode()
    r = _page(client, case_no=case.case_no, code=case.query_code.lower())
    html = r.content.decode()
    assert r.status_code == 200, html
    assert "已受理，办理中" in html and "测试县市场监督管理局" in html
    for step in ("接件", "一次性告知补正", "补正材料收齐", "受理", "审核环节办结"):
        assert step in html
    assert "2026-09-28 09:00" in html and "补正材料（不计时）" in html
    for secret in ("张三", "330102", "13812345678", "138-1234-5678", "5678", "李四", "营业执照副本", "工本费", "收费",
                   case.query_code):
        assert secret not in html, secret
    r2 = _page(client, case_no=case.case_no, phone4="5678")
    assert r2.status_code == 200 and "审核环节办结" in r2.content.decode()


@pytest.mark.django_db
def test_unknown_number_wrong_code_and_wrong_phone4_answer_alike(case, client):
    other = "ABCDEFGH" if case.query_code != "ABCDEFGH" else "HGFEDCBA"
    unknown = _page(client, case_no="P2026-9999", code=case.query_code)
    wrong = _page(client, case_no="P2026-9999", code=other)
    assert unknown.status_code == wrong.status_code == 404
    # The same number typed: an existing one with a wrong code or wrong phone4, and a non-existing one.
    a = _page(client, case_no=case.case_no, code=other)
    b = _page(client, case_no=case.case_no, phone4="0000")
    Case.objects.filter(pk=case.pk).update(case_no="P2026-MOVED")
    c = _page(client, case_no="P2026-0001", code=case.query_code)
    d = _page(client, case_no="P2026-0001", phone4="5678")
    assert {x.status_code for x in (a, b, c, d)} == {404}
    assert _strip_csrf(a.content) == _strip_csrf(b.content) == _strip_csrf(c.content) == _strip_csrf(d.content)
    assert "未查到相符的办件" in a.content.decode() and "已受理" not in a.content.decode()
    assert other not in a.content.decode() and "0000" not in b.content.decode()
    # The API: the very same bytes.
    api = Client()
    Case.objects.filter(pk=case.pk).update(case_no="P2026-0001")
    bodies = [api.get(API, {"case_no": "P2026-0001", "code": other}),
              api.get(API, {"case_no": "P2026-0001", "phone4": "0000"}),
              api.get(API, {"case_no": "P2026-0002", "code": case.query_code}),
              api.get(API, {"case_no": "P2026-0002", "phone4": "5678"})]
    assert {x.status_code for x in bodies} == {404}
    assert len({x.content for x in bodies}) == 1 and "error" in bodies[0].json()
    assert {tuple(sorted(x.headers.items())) for x in bodies} == {tuple(sorted(bodies[0].headers.items()))}


@pytest.mark.django_db
def test_no_phone_on_the_case_means_phone4_never_matches(ingest, client):  # noqa: F811
    ingest([ev("NP1", "received", "2026-09-28 09:00", applicant={"name": "王五", "phone": ""})],
           now=at("2026-09-28 09:05"))
    r = client.get(API, {"case_no": "NP1", "phone4": "0000"})
    assert r.status_code == 404
    code = Case.objects.get(case_no="NP1").query_code
    assert client.get(API, {"case_no": "NP1", "code": code}).status_code == 200


@pytest.mark.django_db
def test_the_api_answer(case, client):
    r = client.get(API, {"case_no": case.case_no, "code": case.query_code})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["case_no"] == "P2026-0001" and body["status"] == "accepted"
    assert body["status_label"] == "已受理，办理中" and body["department"] == "测试县市场监督管理局"
    assert [s["type"] for s in body["steps"]] == ["received", "supplement_requested", "supplement_received",
                                                   "accepted", "step_completed"]
    assert body["steps"][0]["at"].startswith("2026-09-28T09:00")
    assert body["suspensions"][0]["kind"] == "supplement"
    assert body["deadline"].endswith("+08:00") and body["received_at"].startswith("2026-09-28T09:00:00+08:00")
    text = r.content.decode()
    for secret in ("张三", "330102", "1381234", "李四", "营业执照", "工本费", "handler", "applicant", "query_code"):
        assert secret not in text, secret


@pytest.mark.django_db
def test_the_api_refuses_bad_input_naming_the_field(case, client):
    for params, field in (({}, "case_no"), ({"case_no": case.case_no}, "code"),
                          ({"case_no": case.case_no, "code": case.query_code, "phone4": "5678"}, "code"),
                          ({"case_no": case.case_no, "phone4": "56 78"}, "phone4"),
                          ({"case_no": case.case_no, "phone4": "56-78"}, "phone4"),
                          ({"case_no": case.case_no, "code": "0OI1"}, "code"),
                          ({"case_no": "x" * 10000, "code": case.query_code}, "case_no"),
                          ({"case_no": case.case_no, "code": "A" * 100000}, "code")):
        r = client.get(API, params)
        assert r.status_code == 400, (params, r.content[:200])
        assert r.json()["field"] == field and re.search(r"[\u4e00-\u9fff]", r.json()["error"])


@pytest.mark.django_db
def test_the_page_refuses_bad_input_in_the_form(case, client):
    r = _page(client, case_no=case.case_no, phone4="56 78")
    assert r.status_code == 400 and "4 位数字" in r.content.decode()
    r = _page(client, case_no=case.case_no)
    assert r.status_code == 400 and "请填写查询码" in r.content.decode()
    r = _page(client, case_no="x" * 500, code="ABCDEFGH")
    assert r.status_code == 400


@pytest.mark.django_db
def test_failures_are_limited_per_case_number_then_even_the_right_code_waits(case, client, settings):
    settings.XIAONENG_PROGRESS_RATE_CASE = (3, 3600)
    other = "ABCDEFGH" if case.query_code != "ABCDEFGH" else "HGFEDCBA"
    for _i in range(5):  # successes are not counted
        assert client.get(API, {"case_no": case.case_no, "code": case.query_code}).status_code == 200
    for _i in range(3):
        assert client.get(API, {"case_no": case.case_no, "code": other}).status_code == 404
    r = client.get(API, {"case_no": case.case_no, "code": case.query_code})
    assert r.status_code == 429 and int(r["Retry-After"]) >= 1 and "频繁" in r.json()["error"]
    page = _page(client, case_no=case.case_no, code=case.query_code)
    assert page.status_code == 429 and page["Retry-After"] and "已受理" not in page.content.decode()
    # Another case number is not held back by this one's failures (the address has its own, higher limit).
    assert client.get(API, {"case_no": "P2026-0002", "code": other}).status_code == 404


@pytest.mark.django_db
def test_failures_are_limited_per_address(case, settings):
    settings.XIAONENG_PROGRESS_RATE_IP = (4, 600)
    one, two = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    for i in range(4):
        assert one.get(API, {"case_no": f"X{i}", "code": "ABCDEFGH"}).status_code == 404
    assert one.get(API, {"case_no": case.case_no, "code": case.query_code}).status_code == 429
    assert two.get(API, {"case_no": case.case_no, "code": case.query_code}).status_code == 200


@pytest.mark.django_db
def test_query_counts_are_fixed(case, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the limit's counters, the case, its events
        assert client.get(API, {"case_no": case.case_no, "code": case.query_code}).status_code == 200


@pytest.mark.django_db
def test_staff_case_api_carries_the_code_only_for_readers_of_the_case(case, client):
    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.testing import make_staff

    mine = make_staff("progress_head_a", case.department, [R.HEAD])
    other = make_staff("progress_head_b", __import__("xiaoneng.accounts.models", fromlist=["x"]).Department
                       .objects.get(code="TB"), [R.HEAD])
    c = Client()
    c.force_login(mine)
    r = c.get(f"/api/v1/cases/{case.case_no}")
    assert r.status_code == 200 and r.json()["query_code"] == case.query_code
    c2 = Client()
    c2.force_login(other)
    r = c2.get(f"/api/v1/cases/{case.case_no}")
    assert r.status_code == 404 and case.query_code not in r.content.decode()


@pytest.mark.django_db
def test_the_one_time_notice_prints_the_code_and_the_address(ingest, client, settings):  # noqa: F811
    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.testing import make_staff
    from xiaoneng.cases import services as case_services

    settings.XIAONENG_PUBLIC_URL = "https://xiaoneng.example.gov.cn/"
    ingest([ev("N1", "received", "2026-09-28 09:00")], now=at("2026-09-28 09:05"))
    case = Case.objects.get(case_no="N1")
    handler = make_staff("progress_handler_a", case.department, [R.HANDLER])
    doc = case_services.case_request_supplement(case=case, materials=["食品经营许可申请书"], by=handler,
                                                now=at("2026-09-28 10:00"))
    client.force_login(handler)
    r = client.get(f"/staff/cases/{case.case_no}/documents/{doc.pk}/")
    html = r.content.decode()
    assert r.status_code == 200, html[:300]
    assert case.query_code in html and "https://xiaoneng.example.gov.cn/progress/" in html
    r = client.get(f"/staff/cases/{case.case_no}/")
    assert r.status_code == 200 and case.query_code in r.content.decode()


def test_hand_checked_time_window():
    from xiaoneng.portal.views_progress import _window

    start, retry = _window(at("2026-10-09 12:05") + timedelta(seconds=30), 600)
    assert start == at("2026-10-09 12:00") and retry == 270


@pytest.mark.django_db
def test_a_special_procedure_and_an_extension_show_as_periods_without_their_reasons(ingest, client):  # noqa: F811
    from xiaoneng.accounts import roles as R
    from xiaoneng.accounts.testing import make_staff
    from xiaoneng.cases import services as case_services

    ingest([ev("S45", "received", "2026-09-28 09:00"), ev("S45", "accepted", "2026-09-28 09:30")],
           now=at("2026-09-28 09:35"))
    case = Case.objects.get(case_no="S45")
    head = make_staff("progress_head_s", case.department, [R.HEAD])
    case_services.case_special_procedure_start(case=case, procedure="testing", reason="需送检样品：内部编号甲乙丙",
                                               expected_days=5, by=head, now=at("2026-09-29 10:00"))
    case_services.case_extend(case=Case.objects.get(pk=case.pk), granted_days=5, reason="涉及复杂情况：内部讨论记录",
                              by=head, now=at("2026-09-29 11:00"))
    r = client.get(API, {"case_no": "S45", "code": case.query_code})
    body = r.json()
    assert r.status_code == 200 and body["status"] == "suspended"
    kinds = [p["kind"] for p in body["suspensions"]]
    assert kinds == ["special", "extension"], body["suspensions"]
    special = body["suspensions"][0]
    assert special["start"].startswith("2026-09-29T10:00:00+08:00") and special["end"] is None
    assert special["granted_days"] == 5
    assert "内部" not in r.content.decode()
    html = _page(client, case_no="S45", code=case.query_code).content.decode()
    assert "特别程序（不计时）" in html and "延长审查期限" in html and "至今" in html and "内部" not in html
