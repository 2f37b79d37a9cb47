"""Documents that must read right (issue 10): the deemed-approval notice (超时默许告知书) dated when its
ground arose, citing the item's own legal basis, saying what happened since; the §45 special-procedure
notice (特别程序告知书); the denial decision (不予行政许可决定书) with reasons and the rights of review and suit.

Each test here failed before the change it guards: the notice was dated when the tick ran, cited §50 ¶2 for
any item, told the applicant to collect a licence already delivered; no service issued the other two."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse

from xiaoneng.cases.models import ApplicantMessage, Case, CaseDocument, CaseStatus
from xiaoneng.cases.services import (
    case_deemed_approval_record,
    case_deny,
    case_special_procedure_end,
    case_special_procedure_start,
)
from xiaoneng.core.errors import DomainError, NotPermitted

from .conftest import RENEWAL_BASIS, TZ, ev


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


# Accepted Monday 9/28 09:00: statutory 20 wd → Friday 10/30 17:30 (National Day skipped).
STATUTORY = t("2026-10-30 17:30")
DEMO_BUILT = t("2026-12-06 10:00")  # when the tick (or the demo) first looked


def opened(ingest, no="D1", code="MY001"):
    ingest([ev(no, "received", "2026-09-28 09:00", code=code), ev(no, "accepted", "2026-09-28 09:00", code=code)],
           now=t("2026-09-28 09:05"))
    return Case.objects.get(case_no=no)


def notice_of(case) -> CaseDocument:
    return CaseDocument.objects.get(case=case, kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE)


def page(client, case, doc) -> str:
    return client.get(reverse("cases:document", args=[case.case_no, doc.pk])).content.decode()


# ------------------------------------------------------------------------------------------ 超时默许
def test_a_notice_is_dated_when_the_limit_passed_and_cites_the_items_basis(deemed_item, ingest, client, staff):
    c = opened(ingest)
    assert case_deemed_approval_record(marks=[(c.pk, STATUTORY)], now=DEMO_BUILT) == [c.pk]
    doc = notice_of(c)
    assert doc.issued_at == STATUTORY and doc.recorded_at == DEMO_BUILT  # dated at its ground, not at the tick
    assert doc.year == 2026 and doc.legal_basis == RENEWAL_BASIS and doc.deadline == STATUTORY
    client.force_login(staff["head"])
    text = page(client, c, doc)
    assert "2026年10月30日" in text and "2026年12月6日" in text  # the date, and when it was recorded
    assert 'data-testid="document-recorded"' in text and "第五十条第二款" in text
    assert "领取证照" in text  # nothing decided yet: the applicant may rely on it
    assert "有效" in client.get(reverse("cases:case_detail", args=["D1"])).content.decode()


def test_a_notice_recorded_at_once_does_not_say_it_was_recorded_later(deemed_item, ingest, client, staff):
    c = opened(ingest)
    case_deemed_approval_record(marks=[(c.pk, STATUTORY)], now=STATUTORY + (t("2026-10-30 17:31") - STATUTORY))
    client.force_login(staff["head"])
    assert 'data-testid="document-recorded"' not in page(client, c, notice_of(c))


def test_an_item_without_a_deemed_approval_basis_is_never_deemed_approved(items, ingest):
    c = opened(ingest, code="SP001")  # an ordinary licence: no law deems it approved
    assert case_deemed_approval_record(marks=[(c.pk, STATUTORY)], now=DEMO_BUILT) == []
    c.refresh_from_db()
    assert c.deemed_approved_at is None and not CaseDocument.objects.filter(case=c).exists()
    assert not ApplicantMessage.objects.filter(case=c).exists()


def test_recorded_after_a_late_grant_it_says_so_and_texts_nobody(deemed_item, ingest, client, staff):
    """QY-SCJ-20260901-0004 in the demo: limit passed 09-30 undecided, granted 10-13, delivered 10-14, notice
    recorded 12-06. It must not tell the applicant to come and collect the licence."""
    c = opened(ingest)
    ingest([ev("D1", "completed", "2026-11-10 10:00", code="MY001"),
            ev("D1", "delivered", "2026-11-11 10:00", code="MY001")], now=t("2026-11-11 10:05"))
    case_deemed_approval_record(marks=[(c.pk, STATUTORY)], now=DEMO_BUILT)
    doc = notice_of(c)
    assert "领取证照" not in doc.note and "2026年11月10日 作出准予许可决定" in doc.note and "2026年11月11日 送达" in doc.note
    msg = ApplicantMessage.objects.get(case=c)
    assert msg.status == ApplicantMessage.Status.NOT_NEEDED and "到窗口办理" not in msg.body
    client.force_login(staff["head"])
    text = page(client, c, doc)
    assert "领取证照" not in text and 'data-testid="document-standing"' in text and "已由准予许可决定取代" in text
    detail = client.get(reverse("cases:case_detail", args=["D1"])).content.decode()
    assert "已由准予许可决定取代" in detail and 'data-testid="deemed-standing"' in detail


def test_a_denial_after_the_limit_leaves_the_notice_standing(deemed_item, ingest, client, staff):
    c = opened(ingest)
    ingest([ev("D1", "denied", "2026-11-10 10:00", code="MY001", reason="现场核查不符合法定条件")],
           now=t("2026-11-10 10:05"))
    case_deemed_approval_record(marks=[(c.pk, STATUTORY)], now=DEMO_BUILT)
    doc = notice_of(c)
    assert "不予许可决定" in doc.note and "已经发生" in doc.note and doc.voided_at is None
    msg = ApplicantMessage.objects.get(case=c)
    assert msg.status == ApplicantMessage.Status.PENDING and "到窗口办理" not in msg.body
    client.force_login(staff["supervisor"])
    detail = client.get(reverse("cases:case_detail", args=["D1"])).content.decode()
    assert "仍然有效" in detail and "请核查" in detail


def test_the_case_page_says_what_a_grant_after_the_notice_means(deemed_item, ingest, client, staff):
    """Recorded on time (the tick saw the limit pass), then granted late: the notice stands as printed, the
    case page and the notice's page say it is superseded by the decision."""
    c = opened(ingest)
    case_deemed_approval_record(marks=[(c.pk, STATUTORY)], now=t("2026-10-30 17:31"))
    assert "领取证照" in notice_of(c).note
    ingest([ev("D1", "completed", "2026-11-10 10:00", code="MY001")], now=t("2026-11-10 10:05"))
    client.force_login(staff["head"])
    detail = client.get(reverse("cases:case_detail", args=["D1"])).content.decode()
    assert "已由准予许可决定取代" in detail and "2026-11-10" in detail
    assert "已由准予许可决定取代" in page(client, c, notice_of(c))


def test_notices_recorded_together_are_numbered_in_the_order_their_limits_passed(deemed_item, ingest):
    late = opened(ingest, "D1")  # statutory limit 10/30
    ingest([ev("D0", "received", "2026-09-21 09:00", code="MY001"),
            ev("D0", "accepted", "2026-09-21 09:00", code="MY001")], now=t("2026-09-21 09:05"))
    early = Case.objects.get(case_no="D0")
    assert early.statutory_deadline < late.statutory_deadline and early.pk > late.pk
    case_deemed_approval_record(marks=[(late.pk, late.statutory_deadline), (early.pk, early.statutory_deadline)],
                                now=DEMO_BUILT)
    assert notice_of(early).number == 1 and notice_of(late).number == 2


def test_a_notice_dated_in_the_previous_year_is_numbered_in_that_year(deemed_item, ingest):
    c = opened(ingest)
    case_deemed_approval_record(marks=[(c.pk, STATUTORY)], now=t("2027-01-05 10:00"))
    doc = notice_of(c)
    assert doc.year == 2026 and "〔2026〕" in doc.number_text


# ------------------------------------------------------------------------------------------ 不予许可
def test_a_head_denies_with_reasons_and_the_decision_states_the_rights(items, ingest, staff, client):
    c = opened(ingest, code="SP001")
    doc = case_deny(case=c, reason="现场核查经营场所不符合法定条件", by=staff["head"], now=t("2026-10-12 10:00"))
    assert doc.kind == CaseDocument.Kind.DENIAL_DECISION and "不许" in doc.number_text
    assert doc.number_text.endswith("第1号") and "第三十八条第二款" in doc.legal_basis
    c.refresh_from_db()
    assert c.status == CaseStatus.DENIED and c.reason == "现场核查经营场所不符合法定条件"
    assert c.events.filter(type="denied").count() == 1
    client.force_login(staff["handler"])
    text = page(client, c, doc)
    assert "不予行政许可决定书" in text and "决定不予行政许可" in text and "现场核查经营场所不符合法定条件" in text
    assert "六十日内" in text and "申请行政复议" in text and "六个月内" in text and "行政诉讼" in text


@pytest.mark.parametrize(("role", "reason", "error"), [
    ("handler", "现场核查不符合法定条件", NotPermitted),  # the head of the organ decides
    ("window", "现场核查不符合法定条件", NotPermitted),
    ("head", "不行", DomainError),  # reasons must be stated
])
def test_a_denial_is_refused_without_the_head_or_without_reasons(items, ingest, staff, role, reason, error):
    c = opened(ingest, code="SP001")
    with pytest.raises(error) as err:
        case_deny(case=c, reason=reason, by=staff[role], now=t("2026-10-12 10:00"))
    if error is DomainError:
        assert err.value.field == "reason" and "理由" in err.value.message
    c.refresh_from_db()
    assert c.status == CaseStatus.ACCEPTED and not CaseDocument.objects.exists()


def test_a_case_not_yet_accepted_cannot_be_denied(items, ingest, staff):
    ingest([ev("R1", "received", "2026-09-28 09:00")], now=t("2026-09-28 09:05"))
    with pytest.raises(DomainError) as err:
        case_deny(case=Case.objects.get(case_no="R1"), reason="不符合法定条件", by=staff["head"],
                  now=t("2026-09-28 10:00"))
    assert "不能作出不予许可决定" in err.value.message


def test_the_deny_page_issues_the_decision(items, ingest, client, staff):
    opened(ingest, code="SP001")
    client.force_login(staff["head"])
    url = reverse("cases:case_deny", args=["D1"])
    assert client.post(url, {"reason": "短"}).status_code == 400
    r = client.post(url, {"reason": "经专家评审，不符合法定标准"})
    doc = CaseDocument.objects.get(kind=CaseDocument.Kind.DENIAL_DECISION)
    assert r.status_code == 302 and r["Location"] == reverse("cases:document", args=["D1", doc.pk])


# ------------------------------------------------------------------------------------------ §45 特别程序
def test_a_special_procedure_stops_the_clock_and_issues_the_written_notice(items, ingest, staff, client):
    c = opened(ingest, code="SP001")  # SP001 lists testing (检测) among its clock-stopping reasons
    doc = case_special_procedure_start(case=c, procedure="testing", reason="需对样品进行微生物检测", expected_days=8,
                                       by=staff["handler"], now=t("2026-10-09 10:00"))
    assert doc.kind == CaseDocument.Kind.SPECIAL_PROCEDURE_NOTICE and "特" in doc.number_text
    assert doc.procedure == "testing" and doc.granted_days == 8 and "第四十五条" in doc.legal_basis
    c.refresh_from_db()
    assert c.status == CaseStatus.SUSPENDED and c.granted_days == 8  # the time not counted, bounded by the days
    ev_ = c.events.get(type="suspended")
    assert ev_.granted_days == 8 and ev_.reason.startswith("检测（行政许可法第四十五条）")
    client.force_login(staff["head"])
    text = page(client, c, doc)
    assert "特别程序告知书" in text and "需要进行检测" in text and "需对样品进行微生物检测" in text
    assert "预计需要 8 个工作日" in text and "不计算在本机关作出行政许可决定的期限内" in text
    detail = client.get(reverse("cases:case_detail", args=["D1"])).content.decode()
    assert "特别程序告知书" in detail and 'data-testid="case-special-end"' in detail

    resumed = case_special_procedure_end(case=c, by=staff["handler"], now=t("2026-10-16 10:00"))
    assert resumed.status == CaseStatus.ACCEPTED and resumed.suspended_working_days > 0


@pytest.mark.parametrize(("changes", "field"), [
    ({"procedure": "hearing"}, "procedure"),  # not among the item's listed reasons
    ({"procedure": "supplement"}, "procedure"),  # §32, not a §45 procedure
    ({"expected_days": 0}, "expected_days"),
    ({"expected_days": 366}, "expected_days"),
    ({"expected_days": "八"}, "expected_days"),
    ({"reason": "检测"}, "reason"),
])
def test_a_bad_special_procedure_is_refused_naming_the_field(items, ingest, staff, changes, field):
    c = opened(ingest, code="SP001")
    args = {"procedure": "testing", "reason": "需对样品进行微生物检测", "expected_days": 8, **changes}
    with pytest.raises(DomainError) as err:
        case_special_procedure_start(case=c, by=staff["handler"], now=t("2026-10-09 10:00"), **args)
    assert err.value.field == field
    c.refresh_from_db()
    assert c.status == CaseStatus.ACCEPTED and not CaseDocument.objects.exists()


def test_a_window_clerk_cannot_start_a_special_procedure(items, ingest, staff):
    c = opened(ingest, code="SP001")
    with pytest.raises(NotPermitted):
        case_special_procedure_start(case=c, procedure="testing", reason="需对样品进行微生物检测", expected_days=8,
                                     by=staff["window"], now=t("2026-10-09 10:00"))


def test_the_special_procedure_page_issues_the_notice(items, ingest, client, staff):
    opened(ingest, code="SP001")
    client.force_login(staff["handler"])
    url = reverse("cases:case_special", args=["D1"])
    form = client.get(url).content.decode()
    assert '<option value="testing"' in form and '<option value="hearing"' not in form  # what the guide lists
    r = client.post(url, {"procedure": "testing", "expected_days": "8", "reason": "需对样品进行微生物检测"})
    doc = CaseDocument.objects.get(kind=CaseDocument.Kind.SPECIAL_PROCEDURE_NOTICE)
    assert r.status_code == 302 and r["Location"] == reverse("cases:document", args=["D1", doc.pk])
    r = client.post(reverse("cases:case_special_end", args=["D1"]))
    assert r.status_code == 302 and Case.objects.get(case_no="D1").status == CaseStatus.ACCEPTED


def test_documents_print_the_items_enquiry_phone(items, ingest, client, staff, make_item):
    """咨询电话 on a document comes from the catalogue when the item has one (it printed "—" before)."""
    make_item(code="TEL01", name="卫生许可证核发", phone="0571-88886666")
    c = opened(ingest, code="TEL01")
    doc = case_deny(case=c, reason="现场核查不符合法定条件", by=staff["head"], now=t("2026-10-12 10:00"))
    client.force_login(staff["head"])
    assert "0571-88886666" in page(client, c, doc)
