"""`xiaoneng import-cases FILE`: CSV, Excel and JSON Lines through the same ingest path; a file with a bad
row imports nothing and names the row; re-importing counts duplicates."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from xiaoneng.cases.models import Case, CaseEvent, ImportBatch

from .conftest import at

HEADER = ["event_id", "case_no", "service_code", "type", "occurred_at", "applicant_name", "applicant_id_no",
          "applicant_phone", "missing_materials", "fee_item", "amount", "granted_days", "reason", "step"]


def rows(n_cases=3):
    out = []
    for i in range(n_cases):
        no = f"LEG-{i}"
        out.append([f"{no}-1", no, "SP001", "received", at("2026-03-02 09:00"), "孙八", "330102198001011111",
                    "13700000000", "", "", "", "", "", ""])
        out.append([f"{no}-2", no, "SP001", "supplement_requested", at("2026-03-02 10:00"), "", "",
                    "", "营业执照；经营场所平面图", "", "", "", "", ""])
        out.append([f"{no}-3", no, "SP001", "accepted", at("2026-03-04 09:00"), "", "", "", "", "", "", "", "", ""])
        out.append([f"{no}-4", no, "SP001", "fee_charged", at("2026-03-05 09:00"), "", "", "", "", "工本费", "10", "",
                    "", ""])
    return out


def write_csv(path, data, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(data)


def test_csv_import_and_reimport(tmp_path, items):
    f = tmp_path / "legacy.csv"
    write_csv(f, rows())
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", str(f), "--source", "old-sys", stdout=out, stderr=err)
    assert "新增事件 12 个" in out.getvalue()
    c = Case.objects.get(case_no="LEG-0")
    assert c.channel == "import" and c.status == "accepted" and c.notices_count == 1
    assert c.applicant_name == "孙八" and str(c.fees_total) == "10.00"
    assert CaseEvent.objects.filter(type="supplement_requested").first().missing_materials == ["营业执照", "经营场所平面图"]
    out = io.StringIO()
    call_command("import_cases", str(f), "--source", "old-sys", stdout=out, stderr=io.StringIO())
    assert "新增事件 0 个，重复 12 个" in out.getvalue()
    assert ImportBatch.objects.count() == 2 and CaseEvent.objects.count() == 12


def test_gbk_csv(tmp_path, items):
    f = tmp_path / "gbk.csv"
    write_csv(f, rows(1), encoding="gb18030")
    call_command("import_cases", str(f), stdout=io.StringIO(), stderr=io.StringIO())
    assert Case.objects.get(case_no="LEG-0").applicant_name == "孙八"


@pytest.mark.parametrize(("bad", "message"), [
    ({4: "yesterday"}, "ISO 8601"),  # occurred_at
    ({2: "NOPE"}, "事项编码“NOPE”不存在"),  # service_code: found only against the database
    ({10: "-5"}, "不能为负数"),
])
def test_bad_row_imports_nothing_and_names_the_row(tmp_path, items, bad, message):
    data = rows()
    for col, value in bad.items():
        data[6][col] = value  # file row 8 (header is row 1)
    f = tmp_path / "bad.csv"
    write_csv(f, data)
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_cases", str(f), stdout=io.StringIO(), stderr=err)
    assert "未导入任何数据" in str(exc.value)
    assert "第 8 行：" in err.getvalue() and message in err.getvalue()
    assert not Case.objects.exists() and not CaseEvent.objects.exists() and not ImportBatch.objects.exists()


def test_xlsx_import(tmp_path, items):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows(2):
        ws.append(r)
    f = tmp_path / "legacy.xlsx"
    wb.save(f)
    out = io.StringIO()
    call_command("import_cases", str(f), stdout=out, stderr=io.StringIO())
    assert "新增事件 8 个" in out.getvalue() and Case.objects.count() == 2


def test_jsonl_import_with_broken_line(tmp_path, items):
    events = [dict(zip(HEADER, r, strict=True)) for r in rows(1)]
    lines = [json.dumps({k: v for k, v in e.items() if v}) for e in events]
    f = tmp_path / "legacy.jsonl"
    f.write_text("\n".join(lines), encoding="utf-8")
    out = io.StringIO()
    call_command("import_cases", str(f), "--source", "j", stdout=out, stderr=io.StringIO())
    assert "新增事件 4 个" in out.getvalue()
    f.write_text(lines[0] + "\n{broken\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cases", str(f), "--source", "k", stdout=io.StringIO(), stderr=err)
    assert "第 2 行" in err.getvalue()


def test_missing_file_and_unknown_type(tmp_path, items):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_cases", str(tmp_path / "nope.csv"))
    f = tmp_path / "x.pdf"
    f.write_bytes(b"%PDF")
    with pytest.raises(CommandError, match="不支持的文件类型"):
        call_command("import_cases", str(f), stderr=io.StringIO())
