"""The SMS backends beside their resolver (core/sms.py), the old dotted path a deployment may still name, and
the masking of a recipient for a log line."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from xiaoneng.core import sms
from xiaoneng.core.masking import mask_recipient


def test_the_default_backend_is_cores_console():
    assert sms.DEFAULT_BACKEND == "xiaoneng.core.sms.ConsoleBackend"
    assert import_string(sms.DEFAULT_BACKEND) is sms.ConsoleBackend


def test_the_old_supervision_path_still_names_the_same_backends(settings):
    """XIAONENG_SMS_BACKEND=xiaoneng.supervision.sms.… in a deployment's environment keeps working."""
    from xiaoneng.supervision import sms as old

    for name in ("ConsoleBackend", "LocmemBackend", "FileBackend"):
        assert import_string(f"xiaoneng.supervision.sms.{name}") is getattr(sms, name)
    assert old.outbox is sms.outbox
    settings.XIAONENG_SMS_BACKEND = "xiaoneng.supervision.sms.LocmemBackend"
    sms.outbox.clear()
    sms.sms_backend().send("13912345678", "测试")
    assert sms.outbox == [("13912345678", "测试")]
    sms.outbox.clear()


def test_settings_name_the_core_path_by_default():
    import os

    if "XIAONENG_SMS_BACKEND" not in os.environ:
        assert settings.XIAONENG_SMS_BACKEND == "xiaoneng.core.sms.ConsoleBackend"


def test_mask_recipient_phones_and_addresses():
    assert mask_recipient("13912345678") == "*******5678"
    assert mask_recipient("+86 139-1234-5678") == "*********5678"
    assert mask_recipient("zhang@example.com") == "z***@***.com"
    assert mask_recipient("zhang＠example.com") == "z***@***.com"
    assert mask_recipient("x@localhost") == "x***@***"
    for value in ("13912345678", "zhang@example.com"):
        assert value not in mask_recipient(value)
    assert mask_recipient("") == "***"
