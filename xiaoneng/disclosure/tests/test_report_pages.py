"""The annual report's pages: who reads and writes what, the texts and publication (frozen figures, republish
with a note), the Excel and PDF (read back: pypdf finds the headings and the numbers), the public pages of
published reports only, bad input, query counts."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from xiaoneng.disclosure.models import AnnualReport
from xiaoneng.disclosure.services.reports import annual_report_publish, annual_report_save_texts

from .report_fixture import EXPECTED_A, build_year, make_request

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 1, 20, 10, 0, tzinfo=TZ)


@pytest.fixture
def year(depts):
    build_year(depts)
    return depts


def _publish(dept, sup, *, overview="总体情况正文。", now=NOW):
    annual_report_save_texts(year=2025, department=dept, overview=overview, problems="问题。", other="其他。",
                             by=sup, now=now)
    return annual_report_publish(year=2025, department=dept, by=sup, now=now)


# ----------------------------------------------------------------------------------------------- services
def test_publish_freezes_figures_and_texts(year, staff):
    sup = staff["supervisor"]
    row = _publish(year["a"], sup)
    frozen = {r["key"]: r["values"] for r in row.figures["requests"]["rows"]}
    assert frozen["new"] == EXPECTED_A["new"]
    assert row.figures["texts"]["overview"] == "总体情况正文。"
    # New data and new texts after publication do not move the published report.
    make_request(year["a"], "person", "2025-09-01 10:00", answered="2025-09-05 10:00", answer_type="disclosed")
    annual_report_save_texts(year=2025, department=year["a"], overview="改过的", problems="", other="", by=sup, now=NOW)
    row.refresh_from_db()
    assert {r["key"]: r["values"] for r in row.figures["requests"]["rows"]}["new"] == EXPECTED_A["new"]
    assert row.figures["texts"]["overview"] == "总体情况正文。"


def test_republish_needs_a_note_and_keeps_it(year, staff):
    from xiaoneng.core.errors import DomainError

    sup = staff["supervisor"]
    _publish(year["a"], sup)
    with pytest.raises(DomainError) as e:
        annual_report_publish(year=2025, department=year["a"], by=sup, now=NOW + dt.timedelta(days=1))
    assert e.value.field == "note"
    make_request(year["a"], "person", "2025-09-01 10:00", answered="2025-09-05 10:00", answer_type="disclosed")
    row = annual_report_publish(year=2025, department=year["a"], by=sup, now=NOW + dt.timedelta(days=1),
                                note="补录一件漏登的申请。")
    assert {r["key"]: r["values"] for r in row.figures["requests"]["rows"]}["new"][-1] == EXPECTED_A["new"][-1] + 1
    assert row.figures["revisions"][0]["note"] == "补录一件漏登的申请。"
    assert row.figures["first_published_at"] == NOW.isoformat()


@pytest.mark.parametrize("kw,field", [
    ({"year": 2026, "now": NOW}, "year"),  # the year is not over
    ({"year": 1, "now": NOW}, "year"),
    ({"year": 9999, "now": NOW}, "year"),
    ({"year": 2007, "now": NOW}, "year"),
])
def test_publish_refusals(depts, staff, kw, field):
    from xiaoneng.core.errors import DomainError

    with pytest.raises(DomainError) as e:
        annual_report_publish(department=depts["a"], by=staff["supervisor"], **kw)
    assert e.value.field == field
    assert not AnnualReport.objects.exists()


def test_publish_needs_an_overview(depts, staff):
    from xiaoneng.core.errors import DomainError

    with pytest.raises(DomainError) as e:
        annual_report_publish(year=2025, department=depts["a"], by=staff["supervisor"], now=NOW)
    assert e.value.field == "overview"


def test_texts_too_long_refused(depts, staff):
    from xiaoneng.core.errors import DomainError

    with pytest.raises(DomainError) as e:
        annual_report_save_texts(year=2025, department=depts["a"], overview="字" * 20001, problems="", other="",
                                 by=staff["supervisor"], now=NOW)
    assert e.value.field == "overview"
    assert not AnnualReport.objects.exists()


# ----------------------------------------------------------------------------------------------- staff pages
@pytest.mark.parametrize("role,code", [("supervisor", 200), ("leader", 200), ("head", 200), ("handler", 403),
                                       ("window", 403), ("admin", 403)])
def test_list_by_role(year, client_as, role, code):
    r = client_as(role).get("/staff/disclosure/reports/?year=2025")
    assert r.status_code == code
    if code == 200:
        body = r.content.decode()
        assert ("测试县自然资源局" in body) == (role != "head")  # a head sees their own bureau only
        assert ("全县（区）汇总" in body) == (role in ("supervisor", "leader"))


def test_list_bad_year(year, client_as):
    for bad in ("abc", "1", "9999", "２０２５"):
        r = client_as("supervisor").get("/staff/disclosure/reports/", {"year": bad})
        assert r.status_code == 400 and "年度无效" in r.content.decode()


@pytest.mark.parametrize("role,scope,code", [
    ("supervisor", "county", 200), ("leader", "county", 200), ("head", "county", 404),
    ("supervisor", "TB", 200), ("head", "TA", 200), ("head", "TB", 404), ("head", "NOPE", 404),
    ("handler", "TA", 403), ("window", "TA", 403), ("admin", "TA", 403),
])
def test_detail_by_role(year, client_as, role, scope, code):
    assert client_as(role).get(f"/staff/disclosure/reports/2025/{scope}/").status_code == code


def test_detail_shows_the_tables(year, client_as):
    body = client_as("supervisor").get("/staff/disclosure/reports/2025/TA/").content.decode()
    assert "三、收到和处理政府信息公开申请情况" in body
    assert 'data-key="new"><th scope="row" class="fw-normal xn-level-0">一、本年新收政府信息公开申请数量</th><td>3</td><td>2</td>' in body
    assert "新收政府信息公开申请9件" in body  # the drafted overview


@pytest.mark.parametrize("year_", [1, 2007, 9999, 2099])
def test_detail_bad_years_404(depts, client_as, year_):
    assert client_as("supervisor").get(f"/staff/disclosure/reports/{year_}/TA/").status_code == 404


def test_office_saves_texts_and_publishes(year, client_as, staff):
    c = client_as("supervisor")
    r = c.post("/staff/disclosure/reports/2025/TA/", {"overview": "<script>alert(1)</script>总体", "problems": "问题",
                                                       "other": ""})
    assert r.status_code == 302
    assert "&lt;script&gt;" in c.get("/staff/disclosure/reports/2025/TA/").content.decode()
    r = c.post("/staff/disclosure/reports/2025/TA/publish/")
    assert r.status_code == 302
    row = AnnualReport.objects.get(department=year["a"], year=2025)
    assert row.published_at is not None and row.published_by == staff["supervisor"]
    # republish without a note: refused in the page, nothing changed
    before = row.figures
    r = c.post("/staff/disclosure/reports/2025/TA/publish/")
    assert r.status_code == 400 and "更新说明" in r.content.decode()
    row.refresh_from_db()
    assert row.figures == before


def test_texts_refused_in_the_form(year, client_as):
    r = client_as("supervisor").post("/staff/disclosure/reports/2025/TA/", {"overview": "字" * 20001})
    assert r.status_code == 400 and "不能超过20000字" in r.content.decode()
    assert not AnnualReport.objects.exists()


@pytest.mark.parametrize("role", ["leader", "head", "handler"])
def test_non_office_cannot_write(year, client_as, role):
    c = client_as(role)
    assert c.post("/staff/disclosure/reports/2025/TA/", {"overview": "x"}).status_code == 403
    assert c.post("/staff/disclosure/reports/2025/TA/publish/").status_code == 403
    assert not AnnualReport.objects.exists()


def test_publish_current_year_refused_in_page(depts, client_as):
    this_year = timezone.localtime(timezone.now()).year
    c = client_as("supervisor")
    c.post(f"/staff/disclosure/reports/{this_year}/TA/", {"overview": "x"})
    r = c.post(f"/staff/disclosure/reports/{this_year}/TA/publish/")
    assert r.status_code == 400 and "尚未结束" in r.content.decode()
    assert AnnualReport.objects.get().published_at is None


def test_list_query_count(year, client_as, django_assert_max_num_queries):
    c = client_as("supervisor")
    for d in ("a", "b"):
        _publish(year[d], None)
    with django_assert_max_num_queries(9):  # session, user, roles ×2, departments, reports …: not per row
        assert c.get("/staff/disclosure/reports/?year=2025").status_code == 200


# ----------------------------------------------------------------------------------------------- files
def test_xlsx_one_sheet_per_table_and_formulas_neutralised(year, client_as):
    from openpyxl import load_workbook

    c = client_as("supervisor")
    c.post("/staff/disclosure/reports/2025/TA/", {"overview": "=cmd|' /C calc'!A0", "problems": "", "other": ""})
    r = c.get("/staff/disclosure/reports/2025/TA/xlsx/")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["说明", "二 主动公开", "三 申请情况", "四 复议诉讼", "文字部分"]
    req = wb["三 申请情况"]
    first = [c.value for c in req[2]]
    assert first == ["一、本年新收政府信息公开申请数量", *EXPECTED_A["new"]]
    text = wb["文字部分"]["B2"]
    assert text.value == "=cmd|' /C calc'!A0" and text.data_type == "s" and text.quotePrefix
    assert [c.value for c in wb["四 复议诉讼"][2]] == ["行政复议", 1, 0, 0, 1, 2]


def test_pdf_has_the_headings_and_numbers(year, client_as):
    from pypdf import PdfReader

    r = client_as("supervisor").get("/staff/disclosure/reports/2025/TA/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    flat = pdf_text(PdfReader(io.BytesIO(r.content)))
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
                    "测试县市场监督管理局2025年政府信息公开工作年度报告", "行政事业性收费", "属于国家秘密"):
        assert heading in flat, heading
    assert "0.0100" in flat  # the fees in 万元
    assert "一、本年新收政府信息公开申请数量321111" in flat  # the row's cells follow its label: 3 2 1 1 1 1 (9)


def test_pdf_without_font_is_a_page(year, client_as, settings):
    settings.XIAONENG_PDF_FONT = "/nonexistent/font.ttc"
    r = client_as("supervisor").get("/staff/disclosure/reports/2025/TA/pdf/")
    assert r.status_code == 503 and "fonts-noto-cjk" in r.content.decode()


_ESC = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def pdf_text(reader) -> str:
    """The text of fpdf2's pages, whitespace dropped. pypdf 7 reads fpdf2's two-byte CID codes one byte at a
    time, which garbles every glyph past the subset's 256th (a report uses more): so the literal strings of
    the Tj operators are decoded here as two-byte codes through each font's ToUnicode map."""
    import re

    out = []
    for page in reader.pages:
        cmap = {}
        for font in page["/Resources"]["/Font"].values():
            data = font.get_object()["/ToUnicode"].get_object().get_data().decode()
            cmap.update({int(a, 16): chr(int(b, 16)) for a, b in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})>", data)})
        stream = page.get_contents().get_data()
        for m in re.finditer(rb"\(((?:\\.|[^\\)])*)\) Tj", stream, re.S):
            raw, i, buf = m.group(1), 0, bytearray()
            while i < len(raw):
                if raw[i:i + 1] == b"\\":
                    octal = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4])
                    if octal:
                        buf.append(int(octal.group(0), 8))
                        i += 1 + len(octal.group(0))
                        continue
                    buf += _ESC.get(raw[i + 1:i + 2], raw[i + 1:i + 2])
                    i += 2
                    continue
                buf.append(raw[i])
                i += 1
            out.append("".join(cmap.get(int.from_bytes(buf[j:j + 2], "big"), "") for j in range(0, len(buf) - 1, 2)))
    return "".join("".join(out).split())


# ----------------------------------------------------------------------------------------------- public
def test_public_pages_show_published_only(year, client, staff):
    assert client.get("/disclosure/reports/2025/TA/").status_code == 404
    assert "尚无已发布" in client.get("/disclosure/reports/2025/").content.decode()
    _publish(year["a"], staff["supervisor"])
    _publish(None, staff["supervisor"])
    body = client.get("/disclosure/reports/2025/").content.decode()
    assert "测试县市场监督管理局" in body and "全县（区）政府信息公开工作年度报告" in body
    assert "测试县自然资源局" not in body  # B's not published
    page = client.get("/disclosure/reports/2025/TA/").content.decode()
    assert "总体情况正文。" in page and "2026年1月20日" in page
    assert "申请人1" not in page and "13800001234" not in page  # no personal data
    assert client.get("/disclosure/reports/2025/TB/").status_code == 404
    assert client.get("/disclosure/reports/2025/county/xlsx/").status_code == 200
    assert client.get("/disclosure/reports/2025/county/pdf/").status_code == 200
    for bad in ("/disclosure/reports/1/", "/disclosure/reports/9999/TA/", "/disclosure/reports/2025/" + "x" * 300 + "/"):
        assert client.get(bad).status_code == 404


def test_public_page_is_frozen(year, client, staff):
    _publish(year["a"], staff["supervisor"])
    make_request(year["a"], "person", "2025-09-01 10:00", answered="2025-09-05 10:00", answer_type="disclosed")
    page = client.get("/disclosure/reports/2025/TA/").content.decode()
    assert 'data-key="new"><th scope="row" class="fw-normal xn-level-0">一、本年新收政府信息公开申请数量</th><td>3</td>' in page


def test_public_query_count(year, client, staff, django_assert_max_num_queries):
    for d in (year["a"], year["b"], None):
        _publish(d, staff["supervisor"])
    with django_assert_max_num_queries(3):
        assert client.get("/disclosure/reports/2025/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/disclosure/reports/2025/TA/").status_code == 200
