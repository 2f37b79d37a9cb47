"""API authentication: bearer tokens of department systems, or a signed-in staff session (with CSRF)."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from xiaoneng.accounts.models import ApiClient
from xiaoneng.accounts.selectors import api_client_by_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        client = api_client_by_token(token)
        if client is None:
            return None
        now = timezone.now()
        # Record use at most once a minute: a bulk push must not turn into a write per request.
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        request.api_client = client
        return client


class StaffSession(SessionAuth):
    """A signed-in, active staff member (CSRF-checked by ninja for unsafe methods)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and user.is_active:
            request.api_client = None
            return user
        return None


bearer = BearerToken()
staff_session = StaffSession()
token_or_session = [bearer, staff_session]
