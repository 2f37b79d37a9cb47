"""The one outbox (core/outbox.py) over the three tables of messages to people: staff notifications
(supervision), the applicant's SMS (cases) and notices to the complainant (complaints). One registry that
each app fills from its own ready(), one loop, one retry policy, office hours where they apply, and no full
phone number or e-mail address in a stored error or a log line — for every kind alike.

The failing backends are declared here and configured through the settings, as a deployment configures its
gateway and mail server."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend

from xiaoneng.cases.models import ApplicantMessage
from xiaoneng.complaints import services as cs
from xiaoneng.complaints.models import ComplainantMessage
from xiaoneng.complaints.tests.conftest import LETTER, T0, _media_and_limits, submit  # noqa: F401 - fixtures
from xiaoneng.core import sms
from xiaoneng.core.outbox import SEND_ATTEMPTS, MessageSource, outbox_register, outbox_sources
from xiaoneng.supervision.models import Channel, Notification
from xiaoneng.supervision.services import messages_send_due, supervise_tick

from .conftest import SECOND, at

STAFF_PHONE, STAFF_EMAIL = "13998765432", "wang.head@qingyuan.gov.cn"
HANDLER_PHONE, HANDLER_EMAIL = "13800000001", "handler_a@example.gov.cn"
APPLICANT_PHONE = "13812345678"  # the accepted_case fixture's applicant
COMPLAINANT_PHONE, COMPLAINANT_EMAIL = LETTER["phone"], LETTER["email"]
PHONES = (STAFF_PHONE, HANDLER_PHONE, APPLICANT_PHONE, COMPLAINANT_PHONE)
EMAILS = (STAFF_EMAIL, HANDLER_EMAIL, COMPLAINANT_EMAIL)
MORNING = at("2026-11-02 09:30")  # a Monday, in office hours
KINDS = ("staff", "applicant", "complainant")


class DownGateway:
    """An SMS gateway that is down and quotes the number it refused, as real ones do."""

    def send(self, phone: str, text: str) -> None:
        raise RuntimeError(f"gateway refused +86 {phone} ({phone[:3]}-{phone[3:7]}-{phone[7:]}): quota exceeded")


class DownMailServer(BaseEmailBackend):
    """A mail server refusing every recipient, quoting the address as SMTP servers do."""

    def send_messages(self, messages):
        to = messages[0].to[0]
        raise RuntimeError(f"550 5.1.1 <{to}>: Recipient address rejected: mailbox {to.split('@')[0]} unavailable")


def _leaks(text: str) -> list[str]:
    """The personal data of any recipient found in `text`, in the forms a backend writes it."""
    found = []
    for p in PHONES:
        found += [s for s in (p, f"{p[:3]}-{p[3:7]}-{p[7:]}", p[3:7] + "-" + p[7:], p[:7]) if s in text]
    for e in EMAILS:
        found += [s for s in (e, e.upper(), e.split("@")[0]) if s in text]  # nor the mailbox name alone
    return found


@pytest.fixture
def one_of_each(accepted_case, staff, submit):  # noqa: F811 - the complaints fixture
    """Messages of every kind waiting: staff e-mail and SMS about a yellow card (the handler and the head),
    the applicant's SMS of a deemed approval, a complainant's acceptance notice by SMS and e-mail. All
    recorded outside office hours, nothing tried yet."""
    for who, phone, email in (("handler", HANDLER_PHONE, HANDLER_EMAIL), ("head", STAFF_PHONE, STAFF_EMAIL)):
        staff[who].phone, staff[who].email = phone, email
        staff[who].save(update_fields=["phone", "email"])
    accepted_case()
    supervise_tick(now=at("2026-10-12 18:00"))  # a yellow card: its e-mails and SMS wait for office hours
    deemed = accepted_case("D1", code="MY001")
    supervise_tick(now=deemed.statutory_deadline + SECOND)  # deemed approved: the applicant's SMS waits
    c = submit()
    cs.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)  # queued (sent only after a commit)
    found = {
        "staff": Notification.objects.exclude(channel=Channel.IN_APP),
        "applicant": ApplicantMessage.objects.all(),
        "complainant": ComplainantMessage.objects.all(),
    }
    assert {r.channel for r in found["staff"]} == {"sms", "email"} and found["applicant"].count() == 1
    assert {r.channel for r in found["complainant"]} == {"sms", "email"}
    for qs in found.values():
        assert all(m.attempts == 0 and m.sent_at is None for m in qs)
    sms.outbox.clear()
    mail.outbox = []
    # These rows, read afresh on each call (later ticks may record messages of their own).
    pks = {kind: list(qs.values_list("pk", flat=True)) for kind, qs in found.items()}
    return lambda kind: list(found[kind].model.objects.filter(pk__in=pks[kind]).order_by("pk"))


@pytest.fixture
def down(settings):
    settings.XIAONENG_SMS_BACKEND = f"{__name__}.DownGateway"
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.DownMailServer"}}


def test_each_app_registered_its_source_once():
    from xiaoneng.cases.outbox import SOURCE as applicant
    from xiaoneng.cases.outbox import ApplicantMessages
    from xiaoneng.complaints.outbox import SOURCE as complainant
    from xiaoneng.ratings.outbox import SOURCE as rating_invite
    from xiaoneng.supervision.outbox import SOURCE as staff
    from xiaoneng.surveys.outbox import SOURCE as survey_invitation

    # Exactly these five, each the instance its app's ready() registered (in the order of INSTALLED_APPS).
    registered = {s.kind: s for s in outbox_sources()}
    assert len(outbox_sources()) == 5
    assert registered == {"applicant": applicant, "complainant": complainant, "staff": staff,
                          "rating_invite": rating_invite, "survey-invitation": survey_invitation}
    assert all(isinstance(s, MessageSource) for s in outbox_sources())
    before = outbox_sources()
    for s in (applicant, complainant, staff, rating_invite, survey_invitation):  # a ready() run twice in one process changes nothing
        outbox_register(s)
    assert outbox_sources() == before
    with pytest.raises(ImproperlyConfigured):  # a second source of a kind is a mistake, not a silent swap
        outbox_register(ApplicantMessages())
    with pytest.raises(ImproperlyConfigured):
        outbox_register(object())


def test_one_retry_policy_for_every_kind(one_of_each, down, caplog):
    """Five attempts, then the message is failed and tried no more — staff, applicant and complainant alike."""
    caplog.set_level(logging.WARNING)
    for i in range(SEND_ATTEMPTS):
        counts: dict[str, int] = {}
        assert messages_send_due(now=MORNING + i * SECOND, counts=counts) == 0
        assert counts == {"applicant": 0, "complainant": 0, "staff": 0, "rating_invite": 0, "survey-invitation": 0}
        for kind in KINDS:
            assert {m.attempts for m in one_of_each(kind)} == {i + 1}, kind
    for kind in KINDS:
        assert all(m.sent_at is None and m.error for m in one_of_each(kind)), kind
    assert {m.status for m in one_of_each("applicant")} == {ApplicantMessage.Status.FAILED}
    assert {m.status for m in one_of_each("complainant")} == {ComplainantMessage.MessageStatus.FAILED}
    # (A notification has no status: failed is its attempts used up, so it is no longer due.)
    messages = sum(len(one_of_each(kind)) for kind in KINDS)
    assert caplog.text.count("given up") == messages  # each message's last attempt says so
    messages_send_due(now=MORNING + 10 * SECOND)  # the worker's next run: nothing more is tried
    for kind in KINDS:
        assert {m.attempts for m in one_of_each(kind)} == {SEND_ATTEMPTS}, kind
    assert sms.outbox == [] and mail.outbox == []


def test_no_stored_error_or_log_line_holds_a_recipient(one_of_each, down, caplog):
    caplog.set_level(logging.DEBUG)
    messages_send_due(now=MORNING)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for kind in KINDS:
        for m in one_of_each(kind):
            # The office still learns why, and which channel; never to whom.
            assert "RuntimeError" in m.error and ("quota exceeded" in m.error or "550" in m.error), (kind, m.error)
            assert _leaks(m.error) == [], (kind, m.error)
            assert f"{kind} message {m.pk} to " in logged, kind
    assert _leaks(logged) == [], logged
    assert "*******5678" in logged and "z***@***.com" in logged  # masked, enough to tell test numbers apart


def test_office_hours_hold_staff_and_applicant_messages_not_complainant_notices(one_of_each):
    evening = at("2026-11-02 19:00")
    r = supervise_tick(now=evening)
    # Complainant notices do not wait (as before the outbox: they go right after the act, retried any time).
    assert r.complainant_messages_sent == 2 and r.notifications_sent == 0 and not r.in_office_hours
    assert [p for p, _t in sms.outbox] == [COMPLAINANT_PHONE] and [m.to for m in mail.outbox] == [[COMPLAINANT_EMAIL]]
    for kind in ("staff", "applicant"):
        assert all(m.attempts == 0 and m.sent_at is None for m in one_of_each(kind)), kind
    assert messages_send_due(now=at("2026-11-07 10:00")) == 0  # Saturday
    assert all(m.attempts == 0 for m in one_of_each("staff") + one_of_each("applicant"))
    r = supervise_tick(now=at("2026-11-03 09:00"))  # the next morning
    assert r.in_office_hours and r.complainant_messages_sent == 0
    assert {m.status for m in one_of_each("applicant")} == {ApplicantMessage.Status.SENT}
    assert all(m.sent_at is not None and m.attempts == 1 for m in one_of_each("staff"))
    assert r.notifications_sent >= len(one_of_each("staff")) + 1  # staff e-mail and SMS, the applicant's SMS
    assert APPLICANT_PHONE in [p for p, _t in sms.outbox] and "发送" in r.summary()
