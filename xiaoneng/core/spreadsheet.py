"""Writing spreadsheets (CSV and .xlsx) safely: the one helper behind every export of the platform.

A text cell that begins with = + - @, a tab or a carriage return is run as a formula by Excel, WPS and
LibreOffice when the file is opened (CSV) or the cell is edited (xlsx): a service item named
`=HYPERLINK("http://…","点击")` becomes a live link, and worse (DDE) in older Excel. So:

- CSV: such a cell gets a leading apostrophe, which spreadsheets read as "this is text" (OWASP's advice);
- xlsx: such a cell is stored as a string, never a formula, with the quote-prefix style (Excel's own form of
  the leading apostrophe: shown as typed, and still text after the cell is edited).

Numbers stay numbers: an int, Decimal or float cell is written as it is, and a text cell that is just a number
("-5", "+3.5") is not a formula in any spreadsheet, so it is left alone. `unescape_cell` undoes the CSV
escape for imports of our own exports (an exported file imports unchanged).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(value: Any) -> bool:
    """True for text a spreadsheet would evaluate: it starts with a formula character and is not a number."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)


def escape_cell(value: Any) -> Any:
    """The value for a CSV cell: formula-like text with a leading apostrophe, anything else unchanged."""
    return "'" + value if is_formula_like(value) else value


def unescape_cell(value: Any) -> Any:
    """Undo escape_cell on a value read back from a file (only where escape_cell would have put it)."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def csv_bytes(tables: Iterable[tuple[str | None, Iterable[Iterable[Any]]]]) -> bytes:
    """A CSV file (UTF-8 with BOM, so Excel opens it) of one or more tables, every cell escaped. Each table
    is (title, rows); a title is written as a line "#title" before its rows, and a blank line follows."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for title, rows in tables:
        if title is not None:
            writer.writerow([f"#{title}"])
        writer.writerows([escape_cell(v) for v in row] for row in rows)
        writer.writerow([])
    return buf.getvalue().encode("utf-8-sig")


def xlsx_append(ws, row: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet with no cell stored as a formula: formula-like text becomes a
    string cell with Excel's quote prefix."""
    ws.append(list(row))
    for cell in ws[ws.max_row]:
        if cell.data_type == "f" or is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def tables_bytes(tables: list[tuple[str, list[list]]], fmt: str, *, widths: dict[str, float] | None = None,
                 default_width: float | None = None, sheet_widths: dict[str, dict[str, float]] | None = None) -> bytes:
    """Named tables (sheet title, rows; the first row is the heading) as CSV or .xlsx bytes, every cell through
    the escapes above: the exports' one writer. In .xlsx each table is a sheet with a bold, frozen heading;
    `default_width` sets every used column, `widths` named columns of every sheet ({"B": 30}), `sheet_widths`
    named columns of one sheet. Any other `fmt` is a DomainError naming the field "fmt"."""
    from .errors import DomainError

    if fmt not in ("xlsx", "csv"):
        raise DomainError("导出格式应为 xlsx 或 csv。", field="fmt")
    if fmt == "csv":
        return csv_bytes(tables)
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in tables:
        ws = wb.create_sheet(title)
        for row in rows:
            xlsx_append(ws, row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        if default_width and rows:
            for i in range(1, len(rows[0]) + 1):
                ws.column_dimensions[get_column_letter(i)].width = default_width
        for col, width in {**(widths or {}), **(sheet_widths or {}).get(title, {})}.items():
            ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
