"""The office's page of notices sent to the complainant (SMS, e-mail): status, channel, attempts, errors without
the recipient, and "retry now" for failed ones — supervisors only; departments get 404, every role tried."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from xiaoneng.complaints import services
from xiaoneng.complaints.models import ComplainantMessage, IdentityAccess, TimelineEntry
from xiaoneng.core import sms

from .conftest import LETTER, T0

FAILING = {"on": True}


class FlakyBackend:
    """An SMS gateway that is down while FAILING["on"], quoting the number it refused (as real ones do)."""

    def send(self, phone: str, text: str) -> None:
        if FAILING["on"]:
            raise RuntimeError(f"gateway refused {phone}: service unavailable")
        sms.outbox.append((phone, text))


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.XIAONENG_SMS_BACKEND = f"{__name__}.FlakyBackend"
    FAILING["on"] = True
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def failed(dispatched):
    """The acceptance notice of a dispatched complaint: e-mail sent, SMS failed after every automatic attempt."""
    for _ in range(services.MESSAGE_MAX_ATTEMPTS):
        services.complainant_messages_send(now=T0)
    m = ComplainantMessage.objects.get(complaint=dispatched, channel="sms")
    assert m.status == "failed" and m.attempts == services.MESSAGE_MAX_ATTEMPTS
    return m


def url(m, retry=False):
    base = f"/staff/complaints/{m.complaint.number}/messages/"
    return f"{base}{m.pk}/retry/" if retry else base


def test_the_error_is_stored_without_the_recipient(failed):
    assert "gateway refused" in failed.error and LETTER["phone"] not in failed.error
    assert ComplainantMessage.objects.get(complaint=failed.complaint, channel="email").status == "sent"


def test_supervisor_sees_channel_and_status_never_the_recipient(client_as, failed):
    # A row stored before errors were scrubbed still shows no number.
    ComplainantMessage.objects.filter(pk=failed.pk).update(error=f"refused {LETTER['phone']} / {LETTER['email']}")
    reads = IdentityAccess.objects.count()
    r = client_as("supervisor").get(url(failed))
    assert r.status_code == 200
    body = r.content.decode()
    assert "短信" in body and "电子邮件" in body and "发送失败" in body and "已发送" in body and "受理" in body
    for secret in (LETTER["phone"], LETTER["email"], LETTER["name"], LETTER["address"], failed.complaint.tracking_code):
        assert secret not in body
    assert "您的投诉" not in body  # nor the notice's text
    assert body.count('data-testid="retry"') == 1  # only the failed one can be retried
    assert IdentityAccess.objects.count() == reads  # nothing identifying was shown, so no read to record
    detail = client_as("supervisor").get(f"/staff/complaints/{failed.complaint.number}/").content.decode()
    assert url(failed) in detail and "1 条发送失败" in detail


def test_retry_now_sends_a_failed_message_once(client_as, failed):
    FAILING["on"] = False
    c = client_as("supervisor")
    r = c.post(url(failed, retry=True))
    assert r.status_code == 302 and r["Location"] == url(failed)
    failed.refresh_from_db()
    assert failed.status == "sent" and failed.attempts == services.MESSAGE_MAX_ATTEMPTS + 1 and failed.error == ""
    assert sms.outbox == [(LETTER["phone"], sms.outbox[0][1])] and failed.complaint.number in sms.outbox[0][1]
    entry = TimelineEntry.objects.get(complaint=failed.complaint, kind="message_retried")
    assert not entry.public and entry.actor.username == "supervisor" and "已发送" in entry.detail
    # A second click finds nothing to retry: a readable error, no second SMS.
    r = c.post(url(failed, retry=True), follow=True)
    assert r.status_code == 200 and "只有发送失败的通知可以重发" in r.content.decode() and len(sms.outbox) == 1


def test_retry_that_fails_again_stays_failed(client_as, failed):
    r = client_as("supervisor").post(url(failed, retry=True), follow=True)
    assert "重发仍未成功" in r.content.decode()
    failed.refresh_from_db()
    assert failed.status == "failed" and failed.attempts == services.MESSAGE_MAX_ATTEMPTS + 1
    assert LETTER["phone"] not in failed.error and sms.outbox == []


def test_retry_needs_post_and_csrf(staff, failed):
    c = Client(enforce_csrf_checks=True)
    c.force_login(staff["supervisor"])
    assert c.get(url(failed, retry=True)).status_code == 405
    assert c.post(url(failed, retry=True)).status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed" and failed.attempts == services.MESSAGE_MAX_ATTEMPTS


def test_retry_of_another_complaints_message_is_404(client_as, failed, submit):
    other = submit(phone="13900000123")
    r = client_as("supervisor").post(f"/staff/complaints/{other.number}/messages/{failed.pk}/retry/")
    assert r.status_code == 404


@pytest.mark.parametrize("role,status", [
    ("window", 404), ("handler", 404), ("handler_a1", 404), ("head", 404), ("handler_b", 404),
    ("leader", 403), ("admin", 403), ("anonymous", 302), ("supervisor", 200),
])
def test_page_and_retry_for_every_role(client, staff, failed, role, status):
    FAILING["on"] = False
    if role != "anonymous":
        client.force_login(staff[role])
    page = client.get(url(failed))
    assert page.status_code == status
    if status == 302:
        assert "/accounts/login/" in page["Location"]
    if status in (403, 404):
        body = page.content.decode()
        assert "发送失败" not in body and LETTER["phone"] not in body
    retry = client.post(url(failed, retry=True))
    assert retry.status_code == (302 if role in ("supervisor", "anonymous") else status)
    failed.refresh_from_db()
    assert (failed.status == "sent") == (role == "supervisor")
    assert (len(sms.outbox) == 1) == (role == "supervisor") and len(mail.outbox) == 1
