"""§42 extension (延长审查期限): validation with errors naming the field, the statutory deadline moving (and
the committed one not), order independence, recomputation from the row, the head's action on the case page
with permissions for every role, the notice, the explanation and the API."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.testing import make_staff
from xiaoneng.cases.events import EventInvalid, normalize
from xiaoneng.cases.models import Case, CaseDocument
from xiaoneng.cases.selectors import case_explain_deadline
from xiaoneng.cases.services import case_extend, case_recompute_deadlines
from xiaoneng.core.errors import DomainError, NotPermitted

from .conftest import NOW, TZ, ev

# Accepted Monday 9/28 09:00: committed 5 wd → Saturday 10/10 (make-up day); statutory 20 wd → Friday 10/30;
# extended by 10 wd → Friday 11/13.


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


COMMITTED, STATUTORY, EXTENDED = t("2026-10-10 17:30"), t("2026-10-30 17:30"), t("2026-11-13 17:30")


def opened(ingest, no="X1"):
    ingest([ev(no, "received", "2026-09-28 09:00"), ev(no, "accepted", "2026-09-28 09:00")])
    return Case.objects.get(case_no=no)


def ext(no, when, days=10, reason="需现场核查经营场所", **kw):
    return ev(no, "extended", when, granted_days=days, reason=reason, **kw)


@pytest.mark.parametrize(("changes", "field", "text"), [
    ({"granted_days": None}, "granted_days", "granted_days（延长天数）"),
    ({"granted_days": 0}, "granted_days", "granted_days（延长天数）"),
    ({"granted_days": 16}, "granted_days", "不能超过 15 个工作日"),  # 11-15: only a joint case (ingest, below)
    ({"granted_days": "5"}, "granted_days", "granted_days"),
    ({"reason": ""}, "reason", "reason（延长理由）"),
])
def test_bad_extensions_are_refused_naming_the_field(changes, field, text):
    raw = {"event_id": "1", "case_no": "X1", "service_code": "SP001", "type": "extended",
           "occurred_at": "2026-10-20T10:00:00+08:00", "granted_days": 10, "reason": "需现场核查"}
    raw.update(changes)
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(EventInvalid) as err:
        normalize(raw, now=NOW)
    assert err.value.field == field and text in err.value.message


def test_extension_moves_the_statutory_deadline_only(items, ingest):
    opened(ingest)
    res = ingest([ext("X1", "2026-10-20 10:00")])
    assert res.accepted == 1 and not res.errors
    c = Case.objects.get(case_no="X1")
    assert c.committed_deadline == COMMITTED
    assert c.statutory_deadline == EXTENDED
    assert c.suspended_working_days == 0 and c.granted_days == 0 and c.status == "accepted"
    (period,) = c.suspensions
    assert period["kind"] == "extension" and period["counted"] == 10


def test_extension_after_the_limit_or_beyond_ten_days_is_not_counted(items, ingest):
    opened(ingest, "L1")
    ingest([ext("L1", "2026-11-02 09:00")])  # the statutory limit passed on 10/30
    assert Case.objects.get(case_no="L1").statutory_deadline == STATUTORY
    opened(ingest, "T1")
    ingest([ext("T1", "2026-10-20 10:00", days=6), ext("T1", "2026-11-05 10:00", days=6)])
    c = Case.objects.get(case_no="T1")
    assert [p["counted"] for p in c.suspensions] == [6, 4]  # §42 allows ten days in all
    assert c.statutory_deadline == EXTENDED
    # The second approval came after the ORIGINAL limit but before the once-extended one: it counts.
    opened(ingest, "T2")
    ingest([ext("T2", "2026-10-20 10:00", days=3), ext("T2", "2026-11-03 10:00", days=7)])
    assert Case.objects.get(case_no="T2").statutory_deadline == EXTENDED


def test_extension_adds_to_special_procedure_time(items, ingest):
    opened(ingest, "S1")
    ingest([ev("S1", "suspended", "2026-10-08 10:00", reason="检测", granted_days=5),
            ev("S1", "resumed", "2026-10-15 10:00"), ext("S1", "2026-10-20 10:00", days=2)])
    c = Case.objects.get(case_no="S1")
    assert c.suspended_working_days == 5
    # 20 + 5 stopped + 2 extended = 27 wd from 9/28 → Tuesday 11/10; committed 5 + 5 → Friday 10/16.
    assert c.statutory_deadline == t("2026-11-10 17:30")
    assert c.committed_deadline == t("2026-10-16 17:30")


def test_out_of_order_and_recomputed_give_the_same_state(items, ingest):
    events = [ev("O1", "received", "2026-09-28 09:00"), ev("O1", "accepted", "2026-09-28 09:00"),
              ev("O1", "supplement_requested", "2026-09-28 09:30", missing_materials=["营业执照"]),
              ev("O1", "supplement_received", "2026-09-30 10:00"), ext("O1", "2026-10-21 10:00", days=7)]
    ingest(list(events))
    a = Case.objects.get(case_no="O1")
    shuffled = [dict(e, case_no="O2", event_id=e["event_id"] + "b") for e in events]
    random.Random(3).shuffle(shuffled)
    for e in shuffled:
        ingest([e])
    b = Case.objects.get(case_no="O2")
    assert (a.statutory_deadline, a.committed_deadline, a.suspensions) == (
        b.statutory_deadline, b.committed_deadline, b.suspensions)
    Case.objects.filter(pk=a.pk).update(calendar_revision=-1, statutory_deadline=None)
    case_recompute_deadlines(cases=[a.pk], now=NOW)
    a2 = Case.objects.get(pk=a.pk)
    assert a2.statutory_deadline == b.statutory_deadline and a2.suspensions == b.suspensions


# ------------------------------------------------------------------------------------------ the service
@pytest.fixture
def accepted(items, ingest):
    return opened(ingest, "H1")


def test_head_extends_and_the_notice_is_issued(accepted, staff):
    doc = case_extend(case=accepted, granted_days=10, reason="需组织现场核查", by=staff["head"],
                      now=t("2026-10-20 10:00"))
    assert doc.kind == CaseDocument.Kind.EXTENSION_NOTICE and doc.granted_days == 10 and doc.deadline == EXTENDED
    assert "延" in doc.number_text and doc.number_text.endswith("第1号") and "第四十二条" in doc.legal_basis
    c = Case.objects.get(pk=accepted.pk)
    assert c.statutory_deadline == EXTENDED and c.committed_deadline == COMMITTED
    e = c.events.get(type="extended")
    assert e.granted_days == 10 and e.staff == staff["head"] and doc.event == e and e.handler == ""
    with pytest.raises(DomainError) as err:  # ten days are used up
        case_extend(case=c, granted_days=1, reason="再次延长", by=staff["head"], now=t("2026-10-21 10:00"))
    assert err.value.field == "granted_days" and "已延长 10" in err.value.message


@pytest.mark.parametrize(("kw", "field"), [
    ({"granted_days": 11}, "granted_days"), ({"granted_days": 0}, "granted_days"),
    ({"granted_days": "x"}, "granted_days"), ({"reason": " "}, "reason"),
    ({"now": t("2026-10-31 10:00")}, "granted_days"),  # after the statutory deadline
])
def test_extension_mistakes_name_the_field(accepted, staff, kw, field):
    args = {"case": accepted, "granted_days": 5, "reason": "需组织现场核查", "by": staff["head"],
            "now": t("2026-10-20 10:00"), **kw}
    with pytest.raises(DomainError) as err:
        case_extend(**args)
    assert err.value.field == field and not isinstance(err.value, NotPermitted)
    assert not Case.objects.get(pk=accepted.pk).events.filter(type="extended").exists()


@pytest.mark.parametrize("role", ["window", "handler", "handler_b", "supervisor", "leader", "admin"])
def test_only_a_head_of_the_department_extends(accepted, staff, role):
    with pytest.raises(NotPermitted):
        case_extend(case=accepted, granted_days=5, reason="需组织现场核查", by=staff[role], now=t("2026-10-20 10:00"))


def test_head_of_another_department_cannot_extend(accepted, depts):
    head_b = make_staff("head_b", depts["b"], [R.HEAD])
    with pytest.raises(NotPermitted):
        case_extend(case=accepted, granted_days=5, reason="需组织现场核查", by=head_b, now=t("2026-10-20 10:00"))


def test_staff_posting_an_extended_event_must_be_head(items, client, staff):
    opened_events = [ev("API1", "received", "2026-09-28 09:00"), ev("API1", "accepted", "2026-09-28 09:00")]
    client.force_login(staff["handler"])
    url = "/api/v1/case-events"
    r = client.post(url, data=json.dumps(opened_events + [ext("API1", "2026-10-20 10:00")]),
                    content_type="application/json")
    body = r.json()
    assert r.status_code == 200 and body["accepted"] == 2
    assert body["errors"][0]["index"] == 2 and "负责人" in body["errors"][0]["error"]
    client.force_login(staff["head"])
    r = client.post(url, data=json.dumps([ext("API1", "2026-10-20 10:00")]), content_type="application/json")
    assert r.json()["accepted"] == 1
    assert Case.objects.get(case_no="API1").statutory_deadline == EXTENDED


def test_token_extension_and_case_api_fields(items, client, clients):
    headers = {"Authorization": f"Bearer {clients['token_a']}"}
    events = [ev("API2", "received", "2026-09-28 09:00"), ev("API2", "accepted", "2026-09-28 09:00"),
              ext("API2", "2026-10-20 10:00", days=4), ext("API2", "2026-10-20 11:00", days=11)]
    r = client.post("/api/v1/case-events", data=json.dumps(events), content_type="application/json", headers=headers)
    body = r.json()
    assert body["accepted"] == 3 and body["errors"][0]["index"] == 3 and "granted_days" in body["errors"][0]["error"]
    data = client.get("/api/v1/cases/API2", headers=headers).json()
    assert data["extended_days"] == 4 and data["deemed_approved_at"] is None
    assert datetime.fromisoformat(data["statutory_deadline"].replace("Z", "+00:00")) == t("2026-11-05 17:30")


def test_openapi_documents_extension(client):
    schema = client.get("/api/v1/openapi.json").json()
    text = json.dumps(schema, ensure_ascii=False)
    assert "extended" in text and "第四十二条" in text
    props = schema["components"]["schemas"]["CaseOut"]["properties"]
    assert {"extended_days", "deemed_approved_at", "handler"} <= set(props)


# ------------------------------------------------------------------------------------------ pages
@pytest.fixture
def live(items, ingest):
    """A case accepted an hour ago by the real clock (the pages act at timezone.now())."""
    from django.utils import timezone

    now = timezone.now()
    when = (now - timedelta(hours=1)).astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    ingest([ev("H1", "received", when), ev("H1", "accepted", when)], now=now)
    return Case.objects.get(case_no="H1")


ROLES = ["window", "handler", "head", "handler_a1", "handler_b", "head_b", "supervisor", "leader", "admin",
         "anonymous"]
PAGE = {"head": 200, "head_b": 404, "anonymous": 302}  # everyone else: 403 (not a head)


@pytest.mark.parametrize("role", ROLES)
def test_extend_page_permissions(client, staff, depts, live, role):
    staff = dict(staff, head_b=make_staff("head_b", depts["b"], [R.HEAD]))
    if role != "anonymous":
        client.force_login(staff[role])
    url = reverse("cases:case_extend", args=["H1"])
    expected = PAGE.get(role, 403)
    assert client.get(url).status_code == expected
    r = client.post(url, {"granted_days": "3", "reason": "需组织现场核查"})
    assert r.status_code == (302 if expected == 200 else expected)
    assert Case.objects.get(case_no="H1").events.filter(type="extended").exists() is (expected == 200)
    detail = client.get(reverse("cases:case_detail", args=["H1"]))
    if detail.status_code == 200:
        assert (b'data-testid="case-extend"' in detail.content) is (role == "head")


def test_extend_page_shows_field_errors_not_500(client, staff, live):
    client.force_login(staff["head"])
    url = reverse("cases:case_extend", args=["H1"])
    r = client.post(url, {"granted_days": "12", "reason": ""})
    assert r.status_code == 400
    text = r.content.decode()
    assert "不能超过 10 个工作日" in text and "请写明延长理由" in text
    r = client.post(url, {"granted_days": "10", "reason": "需组织现场核查"})
    doc = CaseDocument.objects.get(kind=CaseDocument.Kind.EXTENSION_NOTICE)
    assert r.status_code == 302 and r["Location"] == reverse("cases:document", args=["H1", doc.pk])
    page = client.get(r["Location"]).content.decode()
    assert "审查期限延长 10 个工作日" in page and "需组织现场核查" in page
    r = client.post(url, {"granted_days": "1", "reason": "再延长一次"})
    assert r.status_code == 400 and "已延长 10" in r.content.decode()


def test_explanation_shows_the_extension_in_both_languages(client, staff, accepted):
    case_extend(case=accepted, granted_days=10, reason="需组织现场核查", by=staff["head"], now=t("2026-10-20 10:00"))
    c = Case.objects.select_related("version").get(pk=accepted.pk)
    x = case_explain_deadline(c)
    assert x["extension_working_days"] == 10 and x["extensions"][0]["reason"] == "需组织现场核查"
    assert x["statutory"]["extension"] == 10 and x["statutory"]["deadline"] == EXTENDED
    assert x["committed"]["extension"] == 0 and x["suspensions"] == []
    assert "2026年11月13日" in x["statutory"]["explanation"]
    client.force_login(staff["head"])
    page = client.get(reverse("cases:case_detail", args=["H1"])).content.decode()
    assert 'data-testid="extensions"' in page and "法定期限延长 10 个工作日" in page
    with translation.override("en"):
        x = case_explain_deadline(c)
        assert "working days" in x["statutory"]["explanation"] and "年" not in x["statutory"]["explanation"]
        assert "acceptance" in x["basis"].lower()
    page = client.get(reverse("cases:case_detail", args=["H1"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "extended by 10 working days" in page


# ------------------------------------------------------------------------------------------ deemed approval
@pytest.fixture
def deemed(deemed_item, ingest):
    """H1 on a renewal item (MY001), which the law deems approved when the limit passes undecided. (These
    tests once used SP001, an item without deemed approval: the service now refuses to mark such a case.)
    Sent as it happened, the morning it was accepted: long before its statutory limit, so the engine has not
    marked it yet and the tests mark it themselves."""
    ingest([ev("H1", "received", "2026-09-28 09:00", code="MY001"), ev("H1", "accepted", "2026-09-28 09:00",
                                                                        code="MY001")], now=t("2026-09-28 09:05"))
    return Case.objects.get(case_no="H1")


def test_deemed_notice_page_masks_the_applicant_for_outsiders(client, staff, deemed):
    accepted = deemed
    from xiaoneng.cases.models import ApplicantMessage
    from xiaoneng.cases.services import case_deemed_approval_record

    marks = [(accepted.pk, STATUTORY)]
    assert case_deemed_approval_record(marks=marks, now=t("2026-10-30 17:31")) == [accepted.pk]
    assert case_deemed_approval_record(marks=marks, now=t("2026-10-30 17:32")) == []  # once
    doc = CaseDocument.objects.get(case=accepted, kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE)
    assert ApplicantMessage.objects.get(case=accepted).document == doc
    for role, clear in (("handler", True), ("supervisor", True), ("leader", False), ("admin", False)):
        client.force_login(staff[role])
        page = client.get(reverse("cases:case_detail", args=["H1"])).content.decode()
        assert 'data-testid="applicant-messages"' in page and 'data-testid="deemed-approved"' in page
        assert ("13812345678" in page) is clear and ("138****5678" in page) is not clear, role
        notice = client.get(reverse("cases:document", args=["H1", doc.pk])).content.decode()
        assert "视为准予许可" in notice and doc.number_text in notice
        assert ("张三" in notice) is clear, role


def test_deemed_approval_sms_is_chinese_whatever_the_triggering_language(deemed):
    """Cases record no applicant language: the SMS is in the platform's language even when the request (an
    English-speaking API client's ingest, an English-UI page) that marks the case speaks English."""
    from xiaoneng.cases.models import ApplicantMessage
    from xiaoneng.cases.services import case_deemed_approval_record

    accepted = deemed
    with translation.override("en"):
        assert case_deemed_approval_record(marks=[(accepted.pk, STATUTORY)], now=t("2026-10-30 17:31")) == [accepted.pk]
    doc = CaseDocument.objects.get(case=accepted, kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE)
    c = Case.objects.select_related("department", "version").get(pk=accepted.pk)
    body = ApplicantMessage.objects.get(case=accepted).body
    assert body == (f"【{c.department.short_name or c.department.name}】您于2026年9月28日申请的“{c.version.name}”"
                    f"（办件编号 H1），法定期限于2026年10月30日 17:30届满而未作出决定，依法视为准予许可。"
                    f"告知书文号：{doc.number_text}。可凭本短信或告知书到窗口办理后续手续。"
                    f"咨询电话：{c.department.phone or '—'}。")


def test_clock_error_is_stored_in_chinese_and_shown_in_the_readers_language(items, ingest):
    from xiaoneng.cases.selectors import clock_error_text

    later = t("2029-03-05 10:00")  # the calendar fixture loads 2020-2027 only
    with translation.override("en"):  # whoever triggers the fold, the stored text is the canonical one
        ingest([ev("Y1", "received", "2029-03-05 09:00"), ev("Y1", "accepted", "2029-03-05 09:00")], now=later)
    c = Case.objects.select_related("version").get(case_no="Y1")
    assert c.clock_error.startswith("2029 年的工作日历尚未载入")
    with translation.override("en"):
        assert clock_error_text(c.clock_error).startswith("The working-day calendar for 2029 is not loaded")
        assert "not loaded" in case_explain_deadline(c)["error"]
    assert case_explain_deadline(c)["error"] == c.clock_error


def test_more_than_ten_days_is_refused_unless_the_case_is_joint(items, ingest):
    opened(ingest, "X1")
    res = ingest([ext("X1", "2026-10-20 10:00", days=11)])
    assert res.accepted == 0 and res.errors[0]["index"] == 0
    assert "不能超过 10 个工作日" in res.errors[0]["error"] and "不是联办件" in res.errors[0]["error"]
    assert Case.objects.get(case_no="X1").statutory_deadline == STATUTORY


def test_a_joint_case_may_be_extended_by_fifteen_days(items, ingest, make_item, clients, staff):
    """§42 ¶2: joint handling 45 wd, + 15 wd with the approval of the head of the government."""
    from xiaoneng.cases.services import case_events_ingest
    from xiaoneng.workdays.calendar import get_calendar

    make_item(code="LB001", dept="a", name="开办餐饮店一件事", item_type="committed", committed_limit_value=10)
    # The lead department sets up the joint case with its parent (issue 9: only at creation, only its own).
    case_events_ingest(events=[ev("P1", "received", "2026-11-02 09:00", code="LB001", is_joint_parent=True),
                               ev("P1", "accepted", "2026-11-02 09:00", code="LB001")], client=clients["a"], now=NOW)
    parent = Case.objects.get(case_no="P1")
    assert parent.is_joint_parent
    before = parent.statutory_deadline
    cal = get_calendar()
    fifteen_later = cal.close_of(cal.add_working_days(before.astimezone(TZ).date(), 15).date)
    later = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
    with pytest.raises(DomainError) as err:
        case_extend(case=parent, granted_days=16, reason="需会同三个部门现场核查", by=staff["head"], now=later)
    assert err.value.field == "granted_days" and "十五日" in err.value.message
    doc = case_extend(case=parent, granted_days=15, reason="需会同三个部门现场核查", by=staff["head"], now=later)
    parent.refresh_from_db()
    assert parent.statutory_deadline == doc.deadline == fifteen_later
    assert "第四十二条第二款" in doc.legal_basis and "本级人民政府负责人" in doc.legal_basis
