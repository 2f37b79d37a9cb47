"""evaluation.pdf.memoised: a public document's PDF is rendered once per content (a render costs about half a
second of CPU), never served stale for changed content, another kind or another font, and a failure is not kept."""

from __future__ import annotations

import io

import pytest
from django.core.cache import caches
from pypdf import PdfReader

from xiaoneng.evaluation import pdf


@pytest.fixture(autouse=True)
def _empty_cache():
    caches["pdf"].clear()
    yield
    caches["pdf"].clear()


def _text(data: bytes) -> str:
    # pypdf puts a NUL before each two-byte CID code of fpdf2's CJK text; the PDF itself maps them right
    return PdfReader(io.BytesIO(data)).pages[0].extract_text().replace("\x00", "")


def _counting(kind: str):
    calls = []

    @pdf.memoised(kind)
    def render(content: dict) -> bytes:
        calls.append(content)
        return pdf.bulletin_pdf.__wrapped__(content)

    return render, calls


def test_the_same_content_is_rendered_once():
    render, calls = _counting("t-same")
    content = {"number": "清源县效通〔2026〕1号", "title": "关于2026年第三季度机关效能考核结果的通报", "groups": []}
    first = render(content)
    second = render(dict(content))  # an equal copy, not the same object
    assert first == second
    assert len(calls) == 1
    text = _text(first)
    assert "清源县效通" in text and "第三季度" in text


def test_changed_content_another_kind_or_font_renders_again(settings):
    render, calls = _counting("t-changed")
    other, other_calls = _counting("t-other")
    content = {"number": "清源县效通〔2026〕1号", "title": "通报", "groups": []}
    render(content)
    changed = render({**content, "title": "更正后的通报"})
    assert len(calls) == 2
    assert "更正后的通报" in _text(changed)
    other(content)
    assert len(other_calls) == 1  # the same content of another kind is its own document
    settings.XIAONENG_PDF_FONT_INDEX = 0  # Noto Sans CJK JP in the collection: another font, another PDF
    render(content)
    assert len(calls) == 3


def test_a_missing_font_is_refused_every_time_and_nothing_is_kept(settings, tmp_path):
    render, calls = _counting("t-missing")
    settings.XIAONENG_PDF_FONT = str(tmp_path / "missing.ttc")
    for _ in range(2):
        with pytest.raises(pdf.FontMissing):
            render({"title": "通报"})
    assert len(calls) == 2
