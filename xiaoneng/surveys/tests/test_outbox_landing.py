"""Invitation codes by SMS through the platform's outbox (office hours, phone erased once sent) and the
supervisor's landing panel."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from xiaoneng.core import sms
from xiaoneng.core.outbox import outbox_send_due
from xiaoneng.surveys import services
from xiaoneng.surveys.landing import supervisor_surveys
from xiaoneng.surveys.models import InvitationMessage
from xiaoneng.surveys.outbox import SOURCE
from xiaoneng.surveys.testing import build_survey, full_answers

from .conftest import T0

TZ = ZoneInfo("Asia/Shanghai")


def test_invitation_sms_waits_for_office_hours_and_forgets_the_phone(survey, staff, settings):
    settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.LocmemBackend"
    sms.outbox.clear()
    codes = services.invitation_codes_send(survey=survey, group="enterprises", phones=["13912345678"],
                                           by=staff["supervisor"], now=T0, link="https://example.org/s/")
    night = datetime(2026, 3, 10, 22, 0, tzinfo=TZ)
    assert outbox_send_due(now=night, office_open=lambda t: False, sources=[SOURCE]) == 0
    assert outbox_send_due(now=T0, office_open=lambda t: True, sources=[SOURCE]) == 1
    phone, text = sms.outbox[-1]
    assert phone == "13912345678" and codes[0].code in text and "2026-03-31 18:00" in text
    m = InvitationMessage.objects.get()
    assert m.status == "sent" and m.phone == ""
    assert outbox_send_due(now=T0, office_open=lambda t: True, sources=[SOURCE]) == 0


def test_supervisor_panel_counts_open_surveys_and_todays_responses(staff, depts):
    now = timezone.now()
    s = build_survey(by=staff["supervisor"], departments=[depts["a"]], opens_at=now - timedelta(days=1),
                     closes_at=now + timedelta(days=3), now=now - timedelta(days=2))
    services.response_submit(survey=s, answers=full_answers(s, {depts["a"].pk: 4}), group="public", now=now)
    panel = supervisor_surveys(staff["supervisor"], now=now)
    tiles = {t["key"]: t["value"] for t in panel["tiles"]}
    assert tiles == {"open": 1, "today": 1}
    assert panel["rows"][0]["text"] == s.title


def test_supervisor_lands_on_the_panel(client_as, staff, depts):
    now = timezone.now()
    build_survey(by=staff["supervisor"], departments=[depts["a"]], opens_at=now - timedelta(days=1),
                 closes_at=now + timedelta(days=3), now=now - timedelta(days=2), title="本季度窗口服务评议")
    body = client_as("supervisor").get("/staff/").content.decode()
    assert "民主评议" in body and "本季度窗口服务评议" in body
