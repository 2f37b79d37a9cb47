"""Public bulletins /bulletins/ (issue 14 §3): the office's PUBLISHED bulletins only (a generated one awaiting 印发
is 404 like one that does not exist), the text and tables as generated, no staff links, and the PDF through the
portal's own URL — the same bytes' text evaluation's generator prints; a missing font is a page, not a 500."""

from __future__ import annotations

import io

import pytest

from xiaoneng.evaluation.services.bulletins import bulletin_generate, bulletin_publish

from .conftest import NOW


def _flat(text: str) -> str:
    return "".join(text.replace("\x00", "").split())


@pytest.fixture
def bulletins(published, people):
    draft = bulletin_generate(published["q2"], now=NOW, by=people["supervisor"])
    pub = bulletin_publish(bulletin_generate(published["q3"], now=NOW, by=people["supervisor"]), now=NOW)
    return {"draft": draft, "pub": pub}


@pytest.mark.django_db
def test_only_published_bulletins_are_listed_and_shown(bulletins, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        r = client.get("/bulletins/")
    html = r.content.decode()
    assert r.status_code == 200
    assert bulletins["pub"].title in html and bulletins["draft"].title not in html
    assert client.get(f"/bulletins/{bulletins['draft'].pk}/").status_code == 404
    assert client.get(f"/bulletins/{bulletins['draft'].pk}/pdf/").status_code == 404
    assert client.get("/bulletins/999999/").status_code == 404
    assert client.get("/bulletins/99999999999999999999999/").status_code == 404
    assert client.get("/bulletins/99999999999999999999999/pdf/").status_code == 404


@pytest.mark.django_db
def test_the_bulletin_page_says_what_was_generated_without_staff_links(bulletins, client):
    b = bulletins["pub"]
    r = client.get(f"/bulletins/{b.pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert b.content["number"] in html and b.content["title"] in html and b.content["intro"] in html
    for g in b.content["groups"]:
        for row in g.get("commended", []) + g.get("named", []):
            assert row["department"] in html and row["text"] in html
    assert "/staff/" not in html and "score_id" not in html
    assert b.content["date_text"] in html


@pytest.mark.django_db
def test_the_pdf_is_the_evaluations_own(bulletins, client):
    from pypdf import PdfReader

    from xiaoneng.evaluation import pdf

    b = bulletins["pub"]
    r = client.get(f"/bulletins/{b.pk}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages))
    own = _flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.bulletin_pdf(b.content))).pages))
    assert text == own and _flat(b.content["title"]) in text


@pytest.mark.django_db
def test_a_missing_font_is_a_page_not_a_500(bulletins, client, settings):
    settings.XIAONENG_PDF_FONT = "/nonexistent/font.ttc"
    r = client.get(f"/bulletins/{bulletins['pub'].pk}/pdf/")
    assert r.status_code == 503 and "fonts-noto-cjk" in r.content.decode()


@pytest.mark.django_db
def test_no_bulletins_yet(client, db):
    r = client.get("/bulletins/")
    assert r.status_code == 200 and "暂无已印发的考核通报" in r.content.decode()
    assert client.get("/bulletins/?page=99999999999999999999").status_code == 200
