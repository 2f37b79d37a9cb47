"""The bulletin as an Excel workbook, from its stored content (the same words as the page and the PDF), written
through core.spreadsheet.xlsx_append: a department or text that looks like a formula ("=cmd|…") stays text."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation

from xiaoneng.core.spreadsheet import xlsx_append

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(text):
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return text


def bulletin_xlsx(content: dict) -> bytes:
    """Three sheets: 通报 (the text, commended and named per group), 排名 (every department), 说明."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "通报"
    xlsx_append(ws, [content.get("title", "")])
    xlsx_append(ws, [content.get("number", "")])
    xlsx_append(ws, [content.get("intro", "")])
    xlsx_append(ws, [])
    xlsx_append(ws, ["考核分组", "类别", "组内名次", "单位", "总分", "等次", "情况"])
    head_row = ws.max_row
    for g in content.get("groups", []):
        for kind, rows in (("表扬", g.get("commended", [])), ("通报", g.get("named", []))):
            for r in rows:
                xlsx_append(ws, [g["name"], kind, r["rank"], r["department"], _number(r["score"]), r["grade"],
                                 r["text"]])
        if g.get("note"):
            xlsx_append(ws, [g["name"], "说明", None, None, None, None, g["note"]])
    xlsx_append(ws, [])
    xlsx_append(ws, [content.get("closing", "")])
    xlsx_append(ws, [content.get("issuer", ""), None, None, None, None, None, content.get("date_text", "")])
    ws["A1"].font = Font(bold=True, size=14)
    for cell in ws[head_row]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFG", (16, 8, 10, 28, 10, 8, 80), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=head_row + 1, min_col=7, max_col=7):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    rk = wb.create_sheet("排名")
    xlsx_append(rk, ["考核分组", "组内名次", "单位", "总分", "等次", "一票否决"])
    for r in content.get("ranking", []):
        xlsx_append(rk, [r["group"], r["rank"], r["department"], _number(r["score"]), r["grade"], r["veto"]])
    for cell in rk[1]:
        cell.font = Font(bold=True)
    rk.freeze_panes = "A2"
    rk.column_dimensions["C"].width = 28

    note = wb.create_sheet("说明")
    xlsx_append(note, ["考核期", content.get("period_label", "")])
    xlsx_append(note, ["文号", content.get("number", "")])
    xlsx_append(note, ["修订次数", content.get("revision", 1)])
    xlsx_append(note, ["发文单位", content.get("issuer", "")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
