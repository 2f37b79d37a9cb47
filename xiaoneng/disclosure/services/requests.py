"""Information requests (依申请公开, 政府信息公开条例 2019): intake from every channel and the department's steps
until the answer, each one atomic, each one an event of the request's record (InformationRequestEvent).

The clock (the model's docstring is the contract): received (§31) — online when the system confirms (now), in
person when submitted, by post on the sign-off date the staff enter, by fax or e-mail on the date both sides
confirmed; due at the close of the `limit_wd`-th (20) working day after the day of receipt (WorkCalendar.
deadline: a receipt after hours or on a day off counts from the next working day), + `extension_wd` (≤ 20,
§33, once, a head's approval, before the limit has passed), + `paused_wd`: the working days the request stood
still while the applicant corrected it (§30; the notice is due within 7 wd of receipt — a later one is allowed
and flagged) or a third party was consulted (§32). A stop from day P to day R counts the working days in
(P, R] (`WorkCalendar.working_days_between`): the notice's own day still ran, the day of the correction did not.
`due_at` is recomputed from those three numbers by every step (a calendar edited afterwards moves a running
deadline at the request's next step, as inspections' and ratings' clocks do).

Who acts: the receiving department's staff (its unit and those below: handlers and heads; a window clerk may
register a visit or a letter), a head for the extension and the handler's assignment, the supervision office
(效能办, the government's disclosure office here) for registering requests of any department, publishing
answers and recording 行政复议 / 行政诉讼. Everything else is refused with a Chinese reason (DomainError /
NotPermitted), nothing written.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import ApiClient, Department, Staff
from xiaoneng.core import clocks
from xiaoneng.core.errors import Conflict, DomainError, NotPermitted
from xiaoneng.workdays.calendar import get_calendar

from ..models import (
    ANSWER_REASONS,
    AnswerType,
    ApplicantKind,
    InformationRequest,
    InformationRequestEvent,
    RequestChannel,
    RequestReview,
    RequestStatus,
    ReviewKind,
    ReviewResult,
)

Kind = InformationRequestEvent.Kind

NUMBER_PREFIX = "YSQ"
LIMIT_WD = 20  # §33: answer within 20 working days
EXTENSION_MAX_WD = 20  # §33: extended by at most 20 working days, once
CORRECTION_NOTICE_WD = 7  # §30: the correction notice within 7 working days of receipt
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone without mistakes
CODE_LENGTH = 12  # 32^12 = 2^60, and a look-up needs the number as well: unguessable
STAFF_CHANNELS = (RequestChannel.VISIT, RequestChannel.LETTER, RequestChannel.FAX, RequestChannel.EMAIL)
OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.CORRECTION, RequestStatus.CONSULTING)
PAUSED_STATUSES = (RequestStatus.CORRECTION, RequestStatus.CONSULTING)
# Departments that answer requests (行政机关): sections answer through their bureau, villages are not organs.
ANSWERING_KINDS = (Department.Kind.COUNTY, Department.Kind.BUREAU, Department.Kind.TOWNSHIP,
                   Department.Kind.OFFICE, Department.Kind.CENTRE)
DELIVERY = (
    ("paper", "纸质文本（邮寄）"),
    ("pickup", "纸质文本（当面领取）"),
    ("email", "电子邮件"),
    ("disc", "光盘"),
    ("online", "网上查看"),
)
DELIVERY_LABELS = dict(DELIVERY)
DESCRIPTION_MAX = 2000
ANSWER_MAX = 5000
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{9,11}$")
ID_RE = re.compile(r"^(\d{15}|\d{17}[\dX])$")
ORG_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
RECEIVED_BACK_DAYS = 366  # a letter signed for more than a year ago is a typing mistake


# ------------------------------------------------------------------------------------------------ helpers
def tracking_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def tracking_code_normalise(raw: str) -> str:
    """What a person types ("abcd-efgh ijkl") as the stored code."""
    return "".join(ch for ch in str(raw or "").upper() if ch.isalnum())[:32]


def tracking_code_display(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def number_normalise(raw: str) -> str:
    return re.sub(r"\s+", "", str(raw or "")).upper()[:40]


def _text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"{label}格式不正确。", field=field)
    text = value.strip()
    if "\x00" in text:
        raise DomainError(f"{label}含有无效字符。", field=field)
    if required and not text:
        raise DomainError(f"请填写{label}。", field=field)
    if len(text) > limit:
        raise DomainError(f"{label}不能超过 {limit} 个字。", field=field)
    return text


def normalise_phone(raw, *, field: str = "phone", mobile: bool = False) -> str:
    """A phone as typed ("139 1234-5678", "+86 13912345678", "0571-8888 6666") as digits; a mobile only when
    `mobile` (the number an SMS code goes to)."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise DomainError("联系电话格式不正确。", field=field)
    phone = re.sub(r"[\s\-－()（）]", "", raw)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not phone:
        return ""
    if MOBILE_RE.fullmatch(phone) or (not mobile and LANDLINE_RE.fullmatch(phone)):
        return phone
    if mobile:
        raise DomainError("手机号码格式不正确，请填写 11 位手机号码。", field=field)
    raise DomainError("联系电话格式不正确，请填写手机号码或带区号的固定电话。", field=field)


def _choice(value, choices, field: str, label: str) -> str:
    values = [c[0] if isinstance(c, tuple) else c for c in choices]
    if value not in values:
        raise DomainError(f"请选择有效的{label}。", field=field)
    return str(value)


def _aware(value, field: str, label: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(f"请填写有效的{label}（须带时区）。", field=field)
    return value


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _due(req: InformationRequest) -> dt.datetime:
    """The running deadline: the close of the (limit + extension + stopped)-th working day after receipt."""
    wd = int(req.limit_wd) + int(req.extension_wd) + int(req.paused_wd)
    return get_calendar().deadline(req.received_at, wd, "wd").at


def correction_notice_due(received_at: dt.datetime) -> dt.datetime:
    """§30: by when a correction notice should have gone (the close of the 7th working day after receipt)."""
    return get_calendar().deadline(received_at, CORRECTION_NOTICE_WD, "wd").at


def _paused_days(start: dt.datetime, end: dt.datetime) -> int:
    """Working days a stop from `start` to `end` takes off the clock: the working days in (start day, end day]."""
    a, b = _local_date(start), _local_date(end)
    if b <= a:
        return 0
    return get_calendar().working_days_between(a, b).working_days


def _clock(req: InformationRequest, *, now: dt.datetime) -> None:
    """When supervision must next look at the request: only a running clock (received, not stopped) is watched."""
    from ..clocks_requests import INFOREQUEST_CLOCKS

    if req.status != RequestStatus.RECEIVED:
        req.next_check_at = None
        return
    req.next_check_at = clocks.judge().next_check(INFOREQUEST_CLOCKS.row_of(req), now=now)


def _event(req: InformationRequest, kind: str, *, now: dt.datetime, by=None, note: str = "",
           public: bool = True) -> InformationRequestEvent:
    return InformationRequestEvent.objects.create(request=req, kind=kind, at=now, by=by, note=note, public=public)


def _lock(req: InformationRequest) -> InformationRequest:
    return InformationRequest.objects.select_for_update().select_related("department").get(pk=req.pk)


def _active(by) -> bool:
    return by is not None and getattr(by, "is_authenticated", False) and by.is_active


def is_office(by) -> bool:
    return _active(by) and by.has_role(R.SUPERVISOR)


def in_department(by, department: Department) -> bool:
    """A member of the request's department or of a unit above it (a bureau's head for its sections)."""
    return (_active(by) and by.department_id is not None and by.has_any_role(*R.ALL)
            and department.path.startswith(by.department.path))


def may_handle(by, req: InformationRequest) -> bool:
    """The department's heads always; a handler when assigned (even from a section below) or while nobody is."""
    if req.handler_id is not None and _active(by) and req.handler_id == by.pk and by.has_any_role(R.HANDLER, R.HEAD):
        return True
    if not in_department(by, req.department):
        return False
    if by.has_role(R.HEAD):
        return True
    return by.has_role(R.HANDLER) and req.handler_id in (None, by.pk)


def may_head(by, req: InformationRequest) -> bool:
    return in_department(by, req.department) and by.has_role(R.HEAD)


def _require_handle(by, req: InformationRequest) -> None:
    if not may_handle(by, req):
        raise NotPermitted("只有答复机关的承办人或负责人可以办理该申请。")


def _require_open(req: InformationRequest, *allowed: str) -> None:
    if req.status not in (allowed or OPEN_STATUSES):
        if req.status == RequestStatus.ANSWERED:
            raise DomainError("该申请已经答复，不能再办理此事项。", field="status")
        if req.status == RequestStatus.WITHDRAWN:
            raise DomainError("申请人已撤回该申请，不能再办理此事项。", field="status")
        raise DomainError(f"该申请当前状态为“{req.get_status_display()}”，不能办理此事项。", field="status")


def _resume(req: InformationRequest, now: dt.datetime) -> int:
    """End the current stop: its working days are added to `paused_wd` and the deadline moves."""
    if req.paused_at is None:
        return 0
    if now < req.paused_at:
        raise DomainError("时间不能早于中止计时的时间。", field="at")
    days = _paused_days(req.paused_at, now)
    req.paused_wd = int(req.paused_wd) + days
    req.paused_at = None
    req.due_at = _due(req)
    return days


# ------------------------------------------------------------------------------------------------ intake
def _number_next(year: int) -> str:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = InformationRequest.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    n = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{n:05d}"


def _department(value) -> Department:
    if isinstance(value, Department):
        dept = value
    else:
        dept = Department.objects.filter(code=str(value or "").strip()).first() if isinstance(value, str) else None
    if dept is None or not dept.is_active or dept.kind not in ANSWERING_KINDS:
        raise DomainError("请选择受理申请的行政机关。", field="department")
    return dept


def _idempotent(client, by, key: str, fields: dict) -> InformationRequest | None:
    """A retry with the same Idempotency-Key gets the first request back; the key with other content is 409."""
    if not key:
        return None
    if not (1 <= len(key) <= 64) or not all(0x21 <= ord(c) <= 0x7E for c in key):
        raise DomainError("Idempotency-Key 须为 1-64 个可见 ASCII 字符。", field="idempotency_key")
    qs = InformationRequest.objects.filter(idempotency_key=key)
    qs = qs.filter(client=client) if client is not None else qs.filter(client=None, created_by=by)
    first = qs.first()
    if first is None:
        return None
    same = all(getattr(first, k) == v for k, v in fields.items())
    if not same:
        raise Conflict("该 Idempotency-Key（提交标识）已用于一件内容不同的申请，本次请求未登记。重试时请原样重发相同内容；"
                       "登记另一件申请请使用新的 Idempotency-Key。", field="idempotency_key", code="idempotency_conflict")
    return first


def clean_applicant(*, applicant_kind, applicant_name, organisation_code="", id_number="", phone="", email="",
                    address="", online: bool = False) -> dict:
    """The applicant's identity checked (申请人姓名或名称, 证件, 联系方式): a person's name, an organisation's
    name and 统一社会信用代码; at least one way to reach them; an online applicant's mobile (verified by SMS)."""
    kind = _choice(applicant_kind, ApplicantKind.choices, "applicant_kind", "申请人类型")
    name = _text(applicant_name, "applicant_name", "申请人姓名或名称", 100, required=True)
    org = _text(organisation_code, "organisation_code", "统一社会信用代码", 32).upper()
    idn = _text(id_number, "id_number", "身份证件号码", 32).upper()
    if kind == ApplicantKind.PERSON:
        org = ""
        if idn and not ID_RE.fullmatch(idn):
            raise DomainError("身份证件号码格式不正确，应为 18 位（末位可为 X）。", field="id_number")
        if online and not idn:
            raise DomainError("请填写身份证件号码。", field="id_number")
    else:
        if not org:
            raise DomainError("请填写统一社会信用代码。", field="organisation_code")
        if not ORG_CODE_RE.fullmatch(org):
            raise DomainError("统一社会信用代码格式不正确，应为 18 位数字或大写字母。", field="organisation_code")
        if idn and not ID_RE.fullmatch(idn):
            raise DomainError("身份证件号码格式不正确，应为 18 位（末位可为 X）。", field="id_number")
    phone = normalise_phone(phone, mobile=online)
    if online and not phone:
        raise DomainError("请填写手机号码（用于接收验证码和办理通知）。", field="phone")
    email = _text(email, "email", "电子邮箱", 120)
    if email and not EMAIL_RE.fullmatch(email):
        raise DomainError("电子邮箱格式不正确。", field="email")
    address = _text(address, "address", "通信地址", 200)
    if not (phone or email or address):
        raise DomainError("请至少填写一种联系方式（联系电话、电子邮箱或通信地址），以便送达答复。", field="phone")
    return {"applicant_kind": kind, "applicant_name": name, "organisation_code": org, "id_number": idn,
            "phone": phone, "email": email, "address": address}


@transaction.atomic
def information_request_submit(*, department, channel: str, applicant_kind: str, applicant_name: str,
                               description: str, now: dt.datetime, by: Staff | None = None,
                               client: ApiClient | None = None, organisation_code: str = "", id_number: str = "",
                               phone: str = "", email: str = "", address: str = "", purpose: str = "",
                               delivery: str = "", received_at: dt.datetime | None = None,
                               phone_verified_at: dt.datetime | None = None,
                               idempotency_key: str = "") -> InformationRequest:
    """Register a request for government information (政府信息公开申请) from any channel: the public form
    (online, no account: `by` and `client` None, the phone verified by SMS before), a department system's API
    (`client`: its own department only), or staff entering a visit, letter, fax or e-mail (`by`, with the
    receipt moment `received_at` §31 — a visit defaults to now). Numbers YSQ-<year>-<nnnnn> by the year of
    receipt; a random tracking code for the applicant; the clock starts (due in 20 wd)."""
    now = _aware(now, "now", "时间")
    if channel not in RequestChannel.values:
        raise DomainError("请选择有效的申请方式。", field="channel")
    dept = _department(department)
    if by is not None:
        if not (_active(by) and by.has_any_role(R.WINDOW, R.HANDLER, R.HEAD, R.SUPERVISOR)):
            raise NotPermitted("只有答复机关的工作人员或效能办可以登记申请。")
        if not (in_department(by, dept) or is_office(by)):
            raise DomainError("只能登记本单位（或下属单位）收到的申请，请选择受理申请的行政机关。", field="department")
        if channel not in STAFF_CHANNELS:
            raise DomainError("工作人员只能登记当面、信函、传真或电子邮件申请；网上申请由申请人在网上提交。",
                              field="channel")
    if client is not None and client.department_id != dept.pk:
        raise DomainError("部门系统只能登记本部门收到的申请。", field="department")
    if by is None and client is None and channel != RequestChannel.ONLINE:
        raise DomainError("网上提交的申请，申请方式只能为网上申请。", field="channel")
    online = channel == RequestChannel.ONLINE
    if online and by is None and client is None and phone_verified_at is None:
        raise DomainError("请先完成手机短信验证。", field="sms_code")

    # §31: when the request counts as received.
    if channel == RequestChannel.ONLINE:
        received = now
    elif received_at in (None, ""):
        if channel != RequestChannel.VISIT:
            raise DomainError("请填写收到申请的日期（信函为签收日期，传真、电子邮件为双方确认日期）。", field="received_at")
        received = now
    else:
        received = _aware(received_at, "received_at", "收到申请时间")
        if received > now:
            raise DomainError("收到申请时间不能晚于现在。", field="received_at")
        if received < now - dt.timedelta(days=RECEIVED_BACK_DAYS):
            raise DomainError("收到申请时间不能早于一年前，请核对。", field="received_at")

    ident = clean_applicant(applicant_kind=applicant_kind, applicant_name=applicant_name,
                            organisation_code=organisation_code, id_number=id_number, phone=phone, email=email,
                            address=address, online=online and client is None)
    desc = _text(description, "description", "所需政府信息的描述", DESCRIPTION_MAX, required=True)
    purpose = _text(purpose, "purpose", "用途", 200)
    delivery = str(delivery or "")
    if delivery:
        delivery = _choice(delivery, DELIVERY, "delivery", "获取信息的方式")
    key = idempotency_key or ""
    if not isinstance(key, str):
        raise DomainError("Idempotency-Key 格式不正确。", field="idempotency_key")
    key = key.strip()
    if key and client is None and by is None:
        key = ""  # an anonymous key is nobody's: the public form has its own session tokens
    first = _idempotent(client, by, key, {"department_id": dept.pk, "channel": channel, "description": desc,
                                          **ident})
    if first is not None:
        return first

    year = timezone.localtime(received).year
    req = InformationRequest(
        department=dept, channel=channel, description=desc, purpose=purpose, delivery=delivery,
        submitted_at=now, received_at=received, phone_verified_at=phone_verified_at if online else None,
        created_by=by, client=client, idempotency_key=key, status=RequestStatus.RECEIVED, limit_wd=LIMIT_WD,
        **ident)
    req.due_at = _due(req)
    for attempt in range(5):
        req.number = _number_next(year)
        req.tracking_code = tracking_code_new()
        try:
            with transaction.atomic():
                req.save()
            break
        except IntegrityError:  # another request took the number at the same moment: take the next
            if attempt == 4:
                raise DomainError("申请编号分配失败，请重试。", code="number_busy") from None
            req.pk = None
    via = RequestChannel(channel).label
    _event(req, Kind.RECEIVE, now=now, by=by,
           note=f"收到{via}，答复期限为收到申请之日起 {LIMIT_WD} 个工作日。")
    _clock(req, now=now)
    InformationRequest.objects.filter(pk=req.pk).update(next_check_at=req.next_check_at)
    return req


# ------------------------------------------------------------------------------------------- the steps
def _save(req: InformationRequest, *fields: str) -> None:
    req.save(update_fields=[*fields, "next_check_at"])


@transaction.atomic
def information_request_assign(*, request: InformationRequest, handler: Staff, by: Staff,
                               now: dt.datetime) -> InformationRequest:
    """A head of the answering department names the handler (承办人), a staff member of that department."""
    req = _lock(request)
    if not may_head(by, req):
        raise NotPermitted("只有答复机关的负责人可以指定承办人。")
    _require_open(req)
    if not isinstance(handler, Staff) or not (
            _active(handler) and handler.department_id is not None and handler.has_any_role(R.HANDLER, R.HEAD)
            and handler.department.path.startswith(req.department.path)):
        raise DomainError("承办人须为答复机关的承办人或负责人。", field="handler")
    req.handler = handler
    _event(req, Kind.ASSIGN, now=now, by=by, note=f"指定承办人：{handler.display_name}", public=False)
    _clock(req, now=now)
    _save(req, "handler")
    return req


@transaction.atomic
def information_request_correction_notice(*, request: InformationRequest, text: str, by: Staff,
                                          now: dt.datetime) -> InformationRequest:
    """§30: the department tells the applicant, once, what to correct or add (一次性告知); the clock stops until
    the correction arrives. Due within 7 working days of receipt: a later notice is allowed and shown as late."""
    req = _lock(request)
    _require_handle(by, req)
    _require_open(req, RequestStatus.RECEIVED)
    text = _text(text, "text", "补正告知内容", 1000, required=True)
    if req.events.filter(kind=Kind.CORRECTION_NOTICE).exists():
        raise DomainError("补正告知只能作出一次（一次性告知），该申请已告知过补正。", field="text")
    if now < req.received_at:
        raise DomainError("告知补正的时间不能早于收到申请的时间。", field="at")
    req.status, req.paused_at = RequestStatus.CORRECTION, now
    _event(req, Kind.CORRECTION_NOTICE, now=now, by=by, note=text)
    _clock(req, now=now)
    _save(req, "status", "paused_at")
    return req


@transaction.atomic
def information_request_corrected(*, request: InformationRequest, by: Staff, now: dt.datetime,
                                  note: str = "") -> InformationRequest:
    """The applicant's correction arrived: the clock runs again, the deadline moved by the working days stopped."""
    req = _lock(request)
    _require_handle(by, req)
    _require_open(req, RequestStatus.CORRECTION)
    note = _text(note, "note", "补正情况", 1000)
    days = _resume(req, now)
    req.status = RequestStatus.RECEIVED
    _event(req, Kind.CORRECTED, now=now, by=by,
           note=(note + "；" if note else "") + f"补正期间 {days} 个工作日不计入答复期限。")
    _clock(req, now=now)
    _save(req, "status", "paused_at", "paused_wd", "due_at")
    return req


@transaction.atomic
def information_request_consult(*, request: InformationRequest, note: str, by: Staff,
                                now: dt.datetime) -> InformationRequest:
    """§32: a third party is asked for its view; the time it takes is not counted (the clock stops). `note`
    (whom, about what) stays internal; the applicant is told only that a third party is consulted."""
    req = _lock(request)
    _require_handle(by, req)
    _require_open(req, RequestStatus.RECEIVED)
    note = _text(note, "note", "征求意见的第三方及事项", 1000, required=True)
    req.status, req.paused_at = RequestStatus.CONSULTING, now
    _event(req, Kind.CONSULT, now=now, by=by, note="申请公开的信息涉及第三方合法权益，已书面征求第三方意见，"
                                                   "所需时间不计算在答复期限内。")
    _event(req, Kind.NOTE, now=now, by=by, note=note, public=False)
    _clock(req, now=now)
    _save(req, "status", "paused_at")
    return req


@transaction.atomic
def information_request_consulted(*, request: InformationRequest, by: Staff, now: dt.datetime,
                                  note: str = "") -> InformationRequest:
    """The third party answered (or its 15 days passed): the clock runs again, moved by the days stopped."""
    req = _lock(request)
    _require_handle(by, req)
    _require_open(req, RequestStatus.CONSULTING)
    note = _text(note, "note", "第三方意见", 1000)
    days = _resume(req, now)
    req.status = RequestStatus.RECEIVED
    _event(req, Kind.CONSULTED, now=now, by=by, note=f"征求第三方意见结束，期间 {days} 个工作日不计入答复期限。")
    if note:
        _event(req, Kind.NOTE, now=now, by=by, note=note, public=False)
    _clock(req, now=now)
    _save(req, "status", "paused_at", "paused_wd", "due_at")
    return req


def _wd(value, field: str, label: str, maximum: int) -> int:
    if isinstance(value, bool):
        raise DomainError(f"{label}须为 1-{maximum} 个工作日。", field=field)
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise DomainError(f"{label}须为 1-{maximum} 个工作日。", field=field) from None
    if not 1 <= n <= maximum:
        raise DomainError(f"{label}须为 1-{maximum} 个工作日。", field=field)
    return n


@transaction.atomic
def information_request_extend(*, request: InformationRequest, wd, reason: str, by: Staff,
                               now: dt.datetime) -> InformationRequest:
    """§33: the department's head approves an extension of at most 20 working days, once, with its reason,
    before the limit has passed; the applicant is told (a public event)."""
    req = _lock(request)
    if not may_head(by, req):
        raise NotPermitted("延长答复期限须经答复机关负责人同意，只有负责人可以批准延期。")
    _require_open(req, RequestStatus.RECEIVED)
    if req.extension_wd:
        raise DomainError("答复期限只能延长一次，该申请已经延长过。", field="wd")
    wd = _wd(wd, "wd", "延长期限", EXTENSION_MAX_WD)
    reason = _text(reason, "reason", "延期理由", 500, required=True)
    if now > req.due_at:
        raise DomainError("答复期限已过，不能再延长；请尽快答复。", field="wd")
    req.extension_wd, req.extension_reason, req.extension_approved_by = wd, reason, by
    req.due_at = _due(req)
    req.flag = ""
    _event(req, Kind.EXTEND, now=now, by=by,
           note=f"经答复机关负责人同意，答复期限延长 {wd} 个工作日。理由：{reason}")
    _clock(req, now=now)
    _save(req, "extension_wd", "extension_reason", "extension_approved_by", "due_at", "flag")
    return req


def answer_reasons(answer_type: str) -> list[tuple[str, str]]:
    return list(ANSWER_REASONS.get(answer_type, []))


def _fee(value) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        fee = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("信息处理费须为 0-99999 元的金额。", field="fee") from None
    if not fee.is_finite() or fee < 0 or fee > 99999 or fee != fee.quantize(Decimal("0.01")):
        raise DomainError("信息处理费须为 0-99999 元的金额（至多两位小数）。", field="fee")
    return fee


@transaction.atomic
def information_request_answer(*, request: InformationRequest, answer_type: str, text: str, by: Staff,
                               now: dt.datetime, reason: str = "", fee=None) -> InformationRequest:
    """The answer (答复): its type as the national format counts it (予以公开, 部分公开, 不予公开, 无法提供,
    不予处理, 其他处理), the reason of the format's rows for the last four (none for the first two), the text
    sent to the applicant. On time when given by the running deadline. A request waiting for a correction may
    be closed only as 其他处理 — the applicant did not correct it (no_correction)."""
    req = _lock(request)
    _require_handle(by, req)
    _require_open(req, RequestStatus.RECEIVED, RequestStatus.CORRECTION)
    if req.status == RequestStatus.CONSULTING:
        raise DomainError("征求第三方意见尚未结束，请先登记第三方意见收回。", field="status")
    answer_type = _choice(answer_type, AnswerType.choices, "answer_type", "答复类型")
    reason = str(reason or "").strip()
    reasons = dict(ANSWER_REASONS.get(answer_type, []))
    if reasons:
        if reason not in reasons:
            raise DomainError(f"“{AnswerType(answer_type).label}”须选择理由。", field="reason")
    elif reason:
        raise DomainError(f"“{AnswerType(answer_type).label}”不需要选择理由。", field="reason")
    if req.status == RequestStatus.CORRECTION and (answer_type, reason) != (AnswerType.OTHER, "no_correction"):
        raise DomainError("申请人尚未补正：请先登记补正，或以“其他处理——申请人无正当理由逾期不补正”结束。",
                          field="answer_type")
    text = _text(text, "text", "答复内容", ANSWER_MAX, required=True)
    fee = _fee(fee)
    if now < req.received_at:
        raise DomainError("答复时间不能早于收到申请的时间。", field="at")
    if req.status == RequestStatus.CORRECTION:
        _resume(req, now)
    req.status = RequestStatus.ANSWERED
    req.answer_type, req.answer_reason, req.answer_text, req.fee = answer_type, reason, text, fee
    req.answered_at, req.answered_by = now, by
    req.on_time = now <= req.due_at
    label = AnswerType(answer_type).label + (f"（{reasons[reason]}）" if reason else "")
    _event(req, Kind.ANSWER, now=now, by=by, note=f"答复类型：{label}")
    _clock(req, now=now)
    _save(req, "status", "answer_type", "answer_reason", "answer_text", "fee", "answered_at", "answered_by",
          "on_time", "paused_at", "paused_wd", "due_at")
    return req


@transaction.atomic
def information_request_withdraw(*, request: InformationRequest, reason: str, by: Staff,
                                 now: dt.datetime) -> InformationRequest:
    """The applicant withdrew the request (撤回), recorded by the department or the office with its reason;
    the clock stops for good."""
    req = _lock(request)
    if not (may_handle(by, req) or is_office(by)):
        raise NotPermitted("只有答复机关的承办人、负责人或效能办可以登记撤回。")
    _require_open(req)
    reason = _text(reason, "reason", "撤回说明", 500, required=True)
    if req.paused_at is not None:
        _resume(req, now)
    req.status = RequestStatus.WITHDRAWN
    _event(req, Kind.WITHDRAW, now=now, by=by, note=reason)
    _clock(req, now=now)
    _save(req, "status", "paused_at", "paused_wd", "due_at")
    return req


@transaction.atomic
def information_request_note(*, request: InformationRequest, text: str, by: Staff,
                             now: dt.datetime) -> InformationRequestEvent:
    """An internal note on the record (办理记录), never shown to the applicant."""
    req = _lock(request)
    if not (may_handle(by, req) or is_office(by)):
        raise NotPermitted("只有答复机关的承办人、负责人或效能办可以添加办理记录。")
    text = _text(text, "text", "办理记录", 1000, required=True)
    return _event(req, Kind.NOTE, now=now, by=by, note=text, public=False)


@transaction.atomic
def information_request_publish(*, request: InformationRequest, publish: bool, by: Staff,
                                now: dt.datetime) -> InformationRequest:
    """The office or the department's head puts an answer on the public list of answers (or takes it off). The
    list shows the department, dates, outcome and the texts with personal data masked — never the applicant."""
    req = _lock(request)
    if not (is_office(by) or may_head(by, req)):
        raise NotPermitted("只有效能办或答复机关负责人可以公开答复。")
    if req.status != RequestStatus.ANSWERED:
        raise DomainError("只有已答复的申请可以公开答复。", field="status")
    publish = bool(publish)
    if req.publish_answer == publish:
        return req
    req.publish_answer = publish
    _event(req, Kind.NOTE, now=now, by=by, note="答复已公开。" if publish else "答复已取消公开。", public=False)
    req.save(update_fields=["publish_answer"])
    return req


def information_requests_clock_checked(*, checks: list[tuple[int, str, dt.datetime | None]]) -> None:
    """Write back what the supervision tick found (flag, next check): inside the tick's transaction, on rows it
    locked."""
    for pk, flag, next_at in checks:
        InformationRequest.objects.filter(pk=pk).update(flag=flag, next_check_at=next_at)


# --------------------------------------------------------------------------------- 行政复议 and 行政诉讼
def _date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise DomainError(f"请填写有效的{label}。", field=field)
    return value


@transaction.atomic
def request_review_record(*, request: InformationRequest, kind: str, filed_on, by: Staff, now: dt.datetime,
                          result: str = ReviewResult.PENDING, decided_on=None, note: str = "") -> RequestReview:
    """The office records a 行政复议 or 行政诉讼 brought over an answered request (the annual report's table 四),
    with its result when known."""
    if not is_office(by):
        raise NotPermitted("只有效能办可以登记行政复议和行政诉讼。")
    req = _lock(request)
    if req.status != RequestStatus.ANSWERED:
        raise DomainError("只能对已答复的申请登记行政复议或行政诉讼。", field="request")
    kind = _choice(kind, ReviewKind.choices, "kind", "类型")
    filed_on = _date(filed_on, "filed_on", "提起日期")
    today = _local_date(now)
    if filed_on > today:
        raise DomainError("提起日期不能晚于今天。", field="filed_on")
    if filed_on < _local_date(req.answered_at):
        raise DomainError("提起日期不能早于答复日期。", field="filed_on")
    result, decided_on = _review_result(result, decided_on, filed_on, today)
    note = _text(note, "note", "说明", 1000)
    return RequestReview.objects.create(request=req, kind=kind, filed_on=filed_on, result=result,
                                        decided_on=decided_on, note=note, recorded_at=now, recorded_by=by)


def _review_result(result, decided_on, filed_on: dt.date, today: dt.date) -> tuple[str, dt.date | None]:
    result = _choice(result or ReviewResult.PENDING, ReviewResult.choices, "result", "结果")
    if result == ReviewResult.PENDING:
        if decided_on not in (None, ""):
            raise DomainError("尚未审结的不填审结日期。", field="decided_on")
        return result, None
    decided_on = _date(decided_on, "decided_on", "审结日期")
    if decided_on < filed_on or decided_on > today:
        raise DomainError("审结日期须在提起日期和今天之间。", field="decided_on")
    return result, decided_on


@transaction.atomic
def request_review_decide(*, review: RequestReview, result: str, decided_on, by: Staff, now: dt.datetime,
                          note: str = "") -> RequestReview:
    """The office records the result of a review or a lawsuit (维持, 纠正, 其他) and its date."""
    if not is_office(by):
        raise NotPermitted("只有效能办可以登记行政复议和行政诉讼的结果。")
    review = RequestReview.objects.select_for_update().get(pk=review.pk)
    review.result, review.decided_on = _review_result(result, decided_on, review.filed_on, _local_date(now))
    note = _text(note, "note", "说明", 1000)
    if note:
        review.note = note
    review.save(update_fields=["result", "decided_on", "note"])
    return review


# ------------------------------------------------------------------------------ the public form's limits
# An SMS code confirms the online applicant's mobile (the identity check of issue 14 §2): six digits, good for
# 10 minutes and 5 tries, kept in the applicant's session only as a keyed hash. Codes per phone and per address,
# submissions and look-ups per address are counted in fixed windows (the complaint centre's RateCounter table,
# under keys of our own, stored as keyed hashes).
VERIFY_MINUTES = 10
VERIFY_TRIES = 5
SESSION_KEY = "inforequest_sms"
RATES = {"sms_phone": (5, 3600), "sms_ip": (20, 3600), "submit_ip": (10, 3600), "track_ip": (60, 3600)}


def _keyed(value: str) -> str:
    import hashlib
    import hmac

    from django.conf import settings

    return hmac.new(settings.SECRET_KEY.encode(), f"inforequest:{value}".encode(), hashlib.sha256).hexdigest()


def rate_hit(kind: str, who: str, *, now: dt.datetime, message: str) -> None:
    """Count one hit of `who` (an address, a phone) for `kind`; RateLimited (429, the wait) past its limit. The
    counting is the platform's one fixed-window counter (ratings' `rate_hit` over complaints' RateCounter); the
    key is a keyed hash, so no phone or address is stored."""
    from django.conf import settings

    from xiaoneng.complaints.services.intake import RateLimited
    from xiaoneng.ratings.services.links import rate_hit as count_hit

    if not who:
        return
    limit, period = getattr(settings, "XIAONENG_INFOREQUEST_RATES", {}).get(kind, RATES[kind])
    wait = count_hit("ysq:" + _keyed(f"{kind}:{who}"), now=now, limit=limit, period=period)
    if wait is not None:
        raise RateLimited(message, retry_after=wait)


def phone_code_send(*, store, phone, now: dt.datetime, ip: str | None = None) -> str:
    """Text a six-digit code to the applicant's mobile, at once through the platform's SMS backend (core/sms.py:
    the applicant is waiting, so not the outbox); the code's keyed hash goes into `store` (the session)."""
    from xiaoneng.core.sms import sms_backend

    phone = normalise_phone(phone, mobile=True)
    if not phone:
        raise DomainError("请填写手机号码。", field="phone")
    rate_hit("sms_phone", phone, now=now, message="该手机号码获取验证码过于频繁，请一小时后再试。")
    rate_hit("sms_ip", ip or "", now=now, message="来自同一网络地址的验证码请求过于频繁，请稍后再试。")
    code = f"{secrets.randbelow(1_000_000):06d}"
    store[SESSION_KEY] = {"phone": _keyed(f"phone:{phone}"), "code": _keyed(f"code:{phone}:{code}"),
                          "expires": (now + dt.timedelta(minutes=VERIFY_MINUTES)).timestamp(), "tries": 0}
    try:
        sms_backend().send(phone, f"【政府信息公开申请】您的验证码是 {code}，{VERIFY_MINUTES} 分钟内有效。请勿告诉他人。")
    except Exception:  # noqa: BLE001 (any gateway failure is the same to the applicant)
        store.pop(SESSION_KEY, None)
        raise DomainError("验证码短信发送失败，请稍后再试。", field="phone") from None
    return phone


def phone_code_check(*, store, phone, code, now: dt.datetime) -> dt.datetime:
    """The moment the applicant's mobile is confirmed: the code sent to this phone, not expired, within its
    tries. A wrong code costs a try; after the last one a new code is needed."""
    import hmac

    phone = normalise_phone(phone, mobile=True)
    code = str(code or "").strip()
    if not code:
        raise DomainError("请填写短信验证码。", field="sms_code")
    state = store.get(SESSION_KEY)
    if not isinstance(state, dict) or state.get("expires", 0) < now.timestamp() or not hmac.compare_digest(
            str(state.get("phone", "")), _keyed(f"phone:{phone}")):
        raise DomainError("验证码已过期或未获取，请重新获取。", field="sms_code")
    if int(state.get("tries", 0)) >= VERIFY_TRIES:
        raise DomainError("验证码错误次数过多，请重新获取。", field="sms_code")
    if not hmac.compare_digest(str(state.get("code", "")), _keyed(f"code:{phone}:{code}")):
        state["tries"] = int(state.get("tries", 0)) + 1
        store[SESSION_KEY] = state
        raise DomainError("短信验证码不正确。", field="sms_code")
    return now


def phone_code_spend(store) -> None:
    store.pop(SESSION_KEY, None)
