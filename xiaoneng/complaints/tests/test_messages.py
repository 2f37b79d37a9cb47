"""Notices to the complainant by SMS and e-mail (acceptance, refusal, transfer, the reply with its follow-up
link): sent once, never to an anonymous complainant, the recipient never visible to departments."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core import mail

from xiaoneng.complaints import services
from xiaoneng.complaints.models import ComplainantMessage, Status
from xiaoneng.core import sms
from xiaoneng.supervision.services import supervise_tick

from .conftest import LETTER, T0, TZ


def at(month, day, hour=10, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _outboxes(settings):
    settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.LocmemBackend"
    settings.XIAONENG_PUBLIC_URL = "https://xn.example.gov.cn"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_acceptance_notice_goes_by_sms_and_mail_once(submit, staff, django_capture_on_commit_callbacks):
    c = submit()
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    assert [p for p, _t in sms.outbox] == [LETTER["phone"]] and len(mail.outbox) == 1
    assert mail.outbox[0].to == [LETTER["email"]] and c.number in mail.outbox[0].subject
    assert "受理告知" in sms.outbox[0][1] and "https://xn.example.gov.cn/complaints/track/" in sms.outbox[0][1]
    rows = ComplainantMessage.objects.filter(complaint=c)
    assert sorted(rows.values_list("channel", "status")) == [("email", "sent"), ("sms", "sent")]
    # A resend (the tick's retry, a second call) never duplicates.
    assert services.complainant_messages_send(now=T0) == 0
    supervise_tick(now=at(3, 3))
    assert len(sms.outbox) == 1 and len(mail.outbox) == 1 and rows.count() == 2


@pytest.mark.parametrize("action", ["refuse", "transfer"])
def test_refusal_and_transfer_notices(submit, staff, action):
    c = submit()
    if action == "refuse":
        services.complaint_refuse(complaint=c, by=staff["supervisor"], now=T0, reason="not_in_scope",
                                  text="所反映事项不属于效能投诉受理范围。")
    else:
        services.complaint_transfer(complaint=c, by=staff["supervisor"], now=T0, authority="县纪委监委",
                                    text="反映的问题涉及违纪，依规移送。")
    assert services.complainant_messages_send(now=T0) == 2
    word = "不予受理告知" if action == "refuse" else "移送告知"
    assert word in sms.outbox[0][1] and word in mail.outbox[0].subject


def test_reply_carries_the_follow_up_link_which_is_erased_once_sent(dispatched, staff):
    d = dispatched.dispatches.get()
    services.dispatch_result(dispatch=d, by=staff["handler"], now=at(3, 3), outcome="substantiated",
                             findings="经核查情况属实，窗口人员拖延办理。", measures="批评教育并限期办结。")
    r = services.reply_draft(complaint=dispatched, by=staff["handler"], now=at(3, 4), text="经核查您反映的问题属实，已责令整改。")
    _r, token = services.reply_review(reply=r, by=staff["supervisor"], now=at(3, 5), approve=True)
    assert services.complainant_messages_send(now=at(3, 5)) == 4  # acceptance (queued earlier) + reply, 2 channels
    text = sms.outbox[-1][1]
    assert f"https://xn.example.gov.cn/complaints/follow-up/{token}/" in text and "已责令整改" in text
    stored = ComplainantMessage.objects.filter(complaint=dispatched).order_by("-id").first()
    assert token not in stored.body  # the one-time token is not kept in the database


def test_anonymous_complainants_are_never_contacted(submit, staff):
    c = submit(identity_mode="anonymous", name="")
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    assert services.complainant_messages_send(now=T0) == 0
    assert not ComplainantMessage.objects.filter(complaint=c).exists() and sms.outbox == [] and mail.outbox == []


def test_phone_only_complainant_gets_sms_only(submit, staff):
    c = submit(email="")
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    assert services.complainant_messages_send(now=T0) == 1 and len(sms.outbox) == 1 and mail.outbox == []


def test_a_refused_sms_is_kept_and_retried(submit, staff):
    from xiaoneng.complaints.models import ComplainantIdentity

    c = submit()
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)  # queued: SMS and e-mail
    ComplainantIdentity.objects.filter(complaint=c).update(phone="")  # the gateway refuses an empty number
    assert services.complainant_messages_send(now=T0) == 1  # the e-mail went
    m = ComplainantMessage.objects.get(complaint=c, channel="sms")
    assert m.status == "pending" and m.attempts == 1 and "手机号码" in m.error and sms.outbox == []
    ComplainantIdentity.objects.filter(complaint=c).update(phone=LETTER["phone"])
    assert services.complainant_messages_send(now=T0) == 1 and len(sms.outbox) == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize("role", ["handler", "head"])
def test_departments_never_see_the_recipient(dispatched, staff, client_as, role):
    services.complainant_messages_send(now=T0)
    assert ComplainantMessage.objects.filter(complaint=dispatched, status="sent").count() == 2
    body = client_as(role).get(f"/staff/complaints/{dispatched.number}/").content.decode()
    assert dispatched.number in body
    for secret in (LETTER["phone"], LETTER["email"], LETTER["name"]):
        assert secret not in body
    api = client_as(role).get(f"/api/v1/complaints/{dispatched.number}").content.decode()
    assert LETTER["phone"] not in api and LETTER["email"] not in api
    assert dispatched.status == Status.DISPATCHED


def test_notices_follow_the_complainants_language_and_rate_definitions_the_readers(submit, staff):
    from django.utils import translation

    from xiaoneng.complaints.models import TimelineEntry
    from xiaoneng.complaints.selectors import figures

    with translation.override("en"):  # submitted in English, accepted by a clerk working in Chinese
        c = submit()
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    with translation.override("en"):
        defs = figures(start=T0.date(), end=T0.date(), now=T0)["definitions"]
    text = TimelineEntry.objects.get(complaint=c, kind="accepted").public_text
    assert text.startswith("Notice of acceptance: ") and "March 2, 2026" in text
    assert defs["satisfaction_rate"].startswith("Satisfaction rate:")
    assert figures(start=T0.date(), end=T0.date(), now=T0)["definitions"]["satisfaction_rate"].startswith("满意率")
