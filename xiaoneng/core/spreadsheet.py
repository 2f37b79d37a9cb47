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
