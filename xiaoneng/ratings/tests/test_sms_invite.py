"""The SMS invitation to rate an ended case (issue 12 §1): once per case, in office hours only (the outbox's
caller decides), after the policy's delay, only with a phone and no rating yet; phones normalised; the
recipient masked in logs."""

from __future__ import annotations

import logging

import pytest

from xiaoneng.cases.models import Case
from xiaoneng.core import sms
from xiaoneng.core.outbox import SEND_ATTEMPTS, outbox_send_due
from xiaoneng.ratings.models import Channel, RatingLink, RatingPolicy
from xiaoneng.ratings.outbox import SOURCE, normalise_phone
from xiaoneng.ratings.services.rating import rating_record
from xiaoneng.supervision.services.notify import in_office_hours

from .conftest import at


@pytest.fixture(autouse=True)
def invitations_on(db):
    p = RatingPolicy.current()
    p.sms_invite = True
    p.save()
    return p


def send(now):
    return outbox_send_due(now=now, office_open=in_office_hours, sources=[SOURCE])


@pytest.mark.parametrize("raw,clean", [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"), ("+86-13812345678", "13812345678"), ("008613812345678", "13812345678"),
    ("8613812345678", "13812345678"), ("（138）1234-5678", "13812345678"), ("0571-88886666", ""), ("", ""),
    ("   ", ""), ("1381234567", ""), ("23812345678", ""),
])
def test_phones_are_normalised(raw, clean):
    assert normalise_phone(raw) == clean


def test_sent_once_in_office_hours_with_the_link_department_and_case_number(ended_case, settings):
    settings.XIAONENG_PUBLIC_URL = "https://xn.example.gov.cn"
    case = ended_case("SP-INV-1", ended="2026-09-30 10:00")  # a Wednesday
    Case.objects.filter(pk=case.pk).update(applicant_phone="+86 138-1234-5678")
    assert send(at("2026-09-30 14:00")) == 1
    link = RatingLink.objects.get(case=case)
    assert link.sms_sent_at == at("2026-09-30 14:00") and link.sms_attempts == 1
    (phone, text), = sms.outbox
    assert phone == "13812345678"
    assert f"https://xn.example.gov.cn/r/{link.token}/" in text and "SP-INV-1" in text
    assert case.department.name in text and "评价" in text
    assert send(at("2026-09-30 15:00")) == 0 and send(at("2026-10-09 10:00")) == 0
    assert len(sms.outbox) == 1


def test_not_at_night_nor_on_a_holiday_then_at_the_next_office_hours(ended_case):
    case = ended_case(ended="2026-09-30 17:20")
    assert send(at("2026-09-30 22:00")) == 0  # night
    assert send(at("2026-10-02 10:00")) == 0  # National Day
    assert not sms.outbox and not RatingLink.objects.filter(case=case, sms_sent_at__isnull=False).exists()
    assert send(at("2026-10-09 09:30")) == 1  # the next working day's office hours
    assert len(sms.outbox) == 1


def test_after_the_policys_delay(ended_case):
    p = RatingPolicy.current()
    p.sms_invite_after_days = 2
    p.save()
    ended_case(ended="2026-09-28 10:00")  # Monday
    assert send(at("2026-09-29 10:00")) == 0
    assert send(at("2026-09-30 09:59")) == 0
    assert send(at("2026-09-30 10:00")) == 1


def test_not_for_a_rated_case_nor_an_expired_link(ended_case):
    rated = ended_case("R1")
    rating_record(case=rated, level=5, channel=Channel.API, now=at("2026-09-30 11:00"))
    ended_case("R2", received="2026-08-03 09:00", ended="2026-08-04 10:00")  # 30 days passed by 09-30
    assert send(at("2026-09-30 14:00")) == 0
    assert not sms.outbox
    assert not RatingLink.objects.filter(sms_sent_at__isnull=False).exists()


@pytest.mark.parametrize("phone", ["", "   "])
def test_not_without_a_phone(ended_case, phone):
    case = ended_case()
    Case.objects.filter(pk=case.pk).update(applicant_phone=phone)
    assert send(at("2026-09-30 14:00")) == 0 and not sms.outbox
    assert not RatingLink.objects.filter(case=case, sms_attempts__gt=0).exists()


def test_a_landline_is_tried_once_and_left(ended_case):
    case = ended_case()
    Case.objects.filter(pk=case.pk).update(applicant_phone="0571-88886666")
    assert send(at("2026-09-30 14:00")) == 0
    link = RatingLink.objects.get(case=case)
    assert link.sms_sent_at is None and link.sms_attempts == SEND_ATTEMPTS and "手机号码" in link.sms_error
    assert "88886666" not in link.sms_error
    assert send(at("2026-09-30 15:00")) == 0 and not sms.outbox


class Refusing:
    def send(self, phone, text):
        raise RuntimeError(f"gateway refused {phone}")


def test_a_refused_invitation_is_retried_by_the_policy_and_logged_masked(ended_case, settings, caplog):
    settings.XIAONENG_SMS_BACKEND = "xiaoneng.ratings.tests.test_sms_invite.Refusing"
    case = ended_case()
    with caplog.at_level(logging.WARNING):
        for minute in range(SEND_ATTEMPTS + 2):
            send(at(f"2026-09-30 14:{minute:02d}"))
    link = RatingLink.objects.get(case=case)
    assert link.sms_attempts == SEND_ATTEMPTS and link.sms_sent_at is None
    assert "13812345678" not in link.sms_error and "13812345678" not in caplog.text
    assert "5678" in caplog.text


def test_none_while_the_office_has_not_turned_them_on(ended_case, invitations_on):
    ended_case()
    invitations_on.sms_invite = False
    invitations_on.save()
    assert send(at("2026-09-30 14:00")) == 0 and not sms.outbox and not RatingLink.objects.exists()


def test_the_loop_sends_it_with_the_other_sources(ended_case):
    ended_case()
    counts = {}
    outbox_send_due(now=at("2026-09-30 14:00"), office_open=in_office_hours, counts=counts)
    assert counts["rating_invite"] == 1
