"""Validation of incoming case events: one dict in, a normalised event out, or a Chinese reason why not.

Pure Python, no queries: the ingest service validates a whole batch this way first, then resolves codes,
cases and scope for the batch in a few set-based queries.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from .models import EventType
from .privacy import mask_id_no, mask_name, mask_phone

MIN_OCCURRED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE_SLACK = dt.timedelta(days=1)
MAX_AMOUNT = Decimal("9999999999.99")
MAX_GRANTED_DAYS = 3650
# 行政许可法 第四十二条: 20 wd "经本行政机关负责人批准，可以延长十日" — an extension grants at most 10 wd.
MAX_EXTENSION_DAYS = 15  # §42: 10 wd, or 15 wd for a joint case (checked per case by the ingest)
MAX_MATERIALS = 100
TYPES = frozenset(EventType.values)
TYPE_LIST = "、".join(EventType.values)
_FEE_TYPES = (EventType.FEE_CHARGED, EventType.FEE_REFUNDED)
# Control characters other than tab and line breaks (NUL above all: PostgreSQL text cannot hold it).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# \w is str.isalnum() plus "_" (re docs): the same set as the character loop it replaces, in C.
_CASE_NO = re.compile(r"[\w\-.()（）]*")
# The fields an event may carry (the API's schema). Anything else is kept in `payload` for audit, within
# EXTRA_MAX_BYTES (setting XIAONENG_EVENT_EXTRA_MAX_BYTES) and EXTRA_MAX_DEPTH: a department system's own
# fields are welcome, a 19 MB blob or 10,000 nested arrays in a field are not.
DECLARED = frozenset((
    "event_id", "case_no", "service_code", "type", "occurred_at", "step", "handler", "reason", "missing_materials",
    "fee_item", "amount", "granted_days", "applicant", "parent_case_no", "is_joint_parent",
))
EXTRA_MAX_BYTES = 4096
EXTRA_MAX_DEPTH = 16


class EventInvalid(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(slots=True)
class NormEvent:
    event_id: str
    case_no: str
    service_code: str
    type: str
    occurred_at: dt.datetime
    step: str = ""
    handler: str = ""
    reason: str = ""
    missing_materials: list = field(default_factory=list)
    fee_item: str = ""
    amount: Decimal | None = None
    granted_days: int | None = None
    applicant: dict | None = None
    parent_case_no: str = ""
    is_joint_parent: bool = False  # the sender declares this (new) case the parent of a joint case (联办主件)
    payload: dict = field(default_factory=dict)
    pk: int | None = None  # the stored event's id, once known (the judge's commit: fill_event_ids)


def _text(raw: dict, key: str, *, max_len: int, required: bool = False, label: str = "") -> str:
    v = raw.get(key)
    if v.__class__ is str and v and len(v) <= max_len:  # the common case, checked in as few steps as possible
        if not v[0].isspace() and not v[-1].isspace() and _CONTROL.search(v) is None:
            return v
    if v is None or v == "":
        if required:
            raise EventInvalid(f"缺少必填字段 {key}（{label}）。", key)
        return ""
    if isinstance(v, bool) or not isinstance(v, str | int):
        raise EventInvalid(f"{key}（{label}）应为字符串。", key)
    v = str(v).strip()
    if required and not v:
        raise EventInvalid(f"缺少必填字段 {key}（{label}）。", key)
    if len(v) > max_len:
        raise EventInvalid(f"{key}（{label}）不能超过 {max_len} 个字符。", key)
    if _CONTROL.search(v):
        raise EventInvalid(f"{key}（{label}）含有控制字符。", key)
    return v


def check_case_no(v: str, key: str = "case_no") -> str:
    # Case numbers appear in URLs: letters (any script), digits and -_.() only.
    if _CASE_NO.fullmatch(v) is None:
        raise EventInvalid(f"{key}（办件编号）只能包含文字、数字和 -_.()。", key)
    return v


def parse_moment(v: Any, key: str = "occurred_at") -> dt.datetime:
    if not isinstance(v, str) or not v.strip():
        raise EventInvalid(f"缺少必填字段 {key}（发生时间，ISO 8601 且带时区，例如 2026-11-23T09:30:00+08:00）。", key)
    text = v.strip()
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise EventInvalid(f"{key}“{text[:40]}”不是有效的 ISO 8601 时间，例如 2026-11-23T09:30:00+08:00。", key) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise EventInvalid(f"{key}“{text[:40]}”缺少时区，请写明偏移，例如 +08:00。", key)
    return when


def check_extension(ev: NormEvent) -> None:
    """An `extended` event (行政许可法 §42) must say how many working days the head approved (1—10) and
    why: the applicant has to be told the reason."""
    if ev.granted_days is None or ev.granted_days < 1:
        raise EventInvalid(
            f"延长审查期限（extended）事件必须填写 granted_days（延长天数），为 1—{MAX_EXTENSION_DAYS} 的整数"
            "（行政许可法第四十二条）。", "granted_days")
    if ev.granted_days > MAX_EXTENSION_DAYS:
        raise EventInvalid(
            f"granted_days（延长天数）不能超过 {MAX_EXTENSION_DAYS} 个工作日：行政许可法第四十二条规定，经本行政机关"
            f"负责人批准可以延长十日，联办件经本级人民政府负责人批准可以延长十五日。本次为 {ev.granted_days}。",
            "granted_days")
    if not ev.reason:
        raise EventInvalid("延长审查期限（extended）事件必须填写 reason（延长理由），并将理由告知申请人。", "reason")


def extra_max_bytes() -> int:
    """The cap on an event's undeclared fields (JSON, UTF-8 bytes): setting XIAONENG_EVENT_EXTRA_MAX_BYTES."""
    return int(getattr(settings, "XIAONENG_EVENT_EXTRA_MAX_BYTES", EXTRA_MAX_BYTES))


def _check_extra(raw: dict, extra: set, max_bytes: int) -> None:
    """Undeclared fields: at most `max_bytes` of JSON, nested at most EXTRA_MAX_DEPTH deep, no NUL character
    (PostgreSQL's jsonb cannot hold one). Walked without recursion, and abandoned as soon as a lower bound of
    the size passes the cap, so neither a deep nor a huge value costs more than the cap to refuse."""
    names = "、".join(sorted(str(k)[:40] for k in extra)[:5])
    too_big = EventInvalid(f"事件中未定义的字段（{names}）合计超过 {max_bytes} 字节的上限，请删减后重发。", "payload")
    size = 1  # {}, with each key's comma counted below: a lower bound of the JSON's length in bytes
    stack: list[tuple[Any, int]] = [(raw[k], 1) for k in extra]
    for k in extra:
        size += len(k) + 4  # "k": and a comma
        if "\x00" in k:
            raise EventInvalid(f"字段名“{k[:40]}”含有 NUL 字符。", "payload")
    while stack:
        value, depth = stack.pop()
        if size > max_bytes:
            raise too_big
        cls = value.__class__
        if cls is str:
            size += len(value) + 2
            if "\x00" in value:
                raise EventInvalid(f"未定义的字段（{names}）含有 NUL 字符。", "payload")
        elif cls is dict or cls is list:
            if depth >= EXTRA_MAX_DEPTH:
                raise EventInvalid(f"未定义的字段（{names}）嵌套超过 {EXTRA_MAX_DEPTH} 层。", "payload")
            size += 1  # brackets and commas: n + 1 for n items, the items' share counted with each below
            if cls is dict:
                for k, v in value.items():
                    if "\x00" in k:
                        raise EventInvalid(f"未定义的字段（{names}）含有 NUL 字符。", "payload")
                    size += len(k) + 4
                    stack.append((v, depth + 1))
            else:
                size += len(value)
                stack.extend((v, depth + 1) for v in value)
        else:
            size += 1  # a number, true/false/null: at least one byte
    if size > max_bytes:
        raise too_big
    # The lower bound passed: measure exactly (UTF-8, escapes included), depth now bounded.
    exact = len(json.dumps({k: raw[k] for k in extra}, ensure_ascii=False, separators=(",", ":"), default=str).encode())
    if exact > max_bytes:
        raise too_big


def normalize(raw: Any, *, now: dt.datetime, extra_max: int | None = None) -> NormEvent:
    """Check one event and return it normalised; EventInvalid (message in Chinese) when it is bad.
    `extra_max`: the cap on undeclared fields (bytes); the setting when not given."""
    if not isinstance(raw, dict):
        raise EventInvalid("事件应为 JSON 对象。")
    if not raw.keys() <= DECLARED:  # a subset test allocates nothing: the common case pays ~50 ns
        _check_extra(raw, raw.keys() - DECLARED, extra_max_bytes() if extra_max is None else extra_max)
    event_id = _text(raw, "event_id", max_len=100, required=True, label="事件编号")
    case_no = check_case_no(_text(raw, "case_no", max_len=64, required=True, label="办件编号"))
    service_code = _text(raw, "service_code", max_len=64, required=True, label="事项编码")
    etype = raw.get("type")
    try:
        known = etype in TYPES
    except TypeError:  # unhashable: a list or an object sent as the type
        known = False
    if not known:
        if etype in (None, ""):
            raise EventInvalid(f"缺少必填字段 type（事件类型），可选：{TYPE_LIST}。", "type")
        if not isinstance(etype, str):
            raise EventInvalid(f"type（事件类型）应为字符串，可选：{TYPE_LIST}。", "type")
        raise EventInvalid(f"事件类型“{str(etype)[:40]}”无效，可选：{TYPE_LIST}。", "type")
    occurred = parse_moment(raw.get("occurred_at"))
    if occurred < MIN_OCCURRED:
        raise EventInvalid(f"发生时间 {occurred.isoformat()} 早于 2000 年，不合理。", "occurred_at")
    if occurred > now + FUTURE_SLACK:
        raise EventInvalid(f"发生时间 {occurred.isoformat()} 晚于当前时间一天以上，不合理。", "occurred_at")
    ev = NormEvent(event_id=event_id, case_no=case_no, service_code=service_code, type=etype,
                   occurred_at=occurred)
    # Optional texts: most events carry two or three of them, so absent ones cost one dict lookup, not a call
    # (this loop runs 50,000 times a second on the ingest path).
    g = raw.get
    if etype == EventType.STEP_COMPLETED or g("step") not in (None, ""):
        ev.step = _text(raw, "step", max_len=100, required=etype == EventType.STEP_COMPLETED, label="环节")
    if g("handler") not in (None, ""):
        ev.handler = _text(raw, "handler", max_len=100, label="经办人")
    if etype == EventType.SUSPENDED or g("reason") not in (None, ""):
        ev.reason = _text(raw, "reason", max_len=2000, required=etype == EventType.SUSPENDED, label="理由")
    if etype in _FEE_TYPES or g("fee_item") not in (None, ""):
        ev.fee_item = _text(raw, "fee_item", max_len=200, required=etype in _FEE_TYPES, label="收费项目")
    parent = _text(raw, "parent_case_no", max_len=64, label="联办主件编号") if g("parent_case_no") else ""
    ev.parent_case_no = check_case_no(parent, "parent_case_no") if parent else ""
    if ev.parent_case_no == case_no:
        raise EventInvalid("parent_case_no（联办主件编号）不能是办件自身。", "parent_case_no")
    joint = g("is_joint_parent")
    if joint not in (None, False):
        if joint is not True:
            raise EventInvalid("is_joint_parent（联办主件）应为 true 或 false。", "is_joint_parent")
        if ev.parent_case_no:
            raise EventInvalid("联办主件（is_joint_parent）不能同时是其他办件的子件（parent_case_no）。", "is_joint_parent")
        ev.is_joint_parent = True

    materials = raw.get("missing_materials")
    if materials not in (None, ""):
        if not isinstance(materials, list) or not all(isinstance(m, str) and m.strip() for m in materials):
            raise EventInvalid("missing_materials（需补正材料）应为非空字符串组成的数组。", "missing_materials")
        if len(materials) > MAX_MATERIALS or any(len(m) > 200 for m in materials):
            raise EventInvalid(f"missing_materials 最多 {MAX_MATERIALS} 项，每项不超过 200 字。", "missing_materials")
        ev.missing_materials = [m.strip() for m in materials]
    if etype == EventType.SUPPLEMENT_REQUESTED and not ev.missing_materials:
        raise EventInvalid("一次性告知（supplement_requested）必须在 missing_materials 中列明全部需补正材料。",
                           "missing_materials")

    amount = raw.get("amount")
    if amount not in (None, ""):
        if isinstance(amount, bool) or not isinstance(amount, int | float | str):
            raise EventInvalid("amount（金额）应为数字。", "amount")
        try:
            value = Decimal(str(amount).strip())
        except InvalidOperation:
            raise EventInvalid(f"amount（金额）“{str(amount)[:20]}”不是有效数字。", "amount") from None
        if not value.is_finite():
            raise EventInvalid("amount（金额）不是有效数字。", "amount")
        if value < 0:
            raise EventInvalid(f"amount（金额）不能为负数：{value}。退费请用 fee_refunded 事件并填正数金额。", "amount")
        if value > MAX_AMOUNT:
            raise EventInvalid("amount（金额）过大。", "amount")
        if value != value.quantize(Decimal("0.01")):
            raise EventInvalid("amount（金额）最多两位小数。", "amount")
        ev.amount = value.quantize(Decimal("0.01"))
    elif etype in (EventType.FEE_CHARGED, EventType.FEE_REFUNDED):
        raise EventInvalid("收费/退费事件缺少必填字段 amount（金额）。", "amount")

    granted = raw.get("granted_days")
    if granted not in (None, ""):
        if isinstance(granted, bool) or not isinstance(granted, int) or not 0 <= granted <= MAX_GRANTED_DAYS:
            raise EventInvalid(f"granted_days（批准天数）应为 0—{MAX_GRANTED_DAYS} 的整数。", "granted_days")
        ev.granted_days = granted
    if etype == EventType.EXTENDED:
        check_extension(ev)

    applicant = raw.get("applicant")
    if applicant not in (None, ""):
        if not isinstance(applicant, dict):
            raise EventInvalid("applicant（申请人）应为 JSON 对象：{\"name\": …, \"id_no\": …, \"phone\": …}。", "applicant")
        ev.applicant = {
            "name": _text(applicant, "name", max_len=100, label="申请人姓名"),
            "id_no": _text(applicant, "id_no", max_len=32, label="证件号码"),
            "phone": _text(applicant, "phone", max_len=32, label="联系电话"),
        }
    if etype == EventType.RECEIVED and not (ev.applicant and ev.applicant["name"]):
        raise EventInvalid("接件（received）事件必须包含 applicant.name（申请人姓名）。", "applicant")

    # Keep what was sent for audit, without the applicant's personal data (that lives on the Case only).
    payload = {k: v for k, v in raw.items() if k != "applicant"}
    if ev.applicant:
        payload["applicant"] = {"name": mask_name(ev.applicant["name"]), "id_no": mask_id_no(ev.applicant["id_no"]),
                                "phone": mask_phone(ev.applicant["phone"])}
    ev.payload = payload
    return ev
