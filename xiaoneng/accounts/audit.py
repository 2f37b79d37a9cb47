"""Log-ins, log-outs, failed log-ins, lock-outs and password changes into the security audit trail
(accounts.AuditEvent). Django and django-axes announce these with signals, the only place every path
that signs someone in passes (our log-in page, the Django admin's, a future SSO backend); AccountsConfig
connects them explicitly in ready(). Everything else is audited by the accounts services themselves."""

from __future__ import annotations

from django.utils import timezone

from xiaoneng.core.request import client_ip

from .models import AuditEvent
from .services import audit_record


def on_logged_in(sender, request, user, **kwargs) -> None:
    audit_record(kind=AuditEvent.Kind.LOGIN, now=timezone.now(), actor=user, target=user.username,
                 ip=client_ip(request))


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # a log-out without a session: nothing to record
        return
    audit_record(kind=AuditEvent.Kind.LOGOUT, now=timezone.now(), actor=user, target=user.username,
                 ip=client_ip(request))


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The name typed, never the password (Django already strips it from `credentials`).
    tried = str(credentials.get("username") or "")[:150]
    audit_record(kind=AuditEvent.Kind.LOGIN_FAILED, now=timezone.now(), actor_name=tried, target=tried,
                 ip=client_ip(request))


def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    audit_record(kind=AuditEvent.Kind.LOCKED_OUT, now=timezone.now(), actor_name=str(username or "")[:150],
                 target=str(username or "")[:150], ip=ip_address or client_ip(request),
                 detail="连续登录失败次数达到上限")


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_logged_in, dispatch_uid="xiaoneng-audit-login")
    user_logged_out.connect(on_logged_out, dispatch_uid="xiaoneng-audit-logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="xiaoneng-audit-login-failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="xiaoneng-audit-locked-out")
