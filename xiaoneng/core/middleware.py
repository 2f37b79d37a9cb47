"""Request hygiene shared by every page and endpoint: body size caps, NUL refusal, private answers uncached."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

_TEXT_TYPES = ("application/json", "application/x-ndjson", "application/x-www-form-urlencoded", "text/")
_JSON_TYPES = ("application/json", "application/x-ndjson", "application/jsonl", "application/x-jsonlines",
               "application/json-seq")
_MESSAGE = "请求中包含不允许的空字符（NUL，\\u0000），请删除后重试。"
# A JSON escape \u0000 is a NUL once decoded, unless its backslash is itself escaped ("\\u0000" is text).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_API_PREFIXES = ("/api/", "/open311/")


def is_api_path(path: str) -> bool:
    """Under /api and /open311 every answer, refusals included, is JSON."""
    return path.startswith(_API_PREFIXES)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def body_limit(path: str) -> int:
    """The most bytes a request body to `path` may have (settings.XIAONENG_BODY_LIMITS, else the default)."""
    for pattern, limit in settings.XIAONENG_BODY_LIMITS:
        if re.match(pattern, path):
            return limit
    return settings.XIAONENG_MAX_BODY_BYTES


def too_large_response(request, limit: int):
    """413 saying how much this address takes: JSON under /api and /open311, a readable page elsewhere."""
    if is_api_path(request.path_info):
        message = f"请求体过大：此接口每次最多接受 {_megabytes(limit)}，请压缩附件或分批提交。"
        return JsonResponse({"error": message, "code": "payload_too_large", "limit_bytes": limit}, status=413,
                            json_dumps_params={"ensure_ascii": False})
    message = _("提交的内容超过 %(limit)s，未被接受。请压缩附件、减少文件数量后重试。") % {"limit": _megabytes(limit)}
    return render(request, "core/error.html", {"status": 413, "title": _("提交的内容过大"), "message": message},
                  status=413)


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body exceeds its path's cap with 413, before anything reads it.

    Django alone answers an oversize body with its generic 400 page wherever the body is first read (here,
    in the NUL check), which tells an API client nothing. The caps are per path (settings): the bulk
    case-event endpoint takes batches of 10,000 events, complaint forms take evidence files, everything else
    a small form or JSON document. A WSGI body is never longer than its Content-Length, so checking the
    header bounds what is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        limit = body_limit(request.path_info)
        if length > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """Refuse text input containing NUL characters with a readable 400.

    PostgreSQL cannot store NUL in text columns, so such input would otherwise reach the database and fail
    there as a 500; SQLite would store it silently. No legitimate form, query or JSON text carries NUL.
    Only a real NUL is refused, as it reads once decoded: a raw NUL byte, "%00" in a form-encoded body (the
    encoding of NUL), a JSON escape \\u0000. The three characters "%00" typed in JSON text are text.
    File uploads (multipart) are left alone: binary files contain NUL bytes legitimately (and Django's form
    CharFields refuse NUL in the text fields of a multipart form).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            has_nul = self._has_nul(request)
        except RequestDataTooBig:
            return too_large_response(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if has_nul:
            if is_api_path(request.path):
                return JsonResponse({"error": _MESSAGE, "code": "invalid"}, status=400)
            return HttpResponseBadRequest(_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        for values in request.GET.lists():
            if "\x00" in values[0] or any("\x00" in v for v in values[1]):
                return True
        content_type = request.META.get("CONTENT_TYPE", "").lower()
        if request.method in ("POST", "PUT", "PATCH") and content_type.startswith(_TEXT_TYPES):
            body = request.body
            if b"\x00" in body:
                return True
            if content_type.startswith("application/x-www-form-urlencoded"):
                return b"%00" in body
            if content_type.startswith(_JSON_TYPES):
                return b"\\u0000" in body and _JSON_NUL.search(body) is not None
        return False


class PrivateAnswersMiddleware:
    """`Cache-Control: no-store, private` on every answer that may carry personal data, so that neither a
    shared proxy nor the browser's disk cache keeps ID numbers, phone numbers or complaint texts.

    Private: every staff and account page, a complainant's own tracking and follow-up pages, every answer to
    an authenticated request (a bearer token, or a signed-in session, on any path), and every answer to a
    write under /api and /open311 (it may carry a tracking code). Public pages and static files read by the
    anonymous public stay cacheable."""

    PRIVATE_PREFIXES = ("/staff/", "/accounts/", "/admin/", "/complaints/track/", "/complaints/follow-up/",
                        "/complaints/submitted/")
    PUBLIC_PREFIXES = ("/static/", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._private(request):
            response.headers["Cache-Control"] = "no-store, private"
            response.headers["Pragma"] = "no-cache"  # HTTP/1.0 caches
        return response

    def _private(self, request) -> bool:
        path = request.path_info
        if path.startswith(self.PUBLIC_PREFIXES):
            return False
        if path.startswith(self.PRIVATE_PREFIXES) or "HTTP_AUTHORIZATION" in request.META:
            return True
        if is_api_path(path) and request.method not in ("GET", "HEAD", "OPTIONS"):
            return True
        # A signed-in person's view of a page that looked at who they are (the page shell always does) shows
        # it. Django caches the user on the request once read; an answer that never read it (a public API
        # list) is the same for everyone, and checking here would cost it two queries.
        user = getattr(request, "_cached_user", None)
        return user is not None and user.is_authenticated
