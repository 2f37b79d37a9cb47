"""Importing case events from legacy systems' exports: CSV, Excel (.xlsx) or JSON Lines.

Each row (or line) is one event, with the API's field names as column headers; the applicant's data may be
given as `applicant_name`, `applicant_id_no`, `applicant_phone` columns, `missing_materials` as a list
separated by "；", ";" or "|". Everything goes through `case_events_ingest` (the same path as the API), in
one transaction: a file with any bad row imports nothing, and every bad row is reported by its number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import transaction

from xiaoneng.core.errors import DomainError, RowErrors

from .ingest import MAX_BATCH, case_events_ingest
from .models import Channel, ImportBatch

COLUMNS = ("event_id", "case_no", "service_code", "type", "occurred_at", "step", "handler", "reason",
           "missing_materials", "fee_item", "amount", "granted_days", "parent_case_no", "is_joint_parent",
           "applicant_name", "applicant_id_no", "applicant_phone")
_BOOLS = {"true": True, "1": True, "是": True, "yes": True, "false": False, "0": False, "否": False, "no": False}
_SPLIT = re.compile(r"[；;|]")


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):  # legacy Chinese systems export GBK as often as UTF-8
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DomainError("文件既不是 UTF-8 也不是 GB18030 编码。", code="bad_encoding")


def _event_from_row(row: dict) -> dict:
    """A flat row (strings) → an event dict in the API's shape."""
    ev: dict = {}
    for key, value in row.items():
        if key is None:
            continue
        key = str(key).strip()
        if isinstance(value, str):
            value = value.strip()
        if key == "applicant" and isinstance(value, dict):
            ev[key] = value
            continue
        if value in (None, ""):
            continue
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        ev[key] = value
    applicant = {k: str(ev.pop(f"applicant_{k}")) for k in ("name", "id_no", "phone") if f"applicant_{k}" in ev}
    if applicant:
        ev["applicant"] = applicant
    if isinstance(ev.get("missing_materials"), str):
        ev["missing_materials"] = [m.strip() for m in _SPLIT.split(ev["missing_materials"]) if m.strip()]
    joint = ev.get("is_joint_parent")
    if isinstance(joint, str) and joint.lower() in _BOOLS:  # a spreadsheet cell: 是/否, true/false, 1/0
        ev["is_joint_parent"] = _BOOLS[joint.lower()]
    elif isinstance(joint, int | float) and not isinstance(joint, bool) and joint in (0, 1):
        ev["is_joint_parent"] = bool(joint)
    gd = ev.get("granted_days")
    if isinstance(gd, str) and gd.isdigit():
        ev["granted_days"] = int(gd)
    elif isinstance(gd, float) and gd.is_integer():
        ev["granted_days"] = int(gd)
    for key in ("event_id", "case_no", "service_code"):
        if isinstance(ev.get(key), float) and ev[key].is_integer():  # Excel turns numeric codes into floats
            ev[key] = str(int(ev[key]))
        elif isinstance(ev.get(key), int):
            ev[key] = str(ev[key])
    return ev


def read_rows(name: str, data: bytes) -> Iterator[tuple[int, dict | None, str | None]]:
    """(row number, event dict or None, error or None) for each data row of the file."""
    suffix = Path(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        text = _decode(data)
        if suffix == ".json" and text.lstrip().startswith("["):
            try:
                items = json.loads(text)
            except json.JSONDecodeError as exc:
                yield exc.lineno, None, f"JSON 格式错误：{exc.msg}（第 {exc.colno} 列）"
                return
            for i, item in enumerate(items, 1):
                yield i, _event_from_row(item) if isinstance(item, dict) else None, \
                    None if isinstance(item, dict) else "应为 JSON 对象"
            return
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield lineno, None, f"不是有效的 JSON：{exc.msg}（第 {exc.colno} 列）"
                continue
            yield lineno, _event_from_row(item) if isinstance(item, dict) else None, \
                None if isinstance(item, dict) else "应为 JSON 对象"
        return
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise DomainError(f"无法读取 Excel 文件：{exc}", code="bad_file") from exc
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else None for h in next(rows, ())]
        for number, values in enumerate(rows, 2):
            if all(v in (None, "") for v in values):
                continue
            yield number, _event_from_row(dict(zip(header, values, strict=False))), None
        return
    if suffix in (".csv", ".txt", ""):
        reader = csv.DictReader(io.StringIO(_decode(data)))
        for number, row in enumerate(reader, 2):
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue
            yield number, _event_from_row(row), None
        return
    raise DomainError(f"不支持的文件类型“{suffix}”：请使用 .csv、.xlsx 或 .jsonl。", code="bad_file")


def case_import_file(
    *, name: str, data: bytes, source: str, now: dt.datetime, progress: Callable[[int], None] | None = None,
    chunk: int = MAX_BATCH,
) -> ImportBatch:
    """Import every event of a file, or nothing: RowErrors lists each bad row by its number.
    `source` labels the legacy system: re-importing the same file counts its events as duplicates."""
    source = (source or "").strip()[:60] or "legacy"
    rows = list(read_rows(name, data))
    errors = [{"row": n, "error": err} for n, _ev, err in rows if err]
    if errors:
        raise RowErrors(errors)
    if not rows:
        raise DomainError("文件中没有数据行。", code="empty_file")
    batch = ImportBatch(source=source, file_name=Path(name).name[:255], started_at=now, rows=len(rows))
    with transaction.atomic():
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            result = case_events_ingest(events=[ev for _n, ev, _e in part], channel=Channel.IMPORT, now=now,
                                        source=source)
            for err in result.errors:
                errors.append({"row": part[err["index"]][0], "event_id": err["event_id"], "error": err["error"]})
            batch.accepted += result.accepted
            batch.duplicates += result.duplicates
            if progress:
                progress(len(part))
        if errors:
            transaction.set_rollback(True)
            raise RowErrors(errors)
        batch.finished_at = now
        batch.save()
    return batch
