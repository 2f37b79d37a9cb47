"""§42 extensions and deemed approval (超时默许) as supervision sees them: the red card follows the extended
statutory deadline (a late `extended` event withdraws the card it invalidates), and a deemed approval is
marked, noticed and texted to the applicant exactly once however often the tick runs."""

from __future__ import annotations

from xiaoneng.cases.models import ApplicantMessage, Case, CaseDocument
from xiaoneng.core import sms
from xiaoneng.supervision.models import ActionKind, Warning, WarningStatus
from xiaoneng.supervision.services import messages_send_due, supervise_tick

from .conftest import SECOND, at, ev

# Accepted Monday 9/28: statutory 20 wd → Friday 10/30 17:30 (National Day skipped); +10 wd → Friday 11/13.
STATUTORY = "2026-10-30 17:30"
EXTENDED = "2026-11-13 17:30"


def red(case):
    return list(Warning.objects.about(case).filter(rule__code="statutory-red").order_by("id"))


def test_extension_moves_the_red_card_threshold(accepted_case, ingest):
    c = accepted_case()
    ingest([ev("C1", "extended", "2026-10-20 10:00", granted_days=10, reason="需现场核查经营场所")],
           now=at("2026-10-20 10:05"))
    c.refresh_from_db()
    assert c.statutory_deadline == at(EXTENDED)
    assert c.committed_deadline == at("2026-10-10 17:30")  # the promise does not move
    supervise_tick(now=at("2026-11-02 17:30") + SECOND)  # would be red without the extension
    assert red(c) == []
    supervise_tick(now=at("2026-11-16 17:30") + SECOND)  # 1 wd past the extended deadline
    assert [w.deadline_key for w in red(c)] == ["2026-11-13T09:30:00Z"]


def test_late_extension_event_withdraws_the_red_card(accepted_case, ingest):
    c = accepted_case()
    supervise_tick(now=at("2026-11-02 17:30") + SECOND)
    (card,) = red(c)
    assert card.status == WarningStatus.ISSUED
    # The department system syncs late: the head had approved an extension on 10/20, before the limit.
    ingest([ev("C1", "extended", "2026-10-20 10:00", granted_days=10, reason="需现场核查经营场所")],
           now=at("2026-11-03 09:00"))
    card.refresh_from_db()
    assert card.status == WarningStatus.WITHDRAWN
    assert card.actions.exclude(kind=ActionKind.ORDER).get().kind == ActionKind.AUTO_WITHDRAW  # besides its order
    assert len(red(c)) == 1  # and no new card: the extended deadline has not passed


def test_extension_approved_after_the_limit_changes_nothing(accepted_case, ingest):
    c = accepted_case()
    supervise_tick(now=at("2026-11-02 17:30") + SECOND)
    ingest([ev("C1", "extended", "2026-11-03 09:00", granted_days=10, reason="补办延期审批")],
           now=at("2026-11-03 09:05"))
    c.refresh_from_db()
    assert c.statutory_deadline == at(STATUTORY)
    assert [w.status for w in red(c)] == [WarningStatus.ISSUED]


def test_deemed_approval_is_noticed_and_texted_once(accepted_case, staff):
    c = accepted_case(code="MY001")
    past = c.statutory_deadline + SECOND  # 17:30:01, outside office hours: nothing is sent yet
    r = supervise_tick(now=past)
    assert r.deemed_approved == 1
    c.refresh_from_db()
    assert c.deemed_approved_at == c.statutory_deadline
    doc = CaseDocument.objects.get(case=c, kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE)
    assert doc.number_text.endswith("第1号") and "默" in doc.number_text and doc.deadline == c.statutory_deadline
    msg = ApplicantMessage.objects.get(case=c)
    assert msg.status == ApplicantMessage.Status.PENDING and msg.document == doc
    assert doc.number_text in msg.body and "13812345678" not in msg.body  # no personal data in the record
    assert sms.outbox == []

    supervise_tick(now=past + SECOND)
    morning = at("2026-11-02 09:30")
    supervise_tick(now=morning)
    supervise_tick(now=morning + SECOND)
    messages_send_due(now=morning + 2 * SECOND)
    assert [p for p, _t in sms.outbox] == ["13812345678"]
    assert CaseDocument.objects.filter(case=c, kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE).count() == 1
    msg.refresh_from_db()
    assert msg.status == ApplicantMessage.Status.SENT and msg.sent_at == morning
    assert Warning.objects.about(c).filter(rule__code="deemed-approval").count() == 1


def test_deemed_approval_without_a_phone_is_recorded_not_sent(ingest, items):
    w = at("2026-09-28 09:00")
    ingest([ev("P1", "received", w, "MY001", applicant={"name": "李四"}), ev("P1", "accepted", w, "MY001")],
           now=w + SECOND)
    c = Case.objects.get(case_no="P1")
    supervise_tick(now=at("2026-11-02 09:30"))
    msg = ApplicantMessage.objects.get(case=c)
    assert msg.status == ApplicantMessage.Status.NO_PHONE
    assert sms.outbox == []


def test_late_decision_withdraws_deemed_approval_and_cancels_the_sms(accepted_case, ingest):
    c = accepted_case(code="MY001")
    supervise_tick(now=c.statutory_deadline + SECOND)
    # The decision had in fact been made in time; the department system reports it late.
    ingest([ev("C1", "completed", "2026-10-29 10:00", code="MY001")], now=at("2026-10-31 10:00"))
    c.refresh_from_db()
    assert c.deemed_approved_at is None
    assert ApplicantMessage.objects.get(case=c).status == ApplicantMessage.Status.CANCELLED
    messages_send_due(now=at("2026-11-02 09:30"))
    assert sms.outbox == []
    notice = CaseDocument.objects.get(case=c, kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE)
    assert notice.voided_at == at("2026-10-31 10:00") and "作废" in notice.void_reason  # kept, marked void


def test_a_void_notice_says_so_on_its_page_and_in_the_case(accepted_case, ingest, client_as):
    from django.urls import reverse

    c = accepted_case(code="MY001")
    supervise_tick(now=c.statutory_deadline + SECOND)
    notice = CaseDocument.objects.get(case=c, kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE)
    client = client_as("head")
    page = client.get(reverse("cases:document", args=[c.case_no, notice.pk])).content.decode()
    assert 'data-testid="document-void"' not in page
    ingest([ev("C1", "completed", "2026-10-29 10:00", code="MY001")], now=at("2026-10-31 10:00"))
    page = client.get(reverse("cases:document", args=[c.case_no, notice.pk])).content.decode()
    assert 'data-testid="document-void"' in page and "作废" in page
    assert "已作废" in client.get(reverse("cases:case_detail", args=[c.case_no])).content.decode()


def test_two_deemed_cases_of_one_department_get_consecutive_numbers(accepted_case):
    a = accepted_case("D1", code="MY001")
    accepted_case("D2", code="MY001")
    supervise_tick(now=a.statutory_deadline + SECOND)
    numbers = sorted(CaseDocument.objects.filter(kind=CaseDocument.Kind.DEEMED_APPROVAL_NOTICE)
                     .values_list("number", flat=True))
    assert numbers == [1, 2]


def test_handler_desk_shows_cases_mapped_from_the_reported_name(accepted_case, staff):
    from xiaoneng.supervision.selectors import desk_for

    c = accepted_case(handler="handler_a")  # the department system reports the account's full name
    assert c.handler_id == staff["handler"].pk
    desk = desk_for(staff["handler"], now=at("2026-10-09 10:00"))
    assert [x.case_no for x in desk["cases"]] == ["C1"]
    assert desk_for(staff["handler_a1"], now=at("2026-10-09 10:00"))["cases"] == []
