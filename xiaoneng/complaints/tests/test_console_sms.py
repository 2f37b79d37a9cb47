"""The console SMS backend (the default when no gateway is configured) writes to the server log: never a
complainant's phone number, nor the secret part of their tracking or follow-up link (issue 9 item 13)."""

from __future__ import annotations

import logging

import pytest

from xiaoneng.complaints import services
from xiaoneng.core import sms

from .conftest import LETTER, T0

PHONE = LETTER["phone"]  # 13912345678


@pytest.fixture(autouse=True)
def _console(settings):
    settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.ConsoleBackend"
    settings.XIAONENG_PUBLIC_URL = "https://xn.example.gov.cn"


def _logged(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "xiaoneng.sms")


def test_console_backend_masks_phone_and_link_secrets(caplog):
    caplog.set_level(logging.WARNING, logger="xiaoneng.sms")
    sms.ConsoleBackend().send("+86 139-1234-5678", "【效能办】您的投诉（编号 TS2026-000001）已受理。请拨打139 1234 5678联系。"
                          " 查询办理进度：https://xn.example.gov.cn/complaints/track/QWERTYUIOPASDFGH/"
                          " 请对答复作出评价：https://xn.example.gov.cn/complaints/follow-up/tok_EN-abc123XYZ/")
    text = _logged(caplog)
    assert "未实际发送" in text and "TS2026-000001" in text and "*******5678" in text
    for secret in ("13912345678", "139-1234", "139 1234", "QWERTYUIOPASDFGH", "tok_EN-abc123XYZ"):
        assert secret not in text, secret
    assert "/complaints/track/***/" in text and "/complaints/follow-up/***/" in text


def test_mask_recipient():
    assert sms.mask_recipient("13912345678") == "*******5678"
    assert sms.mask_recipient("１３９１２３４５６７８") == "*******5678"
    assert sms.mask_recipient("123") == "***" and sms.mask_recipient("") == "***"


def test_complainant_notices_through_the_console_leave_no_phone_or_code_in_the_log(caplog, capsys, submit, staff):
    caplog.set_level(logging.DEBUG)
    c = submit()
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    assert services.complainant_messages_send(now=T0) == 2
    out, err = capsys.readouterr()  # what a server writing its output to its log file would keep
    everything = "\n".join(r.getMessage() for r in caplog.records) + out + err
    for secret in (PHONE, PHONE[:7], c.tracking_code):
        assert secret not in everything, secret
    assert c.number in _logged(caplog)
