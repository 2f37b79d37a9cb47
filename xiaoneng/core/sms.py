"""The platform's SMS: the one resolver of the configured backend (`sms_backend`) for every app that texts
someone (staff notifications, applicants, complainants: all through the outbox, core/outbox.py), and the
backends shipped with the platform. A deployment names its operator's gateway in XIAONENG_SMS_BACKEND (dotted
path to a class with `send(phone, text)`, raising when the gateway refuses); Console is the default.

The backends lived in xiaoneng.supervision.sms until issue 11; that path still resolves (a thin alias), since
a deployment's environment may name it."""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.utils.module_loading import import_string

from .masking import mask_links, mask_personal_data, mask_recipient

__all__ = ["DEFAULT_BACKEND", "ConsoleBackend", "FileBackend", "LocmemBackend", "mask_recipient", "outbox",
           "sms_backend"]

DEFAULT_BACKEND = "xiaoneng.core.sms.ConsoleBackend"

# Messages sent through LocmemBackend, for tests and demos (like Django's mail.outbox).
outbox: list[tuple[str, str]] = []
_lock = threading.Lock()
log = logging.getLogger("xiaoneng.sms")


def sms_backend():
    """A new instance of the configured SMS backend."""
    return import_string(getattr(settings, "XIAONENG_SMS_BACKEND", DEFAULT_BACKEND))()


class ConsoleBackend:
    """Sends nothing: writes each SMS to the server log (logger "xiaoneng.sms", level WARNING, so an operator
    sees that SMS are not being delivered). The recipient is masked to its last four digits and the text to
    what a log may hold: phone numbers, ID numbers, e-mail addresses and names masked, and the secret part of
    tracking and follow-up links (the tracking code, the one-time token) removed — whoever reads the log could
    otherwise read and withdraw the complaint."""

    def send(self, phone: str, text: str) -> None:
        if not phone:
            raise ValueError("没有手机号码")
        log.warning("短信（控制台后端，未实际发送）→ %s：%s", mask_recipient(phone),
                    mask_personal_data(mask_links(text), contacts=[phone]))


class LocmemBackend:
    """Keeps messages in `xiaoneng.core.sms.outbox`."""

    def send(self, phone: str, text: str) -> None:
        if not phone:
            raise ValueError("没有手机号码")
        with _lock:
            outbox.append((phone, text))


class FileBackend:
    """Appends each SMS to `<XIAONENG_DATA_DIR>/outbox/sms.log` (the demo uses it: nothing printed, nothing lost).

    It stands in for the operator's gateway, so it holds what a gateway would receive, in full: the demo's
    visitor follows a tracking link from it as a citizen would from the SMS. Not for production data; the file
    is readable by the platform's own account only (0600), like the secret key beside it."""

    def send(self, phone: str, text: str) -> None:
        if not phone:
            raise ValueError("没有手机号码")
        path = settings.DATA_DIR / "outbox" / "sms.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write(f"{phone}\t{text}\n")
