"""SMS backends. The platform names one in XIAONENG_SMS_BACKEND (dotted path to a class with
`send(phone, text)`); a deployment plugs in its operator's gateway the same way. Console is the default."""

from __future__ import annotations

import sys
import threading

# Messages sent through LocmemBackend, for tests and demos (like Django's mail.outbox).
outbox: list[tuple[str, str]] = []
_lock = threading.Lock()


class ConsoleBackend:
    """Writes each SMS to standard output."""

    def send(self, phone: str, text: str) -> None:
        if not phone:
            raise ValueError("没有手机号码")
        sys.stdout.write(f"[SMS → {phone}] {text}\n")
        sys.stdout.flush()


class LocmemBackend:
    """Keeps messages in `xiaoneng.supervision.sms.outbox`."""

    def send(self, phone: str, text: str) -> None:
        if not phone:
            raise ValueError("没有手机号码")
        with _lock:
            outbox.append((phone, text))


class FileBackend:
    """Appends each SMS to `<XIAONENG_DATA_DIR>/outbox/sms.log` (the demo uses it: nothing printed, nothing lost)."""

    def send(self, phone: str, text: str) -> None:
        from django.conf import settings

        if not phone:
            raise ValueError("没有手机号码")
        path = settings.DATA_DIR / "outbox" / "sms.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, path.open("a", encoding="utf-8") as fh:
            fh.write(f"{phone}\t{text}\n")
