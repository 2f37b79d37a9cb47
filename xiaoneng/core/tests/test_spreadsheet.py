"""The one spreadsheet writer (core.spreadsheet): formula-like text is text in CSV and xlsx, numbers stay
numbers, and every export of the platform goes through it."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from xiaoneng.core.spreadsheet import csv_bytes, escape_cell, unescape_cell, xlsx_append

HOSTILE = ['=HYPERLINK("http://evil.example/","点击")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
           "\t=1+1", "\r=1+1", "=1+1"]
HARMLESS = ["食品经营许可证核发", "-5", "+3.5", "1e3", "", "a=b", "'quoted", "10.00"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_is_escaped_and_unescapes_to_itself(value):
    assert escape_cell(value) == "'" + value
    assert unescape_cell(escape_cell(value)) == value


@pytest.mark.parametrize("value", [*HARMLESS, -5, 3.5, Decimal("-12.50"), None, True])
def test_other_values_are_left_alone(value):
    assert escape_cell(value) == value
    assert unescape_cell(value) == value


def test_csv_cells_read_back_as_text():
    data = csv_bytes([("表", [["名称", "金额"], *[[v, -5] for v in HOSTILE]])])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["#表"]
    for row, value in zip(rows[2:], HOSTILE, strict=False):
        assert row == ["'" + value, "-5"]  # a negative number stays a number


def test_xlsx_cells_are_strings_never_formulas_and_numbers_stay_numbers():
    wb = Workbook()
    ws = wb.active
    for value in HOSTILE:
        xlsx_append(ws, [value, -5, Decimal("-2.5"), "-7"])
    out = io.BytesIO()
    wb.save(out)
    ws = load_workbook(io.BytesIO(out.getvalue())).active
    for row, value in zip(ws.iter_rows(), HOSTILE, strict=True):
        text, number, decimal, numeric_text = row
        assert text.data_type == "s" and text.value in (value, value.replace("\r", "\n"))
        assert text.quotePrefix
        assert number.data_type == "n" and number.value == -5
        assert decimal.data_type == "n" and decimal.value == -2.5
        assert numeric_text.value == "-7" and numeric_text.data_type == "s"
    # No formula anywhere in the sheet's XML.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_every_export_writes_through_the_one_helper():
    """A new export that writes CSV or xlsx itself, bypassing core.spreadsheet, fails here."""
    root = Path(__file__).resolve().parents[2]
    writers = re.compile(r"csv\.writer\(|csv\.DictWriter\(|\bWorkbook\(|xlsxwriter|\.to_csv\(|\.to_excel\(")
    offenders = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        # disclosure/forms_catalogue.py writes a stored table back into the correction form's text box (tab-separated,
        # read back to the same rows): an edit of the department's own text, not a file anyone downloads
        if "/tests/" in rel or rel in ("core/spreadsheet.py", "disclosure/forms_catalogue.py") or "/migrations/" in rel:
            continue
        text = path.read_text(encoding="utf-8")
        if writers.search(text) and "xiaoneng.core.spreadsheet" not in text:
            offenders.append(rel)
    assert not offenders, f"these write spreadsheets without xiaoneng.core.spreadsheet: {offenders}"
