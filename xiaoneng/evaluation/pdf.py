"""The one PDF renderer of the evaluation app (fpdf2, Noto Sans CJK embedded and subset): the bulletin (考核通报)
and the sanction decision document (效能问责决定书). Both print what the page prints, from the same data.

The font is Debian's fonts-noto-cjk (settings.XIAONENG_PDF_FONT may point elsewhere; a .ttc is read at
XIAONENG_PDF_FONT_INDEX, 2 = Simplified Chinese). When it is missing, `FontMissing` says so in Chinese, naming
the package; the views show it as a page, never a 500.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from xiaoneng.core.errors import DomainError

DEFAULT_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DEFAULT_FONT_INDEX = 2  # Noto Sans CJK SC in the collection


class FontMissing(DomainError):
    status = 503

    def __init__(self, path: str):
        super().__init__(f"服务器缺少中文字体文件（{path}），无法生成 PDF。请系统管理员安装 Debian 字体包 fonts-noto-cjk"
                         f"（apt-get install fonts-noto-cjk）后重试；网页版和 Excel 版不受影响。",
                         field="font", code="font_missing")


def font_path() -> str:
    return getattr(settings, "XIAONENG_PDF_FONT", "") or DEFAULT_FONT


# Rendered PDFs are kept this long in the "pdf" cache (settings.CACHES), keyed by their content.
PDF_CACHE_SECONDS = 3600


def memoised(kind: str) -> Callable:
    """Render a document's PDF once per content: `render(content)` is called only when no PDF of the same kind,
    font and content (a digest of its JSON) is in the "pdf" cache. Why: the published bulletins, annual reports
    and check bulletins are public, a render costs about half a second of CPU (subsetting the CJK font), and
    their content is frozen once published; without this an anonymous client could keep a worker busy by asking
    again and again. A draft that changes gets a new digest, so it is never served stale."""

    def wrap(render: Callable[[dict], bytes]) -> Callable[[dict], bytes]:
        @functools.wraps(render)
        def cached(content: dict) -> bytes:
            path = font_path()
            digest = hashlib.sha256(json.dumps([kind, path, getattr(settings, "XIAONENG_PDF_FONT_INDEX", None),
                                                content], sort_keys=True, default=str, ensure_ascii=False)
                                    .encode()).hexdigest()
            cache = caches["pdf"]
            data = cache.get(f"xn-pdf:{digest}")
            if data is None:
                data = render(content)
                cache.set(f"xn-pdf:{digest}", data, PDF_CACHE_SECONDS)
            return data

        return cached

    return wrap


def _pdf():
    from fpdf import FPDF

    path = font_path()
    if not os.path.isfile(path):
        raise FontMissing(path)
    pdf = FPDF(format="A4")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    index = getattr(settings, "XIAONENG_PDF_FONT_INDEX", DEFAULT_FONT_INDEX) if path.endswith(".ttc") else 0
    pdf.add_font("cjk", fname=path, collection_font_number=index)
    # Keep the font's own bounding boxes instead of recomputing them for the subset: fontTools would otherwise
    # run every embedded CJK glyph's outline program on save, more than half of a PDF's time (measured: 1.17 s →
    # 0.48 s for 800 characters). The whole font's boxes enclose the subset's, which is all a PDF needs.
    pdf.fonts["cjk"].ttfont.recalcBBoxes = False
    pdf.set_font("cjk", size=11)
    pdf.set_creator("Xiaoneng")
    pdf.add_page()
    return pdf


def _para(pdf, text: str, *, size: float = 11, align: str = "J", h: float = 6.5, indent: bool = False) -> None:
    pdf.set_font("cjk", size=size)
    pdf.multi_cell(0, h, ("\u3000\u3000" if indent else "") + (text or ""), align=align, wrapmode="CHAR",
                   new_x="LMARGIN", new_y="NEXT")


def _heading(pdf, text: str, size: float = 13) -> None:
    pdf.ln(2)
    _para(pdf, text, size=size, align="L", h=8)


def _cells(pdf, widths, row, *, h: float = 7, size: float = 9.5) -> None:
    pdf.set_font("cjk", size=size)
    for w, v in zip(widths, row, strict=True):
        pdf.cell(w, h, str(v)[:40], border=1, align="C")
    pdf.ln(h)


def _bytes(pdf) -> bytes:
    return bytes(pdf.output())


@memoised("bulletin")
def bulletin_pdf(content: dict) -> bytes:
    """The bulletin's PDF from its stored content."""
    pdf = _pdf()
    pdf.set_title(content.get("title", ""))
    _para(pdf, content.get("number", ""), size=11, align="C")
    pdf.ln(2)
    _para(pdf, content.get("title", ""), size=17, align="C", h=10)
    pdf.ln(3)
    _para(pdf, content.get("intro", ""), indent=True)
    for g in content.get("groups", []):
        _heading(pdf, g.get("heading") or g["name"])
        if g.get("note"):
            _para(pdf, g["note"], size=10, indent=True)
        if g.get("commended"):
            _para(pdf, "（一）表扬单位", size=11.5, align="L")
            for r in g["commended"]:
                _para(pdf, f"{r['department']}（第{r['rank']}名）：{r['text']}", indent=True)
        if g.get("named"):
            _para(pdf, "（二）通报单位", size=11.5, align="L")
            for r in g["named"]:
                _para(pdf, f"{r['department']}（第{r['rank']}名）：{r['text']}", indent=True)
    ranking = content.get("ranking", [])
    if ranking:
        _heading(pdf, "附：考核结果排名表")
        widths = (34, 16, 62, 18, 16, 20)
        _cells(pdf, widths, ("考核分组", "组内名次", "单位", "总分", "等次", "一票否决"))
        for r in ranking:
            _cells(pdf, widths, (r["group"], r["rank"], r["department"], r["score"], r["grade"], r["veto"] and "是"
                                 or ""))
    pdf.ln(3)
    _para(pdf, content.get("closing", ""), indent=True)
    pdf.ln(6)
    _para(pdf, content.get("issuer", ""), align="R")
    _para(pdf, content.get("date_text", ""), align="R")
    return _bytes(pdf)


def _date(at) -> str:
    if at is None:
        return ""
    local = timezone.localtime(at)
    return f"{local.year}年{local.month}月{local.day}日"


@memoised("decision")
def decision_pdf(doc: dict) -> bytes:
    """The decision document's PDF (效能问责决定书) from `selectors_consequences.decision_document`."""
    pdf = _pdf()
    pdf.set_title(doc["title"])
    _para(pdf, doc["number"], align="C")
    pdf.ln(2)
    _para(pdf, doc["title"], size=17, align="C", h=10)
    pdf.ln(3)
    _para(pdf, doc["addressee"] + "：", align="L")
    for p in doc["paragraphs"]:
        _para(pdf, p, indent=True)
    pdf.ln(6)
    _para(pdf, doc["issuer"], align="R")
    _para(pdf, doc["date_text"], align="R")
    return _bytes(pdf)
