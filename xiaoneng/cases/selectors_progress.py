"""The public progress look-up of a case (办件查询, issue 14 §1): what a citizen holding the case number and its
look-up code (查询码, printed on the receipt and notices) — or the last four digits of the phone the applicant
gave — may read about it. Read by the portal's page and its API; no account.

What it never does:
- answer by number alone: a code or phone4 is required, and both at once is refused (400);
- tell an unknown number from a wrong code or a wrong phone4: `progress_lookup` answers None for all three, after
  the same work (one case read; a comparison in constant time against the real value or a dummy of the same
  length), and the callers answer None one way;
- show a name, an ID number, a phone, a handler, a reason or a fee: only the item, the department, dates of
  the public steps, the deadline, the status and the periods the clock stood still.

Codes are case-insensitive and may be typed with spaces or a dash between the halves ("abcd-efgh"); phone4 is
exactly four ASCII digits (spaces, dashes and full-width digits are refused, naming the field). Rate limits are
the portal's (per client address and per case number), before this is called.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.core.errors import DomainError

from .models import QUERY_CODE_ALPHABET, QUERY_CODE_LENGTH, Case, CaseStatus, EventType, Verdict

CASE_NO_MAX = 64
_CODE = re.compile(rf"^[{QUERY_CODE_ALPHABET}]{{{QUERY_CODE_LENGTH}}}$")
_PHONE4 = re.compile(r"^[0-9]{4}$", re.ASCII)
_CASE_NO = re.compile(r"^[^\s\x00-\x1f\x7f]{1,64}$")

# What the applicant sees of each status (public words: where the case stands for them).
PUBLIC_STATUS = {
    CaseStatus.RECEIVED: gettext_lazy("已接件，待受理"),
    CaseStatus.ACCEPTED: gettext_lazy("已受理，办理中"),
    CaseStatus.SUPPLEMENTING: gettext_lazy("待补正材料"),
    CaseStatus.SUSPENDED: gettext_lazy("特别程序中（暂停计时）"),
    CaseStatus.COMPLETED: gettext_lazy("已办结"),
    CaseStatus.DENIED: gettext_lazy("已办结（不予许可）"),
    CaseStatus.REFUSED: gettext_lazy("不予受理"),
    CaseStatus.DELIVERED: gettext_lazy("已办结并送达"),
    CaseStatus.WITHDRAWN: gettext_lazy("已撤回"),
}
# The steps shown: everything but fees (amounts are between the applicant and the department).
PUBLIC_EVENTS = tuple(t for t in EventType.values if t not in (EventType.FEE_CHARGED, EventType.FEE_REFUNDED))
STOP_LABELS = {"supplement": gettext_lazy("补正材料（不计时）"), "special": gettext_lazy("特别程序（不计时）"),
               "extension": gettext_lazy("延长审查期限")}


@dataclass(frozen=True)
class ProgressQuery:
    case_no: str
    code: str = ""
    phone4: str = ""


def normalise_code(raw: str) -> str:
    """'abcd-efgh ' → 'ABCDEFGH' (spaces and dashes dropped, upper case)."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def progress_query_parse(*, case_no, code=None, phone4=None) -> ProgressQuery:
    """The look-up's input checked: a case number and exactly one of code / phone4. DomainError naming the
    field (in Chinese) otherwise; nothing here depends on what the database holds."""
    no = (case_no or "").strip() if isinstance(case_no, str) else ""
    if not no:
        raise DomainError(_("请填写办件编号。"), field="case_no")
    if len(no) > CASE_NO_MAX or not _CASE_NO.match(no):
        raise DomainError(_("办件编号格式不正确，请按回执上的编号填写。"), field="case_no")
    raw_code = code.strip() if isinstance(code, str) else ""
    raw_phone = phone4.strip() if isinstance(phone4, str) else ""
    if raw_code and raw_phone:
        raise DomainError(_("查询码和手机号码后四位只需填写一项。"), field="code")
    if not raw_code and not raw_phone:
        raise DomainError(_("请填写查询码（或申请时所留手机号码的后四位）。"), field="code")
    if raw_code:
        c = normalise_code(raw_code[:40])
        if not _CODE.match(c):
            raise DomainError(_("查询码应为回执或告知书上的 8 位字母和数字。"), field="code")
        return ProgressQuery(case_no=no, code=c)
    if not _PHONE4.match(raw_phone):
        raise DomainError(_("手机号码后四位应为 4 位数字，不含空格或横线。"), field="phone4")
    return ProgressQuery(case_no=no, phone4=raw_phone)


def phone_last4(phone: str) -> str:
    """The last four digits of a phone as stored ('+86 138-0013-8000' → '8000'); '' for fewer than four."""
    digits = "".join(ch for ch in phone or "" if "0" <= ch <= "9")
    return digits[-4:] if len(digits) >= 4 else ""


def _matches(case: Case | None, q: ProgressQuery) -> bool:
    """Constant-time comparison against the case's value, or a dummy no input can equal when there is none."""
    if q.code:
        expected = case.query_code if case is not None and case.query_code else "\0" * QUERY_CODE_LENGTH
        return hmac.compare_digest(expected.encode(), q.code.encode())
    last4 = phone_last4(case.applicant_phone) if case is not None else ""
    same = hmac.compare_digest((last4 or "\0\0\0\0").encode(), q.phone4.encode())
    return same and bool(last4)


def _local(moment):
    """Moments answered in the county's time (+08:00), as a citizen reads them; None stays None."""
    if moment is None:
        return None
    if isinstance(moment, str):
        import datetime as dt

        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError:
            return None
    return timezone.localtime(moment)


def progress_lookup(q: ProgressQuery) -> dict | None:
    """The case's public progress, or None when the number is unknown OR the code/phone4 does not match (the
    same None, after the same reads). Two queries: the case, its public events."""
    case = (Case.objects.select_related("department", "version", "service_item__current_version")
            .only("case_no", "query_code", "applicant_phone", "status", "received_at", "accepted_at",
                  "completed_at", "delivered_at", "committed_deadline", "suspensions", "verdict",
                  "department__name", "version__name", "service_item__code",
                  "service_item__current_version__name")
            .filter(case_no=q.case_no).first())
    if not _matches(case, q):
        return None
    events = list(case.events.filter(type__in=PUBLIC_EVENTS).order_by("occurred_at", "id")
                  .values_list("type", "occurred_at", "step"))
    labels = dict(EventType.choices)
    steps = []
    for etype, at, step in events:
        label = str(labels.get(etype, etype))
        if etype == EventType.STEP_COMPLETED and step:
            label = _("%(step)s环节办结") % {"step": step}
        steps.append({"type": etype, "label": label, "at": _local(at)})
    stops = []
    for p in case.suspensions or ():
        kind = p.get("kind", "")
        stops.append({"kind": kind, "label": str(STOP_LABELS.get(kind, kind)), "start": _local(p.get("start")),
                      "end": _local(p.get("end")), "granted_days": p.get("granted_days")})
    decided = case.status in (CaseStatus.COMPLETED, CaseStatus.DENIED, CaseStatus.DELIVERED)
    return {
        "case_no": case.case_no,
        "item": case.version.name if case.version_id else str(case.service_item),
        "department": case.department.name,
        "status": case.status,
        "status_label": str(PUBLIC_STATUS.get(case.status, case.get_status_display())),
        "received_at": _local(case.received_at),
        "accepted_at": _local(case.accepted_at),
        "completed_at": _local(case.completed_at),
        "delivered_at": _local(case.delivered_at),
        "deadline": _local(case.committed_deadline),
        "on_time": case.verdict or None,
        "on_time_label": str(Verdict(case.verdict).label) if case.verdict in Verdict.values else "",
        "decided": decided,
        "steps": steps,
        "suspensions": stops,
    }
