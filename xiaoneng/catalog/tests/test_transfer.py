"""Import and export of the whole catalogue: round trips, upserts that version only what changed, and
bad files refused row by row with nothing half-imported."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook

from xiaoneng.catalog.content import version_content
from xiaoneng.catalog.demo import seed_catalog
from xiaoneng.catalog.models import FeeRule, RequiredMaterial, ServiceItem, ServiceItemVersion, WorkflowStep
from xiaoneng.catalog.services import catalog_export, catalog_import
from xiaoneng.core.errors import DomainError, NotPermitted, RowErrors

from .conftest import T0

LATER = T0 + timedelta(days=10)


def counts():
    return (ServiceItem.objects.count(), ServiceItemVersion.objects.count(), RequiredMaterial.objects.count(),
            FeeRule.objects.count(), WorkflowStep.objects.count())


def contents():
    return {i.code: (i.department.code, i.is_active, version_content(i.current_version))
            for i in ServiceItem.objects.select_related("department", "current_version")}


def rows_of(xlsx: bytes, sheet: str) -> list[list]:
    wb = load_workbook(io.BytesIO(xlsx))
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


def workbook(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def seeded(depts, item_a, make_item):
    make_item(code="ZR001", dept="b", name="建设用地规划许可证核发",
              fees=[{"name": "工本费", "legal_basis": "财税〔2016〕79号", "amount": "80", "unit": "件"},
                    {"name": "检验费", "legal_basis": "某文件", "amount_min": "100", "amount_max": "300"}])
    seed_catalog(departments=[depts["a"], depts["b"], depts["a1"]], rng=random.Random(7), count=30, now=T0)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_import_round_trip_changes_nothing(seeded, staff, fmt):
    before, before_counts = contents(), counts()
    data = catalog_export(fmt=fmt)
    result = catalog_import(data=data, fmt=fmt, by=staff["admin"], now=LATER)
    assert result.created == [] and result.revised == [] and len(result.unchanged) == len(before)
    assert counts() == before_counts and contents() == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_into_empty_database_recreates_catalogue(seeded, staff, fmt):
    before = contents()
    data = catalog_export(fmt=fmt)
    ServiceItem.objects.update(current_version=None)
    RequiredMaterial.objects.all().delete()
    FeeRule.objects.all().delete()
    WorkflowStep.objects.all().delete()
    ServiceItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()
    result = catalog_import(data=data, fmt=fmt, by=staff["admin"], now=LATER)
    assert len(result.created) == len(before)
    assert contents() == before


def test_changed_row_creates_new_version_only_for_that_item(seeded, staff):
    data = catalog_export(fmt="xlsx")
    wb = load_workbook(io.BytesIO(data))
    ws = wb["事项"]
    headers = [c.value for c in ws[1]]
    code_col, limit_col = headers.index("事项编码"), headers.index("承诺时限")
    for row in ws.iter_rows(min_row=2):
        if row[code_col].value == "SP001":
            row[limit_col].value = 6
    ws_m = wb["材料"]
    ws_m.append(["SP001", 9, "新增的材料", "复印件", 2, "必要", "", "申请人自备", "", "", ""])
    out = io.BytesIO()
    wb.save(out)
    n_items = ServiceItem.objects.count()
    result = catalog_import(data=out.getvalue(), fmt="xlsx", by=staff["admin"], now=LATER)
    assert result.revised == ["SP001"] and len(result.unchanged) == n_items - 1
    item = ServiceItem.objects.get(code="SP001")
    assert item.current_version.number == 2 and item.current_version.committed_limit_value == 6
    assert item.current_version.materials.last().name == "新增的材料"
    assert item.current_version.change_note == "批量导入"
    assert item.versions.get(number=1).committed_limit_value == 10


def test_new_code_creates_item_and_deactivation_column(seeded, staff):
    data = catalog_export(fmt="xlsx")
    sheets = {s: rows_of(data, s) for s in ("事项", "材料", "收费", "环节")}
    headers = sheets["事项"][0]
    new = list(next(r for r in sheets["事项"][1:] if r[0] == "SP001"))
    new[0] = "SP002"
    new[headers.index("事项名称")] = "食品经营许可证核发（变更）"
    sheets["事项"].append(new)
    for s in ("材料", "环节"):
        sheets[s] += [["SP002", *r[1:]] for r in sheets[s][1:] if r[0] == "SP001"]
    for r in sheets["事项"][1:]:
        if r[0] == "ZR001":
            r[headers.index("启用")] = "否"
    result = catalog_import(data=workbook(sheets), fmt="xlsx", by=staff["admin"], now=LATER)
    assert result.created == ["SP002"] and result.deactivated == ["ZR001"]
    assert ServiceItem.objects.get(code="SP002").current_version.materials.count() == 3
    assert not ServiceItem.objects.get(code="ZR001").is_active


def test_bad_rows_listed_and_nothing_imported(seeded, staff):
    data = catalog_export(fmt="xlsx")
    sheets = {s: rows_of(data, s) for s in ("事项", "材料", "收费", "环节")}
    h = sheets["事项"][0]
    # Row 2: a good change that must NOT be applied because other rows are bad.
    sheets["事项"][1][h.index("事项名称")] = "本应被修改的名称"
    sheets["事项"][2][h.index("承诺时限")] = "十天"
    sheets["事项"][3][h.index("实施部门编码")] = "NOPE"
    sheets["事项"][4][h.index("承诺时限")] = 999
    mh = sheets["材料"][0]
    sheets["材料"][1][mh.index("份数")] = 0
    sheets["材料"].append(["GHOST", 1, "某材料", "原件", 1, "必要", "", "申请人自备", "", "", ""])
    sheets["事项"].append(list(sheets["事项"][1]))  # duplicate code
    before, before_counts = contents(), counts()
    with pytest.raises(RowErrors) as exc:
        catalog_import(data=workbook(sheets), fmt="xlsx", by=staff["admin"], now=LATER)
    errors = exc.value.errors
    found = {(e["sheet"], e["row"], e["column"]) for e in errors}
    assert ("事项", 3, "承诺时限") in found
    assert ("事项", 4, "实施部门编码") in found
    assert ("事项", 5, "承诺时限") in found
    assert ("材料", 2, "份数") in found
    assert ("材料", len(sheets["材料"]), "事项编码") in found
    assert ("事项", len(sheets["事项"]), "事项编码") in found
    assert all(e["error"] for e in errors)
    assert "未导入任何数据" in exc.value.message
    assert contents() == before and counts() == before_counts


def test_missing_sheet_and_header(staff, depts):
    with pytest.raises(RowErrors) as exc:
        catalog_import(data=workbook({"事项": [["事项编码", "事项名称"]], "材料": [["事项编码", "材料名称"]]}),
                       fmt="xlsx", by=staff["admin"], now=LATER)
    messages = [e["error"] for e in exc.value.errors]
    assert "缺少“收费”表。" in messages and "缺少“环节”表。" in messages
    assert any(e["column"] == "设定依据" for e in exc.value.errors)


def test_not_a_workbook(staff):
    with pytest.raises(DomainError) as exc:
        catalog_import(data=b"not a zip", fmt="xlsx", by=staff["admin"], now=LATER)
    assert exc.value.field == "file"


def test_csv_line_numbers_and_gbk(seeded, staff):
    text = catalog_export(fmt="csv").decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    header_idx = 1
    h = lines[header_idx]
    lines[2][h.index("法定时限")] = "0"
    buf = io.StringIO()
    csv.writer(buf).writerows(lines)
    with pytest.raises(RowErrors) as exc:
        catalog_import(data=buf.getvalue().encode("gb18030"), fmt="csv", by=staff["admin"], now=LATER)
    assert {(e["sheet"], e["row"], e["column"]) for e in exc.value.errors} >= {("事项", 3, "法定时限")}


def test_csv_must_start_with_section(staff):
    with pytest.raises(DomainError) as exc:
        catalog_import(data="事项编码,事项名称\nX,Y\n".encode(), fmt="csv", by=staff["admin"], now=LATER)
    assert exc.value.row == 1


@pytest.mark.parametrize("role", ["window", "handler", "head", "handler_b", "supervisor", "leader"])
def test_import_admin_only(role, staff):
    with pytest.raises(NotPermitted):
        catalog_import(data=b"x", fmt="csv", by=staff[role], now=LATER)


def test_unknown_file_reference_refused(item_a, staff):
    data = catalog_export(fmt="xlsx")
    sheets = {s: rows_of(data, s) for s in ("事项", "材料", "收费", "环节")}
    mh = sheets["材料"][0]
    sheets["材料"][1][mh.index("空白表格")] = "catalog/forms/2025/missing.docx"
    with pytest.raises(RowErrors) as exc:
        catalog_import(data=workbook(sheets), fmt="xlsx", by=staff["admin"], now=LATER)
    assert exc.value.errors[0]["column"] == "空白表格"


def test_export_layout(seeded):
    data = catalog_export(fmt="xlsx")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["事项", "材料", "收费", "环节"]
    items = rows_of(data, "事项")
    assert items[0][:3] == ["事项编码", "事项名称", "实施部门编码"]
    row = next(r for r in items if r[0] == "SP001")
    h = items[0]
    assert row[h.index("办件类型")] == "承诺件" and row[h.index("法定时限单位")] == "工作日"
    assert row[h.index("暂停计时情形")] == "补正材料、现场勘查" and row[h.index("可暂停计时")] == "是"
    fees = rows_of(data, "收费")
    assert ["ZR001", 2, "检验费", "某文件", None, "100.00", "300.00", None, None] in fees


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_cells_that_look_like_formulas_are_text_and_import_back_unchanged(depts, make_item, staff, fmt):
    """Formula injection (issue 9 item 11): an item named =HYPERLINK(…) must not be a live formula."""
    import copy

    from .conftest import CONTENT

    materials = copy.deepcopy(CONTENT["materials"])
    materials[0]["name"] = "@SUM(1+1)申请书"
    make_item(code="EVIL1", name='=HYPERLINK("http://evil.example/","点击查看")', legal_basis="+1+1 依据",
              materials=materials)
    before = contents()
    data = catalog_export(fmt=fmt)
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        assert "'=HYPERLINK(" in text and "'@SUM(1+1)" in text and "'+1+1 依据" in text
        assert not any(cell.startswith(("=", "+", "@")) for row in csv.reader(io.StringIO(text)) for cell in row)
    else:
        wb = load_workbook(io.BytesIO(data))
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        named = [c for c in cells if str(c.value).startswith("=HYPERLINK(")]
        assert named and all(c.data_type == "s" and c.quotePrefix for c in named)
        assert not [c for c in cells if c.data_type == "f"]
        assert [c for c in cells if c.value == "@SUM(1+1)申请书"][0].data_type == "s"
    catalog_import(data=data, fmt=fmt, by=staff["admin"], now=LATER)
    assert contents() == before
