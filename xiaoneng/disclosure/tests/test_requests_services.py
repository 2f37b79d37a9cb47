"""Information requests (依申请公开): intake, the clock across the National Day 2026 holiday and its 调休 with a
correction, a third-party consultation and an extension (dates computed by hand below), every step and every
refusal, and the clock as supervision's real tick judges it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from xiaoneng.core.errors import Conflict, DomainError, NotPermitted
from xiaoneng.disclosure.models import InformationRequest, RequestReview, RequestStatus
from xiaoneng.disclosure.services import requests as svc

TZ = ZoneInfo("Asia/Shanghai")
# Monday 21 September 2026, 10:00. Working days after it (day 0 = 21 Sep): 22, 23, 24 (25 中秋节, 26-27
# weekend), 28, 29, 30 (1-7 Oct 国庆节), 8, 9, 10 (Saturday, 调休 make-up day), 12-16, 19-23, 26 → the 20th is
# Monday 26 October.
T0 = datetime(2026, 9, 21, 10, 0, tzinfo=TZ)
CLOSE = (17, 30)


def close(y, m, d):
    return datetime(y, m, d, *CLOSE, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _rules(db):
    from xiaoneng.supervision.defaults import rules_ensure_defaults
    from xiaoneng.supervision.rulecache import rules_invalidate

    rules_ensure_defaults()
    rules_invalidate()
    yield
    rules_invalidate()


def submit(depts, now=T0, **kw):
    data = dict(department=depts["a"], channel="online", applicant_kind="person", applicant_name="张晓明",
                id_number="330102199001011234", phone="139 1234-5678", description="2025 年度本局行政处罚案件数量统计表",
                phone_verified_at=now, now=now)
    data.update(kw)
    return svc.information_request_submit(**data)


# ------------------------------------------------------------------------------------------------ intake
def test_an_online_request_is_received_now_numbered_and_due_in_20_working_days_across_national_day(calendar, depts):
    r = submit(depts)
    assert r.number == "YSQ-2026-00001" and r.status == RequestStatus.RECEIVED
    assert len(r.tracking_code) == 12 and r.tracking_code.isalnum()
    assert r.received_at == T0 and r.phone == "13912345678"
    assert r.due_at == close(2026, 10, 26)
    assert r.next_check_at is not None  # watched: the reminder is ahead
    ev = r.events.get()
    assert ev.kind == "receive" and ev.public
    r2 = submit(depts, description="另一件")
    assert r2.number == "YSQ-2026-00002" and r2.tracking_code != r.tracking_code


def test_receipt_per_paragraph_31_for_each_channel(calendar, depts, staff):
    # A visit: the moment of submission. After the close (18:00) the clock starts the next working day.
    v = svc.information_request_submit(department=depts["a"], channel="visit", applicant_kind="person",
                                       applicant_name="李四", address="测试县人民路 1 号", description="某文件",
                                       by=staff["window"], now=datetime(2026, 9, 30, 18, 0, tzinfo=TZ))
    assert v.received_at == datetime(2026, 9, 30, 18, 0, tzinfo=TZ)
    # day 0 = Thu 8 Oct; 9, 10 (调休), 12-16, 19-23, 26-30 → the 20th is Fri 6 Nov... counted: 9(1) 10(2)
    # 12(3) 13(4) 14(5) 15(6) 16(7) 19(8) 20(9) 21(10) 22(11) 23(12) 26(13) 27(14) 28(15) 29(16) 30(17)
    # Nov 2(18) 3(19) 4(20).
    assert v.due_at == close(2026, 11, 4)
    # A letter: the sign-off date the staff enter (a Saturday make-up day counts as a working day 0).
    letter = svc.information_request_submit(
        department=depts["a"], channel="letter", applicant_kind="enterprise", applicant_name="测试县某某有限公司",
        organisation_code="91330100MA2XXXXX1Y", address="测试县工业园 8 号", description="某批复",
        received_at=datetime(2026, 10, 10, 9, 0, tzinfo=TZ), by=staff["handler"],
        now=datetime(2026, 10, 12, 9, 0, tzinfo=TZ))
    assert letter.received_at == datetime(2026, 10, 10, 9, 0, tzinfo=TZ)
    # day 0 = Sat 10 Oct (调休); 12(1) … 16(5), 19-23 (10), 26-30 (15), Nov 2-6 (20).
    assert letter.due_at == close(2026, 11, 6)
    with pytest.raises(DomainError) as e:
        svc.information_request_submit(department=depts["a"], channel="letter", applicant_kind="person",
                                       applicant_name="王五", address="x", description="y", by=staff["handler"],
                                       now=T0)
    assert e.value.field == "received_at" and "签收" in e.value.message
    with pytest.raises(DomainError) as e:
        svc.information_request_submit(department=depts["a"], channel="fax", applicant_kind="person",
                                       applicant_name="王五", address="x", description="y", by=staff["handler"],
                                       received_at=T0 + timedelta(days=1), now=T0)
    assert e.value.field == "received_at"


def test_intake_refusals_name_the_field_and_store_nothing(calendar, depts, staff):
    cases = [
        (dict(channel="carrier-pigeon"), "channel"),
        (dict(department=depts["a1"]), "department"),  # a section is not an organ that answers
        (dict(department="NOPE"), "department"),
        (dict(applicant_kind="alien"), "applicant_kind"),
        (dict(applicant_name="  "), "applicant_name"),
        (dict(id_number="12345"), "id_number"),
        (dict(phone="12345"), "phone"),
        (dict(phone="0571-88886666"), "phone"),  # online: the SMS goes to a mobile
        (dict(description=""), "description"),
        (dict(description="长" * 2001), "description"),
        (dict(delivery="pigeon"), "delivery"),
        (dict(email="not-an-address"), "email"),
        (dict(applicant_kind="enterprise", organisation_code=""), "organisation_code"),
        (dict(applicant_kind="enterprise", organisation_code="=cmd|' /C calc'!A0"), "organisation_code"),
        (dict(phone_verified_at=None), "sms_code"),
        (dict(channel="letter"), "channel"),  # the public form is online only
    ]
    for change, field in cases:
        with pytest.raises(DomainError) as e:
            submit(depts, **change)
        assert e.value.field == field, (change, e.value.message)
    # Staff: only non-online channels; only their own department (the office any); no role → refused.
    with pytest.raises(DomainError) as e:
        svc.information_request_submit(department=depts["a"], channel="online", applicant_kind="person",
                                       applicant_name="王五", address="x", description="y", by=staff["handler"], now=T0)
    assert e.value.field == "channel"
    with pytest.raises(DomainError) as e:
        svc.information_request_submit(department=depts["b"], channel="visit", applicant_kind="person",
                                       applicant_name="王五", address="x", description="y", by=staff["handler"], now=T0)
    assert e.value.field == "department"
    for who in ("leader", "admin"):
        with pytest.raises(NotPermitted):
            svc.information_request_submit(department=depts["a"], channel="visit", applicant_kind="person",
                                           applicant_name="王五", address="x", description="y", by=staff[who], now=T0)
    ok = svc.information_request_submit(department=depts["b"], channel="visit", applicant_kind="person",
                                        applicant_name="王五", address="x", description="y", by=staff["supervisor"],
                                        now=T0)
    assert ok.department == depts["b"]
    assert InformationRequest.objects.count() == 1


def test_phones_with_spaces_dashes_and_plus_86_are_one_number(calendar, depts):
    for raw in ("+86 139-1234-5678", "0086 13912345678", "139 1234 5678", "（139）12345678"):
        assert submit(depts, phone=raw).phone == "13912345678"


def test_idempotency_key_of_a_department_system(calendar, depts):
    from xiaoneng.accounts.services import api_client_create

    client, _token = api_client_create(name="依申请公开系统", department=depts["a"], by=None, now=T0)
    kw = dict(client=client, idempotency_key="order-7", phone_verified_at=None)
    first = submit(depts, **kw)
    again = submit(depts, **kw)
    assert again.pk == first.pk and InformationRequest.objects.count() == 1
    with pytest.raises(Conflict) as e:
        submit(depts, description="别的内容", **kw)
    assert e.value.status == 409 and e.value.field == "idempotency_key"
    with pytest.raises(DomainError) as e:
        submit(depts, department=depts["b"], **kw)  # a system registers only its own department's requests
    assert e.value.field == "department"
    with pytest.raises(DomainError) as e:
        submit(depts, client=client, idempotency_key="键" * 3, phone_verified_at=None)
    assert e.value.field == "idempotency_key"
    assert InformationRequest.objects.count() == 1


# ------------------------------------------------------------------------------------------- the clock
def test_correction_stops_the_clock_across_national_day_and_the_extension_adds_to_it(calendar, depts, staff):
    r = submit(depts)
    head, handler = staff["head"], staff["handler"]
    assert svc.correction_notice_due(r.received_at) == close(2026, 10, 8)  # 7th working day: 22,23,24,28,29,30,8
    r = svc.information_request_correction_notice(request=r, text="请补充所需信息的文号或大致形成时间。", by=handler,
                                                  now=datetime(2026, 9, 24, 10, 0, tzinfo=TZ))
    assert r.status == RequestStatus.CORRECTION and r.next_check_at is None
    with pytest.raises(DomainError) as e:  # one notice (一次性告知), and nothing else while it stands
        svc.information_request_extend(request=r, wd=10, reason="x", by=head, now=datetime(2026, 9, 25, 9, tzinfo=TZ))
    assert e.value.field == "status"
    # Corrected on Friday 9 Oct: the working days in (24 Sep, 9 Oct] are 28, 29, 30 Sep, 8, 9 Oct = 5.
    r = svc.information_request_corrected(request=r, by=handler, now=datetime(2026, 10, 9, 11, 0, tzinfo=TZ))
    assert (r.status, r.paused_wd, r.paused_at) == (RequestStatus.RECEIVED, 5, None)
    # 26 Oct + 5 working days: 27, 28, 29, 30 Oct, 2 Nov.
    assert r.due_at == close(2026, 11, 2)
    assert r.next_check_at is not None
    # A third party consulted from Mon 12 Oct to Wed 14 Oct: 13 and 14 Oct = 2 more → 3, 4 Nov → 4 Nov.
    r = svc.information_request_consult(request=r, note="涉及某公司商业秘密，征求该公司意见。", by=handler,
                                        now=datetime(2026, 10, 12, 9, 0, tzinfo=TZ))
    assert r.status == RequestStatus.CONSULTING and r.next_check_at is None
    r = svc.information_request_consulted(request=r, by=handler, now=datetime(2026, 10, 14, 16, 0, tzinfo=TZ))
    assert r.paused_wd == 7 and r.due_at == close(2026, 11, 4)
    # The head extends by 10 working days: 5, 6, 9-13, 16, 17, 18 Nov → 18 Nov.
    with pytest.raises(NotPermitted):
        svc.information_request_extend(request=r, wd=10, reason="需要调取档案。", by=handler,
                                       now=datetime(2026, 10, 20, 9, 0, tzinfo=TZ))
    r = svc.information_request_extend(request=r, wd=10, reason="需要调取档案。", by=head,
                                       now=datetime(2026, 10, 20, 9, 0, tzinfo=TZ))
    assert (r.extension_wd, r.extension_approved_by) == (10, head) and r.due_at == close(2026, 11, 18)
    with pytest.raises(DomainError) as e:
        svc.information_request_extend(request=r, wd=5, reason="再延。", by=head,
                                       now=datetime(2026, 10, 21, 9, 0, tzinfo=TZ))
    assert "一次" in e.value.message
    r = svc.information_request_answer(request=r, answer_type="partial", text="部分公开，附件见邮件。", by=handler,
                                       now=close(2026, 11, 18))
    assert r.status == RequestStatus.ANSWERED and r.on_time is True and r.next_check_at is None
    kinds = list(r.events.values_list("kind", "public"))
    assert kinds == [("receive", True), ("correction_notice", True), ("corrected", True), ("consult", True),
                     ("note", False), ("consulted", True), ("extend", True), ("answer", True)]


def test_a_late_answer_is_not_on_time_and_a_late_correction_notice_is_allowed(calendar, depts, staff):
    r = submit(depts)
    late = datetime(2026, 10, 9, 10, 0, tzinfo=TZ)  # after the close of 8 Oct, the 7th working day
    r = svc.information_request_correction_notice(request=r, text="请说明所需信息。", by=staff["handler"], now=late)
    assert r.events.get(kind="correction_notice").at > svc.correction_notice_due(r.received_at)
    r = svc.information_request_answer(request=r, answer_type="other", reason="no_correction",
                                       text="申请人逾期未补正，不再处理。", by=staff["handler"],
                                       now=datetime(2026, 12, 15, 10, 0, tzinfo=TZ))
    assert r.status == RequestStatus.ANSWERED and r.on_time is True  # the stop ran until the answer
    r2 = submit(depts, description="另一件")
    r2 = svc.information_request_answer(request=r2, answer_type="disclosed", text="予以公开。", by=staff["head"],
                                        now=datetime(2026, 10, 26, 17, 30, 1, tzinfo=TZ))
    assert r2.on_time is False


def test_answer_types_and_their_reasons(calendar, depts, staff):
    r = submit(depts)
    h = staff["handler"]
    bad = [
        (dict(answer_type="maybe", reason=""), "answer_type"),
        (dict(answer_type="withheld", reason=""), "reason"),
        (dict(answer_type="withheld", reason="not_held"), "reason"),  # a reason of another outcome
        (dict(answer_type="disclosed", reason="state_secret"), "reason"),
        (dict(answer_type="partial", reason="state_secret"), "reason"),
        (dict(answer_type="disclosed", reason="", text=""), "text"),
        (dict(answer_type="disclosed", reason="", fee="-1"), "fee"),
        (dict(answer_type="disclosed", reason="", fee="1e9"), "fee"),
        (dict(answer_type="disclosed", reason="", fee="NaN"), "fee"),
    ]
    for kw, field in bad:
        data = {"text": "答复。", **kw}
        with pytest.raises(DomainError) as e:
            svc.information_request_answer(request=r, by=h, now=T0 + timedelta(days=1), **data)
        assert e.value.field == field, kw
    r.refresh_from_db()
    assert r.status == RequestStatus.RECEIVED and not r.events.filter(kind="answer").exists()
    r = svc.information_request_answer(request=r, answer_type="withheld", reason="third_party", text="涉及第三方。",
                                       by=h, now=T0 + timedelta(days=1), fee="0")
    assert (r.answer_type, r.answer_reason, r.fee) == ("withheld", "third_party", Decimal("0"))
    for step in (lambda: svc.information_request_answer(request=r, answer_type="disclosed", text="x", by=h, now=T0),
                 lambda: svc.information_request_withdraw(request=r, reason="x", by=h, now=T0),
                 lambda: svc.information_request_consult(request=r, note="x", by=h, now=T0),
                 lambda: svc.information_request_correction_notice(request=r, text="x", by=h, now=T0)):
        with pytest.raises(DomainError) as e:
            step()
        assert e.value.field == "status" and "已经答复" in e.value.message


def test_who_may_act(calendar, depts, staff):
    r = submit(depts)
    other = staff["handler_b"]
    for who in (other, staff["leader"], staff["admin"], staff["window"], staff["supervisor"]):
        with pytest.raises(NotPermitted):
            svc.information_request_correction_notice(request=r, text="x", by=who, now=T0)
        with pytest.raises(NotPermitted):
            svc.information_request_answer(request=r, answer_type="disclosed", text="x", by=who, now=T0)
    with pytest.raises(NotPermitted):
        svc.information_request_assign(request=r, handler=staff["handler"], by=staff["handler"], now=T0)
    with pytest.raises(DomainError) as e:  # a handler of another bureau cannot be named
        svc.information_request_assign(request=r, handler=other, by=staff["head"], now=T0)
    assert e.value.field == "handler"
    r = svc.information_request_assign(request=r, handler=staff["handler_a1"], by=staff["head"], now=T0)
    assert r.handler == staff["handler_a1"] and not r.events.get(kind="assign").public
    # Assigned: the other handler of bureau A may no longer act; the assignee and the head may.
    with pytest.raises(NotPermitted):
        svc.information_request_correction_notice(request=r, text="x", by=staff["handler"], now=T0)
    svc.information_request_note(request=r, text="已调取档案。", by=staff["handler_a1"], now=T0)
    # Withdrawal: the department or the office records it; the clock stops for good.
    r = svc.information_request_withdraw(request=r, reason="申请人电话告知撤回。", by=staff["supervisor"], now=T0)
    assert r.status == RequestStatus.WITHDRAWN and r.next_check_at is None


def test_publishing_an_answer_and_recording_reviews(calendar, depts, staff):
    r = submit(depts)
    with pytest.raises(DomainError):
        svc.information_request_publish(request=r, publish=True, by=staff["supervisor"], now=T0)
    r = svc.information_request_answer(request=r, answer_type="disclosed", text="予以公开。", by=staff["handler"],
                                       now=datetime(2026, 10, 12, 10, 0, tzinfo=TZ))
    for who in ("handler", "handler_b", "leader", "window"):
        with pytest.raises(NotPermitted):
            svc.information_request_publish(request=r, publish=True, by=staff[who], now=T0)
    assert svc.information_request_publish(request=r, publish=True, by=staff["head"], now=T0).publish_answer
    assert not svc.information_request_publish(request=r, publish=False, by=staff["supervisor"], now=T0).publish_answer
    now = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
    with pytest.raises(NotPermitted):
        svc.request_review_record(request=r, kind="review", filed_on=date(2026, 11, 2), by=staff["head"], now=now)
    for kw, field in ((dict(kind="appeal"), "kind"), (dict(filed_on=date(2026, 10, 1)), "filed_on"),
                      (dict(filed_on=date(2026, 12, 2)), "filed_on"), (dict(filed_on="2026-11-02"), "filed_on"),
                      (dict(result="upheld"), "decided_on"),
                      (dict(result="upheld", decided_on=date(2026, 10, 30)), "decided_on"),
                      (dict(decided_on=date(2026, 11, 20)), "decided_on")):
        data = {"kind": "review", "filed_on": date(2026, 11, 2), **kw}
        with pytest.raises(DomainError) as e:
            svc.request_review_record(request=r, by=staff["supervisor"], now=now, **data)
        assert e.value.field == field, kw
    rv = svc.request_review_record(request=r, kind="review", filed_on=date(2026, 11, 2), by=staff["supervisor"],
                                   now=now)
    assert rv.result == "pending" and rv.decided_on is None
    rv = svc.request_review_decide(review=rv, result="corrected", decided_on=date(2026, 11, 30),
                                   by=staff["supervisor"], now=now)
    assert (rv.result, rv.decided_on) == ("corrected", date(2026, 11, 30))
    assert RequestReview.objects.count() == 1


# --------------------------------------------------------------------------------- supervision's tick
def test_the_real_tick_raises_cards_on_a_late_request_and_none_on_a_paused_one(calendar, depts, staff):
    from xiaoneng.supervision.models import Warning
    from xiaoneng.supervision.services import supervise_tick

    late = submit(depts)
    paused = submit(depts, description="另一件")
    svc.information_request_correction_notice(request=paused, text="请补正。", by=staff["handler"],
                                              now=datetime(2026, 9, 24, 10, 0, tzinfo=TZ))
    answered = submit(depts, description="第三件")
    svc.information_request_answer(request=answered, answer_type="disclosed", text="予以公开。", by=staff["handler"],
                                   now=datetime(2026, 9, 22, 10, 0, tzinfo=TZ))

    def levels(r):
        return set(Warning.objects.filter(subject_kind="inforequest", subject_id=r.pk).values_list("level", flat=True))

    supervise_tick(now=datetime(2026, 10, 21, 17, 0, tzinfo=TZ))  # before the reminder's moment
    assert levels(late) == set()
    supervise_tick(now=datetime(2026, 10, 21, 18, 0, tzinfo=TZ))  # 3 wd before 26 Oct: 23, 22, 21 → its close
    assert levels(late) == {"reminder"}
    supervise_tick(now=datetime(2026, 10, 27, 9, 0, tzinfo=TZ))  # overdue: yellow
    assert levels(late) == {"reminder", "yellow"}
    supervise_tick(now=datetime(2026, 11, 2, 17, 0, tzinfo=TZ))  # 5 wd over is the close of 2 Nov: not yet red
    assert "red" not in levels(late)
    supervise_tick(now=datetime(2026, 11, 3, 9, 0, tzinfo=TZ))
    assert levels(late) == {"reminder", "yellow", "red"}
    late.refresh_from_db()
    assert late.flag == "red"
    card = Warning.objects.filter(subject_kind="inforequest", subject_id=late.pk, level="red").get()
    assert card.department_id == depts["a"].pk
    assert levels(paused) == set() and levels(answered) == set()
    paused.refresh_from_db()
    assert paused.next_check_at is None and paused.flag == ""
