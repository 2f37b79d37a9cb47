"""A hand-built year for the annual report's tests (2025, bureaus A and B of the test tree): information requests
of every applicant kind and outcome across both year boundaries, reviews and lawsuits, legal-basis entries
(issued, repealed, corrected, withdrawn), licensing cases decided in and out of the year with fees charged and
refunded. Rows are written directly (the request and catalogue services belong to other parts of issue 14 and
the figures only read rows); the cases go through the real ingest. Every expected cell is in EXPECTED below,
counted by hand from the comments."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
_n = itertools.count(1)


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def make_request(dept, kind, received, *, answered=None, answer_type="", reason="", status=None, withdrawn=None):
    from xiaoneng.disclosure.models import InformationRequest, InformationRequestEvent

    n = next(_n)
    rec = t(received)
    status = status or ("answered" if answered else "received")
    r = InformationRequest.objects.create(
        number=f"YSQ-T-{n:04d}", tracking_code=f"TRK{n:08d}", department=dept, channel="online",
        applicant_kind=kind, applicant_name=f"申请人{n}", phone="13800001234", description="请公开某项目的批复文件。",
        submitted_at=rec, received_at=rec, due_at=rec + dt.timedelta(days=30), status=status,
        answer_type=answer_type, answer_reason=reason, answered_at=t(answered) if answered else None)
    InformationRequestEvent.objects.create(request=r, kind="receive", at=rec)
    if withdrawn:
        InformationRequestEvent.objects.create(request=r, kind="withdraw", at=t(withdrawn))
    return r


def make_review(req, kind, filed, result="pending", decided=None):
    from xiaoneng.disclosure.models import RequestReview

    return RequestReview.objects.create(request=req, kind=kind, filed_on=dt.date.fromisoformat(filed), result=result,
                                        decided_on=dt.date.fromisoformat(decided) if decided else None,
                                        recorded_at=t(filed + " 09:00"))


def make_entries(dept):
    from xiaoneng.disclosure.models import Catalogue, CatalogueItem, DisclosureEntry

    cat = Catalogue.objects.create(department=dept, level="department", version=1, status="accepted", current=True,
                                   created_at=t("2024-01-02 09:00"))
    basis = CatalogueItem.objects.create(catalogue=cat, code="FG01", name="规范性文件", category="legal_basis",
                                         frequency="on_change")
    proc = CatalogueItem.objects.create(catalogue=cat, code="BS01", name="办事程序", category="procedures",
                                        frequency="quarterly")

    def entry(item, title, when, **kw):
        return DisclosureEntry.objects.create(number=f"GK-T-{next(_n):04d}", department=dept, item=item,
                                              item_code=item.code, title=title, published_at=t(when),
                                              created_at=t(when), **kw)

    entry(basis, "关于印发清源县市场主体登记管理办法的通知", "2025-02-01 10:00")  # issued, in force
    entry(basis, "关于废止《个体工商户年检规定》的决定", "2025-03-01 10:00")  # repealed
    entry(basis, "关于规范食品经营许可的若干规定", "2024-05-01 10:00")  # in force (issued in 2024)
    old = entry(basis, "关于农贸市场管理的通知", "2025-04-01 10:00", status="superseded")  # issued
    entry(basis, "关于农贸市场管理的通知（更正）", "2025-05-01 10:00", version=2, supersedes=old,
          correction_reason="文号有误")  # in force (the correction of the above: not issued again)
    entry(basis, "关于临时停业登记的通知", "2025-06-01 10:00", status="withdrawn")  # issued, not in force
    entry(proc, "食品经营许可办理流程", "2025-06-01 10:00")  # another category: not counted
    entry(basis, "关于2026年度抽查计划的通知", "2026-01-05 10:00")  # next year: not counted


def make_cases(depts):
    from xiaoneng.cases.ingest import case_events_ingest
    from xiaoneng.catalog.services import service_item_create
    from xiaoneng.workdays.services import calendar_seed_from_package

    calendar_seed_from_package(years=range(2024, 2028))
    for code, dept, category in (("SP001", depts["a"], "licensing"), ("ZR001", depts["b"], "confirmation")):
        data = copy.deepcopy(ITEM)
        data.update(code=code, category=category)
        service_item_create(department=dept, data=data, by=None, now=t("2024-01-02 09:00"))

    def ev(case_no, etype, when, code="SP001", **fields):
        d = {"event_id": f"r{next(_n)}", "case_no": case_no, "service_code": code, "type": etype,
             "occurred_at": t(when).isoformat(), **fields}
        if etype == "received":
            d["applicant"] = {"name": "张三", "id_no": "330102199001011234", "phone": "13812345678"}
        return d

    events = [
        # c1: decided in 2025, 150 charged and 50 refunded in 2025
        ev("RPT-1", "received", "2025-03-03 09:00"), ev("RPT-1", "accepted", "2025-03-03 09:30"),
        ev("RPT-1", "fee_charged", "2025-03-10 10:00", fee_item="工本费", amount="150.00"),
        ev("RPT-1", "completed", "2025-03-10 11:00"),
        ev("RPT-1", "fee_refunded", "2025-04-01 10:00", fee_item="工本费", amount="50.00"),
        # c2: denied in 2026: not this year's decision
        ev("RPT-2", "received", "2025-12-29 09:00"), ev("RPT-2", "accepted", "2025-12-29 09:30"),
        ev("RPT-2", "denied", "2026-01-05 10:00", reason="不符合法定条件。"),
        # c3: denied in 2025: a decision
        ev("RPT-3", "received", "2025-05-05 09:00"), ev("RPT-3", "accepted", "2025-05-05 09:30"),
        ev("RPT-3", "denied", "2025-05-08 10:00", reason="不符合法定条件。"),
        # c5: received in 2024, fee charged in 2024 (not this year's), completed in 2025 (this year's decision)
        ev("RPT-5", "received", "2024-12-20 09:00"), ev("RPT-5", "accepted", "2024-12-20 09:30"),
        ev("RPT-5", "fee_charged", "2024-12-25 10:00", fee_item="工本费", amount="20000.00"),
        ev("RPT-5", "completed", "2025-01-06 10:00"),
        # bureau B: a confirmation item (not licensing), 12345.67 charged in 2025
        ev("RPT-B1", "received", "2025-06-02 09:00", code="ZR001"), ev("RPT-B1", "accepted", "2025-06-02 09:30", code="ZR001"),
        ev("RPT-B1", "fee_charged", "2025-06-03 10:00", code="ZR001", fee_item="登记费", amount="12345.67"),
        ev("RPT-B1", "completed", "2025-06-04 10:00", code="ZR001"),
    ]
    res = case_events_ingest(events=events, now=t("2026-02-01 09:00"), source="report-test")
    assert not res.errors, res.errors


def build_year(depts, *, cases: bool = True) -> dict:
    """The whole fixture; returns the requests by name."""
    a, b = depts["a"], depts["b"]
    r = {}
    r["r1"] = make_request(a, "person", "2024-12-20 10:00", answered="2025-01-10 10:00", answer_type="disclosed")
    r["r2"] = make_request(a, "enterprise", "2024-11-01 10:00", answered="2024-12-01 10:00", answer_type="partial")
    r["r3"] = make_request(a, "person", "2025-03-01 10:00", answered="2025-03-20 10:00", answer_type="withheld",
                           reason="state_secret")
    r["r4"] = make_request(a, "research", "2025-05-01 10:00", answered="2025-06-01 10:00", answer_type="unavailable",
                           reason="not_held")
    r["r5"] = make_request(a, "legal_service", "2025-12-20 10:00")
    r["r6"] = make_request(a, "public_interest", "2025-12-28 10:00", answered="2026-01-05 10:00",
                           answer_type="disclosed")
    r["r7"] = make_request(a, "other", "2025-02-01 10:00", status="withdrawn", withdrawn="2025-02-10 10:00")
    r["r8"] = make_request(a, "person", "2025-04-01 10:00", answered="2025-04-15 10:00", answer_type="not_processed",
                           reason="repeat")
    # 00:10 on New Year's Day in the county is still 31 December in UTC: a 2025 request all the same
    r["r9"] = make_request(a, "person", "2025-01-01 00:10", answered="2025-01-02 10:00", answer_type="other",
                           reason="no_correction")
    r["r10"] = make_request(a, "enterprise", "2025-06-01 10:00", answered="2025-06-10 10:00", answer_type="partial")
    r["r11"] = make_request(a, "enterprise", "2025-07-01 10:00", answered="2025-07-05 10:00", answer_type="withheld",
                            reason="xyz")  # a reason the format does not list: its type's last row, with a note
    r["r12"] = make_request(b, "person", "2025-08-01 10:00", answered="2025-08-20 10:00", answer_type="disclosed")
    r["r13"] = make_request(b, "person", "2023-05-01 10:00")  # open for years: carried over and forward
    make_review(r["r3"], "review", "2025-04-10", "upheld", "2025-06-01")
    make_review(r["r4"], "review", "2025-11-01", "corrected", "2026-01-15")  # decided after the year: pending
    make_review(r["r8"], "litigation_direct", "2025-05-01")
    make_review(r["r3"], "litigation_after", "2025-07-01", "other", "2025-09-01")
    make_review(r["r1"], "review", "2024-12-01", "upheld", "2025-01-20")  # filed in 2024: not counted
    make_review(r["r12"], "litigation_direct", "2025-09-01", "corrected", "2025-10-01")
    make_entries(a)
    if cases:
        make_cases(depts)
    return r


ITEM = {
    "name": "食品经营许可证核发", "category": "licensing", "item_type": "committed", "audience": "both",
    "description": "", "conditions": "", "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "statutory_limit_value": 20, "statutory_limit_unit": "wd", "committed_limit_value": 5,
    "committed_limit_unit": "wd", "suspension_allowed": True, "suspension_reasons": ["supplement"],
    "deemed_approval": False, "online": True, "offline": True, "online_url": "", "max_visits": 1,
    "location": "县政务服务中心", "office_hours": "", "phone": "", "complaint_phone": "", "result": "许可证",
    "materials": [{"name": "申请书", "form": "original", "copies": 1, "requirement": "mandatory", "condition": "",
                   "source": "applicant", "blank_form": "", "sample": "", "note": ""}],
    "fees": [],
    "steps": [{"kind": "accept", "name": "受理", "limit_value": 1, "limit_unit": "wd", "post": "", "description": ""}],
}


def _v(**cells) -> list[int]:
    cols = ["person", "enterprise", "research", "public_interest", "legal_service", "other"]
    row = [cells.get(c, 0) for c in cols]
    return [*row, sum(row)]


# Department A, 2025: each cell counted by hand from the comments above.
EXPECTED_A = {
    "new": _v(person=3, enterprise=2, research=1, public_interest=1, legal_service=1, other=1),  # r3 r8 r9 / r10 r11 / r4 / r6 / r5 / r7
    "carried_over": _v(person=1),  # r1 (r2 was answered in 2024)
    "disclosed": _v(person=1),  # r1
    "partial": _v(enterprise=1),  # r10
    "withheld:state_secret": _v(person=1),  # r3
    "withheld:inquiry": _v(enterprise=1),  # r11 (unknown reason)
    "unavailable:not_held": _v(research=1),  # r4
    "not_processed:repeat": _v(person=1),  # r8
    "other:no_correction": _v(person=1),  # r9
    "other:other": _v(other=1),  # r7 withdrawn
    "results_total": _v(person=4, enterprise=2, research=1, other=1),
    "carried_forward": _v(legal_service=1, public_interest=1),  # r5 open, r6 answered in 2026
}
EXPECTED_B = {
    "new": _v(person=1), "carried_over": _v(person=1), "disclosed": _v(person=1), "results_total": _v(person=1),
    "carried_forward": _v(person=1),
}
EXPECTED_REVIEWS_A = {"review": [1, 0, 0, 1, 2], "litigation_direct": [0, 0, 0, 1, 1], "litigation_after": [0, 0, 1, 0, 1]}
EXPECTED_REVIEWS_B = {"review": [0, 0, 0, 0, 0], "litigation_direct": [0, 1, 0, 0, 1], "litigation_after": [0, 0, 0, 0, 0]}
EXPECTED_DOCS_A = {"issued": 3, "repealed": 1, "in_force": 3}  # e1 e4 e6 / e2 / e1 e3 e5
EXPECTED_LICENSING = {"a": 3, "b": 0}  # RPT-1, RPT-3, RPT-5 / B's item is a confirmation
EXPECTED_FEES = {"a": "0.0100", "b": "1.2346", "county": "1.2446"}  # 150-50 yuan / 12345.67 yuan
