"""差评整改 services: what the department must record (核实, 整改或说明, 回访 for named ratings), the office's
review (accept, return), appeals (申诉) and their decision (作废), who may take each step, and bad input
refused naming the field with nothing stored."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.testing import make_staff
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.ratings.models import Appeal, Rating, Rectification, RectificationAction
from xiaoneng.ratings.services import rectification as svc

from .rectify_helpers import at, open_rectification

T0 = at("2026-03-02 10:00")  # a Monday, no holiday for weeks around it
T1 = at("2026-03-05 10:00")
WORK = {"verification": "经调取监控核实，窗口人员答复生硬属实。", "action": "已对当事人批评教育，窗口增设引导员。"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rect(depts, calendar):
    return open_rectification(depts["a"], when=T0)


@pytest.fixture
def named(depts, calendar):
    return open_rectification(depts["a"], when=T0, rater_name="王小明", rater_phone="13912345678")


def _kinds(r):
    return list(RectificationAction.objects.filter(rectification=r).values_list("kind", flat=True))


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ submit
def test_submit_needs_verification_and_action(rect, staff):
    for missing in ("verification", "action"):
        data = {**WORK, missing: "  "}
        with pytest.raises(DomainError) as e:
            svc.rectification_submit(rectification=rect, by=staff["handler"], now=T1, **data)
        assert e.value.field == missing and "请填写" in e.value.message
    r = Rectification.objects.get(pk=rect.pk)
    assert r.status == "open" and r.submitted_at is None and r.verification == "" and _kinds(r) == ["open"]


def test_an_anonymous_bad_rating_is_submitted_without_a_call_back(rect, staff):
    r = svc.rectification_submit(rectification=rect, by=staff["handler"], now=T1, **WORK)
    assert r.status == "submitted" and r.submitted_at == T1 and r.next_check_at is None
    assert r.handler == staff["handler"]  # the first handler to take it up becomes its handler
    assert _kinds(r) == ["open", "submit"]


def test_a_named_bad_rating_must_be_called_back(named, staff):
    with pytest.raises(DomainError) as e:
        svc.rectification_submit(rectification=named, by=staff["handler"], now=T1, **WORK)
    assert e.value.field == "callback_at" and "实名差评须全部回访" in e.value.message
    with pytest.raises(DomainError) as e:
        svc.rectification_submit(rectification=named, by=staff["handler"], now=T1, callback_at=at("2026-03-04 15:00"),
                                 **WORK)
    assert e.value.field == "callback_result"
    assert Rectification.objects.get(pk=named.pk).status == "open"
    r = svc.rectification_submit(rectification=named, by=staff["handler"], now=T1, callback_at=at("2026-03-04 15:00"),
                                 callback_result="已电话致歉，评价人表示理解。", callback_reached=True, **WORK)
    assert r.status == "submitted" and r.callback_reached and r.callback_at == at("2026-03-04 15:00")


@pytest.mark.parametrize("when,code", [("2026-03-05 10:01", "future"), ("2026-03-02 09:59", "before_rating"),
                                       ("0001-01-01 00:00", "before_rating"), ("9999-12-31 23:59", "future")])
def test_a_call_back_in_the_future_or_before_the_rating_is_refused(named, staff, when, code):
    with pytest.raises(DomainError) as e:
        svc.rectification_submit(rectification=named, by=staff["handler"], now=T1, callback_at=at(when),
                                 callback_result="已回访。", **WORK)
    assert e.value.field == "callback_at" and e.value.code == code
    with pytest.raises(DomainError):
        svc.rectification_save(rectification=named, by=staff["handler"], now=T1, callback_at=at(when))
    assert Rectification.objects.get(pk=named.pk).callback_at is None


def test_huge_text_is_refused(rect, staff):
    with pytest.raises(DomainError) as e:
        svc.rectification_submit(rectification=rect, by=staff["handler"], now=T1, verification="查" * 2001,
                                 action="改")
    assert e.value.field == "verification" and e.value.code == "too_long"


def test_save_keeps_progress_and_the_clock(rect, staff):
    r = svc.rectification_save(rectification=rect, by=staff["handler"], now=T1, verification="正在调取监控。")
    assert r.status == "open" and r.verification == "正在调取监控。" and r.next_check_at == rect.next_check_at
    assert r.handler == staff["handler"] and _kinds(r) == ["open", "save"]


# ------------------------------------------------------------------------------------------------ review
def test_accept_closes_it_on_time_or_late(depts, staff, calendar):
    on = open_rectification(depts["a"], when=T0)
    late = open_rectification(depts["a"], when=T0)
    svc.rectification_submit(rectification=on, by=staff["handler"], now=T1, **WORK)
    after_due = late.due_at.replace(microsecond=1)
    svc.rectification_submit(rectification=late, by=staff["head"], now=after_due, **WORK)
    on = svc.rectification_accept(rectification=on, by=staff["supervisor"], now=T1, note="整改到位。")
    late = svc.rectification_accept(rectification=late, by=staff["supervisor"], now=after_due)
    assert (on.status, on.on_time, on.closed_at, on.reviewed_by) == ("accepted", True, T1, staff["supervisor"])
    assert (late.status, late.on_time) == ("accepted", False)
    assert _kinds(on) == ["open", "submit", "accept"]


def test_return_needs_reasons_and_keeps_the_due_date(rect, staff):
    svc.rectification_submit(rectification=rect, by=staff["handler"], now=T1, **WORK)
    with pytest.raises(DomainError) as e:
        svc.rectification_return(rectification=rect, by=staff["supervisor"], now=T1, note=" ")
    assert e.value.field == "note" and Rectification.objects.get(pk=rect.pk).status == "submitted"
    r = svc.rectification_return(rectification=rect, by=staff["supervisor"], now=T1, note="措施不具体。")
    assert r.status == "returned" and r.due_at == rect.due_at and r.review_note == "措施不具体。"
    # Worked again and accepted: on time is judged on the accepted submission.
    r = svc.rectification_submit(rectification=r, by=staff["handler"], now=at("2026-03-06 10:00"), **WORK)
    r = svc.rectification_accept(rectification=r, by=staff["supervisor"], now=at("2026-03-06 11:00"))
    assert r.on_time is True and r.submitted_at == at("2026-03-06 10:00")
    assert _kinds(r) == ["open", "submit", "return", "submit", "accept"]


def test_only_a_submitted_rectification_is_reviewed(rect, staff):
    with pytest.raises(DomainError) as e:
        svc.rectification_accept(rectification=rect, by=staff["supervisor"], now=T1)
    assert e.value.code == "bad_status" and "待整改" in e.value.message


# ------------------------------------------------------------------------------------------------ appeals
def test_appeal_upheld_voids_the_rating_and_closes_the_task(rect, staff):
    a = svc.rectification_appeal(rectification=rect, by=staff["head"], now=T1, reason="评价人未在本窗口办事，系误评。",
                                 evidence=("监控截图.png", _png()))
    assert a.evidence and a.evidence_name == "监控截图.png" and a.decision == "pending"
    assert Rectification.objects.get(pk=rect.pk).status == "appealed"
    svc.appeal_decide(appeal=a, by=staff["supervisor"], now=at("2026-03-06 10:00"), uphold=True, note="经查属误评，作废。")
    rating = Rating.objects.get(pk=rect.rating_id)
    r = Rectification.objects.get(pk=rect.pk)
    assert rating.voided_at == at("2026-03-06 10:00") and rating.void_reason == "经查属误评，作废。"
    assert (r.status, r.closed_at, r.next_check_at, r.on_time) == ("voided", at("2026-03-06 10:00"), None, None)
    assert Rating.objects.filter(pk=rating.pk).exists()  # never deleted
    assert _kinds(r) == ["open", "appeal", "appeal_upheld"]


def test_appeal_rejected_goes_back_to_where_it_was(rect, staff):
    a = svc.rectification_appeal(rectification=rect, by=staff["head"], now=T1, reason="评价人恶意差评，多次骚扰窗口。")
    svc.appeal_decide(appeal=a, by=staff["supervisor"], now=T1, uphold=False, note="证据不足，驳回。")
    r = Rectification.objects.get(pk=rect.pk)
    assert r.status == "open" and r.next_check_at == T1 and Rating.objects.get(pk=r.rating_id).voided_at is None
    # A returned one goes back to returned.
    svc.rectification_submit(rectification=r, by=staff["handler"], now=T1, **WORK)
    svc.rectification_return(rectification=r, by=staff["supervisor"], now=T1, note="请补充回访。")
    a2 = svc.rectification_appeal(rectification=r, by=staff["head"], now=T1, reason="补充证据：评价人系竞争对手。")
    svc.appeal_decide(appeal=a2, by=staff["supervisor"], now=T1, uphold=False, note="仍驳回。")
    assert Rectification.objects.get(pk=r.pk).status == "returned"
    assert list(Appeal.objects.filter(rating_id=r.rating_id).values_list("decision", flat=True)) == ["rejected"] * 2


def test_appeal_bad_input(rect, staff):
    with pytest.raises(DomainError) as e:
        svc.rectification_appeal(rectification=rect, by=staff["head"], now=T1, reason="")
    assert e.value.field == "reason"
    with pytest.raises(DomainError) as e:
        svc.rectification_appeal(rectification=rect, by=staff["head"], now=T1, reason="评价人恶意差评。",
                                 evidence=("证据.exe", b"MZ\x90\x00" + b"\x00" * 100))
    assert e.value.field == "evidence" and "证据材料" in e.value.message
    assert not Appeal.objects.exists() and Rectification.objects.get(pk=rect.pk).status == "open"
    svc.rectification_appeal(rectification=rect, by=staff["head"], now=T1, reason="评价人恶意差评。")
    with pytest.raises(DomainError):  # one pending appeal at a time
        svc.rectification_appeal(rectification=rect, by=staff["head"], now=T1, reason="再次申诉的理由。")
    assert Appeal.objects.count() == 1
    a = Appeal.objects.get()
    svc.appeal_decide(appeal=a, by=staff["supervisor"], now=T1, uphold=False, note="驳回。")
    with pytest.raises(DomainError) as e:
        svc.appeal_decide(appeal=a, by=staff["supervisor"], now=T1, uphold=True, note="改判。")
    assert e.value.field == "decision"
    with pytest.raises(DomainError) as e:
        svc.appeal_decide(appeal=a, by=staff["supervisor"], now=T1, uphold=True, note="")


# ------------------------------------------------------------------------------------------------ who may act
def test_who_may_take_each_step(rect, depts, staff):
    head_b = make_staff("head_b", depts["b"], [R.HEAD])
    outsiders = [staff["handler_b"], head_b, staff["leader"], staff["admin"], staff["window"]]
    for who in outsiders:
        with pytest.raises(NotPermitted):
            svc.rectification_save(rectification=rect, by=who, now=T1, verification="x")
        with pytest.raises(NotPermitted):
            svc.rectification_submit(rectification=rect, by=who, now=T1, **WORK)
        with pytest.raises(NotPermitted):
            svc.rectification_appeal(rectification=rect, by=who, now=T1, reason="恶意差评理由。")
    with pytest.raises(NotPermitted):  # only the head appeals
        svc.rectification_appeal(rectification=rect, by=staff["handler"], now=T1, reason="恶意差评理由。")
    with pytest.raises(NotPermitted):  # the office reviews, it does not rectify
        svc.rectification_submit(rectification=rect, by=staff["supervisor"], now=T1, **WORK)
    # Assigned to another handler of the bureau: the first may no longer work on it; the head may.
    second = make_staff("handler_a2", depts["a"], [R.HANDLER])
    with pytest.raises(NotPermitted):
        svc.rectification_assign(rectification=rect, handler=second, by=staff["handler"], now=T1)
    for other in (staff["handler_b"], staff["handler_a1"], staff["window"]):
        with pytest.raises(DomainError) as e:
            svc.rectification_assign(rectification=rect, handler=other, by=staff["head"], now=T1)
        assert e.value.field == "handler"
    svc.rectification_assign(rectification=rect, handler=second, by=staff["head"], now=T1)
    with pytest.raises(NotPermitted):
        svc.rectification_save(rectification=rect, by=staff["handler"], now=T1, verification="x")
    svc.rectification_save(rectification=rect, by=staff["head"], now=T1, verification="负责人补充。")
    r = svc.rectification_submit(rectification=rect, by=second, now=T1, **WORK)
    for who in (staff["handler"], staff["head"], staff["leader"], staff["admin"], head_b):
        with pytest.raises(NotPermitted):
            svc.rectification_accept(rectification=r, by=who, now=T1)
        with pytest.raises(NotPermitted):
            svc.rectification_return(rectification=r, by=who, now=T1, note="退回。")
    assert Rectification.objects.get(pk=r.pk).status == "submitted"
    assert _kinds(r) == ["open", "assign", "save", "submit"]


def test_appeal_decisions_are_the_offices(rect, staff):
    a = svc.rectification_appeal(rectification=rect, by=staff["head"], now=T1, reason="恶意差评理由。")
    for who in ("handler", "head", "leader", "admin", "handler_b"):
        with pytest.raises(NotPermitted):
            svc.appeal_decide(appeal=a, by=staff[who], now=T1, uphold=True, note="作废。")
    assert Appeal.objects.get(pk=a.pk).decision == "pending"


def test_a_bad_rating_recorded_through_rating_record_is_rectified_end_to_end(contact, staff, calendar):
    """The contract with the rating service: `rating_record` opens the rectification of a bad rating (named: it
    must be called back); the department rectifies and the office accepts it on time."""
    from xiaoneng.ratings.services.rating import rating_record

    rated = at("2026-09-28 11:00")
    rating = rating_record(contact=contact, level=2, reasons=["poor-attitude"], comment="窗口人员态度生硬。",
                           channel="kiosk", rater_phone="13912345678", now=rated)
    r = Rectification.objects.get(rating=rating)
    assert r.status == "open" and r.department_id == contact.department_id and r.limit_wd == 10
    with pytest.raises(DomainError) as e:
        svc.rectification_submit(rectification=r, by=staff["handler"], now=at("2026-09-30 10:00"), **WORK)
    assert e.value.field == "callback_at"
    svc.rectification_submit(rectification=r, by=staff["handler"], now=at("2026-09-30 10:00"),
                             callback_at=at("2026-09-29 16:00"), callback_result="已致歉。", callback_reached=True,
                             **WORK)
    r = svc.rectification_accept(rectification=r, by=staff["supervisor"], now=at("2026-10-09 10:00"))
    assert r.on_time is True and r.closed_at == at("2026-10-09 10:00") and r.callback_reached
