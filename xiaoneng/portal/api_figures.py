"""GET /api/v1/progress (办件查询, public, no account): a case's public progress by its number and look-up code,
or its number and the applicant phone's last four digits — never by number alone.

Answers: 200 the progress; 404 {"error"} for an unknown number AND for a wrong code or phone4 (one body for
both); 400 naming the field for a missing, doubled or malformed parameter; 429 with Retry-After once the
client address or the case number is past its failed look-ups (views_progress.py explains the limit)."""

from __future__ import annotations

import datetime as dt

from django.http import JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from .views_progress import NOT_FOUND, ProgressLimited, progress_answer

router = Router(tags=["公众门户"])


class StepOut(Schema):
    type: str = Field(description="事件类型，如 received、accepted、completed")
    label: str
    at: dt.datetime


class StopOut(Schema):
    kind: str = Field(description="supplement 补正、special 特别程序、extension 延长审查期限")
    label: str
    start: dt.datetime | None
    end: dt.datetime | None
    granted_days: int | None


class ProgressOut(Schema):
    case_no: str
    item: str = Field(description="办理事项")
    department: str = Field(description="办理部门")
    status: str
    status_label: str
    received_at: dt.datetime | None
    accepted_at: dt.datetime | None
    completed_at: dt.datetime | None
    delivered_at: dt.datetime | None
    deadline: dt.datetime | None = Field(description="承诺办结期限（暂停计时已顺延）")
    on_time: str | None = Field(description="办结时冻结：early | on_time | overdue")
    steps: list[StepOut]
    suspensions: list[StopOut]


class ErrorOut(Schema):
    error: str


@router.get("/progress", response={200: ProgressOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
            auth=None, url_name="progress", summary="办件进度查询（公众）")
def progress(request, case_no: str | None = None, code: str | None = None, phone4: str | None = None):
    """办件编号 case_no 加查询码 code（或申请人手机号码后四位 phone4，二者只填一项）。"""
    try:
        found = progress_answer(request, case_no=case_no, code=code, phone4=phone4, now=timezone.now())
    except ProgressLimited as exc:
        response = JsonResponse({"error": exc.message, "code": "rate_limited", "retry_after": exc.retry_after},
                                status=429, json_dumps_params={"ensure_ascii": False})
        response["Retry-After"] = str(exc.retry_after)
        return response
    if found is None:
        return Status(404, {"error": str(NOT_FOUND)})
    return Status(200, found)
