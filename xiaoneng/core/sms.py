"""The platform's SMS backend, resolved in one place for every app that texts someone (staff notifications,
applicants, complainants). The backends themselves live in xiaoneng.supervision.sms; a deployment names its
operator's gateway in XIAONENG_SMS_BACKEND (dotted path to a class with `send(phone, text)`)."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "xiaoneng.supervision.sms.ConsoleBackend"


def sms_backend():
    """A new instance of the configured SMS backend."""
    return import_string(getattr(settings, "XIAONENG_SMS_BACKEND", DEFAULT_BACKEND))()
