"""Import and export of the whole service catalogue as Excel (.xlsx) or CSV.

File layout (the same four tables in both formats; headers are fixed Chinese names, matched by name, so
columns may be reordered and unknown columns are ignored):

- 事项 (items): one row per item — 事项编码, 事项名称, 实施部门编码, 事项类别, 办件类型, 服务对象, 事项说明,
  受理条件, 设定依据, 法定时限, 法定时限单位, 承诺时限, 承诺时限单位, 可暂停计时, 暂停计时情形 (labels
  separated by 、), 超时默许, 网上办理, 窗口办理, 网上办理地址, 到现场次数, 办理地点, 办理时间, 咨询电话,
  监督投诉电话, 办理结果, 启用, 修订说明; export adds 版本号 and 生效时间, which import ignores.
- 材料 (materials), 收费 (fees), 环节 (steps): one row per child, keyed by 事项编码 and ordered by 序号.

Choices are written as their Chinese labels (承诺件, 工作日, 原件 …); import also accepts the codes
(committed, wd, original …). Booleans are 是/否. Blank forms and sample files travel as their stored
file names (they are not embedded); an imported name must exist in storage.

In .xlsx each table is a sheet of that name. A CSV (UTF-8 with BOM, so Excel opens it; GB18030 is also
read) holds the four tables one after another, each introduced by a line whose first cell is the table
name prefixed with "#" (#事项, #材料, #收费, #环节), then its header line, then its rows; blank lines
are ignored. Error row numbers are the Excel row, or the CSV line, a person sees when opening the file.

Import is an upsert by 事项编码: a new code creates an item, a changed row publishes a new version, an
unchanged row does nothing. Every row is checked before anything is written; one bad row means nothing is
imported and RowErrors lists each problem with its table, row, column and reason.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone, translation

from xiaoneng.accounts.models import Department, Staff
from xiaoneng.catalog.content import ContentInvalid, clean_content
from xiaoneng.catalog.models import (
    Audience,
    Category,
    ItemType,
    LimitUnit,
    RequiredMaterial,
    ServiceItem,
    StepKind,
    SuspensionReason,
)
from xiaoneng.catalog.selectors import can_transfer, items_for_export
from xiaoneng.core.errors import DomainError, NotPermitted, RowErrors
from xiaoneng.core.spreadsheet import csv_bytes, unescape_cell, xlsx_append

ITEMS, MATERIALS, FEES, STEPS = "事项", "材料", "收费", "环节"
SHEETS = (ITEMS, MATERIALS, FEES, STEPS)
MAX_ERRORS = 500

# (header, key, kind). Kinds: text, int, money, bool, choice:<Enum>, reasons, info (export only).
ITEM_COLUMNS: list[tuple[str, str, Any]] = [
    ("事项编码", "code", "text"),
    ("事项名称", "name", "text"),
    ("实施部门编码", "department", "text"),
    ("事项类别", "category", Category),
    ("办件类型", "item_type", ItemType),
    ("服务对象", "audience", Audience),
    ("事项说明", "description", "text"),
    ("受理条件", "conditions", "text"),
    ("设定依据", "legal_basis", "text"),
    ("法定时限", "statutory_limit_value", "int"),
    ("法定时限单位", "statutory_limit_unit", LimitUnit),
    ("承诺时限", "committed_limit_value", "int"),
    ("承诺时限单位", "committed_limit_unit", LimitUnit),
    ("可暂停计时", "suspension_allowed", "bool"),
    ("暂停计时情形", "suspension_reasons", "reasons"),
    ("超时默许", "deemed_approval", "bool"),
    ("超时默许依据", "deemed_approval_basis", "text"),
    ("网上办理", "online", "bool"),
    ("窗口办理", "offline", "bool"),
    ("网上办理地址", "online_url", "text"),
    ("到现场次数", "max_visits", "int"),
    ("办理地点", "location", "text"),
    ("办理时间", "office_hours", "text"),
    ("咨询电话", "phone", "text"),
    ("监督投诉电话", "complaint_phone", "text"),
    ("办理结果", "result", "text"),
    ("启用", "is_active", "bool"),
    ("修订说明", "change_note", "text"),
    ("版本号", "version", "info"),
    ("生效时间", "valid_from", "info"),
]
MATERIAL_COLUMNS: list[tuple[str, str, Any]] = [
    ("事项编码", "code", "text"),
    ("序号", "position", "int"),
    ("材料名称", "name", "text"),
    ("材料形式", "form", RequiredMaterial.Form),
    ("份数", "copies", "int"),
    ("必要性", "requirement", RequiredMaterial.Requirement),
    ("适用情形", "condition", "text"),
    ("来源渠道", "source", RequiredMaterial.Source),
    ("空白表格", "blank_form", "text"),
    ("示例样表", "sample", "text"),
    ("备注", "note", "text"),
]
FEE_COLUMNS: list[tuple[str, str, Any]] = [
    ("事项编码", "code", "text"),
    ("序号", "position", "int"),
    ("收费项目", "name", "text"),
    ("收费依据", "legal_basis", "text"),
    ("标准金额（元）", "amount", "money"),
    ("下限（元）", "amount_min", "money"),
    ("上限（元）", "amount_max", "money"),
    ("计费单位", "unit", "text"),
    ("备注", "note", "text"),
]
STEP_COLUMNS: list[tuple[str, str, Any]] = [
    ("事项编码", "code", "text"),
    ("序号", "position", "int"),
    ("环节", "kind", StepKind),
    ("环节名称", "name", "text"),
    ("环节时限", "limit_value", "int"),
    ("时限单位", "limit_unit", LimitUnit),
    ("承办岗位", "post", "text"),
    ("办理标准", "description", "text"),
]
COLUMNS = {ITEMS: ITEM_COLUMNS, MATERIALS: MATERIAL_COLUMNS, FEES: FEE_COLUMNS, STEPS: STEP_COLUMNS}
REQUIRED_HEADERS = {
    ITEMS: ("事项编码", "事项名称", "实施部门编码", "办件类型", "设定依据", "法定时限", "承诺时限"),
    MATERIALS: ("事项编码", "材料名称"),
    FEES: ("事项编码", "收费项目"),
    STEPS: ("事项编码", "环节", "环节时限"),
}
CHILD_KEY = {MATERIALS: "materials", FEES: "fees", STEPS: "steps"}
KEY_SHEET = {v: k for k, v in CHILD_KEY.items()}


@dataclass
class ImportResult:
    """What an import did: codes created, revised (new version), unchanged, and (de)activated."""

    created: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    activated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------- export
def _export_value(kind, value) -> Any:
    if kind == "bool":
        return "是" if value else "否"
    if kind == "reasons":
        return "、".join(str(SuspensionReason(r).label) for r in value or [])
    if isinstance(kind, type) and issubclass(kind, TextChoices):
        return str(kind(value).label) if value else ""
    if kind == "money":
        return "" if value is None else format(value, "f")
    return "" if value is None else value



def _export_tables() -> dict[str, list[list[Any]]]:
    tables: dict[str, list[list[Any]]] = {s: [[h for h, _k, _t in COLUMNS[s]]] for s in SHEETS}
    for item in items_for_export():
        v = item.current_version
        row_src = {
            **{f: getattr(v, f) for _h, f, _t in ITEM_COLUMNS if hasattr(v, f) and f not in ("code",)},
            "code": item.code,
            "department": item.department.code,
            "is_active": item.is_active,
            "change_note": "",
            "version": v.number,
            "valid_from": timezone.localtime(v.valid_from).strftime("%Y-%m-%d %H:%M:%S"),
        }
        tables[ITEMS].append([_export_value(t, row_src.get(k)) for _h, k, t in ITEM_COLUMNS])
        for sheet, children in ((MATERIALS, v.materials.all()), (FEES, v.fees.all()), (STEPS, v.steps.all())):
            for child in children:
                src = {"code": item.code}
                for _h, k, _t in COLUMNS[sheet][1:]:
                    val = getattr(child, k)
                    src[k] = val.name if k in ("blank_form", "sample") else val
                tables[sheet].append([_export_value(t, src.get(k)) for _h, k, t in COLUMNS[sheet]])
    return tables


def catalog_export(*, fmt: str) -> bytes:
    """The whole catalogue (every item's current version, active or not) as .xlsx or CSV bytes, in the
    layout described in this module's docstring; importing the result changes nothing."""
    if fmt not in ("xlsx", "csv"):
        raise DomainError("导出格式应为 xlsx 或 csv。", field="fmt")
    # The file format is Chinese whatever language the person exporting reads the site in.
    with translation.override("zh-hans"):
        tables = _export_tables()
    # Cells go through core.spreadsheet, so an item named "=HYPERLINK(…)" is text in the file, not a formula.
    if fmt == "csv":
        return csv_bytes((sheet, tables[sheet]) for sheet in SHEETS)

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet)
        for row in tables[sheet]:
            xlsx_append(ws, row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "B2"
        for i, (header, _k, kind) in enumerate(COLUMNS[sheet], 1):
            wide = kind == "text" and header in ("事项名称", "设定依据", "材料名称", "收费依据", "事项说明", "受理条件")
            ws.column_dimensions[get_column_letter(i)].width = 40 if wide else max(10, len(header) * 2 + 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------------------------- import
@dataclass
class _Row:
    sheet: str
    number: int
    values: dict[str, Any]  # key -> raw cell value


def _cell_text(value) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return unescape_cell(value.strip())
    return value


def _read_xlsx(data: bytes) -> dict[str, list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise DomainError("无法读取该 Excel 文件，请上传 .xlsx 格式的文件。", field="file") from exc
    tables: dict[str, list[tuple[int, list[Any]]]] = {}
    try:
        for ws in wb.worksheets:
            name = ws.title.strip()
            if name in SHEETS:
                tables[name] = [
                    (n, [_cell_text(v) for v in row]) for n, row in enumerate(ws.iter_rows(values_only=True), 1)
                ]
    finally:
        wb.close()
    return tables


def _read_csv(data: bytes) -> dict[str, list[tuple[int, list[Any]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Excel on a Chinese Windows saves "CSV" in the ANSI code page (GBK); GB18030 reads it.
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise DomainError("无法识别 CSV 文件的编码，请保存为 UTF-8。", field="file") from exc
    tables: dict[str, list[tuple[int, list[Any]]]] = {}
    current: list[tuple[int, list[Any]]] | None = None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            line = reader.line_num
            cells = [unescape_cell(c.strip()) for c in row]  # our export's "'=…" reads back as "=…"
            if cells and cells[0].startswith("#") and cells[0][1:].strip() in SHEETS and not any(cells[1:]):
                current = tables.setdefault(cells[0][1:].strip(), [])
                continue
            if current is None:
                if any(cells):
                    raise DomainError(
                        f"CSV 第 {line} 行：文件应以“#事项”开头，按 #事项、#材料、#收费、#环节 分节。", field="file", row=line
                    )
                continue
            current.append((line, cells))
    except csv.Error as exc:
        raise DomainError(f"CSV 格式错误：{exc}", field="file") from exc
    return tables


def _rows(tables, errors: list[dict]) -> dict[str, list[_Row]]:
    """Turn each table's header + rows into keyed rows; a missing table or header is an error."""
    out: dict[str, list[_Row]] = {}
    for sheet in SHEETS:
        raw = [(n, cells) for n, cells in tables.get(sheet, []) if any(c not in (None, "") for c in cells)]
        if sheet not in tables:
            errors.append({"sheet": sheet, "row": 0, "column": "", "error": f"缺少“{sheet}”表。"})
            continue
        if not raw:
            errors.append({"sheet": sheet, "row": 1, "column": "", "error": f"“{sheet}”表缺少表头行。"})
            continue
        header_line, header = raw[0]
        by_header = {str(h).strip(): i for i, h in enumerate(header) if h not in (None, "")}
        missing = [h for h in REQUIRED_HEADERS[sheet] if h not in by_header]
        for h in missing:
            errors.append({"sheet": sheet, "row": header_line, "column": h, "error": f"缺少“{h}”列。"})
        if missing:
            continue
        index = {k: by_header[h] for h, k, _t in COLUMNS[sheet] if h in by_header}
        out[sheet] = [
            _Row(sheet, n, {k: (cells[i] if i < len(cells) else None) for k, i in index.items()}) for n, cells in raw[1:]
        ]
    return out


def _header_of(sheet: str, key: str) -> str:
    return next((h for h, k, _t in COLUMNS[sheet] if k == key), key)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def catalog_import(*, data: bytes, fmt: str, by: Staff | None, now: datetime) -> ImportResult:
    """Import a whole catalogue file (.xlsx or CSV, layout in this module's docstring): upsert by code, a
    new version for each changed item, nothing for unchanged ones. All-or-nothing: RowErrors lists every
    bad row (table, row, column, reason) and nothing is written. Administrators only."""
    if by is not None and not can_transfer(by):
        raise NotPermitted("只有系统管理员可以导入事项目录。")
    if fmt not in ("xlsx", "csv"):
        raise DomainError("导入格式应为 xlsx 或 csv。", field="fmt")
    if not data:
        raise DomainError("上传的文件是空的。", field="file")
    with translation.override("zh-hans"):
        tables = _read_xlsx(data) if fmt == "xlsx" else _read_csv(data)
        errors: list[dict] = []
        rows = _rows(tables, errors)
        if errors:
            raise RowErrors(errors)
        plans = _plan(rows, errors)
        if errors:
            raise RowErrors(errors[:MAX_ERRORS])
        return _apply(plans, by=by, now=now)


@dataclass
class _Plan:
    code: str
    row: _Row
    department: Department
    content: dict
    is_active: bool
    change_note: str


def _plan(rows: dict[str, list[_Row]], errors: list[dict]) -> list[_Plan]:
    def err(r: _Row, key: str, message: str):
        errors.append({"sheet": r.sheet, "row": r.number, "column": _header_of(r.sheet, key) if key else "",
                       "error": message})

    items: dict[str, _Row] = {}
    for r in rows[ITEMS]:
        code = _text(r.values.get("code"))
        if not code:
            err(r, "code", "事项编码不能为空。")
        elif code in items:
            err(r, "code", f"事项编码“{code}”重复（第 {items[code].number} 行已有）。")
        else:
            items[code] = r

    children: dict[str, dict[str, list[_Row]]] = {code: {s: [] for s in CHILD_KEY} for code in items}
    for sheet in CHILD_KEY:
        for r in rows[sheet]:
            code = _text(r.values.get("code"))
            if code not in items:
                err(r, "code", f"事项编码“{code}”不在“事项”表中。" if code else "事项编码不能为空。")
                continue
            children[code][sheet].append(r)

    dept_codes = {_text(r.values.get("department")) for r in items.values()}
    departments = {d.code: d for d in Department.objects.filter(code__in=dept_codes)}

    plans: list[_Plan] = []
    for code, r in items.items():
        dept = departments.get(_text(r.values.get("department")))
        if dept is None:
            err(r, "department", f"部门编码“{_text(r.values.get('department'))}”不存在。")
        try:
            from xiaoneng.catalog.services import _check_code

            _check_code(code)
        except DomainError as exc:
            err(r, "code", exc.message)
        content_src = dict(r.values)
        child_rows: dict[str, list[_Row]] = {}
        for sheet, key in CHILD_KEY.items():
            ordered = _order_children(children[code][sheet], err)
            child_rows[key] = ordered
            content_src[key] = [dict(c.values) for c in ordered]
        for m_row, m in zip(child_rows["materials"], content_src["materials"], strict=True):
            for key in ("blank_form", "sample"):
                name = _text(m.get(key))
                if name and not default_storage.exists(name):
                    err(m_row, key, f"文件“{name}”在平台存储中不存在（附件不随表格导入，请先上传）。")
        active_cell = r.values.get("is_active")
        is_active = True
        if _text(active_cell):
            if _text(active_cell).lower() in ("否", "0", "false", "no", "n"):
                is_active = False
            elif _text(active_cell).lower() not in ("是", "1", "true", "yes", "y"):
                err(r, "is_active", "启用应填写“是”或“否”。")
        try:
            content = clean_content(content_src)
        except ContentInvalid as exc:
            for e in exc.errors:
                _map_content_error(e, r, child_rows, err)
            continue
        if dept is not None:
            plans.append(_Plan(code, r, dept, content, is_active, _text(r.values.get("change_note"))[:200]))
    return plans


def _order_children(rows: list[_Row], err) -> list[_Row]:
    def position(r: _Row):
        raw = r.values.get("position")
        if raw in (None, ""):
            return (1, r.number)
        try:
            return (0, int(str(raw).removesuffix(".0")), r.number)
        except ValueError:
            err(r, "position", "序号应为整数。")
            return (1, r.number)

    return sorted(rows, key=position)


def _map_content_error(e: DomainError, item_row: _Row, child_rows: dict[str, list[_Row]], err) -> None:
    parts = (e.field or "").split(".")
    if parts[0] in child_rows and len(parts) == 3:
        err(child_rows[parts[0]][int(parts[1])], parts[2], e.message)
    elif parts[0] in child_rows:
        err(item_row, "code", f"{KEY_SHEET[parts[0]]}：{e.message}")
    else:
        err(item_row, parts[0], e.message)


@transaction.atomic
def _apply(plans: list[_Plan], *, by: Staff | None, now: datetime) -> ImportResult:
    from xiaoneng.catalog import services as S

    result = ImportResult()
    existing = {i.code: i for i in ServiceItem.objects.filter(code__in=[p.code for p in plans]).select_related("department")}
    for p in plans:
        item = existing.get(p.code)
        if item is None:
            item = S.service_item_create(department=p.department, data={**p.content, "code": p.code,
                                         "change_note": p.change_note or "批量导入"}, by=by, now=now)
            result.created.append(p.code)
        else:
            if item.department_id != p.department.pk:
                item = S.service_item_move(item=item, department=p.department, by=by, now=now)
                result.moved.append(p.code)
            before = item.current_version_id
            version = S.service_item_revise(item=item, data=p.content, by=by, now=now,
                                            change_note=p.change_note or "批量导入")
            (result.revised if version.pk != before else result.unchanged).append(p.code)
            item.refresh_from_db()
        if item.is_active and not p.is_active:
            S.service_item_deactivate(item=item, by=by, now=now)
            result.deactivated.append(p.code)
        elif not item.is_active and p.is_active:
            S.service_item_activate(item=item, by=by, now=now)
            result.activated.append(p.code)
    return result

