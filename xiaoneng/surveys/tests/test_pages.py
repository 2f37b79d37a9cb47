"""The survey pages: the public questionnaire (link and invitation code), QR codes, the office's designer,
groups, codes, results and exports, a head's own scores; and the API."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from xiaoneng.surveys import services
from xiaoneng.surveys.models import Answer, InvitationCode, QuestionKind, Response, Survey
from xiaoneng.surveys.testing import build_survey, full_answers, questions_by_kind


@pytest.fixture
def live(staff, depts):
    """A survey open now (the pages use the real clock)."""
    now = timezone.now()
    return build_survey(by=staff["supervisor"], departments=[depts["a"], depts["b"]],
                        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
                        now=now - timedelta(days=2))


def _post_data(survey, ratings, **extra):
    q = questions_by_kind(survey)
    data = {f"q{q[QuestionKind.MATRIX].pk}_{d}": str(v) for d, v in ratings.items()}
    data[f"q{q[QuestionKind.SINGLE].pk}"] = str(q[QuestionKind.SINGLE].options.first().pk)
    data[f"q{q[QuestionKind.SCALE].pk}"] = "4"
    data.update(extra)
    return data


def test_public_page_with_code_then_reuse(client, live, staff, depts):
    code = services.invitation_codes_generate(survey=live, group="deputies", count=1, by=staff["supervisor"],
                                              now=timezone.now())[0]
    url = f"/surveys/{live.token}/"
    page = client.get(url, {"code": code.code})
    assert page.status_code == 200
    body = page.content.decode()
    assert "人大代表" in body and "测试县市场监督管理局" in body and "非常满意" in body
    resp = client.post(url, _post_data(live, {depts["a"].pk: 5, depts["b"].pk: 2}, code=code.code))
    assert resp.status_code == 302 and resp["Location"].endswith("/thanks/")
    assert Response.objects.get().group.code == "deputies"
    again = client.post(url, _post_data(live, {depts["a"].pk: 5, depts["b"].pk: 2}, code=code.code))
    assert again.status_code == 409 and "已于" in again.content.decode()
    assert Response.objects.count() == 1


def test_public_page_errors_keep_answers_and_store_nothing(client, live, depts):
    url = f"/surveys/{live.token}/"
    resp = client.post(url, _post_data(live, {depts["a"].pk: 5}, group="public"))
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "请为每个部门评分" in body and "测试县自然资源局" in body
    assert Response.objects.count() == 0
    # Wrong ids in every field: another department, junk, huge numbers.
    q = questions_by_kind(live)
    for extra in ({f"q{q[QuestionKind.SINGLE].pk}": "99999999999999999999"},
                  {f"q{q[QuestionKind.SCALE].pk}": "9"}, {"group": "deputies"}, {"group": "x" * 5000}):
        resp = client.post(url, _post_data(live, {depts["a"].pk: 5, depts["b"].pk: 4}, group="public") | extra)
        assert resp.status_code == 400
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_closed_and_unknown_surveys(client, staff, depts):
    s = build_survey(by=staff["supervisor"], departments=[depts["a"]], opens_at=timezone.now() - timedelta(days=30),
                     closes_at=timezone.now() - timedelta(days=1), now=timezone.now() - timedelta(days=31))
    page = client.get(f"/surveys/{s.token}/")
    assert page.status_code == 200 and "已于" in page.content.decode() and "不再接受答卷" in page.content.decode()
    resp = client.post(f"/surveys/{s.token}/", {"group": "public"})
    assert resp.status_code == 400 and Response.objects.count() == 0
    assert client.get("/surveys/nope/").status_code == 404
    draft = build_survey(by=staff["supervisor"], departments=[depts["a"]], opens_at=timezone.now(),
                         closes_at=timezone.now() + timedelta(days=1), now=timezone.now(), publish=False)
    assert client.get(f"/surveys/{draft.token}/").status_code == 404


def test_qr_codes(client, live):
    png = client.get(f"/surveys/{live.token}/qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    svg = client.get(f"/surveys/{live.token}/qr.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content


def test_office_designs_and_publishes_with_htmx(client_as, staff, depts):
    c = client_as("supervisor")
    resp = c.post("/staff/surveys/", {"title": "2027年度万人评机关", "opens_on": "2027-01-04", "closes_on": "2027-01-31",
                                      "public_link": "1"})
    assert resp.status_code == 302
    s = Survey.objects.get(title="2027年度万人评机关")
    assert timezone.localtime(s.closes_at).strftime("%Y-%m-%d %H:%M") == "2027-02-01 00:00"
    hx = {"HTTP_HX_REQUEST": "true"}
    assert c.post(f"/staff/surveys/{s.pk}/sections/", {"title": "一、机关作风"}, **hx).status_code == 200
    section = s.versions.get().sections.get()
    resp = c.post(f"/staff/surveys/{s.pk}/questions/", {"section": section.pk, "kind": "matrix", "text": "请评价",
                                                        "departments": [depts["a"].pk, depts["b"].pk],
                                                        "required": "1"}, **hx)
    assert resp.status_code == 200 and "请评价" in resp.content.decode()
    bad = c.post(f"/staff/surveys/{s.pk}/questions/", {"section": section.pk, "kind": "single", "text": "x",
                                                       "options": "只有一个"}, **hx)
    assert bad.status_code == 400 and "至少需要两个选项" in bad.content.decode()
    assert c.get(f"/staff/surveys/{s.pk}/preview/").status_code == 200
    assert c.post(f"/staff/surveys/{s.pk}/publish/").status_code == 302
    s.refresh_from_db()
    assert s.status == "published"
    # Frozen: adding a question now is refused on the page.
    resp = c.post(f"/staff/surveys/{s.pk}/questions/", {"section": section.pk, "kind": "scale", "text": "新"}, **hx)
    assert resp.status_code == 400
    assert c.post(f"/staff/surveys/{s.pk}/revise/").status_code == 302
    assert s.versions.count() == 2


@pytest.mark.parametrize("data", [
    {"title": "", "opens_on": "2027-01-04", "closes_on": "2027-01-31"},
    {"title": "x", "opens_on": "0001-01-01", "closes_on": "9999-12-31"},
    {"title": "x", "opens_on": "2027-01-31", "closes_on": "2027-01-04"},
    {"title": "x", "opens_on": "２０２７-０１-０１", "closes_on": "2027-01-04"},
    {"title": "x" * 500, "opens_on": "2027-01-04", "closes_on": "2027-01-31"},
])
def test_create_bad_input(client_as, data):
    resp = client_as("supervisor").post("/staff/surveys/", data)
    assert resp.status_code == 400 and Survey.objects.count() == 0


def test_groups_codes_and_exports(client_as, live, depts):
    c = client_as("supervisor")
    resp = c.post(f"/staff/surveys/{live.pk}/codes/", {"action": "generate", "group": "cppcc", "count": "3"})
    assert resp.status_code == 302 and InvitationCode.objects.count() == 3
    sheet = c.get(f"/staff/surveys/{live.pk}/codes/sheet/", {"group": "cppcc"})
    assert sheet.status_code == 200 and InvitationCode.objects.first().code in sheet.content.decode()
    assert sheet.content.decode().count("<svg") == 3  # one QR per card, each with its code in the link
    assert c.get(f"/staff/surveys/{live.pk}/codes/sheet/", {"group": "cppcc", "page": "9" * 30}).status_code == 200
    assert c.get(f"/staff/surveys/{live.pk}/codes/sheet/", {"group": "nobody"}).status_code == 400
    csv = c.get(f"/staff/surveys/{live.pk}/codes/export/", {"group": "cppcc", "fmt": "csv"})
    assert csv.status_code == 200 and InvitationCode.objects.first().code in csv.content.decode("utf-8-sig")
    assert c.get(f"/staff/surveys/{live.pk}/codes/export/", {"group": "cppcc", "fmt": "exe"}).status_code == 400
    resp = c.post(f"/staff/surveys/{live.pk}/codes/", {"action": "sms", "group": "enterprises",
                                                        "phones": "13912345678\n13812345678"})
    assert resp.status_code == 302 and InvitationCode.objects.count() == 5
    resp = c.post(f"/staff/surveys/{live.pk}/groups/", {
        "code": ["public", "service_users"], "name": ["社会公众", "服务对象"], "weight": ["1", "x"],
        "min_responses": ["5", "5"], "public": ["public"]})
    assert resp.status_code == 400 and "权重须是数字" in resp.content.decode()


def test_results_page_export_and_formula_neutralised(client_as, live, depts):
    from openpyxl import load_workbook

    now = timezone.now()
    for i in range(3):
        services.response_submit(survey=live, answers=full_answers(live, {depts["a"].pk: 5, depts["b"].pk: 1},
                                                                   text="=cmd|' /C calc'!A0"),
                                 group="public", now=now - timedelta(minutes=i))
    c = client_as("leader")
    page = c.get(f"/staff/surveys/{live.pk}/results/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "100.00% 选择“服务态度好”，共 3 份" in body
    assert "非常满意 100 分" in body  # the 0-100 mapping is printed
    raw = c.get(f"/staff/surveys/{live.pk}/results/export/", {"kind": "raw"})
    assert raw.status_code == 200
    wb = load_workbook(io.BytesIO(raw.content))
    cells = [cell for row in wb.worksheets[0].iter_rows() for cell in row if isinstance(cell.value, str)
             and "cmd" in cell.value]
    assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    summary = c.get(f"/staff/surveys/{live.pk}/results/export/", {"kind": "summary"})
    assert summary.status_code == 200
    assert c.get(f"/staff/surveys/{live.pk}/results/export/", {"kind": "zzz"}).status_code == 400


def test_results_page_query_count(client_as, live, depts, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(5):
        services.response_submit(survey=live, answers=full_answers(live, {depts["a"].pk: 4, depts["b"].pk: 2}),
                                 group="public", now=now - timedelta(minutes=i))
    c = client_as("supervisor")
    with django_assert_max_num_queries(30):
        assert c.get(f"/staff/surveys/{live.pk}/results/").status_code == 200
    with django_assert_max_num_queries(20):
        assert c.get("/staff/surveys/").status_code == 200


def test_head_sees_own_score_of_closed_surveys(client_as, staff, depts):
    sup = staff["supervisor"]
    now = timezone.now()
    s = build_survey(by=sup, departments=[depts["a"], depts["b"]], opens_at=now - timedelta(days=30),
                     closes_at=now - timedelta(days=1), now=now - timedelta(days=31))
    services.groups_save(survey=s, by=sup, now=now, groups=[services.GroupInput("public", "社会公众", "1", 1)])
    s.refresh_from_db()
    services.responses_bulk_submit(survey=s, items=[(now - timedelta(days=5), "public",
                                                     full_answers(s, {depts["a"].pk: 4, depts["b"].pk: 1}))])
    page = client_as("head").get("/staff/surveys/my-scores/")
    body = page.content.decode()
    assert page.status_code == 200 and "75.00" in body
    assert "0.00 分" not in body  # bureau B's score is not shown to bureau A's head


def test_api_results_and_scoping(client, client_as, staff, depts):
    from xiaoneng.accounts.services import api_client_create

    sup = staff["supervisor"]
    now = timezone.now()
    s = build_survey(by=sup, departments=[depts["a"], depts["b"]], opens_at=now - timedelta(days=30),
                     closes_at=now - timedelta(days=1), now=now - timedelta(days=31))
    services.responses_bulk_submit(survey=s, items=[(now - timedelta(days=5), "public",
                                                     full_answers(s, {depts["a"].pk: 4, depts["b"].pk: 1}))])
    data = client_as("leader").get(f"/api/v1/surveys/{s.pk}/results").json()
    assert {d["code"] for d in data["departments"]} == {"TA", "TB"} and data["questions"]
    assert client_as("handler").get(f"/api/v1/surveys/{s.pk}/results").status_code == 403
    _client, token = api_client_create(name="系统", department=depts["a"], by=None, now=now)
    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    mine = client.get(f"/api/v1/surveys/{s.pk}/results", **auth).json()
    assert [d["code"] for d in mine["departments"]] == ["TA"] and mine["questions"] == []
    assert client.get("/api/v1/surveys/999999/results", **auth).status_code == 404
    assert client.get(f"/api/v1/surveys/{s.pk}/results").status_code == 401


def test_api_response_intake(client, live, depts, staff):
    url = f"/api/v1/surveys/{live.pk}/responses"
    good = {"group": "public", "answers": full_answers(live, {depts["a"].pk: 5, depts["b"].pk: 3})}
    resp = client.post(url, json.dumps(good), content_type="application/json")
    assert resp.status_code == 201, resp.content
    bad_bodies = ["[]", "null", "{", json.dumps({"group": "public", "answers": [1, 2]}),
                  json.dumps({"group": {"$ne": 1}, "answers": {}}),
                  json.dumps({"group": "public", "answers": {"1": {"a": {"b": {"c": [[[[1]]]]}}}}}),
                  "[" * 5000 + "]" * 5000,
                  json.dumps({"group": "public", "answers": good["answers"] | {"999999999999999999999": 1}})]
    for body in bad_bodies:
        r = client.post(url, body, content_type="application/json")
        assert 400 <= r.status_code < 500, (body[:40], r.status_code)
        assert r["Content-Type"].startswith("application/json")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.content.decode("unicode_escape", "ignore")
                   + json.dumps(r.json(), ensure_ascii=False))
    assert Response.objects.count() == 1
    assert client.post("/api/v1/surveys/999999/responses", json.dumps(good),
                       content_type="application/json").status_code == 404


def test_office_edits_questions_and_sections_of_the_draft(client_as, staff, depts):
    from xiaoneng.surveys.models import Option, Question, Section

    now = timezone.now()
    s = build_survey(by=staff["supervisor"], departments=[depts["a"]], opens_at=now, closes_at=now + timedelta(days=9),
                     now=now, publish=False)
    c = client_as("supervisor")
    hx = {"HTTP_HX_REQUEST": "true"}
    single = Question.objects.get(section__version__survey=s, kind="single")
    form = c.get(f"/staff/surveys/{s.pk}/questions/{single.pk}/edit/", **hx)
    assert form.status_code == 200 and "服务态度好" in form.content.decode()
    resp = c.post(f"/staff/surveys/{s.pk}/questions/{single.pk}/edit/",
                  {"text": "服务态度", "options": "好\n一般\n差\n很差", "required": "1"}, **hx)
    assert resp.status_code == 200 and "很差" in resp.content.decode()
    assert list(Option.objects.filter(question=single).values_list("label", flat=True)) == ["好", "一般", "差", "很差"]
    matrix = Question.objects.get(section__version__survey=s, kind="matrix")
    resp = c.post(f"/staff/surveys/{s.pk}/questions/{matrix.pk}/edit/", {"text": "评价", "departments": ["99999"]}, **hx)
    assert resp.status_code == 400 and list(matrix.departments.all()) == [depts["a"]]
    section = Section.objects.filter(version__survey=s).first()
    assert c.post(f"/staff/surveys/{s.pk}/sections/{section.pk}/", {"title": "新名字"}, **hx).status_code == 200
    section.refresh_from_db()
    assert section.title == "新名字"
    assert c.post(f"/staff/surveys/{s.pk}/sections/{section.pk}/", {"delete": "1"}, **hx).status_code == 200
    assert not Question.objects.filter(pk=matrix.pk).exists()
    # Another survey's question through this survey's URL: 404.
    other = build_survey(by=staff["supervisor"], departments=[depts["b"]], opens_at=now,
                         closes_at=now + timedelta(days=9), now=now, publish=False, title="另一份")
    oq = Question.objects.filter(section__version__survey=other).first()
    assert c.get(f"/staff/surveys/{s.pk}/questions/{oq.pk}/edit/").status_code == 404
