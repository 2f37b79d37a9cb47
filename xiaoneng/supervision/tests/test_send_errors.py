"""A refused SMS or e-mail leaves no personal data behind: gateways and mail servers quote the number or
address they refused, and the message tables (ApplicantMessage, Notification) and the logs keep the error
for the office — with the recipient masked. (Complainant notices: complaints/tests/test_message_page.py.)"""

from __future__ import annotations

import logging

import pytest

from xiaoneng.cases.models import ApplicantMessage
from xiaoneng.core import sms
from xiaoneng.supervision.models import Channel, Notification, NotificationKind
from xiaoneng.supervision.services import SEND_ATTEMPTS, messages_send_due, supervise_tick

from .conftest import SECOND, at

PHONE = "13812345678"  # the accepted_case fixture's applicant
STAFF_PHONE = "13998765432"


class QuotingBackend:
    """A gateway that is down and says which number it refused, as real ones do."""

    def send(self, phone: str, text: str) -> None:
        raise RuntimeError(f"gateway refused +86 {phone} ({phone[:3]}-{phone[3:7]}-{phone[7:]}): quota exceeded")


@pytest.fixture(autouse=True)
def _quoting(settings):
    settings.XIAONENG_SMS_BACKEND = f"{__name__}.QuotingBackend"
    sms.outbox.clear()


def test_a_refused_applicant_sms_keeps_the_error_without_the_phone(accepted_case, caplog):
    c = accepted_case(code="MY001")
    supervise_tick(now=c.statutory_deadline + SECOND)  # deemed approved: the applicant's SMS is recorded
    morning = at("2026-11-02 09:30")
    with caplog.at_level(logging.WARNING, logger="xiaoneng.supervision.services"):
        for i in range(SEND_ATTEMPTS):
            messages_send_due(now=morning + i * SECOND)
    m = ApplicantMessage.objects.get(case=c)
    assert m.status == ApplicantMessage.Status.FAILED and m.attempts == SEND_ATTEMPTS
    assert "RuntimeError" in m.error and "quota exceeded" in m.error  # the office still learns why
    for text in [m.error, caplog.text]:
        assert PHONE not in text and "1234-5678" not in text and "8123456" not in text
    assert caplog.records  # the failure was logged (masked)


def test_a_refused_staff_sms_keeps_the_error_without_the_number(accepted_case, staff, caplog):
    head = staff["head"]
    head.phone = STAFF_PHONE
    head.save(update_fields=["phone"])
    accepted_case()
    supervise_tick(now=at("2026-10-12 17:31"))  # a yellow card: its notifications are recorded
    n = Notification.objects.filter(kind=NotificationKind.WARNING_ISSUED).first()
    sms_note, _new = Notification.objects.get_or_create(  # the SMS copy to the head (if settings sent none)
        recipient=head, warning=n.warning, kind=NotificationKind.WARNING_ISSUED, channel=Channel.SMS,
        defaults={"subject": n.subject, "body": n.body, "created_at": n.created_at},
    )
    with caplog.at_level(logging.WARNING, logger="xiaoneng.supervision.services"):
        messages_send_due(now=at("2026-10-13 09:30"))
    sms_note.refresh_from_db()
    assert sms_note.sent_at is None and sms_note.attempts == 1 and "quota exceeded" in sms_note.error
    for text in [sms_note.error, caplog.text]:
        assert STAFF_PHONE not in text and "9876-5432" not in text


def test_the_demo_sms_file_is_readable_by_the_platform_only(settings, tmp_path):
    """The demo's stand-in gateway keeps whole numbers and links (a visitor follows them as a citizen would):
    the file is created 0600, like the secret key beside it."""
    import stat

    from xiaoneng.core.sms import FileBackend

    settings.DATA_DIR = tmp_path
    FileBackend().send("13912345678", "测试短信")
    path = tmp_path / "outbox" / "sms.log"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == "13912345678\t测试短信\n"
