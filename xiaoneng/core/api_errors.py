"""Turn domain errors and validation failures into readable JSON answers for every NinjaAPI we mount."""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from xiaoneng.core.errors import DomainError

_FIELD_MESSAGES = {
    "missing": "缺少必填参数",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "int_parsing": "应为整数",
}


def _describe(err: dict) -> dict:
    loc = [str(p) for p in err.get("loc", []) if p not in ("query", "body", "path", "form")]
    field = ".".join(loc) or None
    kind = err.get("type", "")
    msg = _FIELD_MESSAGES.get(kind) or err.get("msg", "输入无效")
    return {"field": field, "error": f"{field}: {msg}" if field else msg, "type": kind}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = [_describe(e) for e in exc.errors]
        message = "；".join(e["error"] for e in errors) or "输入无效"
        return api.create_response(request, {"error": message, "code": "invalid", "errors": errors}, status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(
            request, {"error": "需要有效的访问令牌（Authorization: Bearer …）或登录。", "code": "unauthorized"}, status=401
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"error": "未找到该记录。", "code": "not_found"}, status=404)
