"""Bulletins: generated only from a published evaluation, top and bottom per group (never more than half),
failings in words with real values, numbered, re-generated in place until published; the PDF (text extracted
with pypdf) and the workbook (formulas neutralised) say what the page says; a missing font is a clear error."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from xiaoneng.core.errors import DomainError
from xiaoneng.evaluation import exports_bulletin, pdf
from xiaoneng.evaluation.models import Bulletin, Score
from xiaoneng.evaluation.services.bulletins import bulletin_generate, bulletin_publish, failings, pct
from xiaoneng.evaluation.services.evaluate import evaluation_publish, evaluation_run

from .conftest import TZ
from .test_sanctions import NOW, people, red_cards, scheme  # noqa: F401  (people: a fixture)

FORMULA = "=cmd|' /C calc'!A0"


def _flat(text: str) -> str:
    """pypdf reads fpdf2's subset CJK font with a NUL or a space between characters: drop both."""
    return "".join(text.replace("\x00", "").split())


@pytest.fixture
def quarter(depts, people, ended_case):  # noqa: F811
    """2026Q3 published: bureau B all on time (rank 1), bureau A half late with two red cards (rank 2)."""
    scheme()
    ended_case("A1", received="2026-09-28 09:00", ended="2026-09-28 10:00")
    ended_case("A2", received="2026-08-03 09:00", ended="2026-09-28 10:00")
    ended_case("B1", received="2026-09-28 09:00", ended="2026-09-28 10:00", code="ZR001", handler="handler_b")
    ended_case("B2", received="2026-09-28 09:00", ended="2026-09-28 11:00", code="ZR001", handler="handler_b")
    red_cards(depts["a"], people["handler_a"], 2)
    ev = evaluation_run("2026Q3", now=NOW)
    return ev


def test_pct():
    assert pct("0.875") == "87.5%" and pct("1") == "100%" and pct("0.3333") == "33.3%"


@pytest.mark.django_db
def test_generated_only_from_a_published_evaluation_with_failings_in_words(quarter, depts, people):  # noqa: F811
    with pytest.raises(DomainError) as e:
        bulletin_generate(quarter, now=NOW)
    assert e.value.field == "evaluation" and "已发布" in e.value.message
    evaluation_publish(quarter, now=NOW)
    b = bulletin_generate(quarter, now=NOW, by=people["supervisor"])
    assert b.number == "测试县效通〔2026〕1号"
    assert b.title == "关于2026年第三季度机关效能考核结果的通报"
    g = b.content["groups"][0]
    assert g["size"] == 2 and g["top"] == 1 and g["bottom"] == 1 and "不超过半数" in g["note"]
    assert [r["department"] for r in g["commended"]] == ["测试县自然资源局"]
    named = g["named"][0]
    assert named["department"] == "测试县市场监督管理局"
    from xiaoneng.supervision.models import Warning

    n = Warning.objects.filter(level="red", department__path__startswith=depts["a"].path).count()
    assert n >= 2  # two of ours and whatever the late case earned through the real rules
    assert named["text"] == f"按时办结率为50%，失100分；红牌{n}张，扣{n * 10}分。"
    # re-generated in place until published, number kept
    again = bulletin_generate(quarter, now=NOW)
    assert again.pk == b.pk and Bulletin.objects.count() == 1
    bulletin_publish(b, now=NOW, by=people["supervisor"])
    with pytest.raises(DomainError):
        bulletin_publish(b, now=NOW)
    with pytest.raises(DomainError) as e:
        bulletin_generate(quarter, now=NOW)
    assert "已经印发" in e.value.message


@pytest.mark.django_db
def test_a_veto_and_no_failings_are_said(quarter):
    s = Score.objects.get(evaluation=quarter, department__code="TB")
    assert failings(s, list(s.lines.all())) == "各项指标均未失分。"
    s.veto = {"code": "red_cards", "name": "红牌数量达到否决标准", "text": "红牌数量达到否决标准：本期 5 项，达到否决标准（5 项）。"}
    assert failings(s, list(s.lines.all())).startswith("红牌数量达到否决标准：本期 5 项")


@pytest.mark.django_db
def test_pdf_text_has_the_names_and_the_number(quarter):
    evaluation_publish(quarter, now=NOW)
    b = bulletin_generate(quarter, now=NOW)
    from pypdf import PdfReader

    data = pdf.bulletin_pdf(b.content)
    assert data.startswith(b"%PDF")
    text = _flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    for needle in ("测试县市场监督管理局", "测试县自然资源局", "测试县效通〔2026〕1号", "关于2026年第三季度机关效能考核结果的通报",
                   "按时办结率为50%"):
        assert _flat(needle) in text, needle


@pytest.mark.django_db
def test_workbook_neutralises_formulas(quarter, depts):
    depts["a"].name = FORMULA
    depts["a"].save()
    evaluation_publish(quarter, now=NOW)
    b = bulletin_generate(quarter, now=NOW)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(exports_bulletin.bulletin_xlsx(b.content)))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert len(cells) >= 2
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert wb["通报"]["A1"].value == b.title


def test_missing_font_names_the_package(settings):
    settings.XIAONENG_PDF_FONT = "/nonexistent/NotoSansCJK.ttc"
    with pytest.raises(pdf.FontMissing) as e:
        pdf.bulletin_pdf({"title": "x"})
    assert "fonts-noto-cjk" in e.value.message and e.value.status == 503


@pytest.mark.django_db
def test_small_group_of_one_is_neither_commended_nor_named(depts, ended_case):
    scheme()
    depts["b"].is_active = False
    depts["b"].save()
    ev = evaluation_publish(evaluation_run("2026Q3", now=NOW), now=NOW)
    b = bulletin_generate(ev, now=dt.datetime(2026, 10, 13, 9, 0, tzinfo=TZ))
    g = b.content["groups"][0]
    assert g["commended"] == [] and g["named"] == [] and "不作表扬和通报" in g["note"]


@pytest.mark.django_db
def test_a_failing_department_is_not_commended_and_no_data_is_said(depts, ended_case):
    scheme()
    ended_case("A1", received="2026-08-03 09:00", ended="2026-09-28 10:00")  # late: 0% on time, no points
    ev = evaluation_publish(evaluation_run("2026Q3", now=NOW), now=NOW)
    g = bulletin_generate(ev, now=NOW).content["groups"][0]
    assert g["commended"] == [] and "不予表扬" in g["note"]
    assert g["named"][0]["department"] == "测试县自然资源局"
    assert g["named"][0]["text"].startswith("本期各项指标均无可计分的数据")
