"""/api/v1/warnings: the cards (预警纠错卡), for department systems (their own department) and staff
(accounts scoping). Read-only: answering a card is done by people on the staff pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema

from xiaoneng.accounts.auth import token_or_session
from xiaoneng.core.errors import NotFound
from xiaoneng.core.params import Day, Limit, Offset

from .models import Warning
from .selectors import WarningFilters, warning_history, warning_list_for, warning_list_for_client
from .subjects import api_numbers

router = Router(tags=["supervision"], auth=token_or_session)

MAX_LIMIT = 200
LevelLit = Literal["reminder", "yellow", "red"]
StatusLit = Literal[
    "pending_confirmation", "issued", "explained", "corrected", "confirmed", "withdrawn", "escalated", "appealed",
    "open",
]


class WarningOut(Schema):
    id: int
    subject: str = Field(description="卡所针对的对象类型：case 办件、complaint 投诉（此后接入的监察对象各有其类型）")
    subject_no: str = Field(description="对象编号（办件编号、投诉编号等）；不含任何个人身份信息")
    case_no: str | None = Field(description="办件编号（投诉卡为空）")
    complaint_no: str | None = Field(description="投诉编号（办件卡为空）；不含投诉人任何身份信息")
    rule: str
    rule_name: str
    level: LevelLit
    status: str
    department: str
    department_name: str
    deadline_key: str
    detail: str
    crossed_at: dt.datetime
    issued_at: dt.datetime
    handler: str | None


class ActionOut(Schema):
    kind: str
    at: dt.datetime
    by: str | None
    text: str
    from_status: str
    to_status: str


class WarningDetailOut(WarningOut):
    history: list[ActionOut]


class WarningPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[WarningOut]


class WarningQuery(Schema):
    level: LevelLit | None = None
    status: StatusLit | None = None
    department: str | None = Field(None, max_length=32, description="部门编码（含下级部门）")
    rule: str | None = Field(None, max_length=64, description="规则编码")
    issued_from: Day | None = Field(None, description="发牌日期起（含）")
    issued_to: Day | None = Field(None, description="发牌日期止（含）")
    case_no: str | None = Field(None, max_length=64, description="办件编号或投诉编号（前缀）")
    limit: Limit = 50
    offset: Offset = 0


def _out(w: Warning) -> dict:
    return {
        "id": w.pk, "subject": w.subject_kind, "subject_no": w.subject_no, **api_numbers(w.subject_kind, w.subject_no),
        "rule": w.rule.code, "rule_name": w.rule.name, "level": w.level,
        "status": w.status, "department": w.department.code, "department_name": w.department.name,
        "deadline_key": w.deadline_key, "detail": w.detail, "crossed_at": w.crossed_at, "issued_at": w.issued_at,
        "handler": w.handler.display_name if w.handler_id else None,
    }


def _qs(request, q: WarningQuery):
    f = WarningFilters(level=q.level, status=q.status, department=q.department, rule=q.rule,
                       issued_from=q.issued_from, issued_to=q.issued_to, case_no=q.case_no)
    client = getattr(request, "api_client", None)
    if client is not None:
        return warning_list_for_client(client, f)
    return warning_list_for(request.auth, f)


@router.get("/warnings", response=WarningPage, summary="预警纠错卡列表")
def warning_list(request, q: Query[WarningQuery]):
    """Cards, newest first. Filters: `level` (reminder / yellow / red), `status` (or `open` for every card
    not yet confirmed or withdrawn), `department` (code, its sections included), `rule` (code),
    `issued_from` / `issued_to` (dates, inclusive), `case_no` (prefix); `limit` 1-200, `offset`.
    A department system's token sees its own department only; staff see what their role allows."""
    qs = _qs(request, q)
    count = qs.count()
    items = [_out(w) for w in qs[q.offset : q.offset + q.limit]]
    return {"count": count, "limit": q.limit, "offset": q.offset, "items": items}


@router.get("/warnings/{warning_id}", response=WarningDetailOut, summary="预警纠错卡详情（含处理记录）")
def warning_detail(request, warning_id: int):
    """One card with its history; 404 when it does not exist or lies outside the caller's scope."""
    if not 0 < warning_id < 2**62:
        raise NotFound("预警纠错卡不存在。")
    qs = _qs(request, WarningQuery()).filter(pk=warning_id)
    w = qs.first()
    if w is None:
        raise NotFound("预警纠错卡不存在或不在您的权限范围内。")
    data = _out(w)
    data["history"] = [
        {"kind": a.kind, "at": a.at, "by": a.by.display_name if a.by_id else None, "text": a.text,
         "from_status": a.from_status, "to_status": a.to_status}
        for a in warning_history(w)
    ]
    return data
