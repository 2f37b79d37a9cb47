"""Facts about the HTTP request that several apps need, decided once."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind our own reverse proxy (XIAONENG_BEHIND_PROXY) the last
    X-Forwarded-For hop, which that proxy appended and a client cannot forge."""
    if request is None:
        return None
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:45] or None
    return request.META.get("REMOTE_ADDR") or None
