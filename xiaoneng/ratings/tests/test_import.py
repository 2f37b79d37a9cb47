"""xiaoneng import-ratings: CSV, Excel and JSON Lines through rating_record, all or nothing, rows numbered."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from xiaoneng.core.errors import DomainError, RowErrors
from xiaoneng.ratings.models import Rating, Rectification
from xiaoneng.ratings.services.rating import rating_record
from xiaoneng.ratings.transfer import rating_import_file

from .conftest import at

NOW = at("2026-10-09 10:00")


@pytest.fixture
def cases(ended_case):
    return [ended_case(f"R{i}") for i in range(1, 4)]


def csv_bytes(text: str, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def test_csv_with_bom_names_and_codes(cases):
    data = csv_bytes("case_no,level,reasons,comment,rated_at,channel\r\n"
                     "R1,5,办事效率高、efficient,很好,2026-10-01 09:00,\r\n"
                     "R2,1,服务态度差,=HYPERLINK(\"http://x\"),2026-10-02T09:00:00+08:00,kiosk\r\n"
                     "R3,3,,,,\r\n")
    res = rating_import_file(name="export.csv", data=data, source="国家好差评系统", now=NOW)
    assert (res.rows, res.imported) == (3, 3)
    r1, r2, r3 = (Rating.objects.get(case__case_no=n) for n in ("R1", "R2", "R3"))
    assert r1.reasons == ["efficient"] and r1.channel == "import" and r1.rated_at == at("2026-10-01 09:00")
    assert r2.comment == '=HYPERLINK("http://x")' and r2.channel == "kiosk" and r2.source == "国家好差评系统"
    assert r3.rated_at == NOW and Rectification.objects.count() == 1


def test_any_bad_row_imports_nothing_and_every_bad_row_is_numbered(cases, ended_case):
    ended_case("R4")
    rating_record(case=cases[2], level=5, channel="api", now=NOW)  # rated before (by another file)
    data = csv_bytes("case_no,level,reasons\r\n"
                     "R1,5,\r\n"
                     "R1,4,\r\n"           # duplicate in the file
                     "R2,=1+4,\r\n"        # a formula is not a level
                     "R3,5,\r\n"           # rated already
                     "NOPE,5,\r\n"         # unknown case
                     ",5,\r\n"
                     "R4,5,不存在的原因\r\n")
    with pytest.raises(RowErrors) as e:
        rating_import_file(name="x.csv", data=data, now=NOW)
    errs = {(x["row"], x["field"]) for x in e.value.errors}
    assert errs == {(3, "case_no"), (4, "level"), (5, "case_no"), (6, "case_no"), (7, "case_no"), (8, "reasons")}
    assert "与第 2 行重复" in e.value.errors[0]["error"]
    assert Rating.objects.count() == 1  # only the earlier one


def test_xlsx_with_native_types_and_a_formula_cell(cases):
    wb = Workbook()
    ws = wb.active
    ws.append(["case_no", "level", "reasons", "comment", "rated_at"])
    ws.append(["R1", 4, "一次办好", "好", at("2026-10-03 11:00").replace(tzinfo=None)])
    ws.append(["R2", "=2+3", "", "", None])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(RowErrors) as e:
        rating_import_file(name="x.xlsx", data=buf.getvalue(), now=NOW)
    assert [(x["row"], x["field"]) for x in e.value.errors] == [(3, "level")]
    ws.delete_rows(3)
    buf = io.BytesIO()
    wb.save(buf)
    assert rating_import_file(name="noext", data=buf.getvalue(), now=NOW).imported == 1  # sniffed as xlsx
    assert Rating.objects.get().rated_at == at("2026-10-03 11:00")


def test_json_lines(cases):
    lines = [{"case_no": "R1", "level": 5, "reasons": ["efficient"]},
             {"case_no": "R2", "level": 2, "reasons": "多次跑动", "rater_phone": "13800000000"}]
    data = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode()
    assert rating_import_file(name="x.jsonl", data=data, now=NOW).imported == 2
    bad = b'{"case_no": "R3", "level": 5}\nnot json\n'
    with pytest.raises(RowErrors) as e:
        rating_import_file(name="y", data=bad, now=NOW)  # sniffed as JSON Lines
    assert [x["row"] for x in e.value.errors] == [2] and not Rating.objects.filter(case__case_no="R3").exists()


@pytest.mark.parametrize("when", ["0001-01-01 00:00", "9999-12-31 23:59", "2026-13-01", "昨天", "2099-01-01 09:00",
                                  "2026-09-29 09:00"])
def test_bad_dates_are_row_errors(cases, when):
    with pytest.raises(RowErrors) as e:
        rating_import_file(name="x.csv", data=csv_bytes(f"case_no,level,rated_at\r\nR1,5,{when}\r\n"), now=NOW)
    assert e.value.errors[0]["field"] == "rated_at" and not Rating.objects.exists()


def test_empty_and_odd_files(cases):
    for data in (b"", csv_bytes(""), csv_bytes("case_no,level\r\n"), csv_bytes("case_no,level\r\n,\r\n")):
        with pytest.raises(DomainError) as e:
            rating_import_file(name="x.csv", data=data, now=NOW)
        assert "没有数据行" in e.value.message
    with pytest.raises(RowErrors) as e:
        rating_import_file(name="x.csv", data=csv_bytes("case_no,level,hack\r\nR1,5,1\r\n"), now=NOW)
    assert e.value.errors[0]["field"] == "hack"
    with pytest.raises(DomainError):
        rating_import_file(name="x.xlsx", data=b"PK\x03\x04broken", now=NOW)
    assert not Rating.objects.exists()


def test_the_command(cases, tmp_path):
    good = tmp_path / "ok.csv"
    good.write_bytes(csv_bytes("case_no,level\r\nR1,5\r\n"))
    out = io.StringIO()
    call_command("import_ratings", str(good), "--source", "省好差评", stdout=out)
    assert "导入评价 1 条" in out.getvalue() and Rating.objects.get().source == "省好差评"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("case_no,level\r\nR2,9\r\n"))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ratings", str(bad), stderr=err)
    assert "第 2 行（level）" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_ratings", str(tmp_path / "missing.csv"))
