"""Importing ratings (好差评) from files: the national 好差评 system's exports, a department system's dump.

CSV, Excel (.xlsx) or JSON Lines — by the file's extension, or by its content when the extension says nothing
(an .xlsx is a zip: "PK"; a line starting with "{" is JSON Lines; anything else CSV). Columns (the API's
names): case_no, level, reasons (codes or names, separated by , ， 、 ; ；), comment, rated_at, channel,
rater_name, rater_phone. `rated_at` without an offset is local time (Asia/Shanghai); empty means now.
`channel`: import (the default), api, link or kiosk (the channel the rating first came by).

Every row goes through `rating_record` — the one service, so every rule holds — inside ONE transaction: a file
with any bad row imports nothing, and every bad row is reported with its number (RowErrors). A case named
twice in the file is refused on the second row. A CSV cell our own exports escaped ('=…) reads back as typed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from xiaoneng.cases.models import Case
from xiaoneng.cases.transfer import read_rows
from xiaoneng.core.errors import DomainError, RowErrors
from xiaoneng.core.params import parse_moment
from xiaoneng.core.spreadsheet import unescape_cell

from .models import Channel, RatingReason
from .services.rating import rating_record

IMPORT_CHANNELS = (Channel.IMPORT, Channel.API, Channel.LINK, Channel.KIOSK)
COLUMNS = ("case_no", "level", "reasons", "comment", "rated_at", "channel", "rater_name", "rater_phone")
MAX_ROWS = 100_000
MAX_ERRORS = 1000
_SPLIT = re.compile(r"[,，、;；|]")


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    bad: int = 0
    source: str = ""


def _sniff_name(name: str, data: bytes) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt", ".xlsx", ".xlsm", ".jsonl", ".ndjson", ".json"):
        return name
    if data[:4] == b"PK\x03\x04":
        return "file.xlsx"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "file.jsonl" if head == b"{" else "file.csv"


def _cell(value):
    if isinstance(value, str):
        return unescape_cell(value.strip())
    return value


def _level(value):
    if isinstance(value, str) and re.fullmatch(r"[1-5](\.0+)?", value):
        return int(float(value))
    if isinstance(value, float) and value.is_integer() and 1 <= value <= 5:
        return int(value)
    if value is None or value == "":
        raise DomainError("缺少评价等级（level）。", field="level", code="missing")
    return value  # rating_record refuses it, naming the field


def _reasons(value, by_name: dict[str, str]) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        items = [p.strip() for p in _SPLIT.split(value) if p.strip()]
    else:
        raise DomainError("评价原因（reasons）应为原因编码或名称，以逗号或顿号分隔。", field="reasons", code="invalid_reasons")
    return [by_name.get(i, i) if isinstance(i, str) else i for i in items]


def _rated_at(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    if not isinstance(value, str):
        raise DomainError("评价时间（rated_at）格式应为 2026-10-09 09:00 或 2026-10-09T09:00:00+08:00。", field="rated_at")
    return parse_moment(value, field="rated_at")


def _text(row: dict, key: str, max_len: int) -> str:
    value = row.get(key)
    if value in (None, ""):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    return str(value)[:max_len]


@transaction.atomic
def rating_import_file(*, name: str, data: bytes, source: str = "", now: dt.datetime) -> ImportResult:
    """Import every rating of a file through `rating_record`, or nothing: RowErrors lists each bad row by its
    number (with the field at fault). `source` labels where the file came from (kept on each rating)."""
    source = (source or "").strip()[:60] or Path(name).name[:60] or "import"
    rows = list(read_rows(_sniff_name(name, data), data))
    if not rows:
        raise DomainError("文件中没有数据行。", code="empty_file")
    if len(rows) > MAX_ROWS:
        raise DomainError(f"一次最多导入 {MAX_ROWS} 行，请分批导入。", code="too_many_rows")
    by_name = dict(RatingReason.objects.values_list("name", "code"))
    numbers = {str(r.get("case_no")).strip() for _n, r, _e in rows if r and r.get("case_no") not in (None, "")}
    cases = {c.case_no: c for c in Case.objects.filter(case_no__in=numbers)}
    errors: list[dict] = []
    seen: dict[str, int] = {}
    result = ImportResult(rows=len(rows), source=source)

    def fail(number: int, message: str, field: str | None):
        errors.append({"row": number, "field": field, "error": message})

    for number, row, err in rows:
        if err:
            fail(number, err, None)
            continue
        row = {k: _cell(v) for k, v in (row or {}).items()}
        unknown = [k for k in row if k not in COLUMNS]
        if unknown:
            fail(number, f"不认识的列“{str(unknown[0])[:32]}”：可用列为 {'、'.join(COLUMNS)}。", str(unknown[0])[:32])
            continue
        case_no = _text(row, "case_no", 64).strip()
        if not case_no:
            fail(number, "缺少办件编号（case_no）。", "case_no")
            continue
        if case_no in seen:
            fail(number, f"办件“{case_no}”与第 {seen[case_no]} 行重复：一事一评。", "case_no")
            continue
        seen[case_no] = number
        case = cases.get(case_no)
        if case is None:
            fail(number, f"办件“{case_no}”不存在。", "case_no")
            continue
        channel = str(row.get("channel") or Channel.IMPORT)
        try:
            if channel not in IMPORT_CHANNELS:
                raise DomainError("评价渠道（channel）只能是 import、api、link 或 kiosk。", field="channel")
            rating_record(case=case, level=_level(row.get("level")), reasons=_reasons(row.get("reasons"), by_name),
                          comment=_text(row, "comment", 10_000), channel=channel, rated_at=_rated_at(row.get("rated_at")),
                          rater_name=_text(row, "rater_name", 100), rater_phone=_text(row, "rater_phone", 32),
                          source=source, now=now)
            result.imported += 1
        except DomainError as exc:
            fail(number, exc.message, exc.field)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        transaction.set_rollback(True)
        raise RowErrors(errors)
    return result
