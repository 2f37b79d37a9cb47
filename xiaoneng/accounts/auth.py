"""API authentication: bearer tokens of department systems, or a signed-in staff session (with CSRF).

A request that carries an Authorization header is judged by it alone: a revoked, unknown or malformed token
is a 401 naming the token problem, never a fall-through to the session (where a POST would meet the CSRF
check and answer a misleading 403, and a browser's cookie could stand in for a dead token)."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from xiaoneng.accounts.models import ApiClient
from xiaoneng.accounts.selectors import api_client_by_token
from xiaoneng.core.api_errors import Unauthorized

TOKEN_REJECTED = "访问令牌无效或已被吊销：请检查 Authorization: Bearer 后的令牌，或向系统管理员申请新的令牌。"


class BearerToken(HttpBearer):
    """A department system's token (`Authorization: Bearer <token>`); any Authorization header is final."""

    def __call__(self, request):
        header = request.headers.get(self.header, "").strip()
        if not header:
            return None  # no credentials sent: the session may speak
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            raise Unauthorized("Authorization 请求头只接受 Bearer 令牌，格式为 Authorization: Bearer <令牌>。",
                               code="unsupported_scheme")
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token: str):
        if not token:
            raise Unauthorized("Authorization 请求头缺少令牌，格式为 Authorization: Bearer <令牌>。", code="token_missing")
        client = api_client_by_token(token)
        if client is None:
            raise Unauthorized(TOKEN_REJECTED, code="token_invalid")
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
