"""Request hygiene shared by every page and endpoint."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse

_TEXT_TYPES = ("application/json", "application/x-ndjson", "application/x-www-form-urlencoded", "text/")
_MESSAGE = "请求中包含不允许的空字符（NUL，\\u0000），请删除后重试。"


class RejectNulBytesMiddleware:
    """Refuse text input containing NUL characters with a readable 400.

    PostgreSQL cannot store NUL in text columns, so such input would otherwise reach the database and fail
    there as a 500; SQLite would store it silently. No legitimate form, query or JSON text carries NUL.
    File uploads (multipart) are left alone: binary files contain NUL bytes legitimately.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith(("/api/", "/open311/")):
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
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH") and content_type.startswith(_TEXT_TYPES):
            body = request.body
            return b"\x00" in body or b"\\u0000" in body or b"%00" in body
        return False
