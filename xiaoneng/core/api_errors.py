"""Turn domain errors and validation failures into readable JSON answers for every NinjaAPI we mount."""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from xiaoneng.core.errors import DomainError

UNAUTHORIZED_MESSAGE = "需要有效的访问令牌（Authorization: Bearer …）或登录。"


class Unauthorized(AuthenticationError):
    """401 whose message (in Chinese) names what is wrong with the credentials the request carried."""

    def __init__(self, message: str = UNAUTHORIZED_MESSAGE, *, code: str = "unauthorized"):
        super().__init__(401, message)
        self.code = code


# Chinese words for the errors django-ninja raises itself (HttpError with an English message).
_HTTP_MESSAGES = {
    400: "请求体无法解析：应为有效的 JSON。",
    401: UNAUTHORIZED_MESSAGE,
    403: "您没有权限执行此操作。",
    404: "未找到该记录。",
    405: "不支持该请求方法。",
    413: "请求体过大。",
    429: "请求过于频繁，请稍后再试。",
}
CSRF_MESSAGE = ("CSRF 校验失败：以登录会话调用接口时，写操作须带 X-CSRFToken 请求头；"
                "部门系统请使用 Authorization: Bearer <令牌>。")

# Chinese messages for the pydantic error types clients meet most; others fall back to pydantic's text.
_FIELD_MESSAGES = {
    "missing": "缺少必填参数",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD（不能带时间）",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601，例如 2026-11-23T09:30:00+08:00",
    "datetime_from_date_parsing": "时间格式应为 ISO 8601，例如 2026-11-23T09:30:00+08:00",
    "datetime_type": "时间格式应为 ISO 8601，例如 2026-11-23T09:30:00+08:00",
    "timezone_aware": "时间必须带时区，例如 +08:00",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为字符串",
    "string_too_long": "内容过长",
    "string_too_short": "内容不能为空",
    "too_long": "条目过多",
    "literal_error": "取值无效",
    "enum": "取值无效",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "json_invalid": "JSON 格式错误",
    "model_attributes_type": "应为 JSON 对象",
    "list_type": "应为 JSON 数组",
    "dict_type": "应为 JSON 对象",
}


def _describe(err: dict) -> dict:
    loc = [str(p) for p in err.get("loc", []) if p not in ("query", "body", "path", "form")]
    field = ".".join(loc) or None
    kind = err.get("type", "")
    msg = _FIELD_MESSAGES.get(kind) or err.get("msg", "输入无效")
    ctx = err.get("ctx") or {}
    if kind == "literal_error" and "expected" in ctx:
        msg = f"取值无效，可选：{ctx['expected']}"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal") and ctx:
        msg = f"{msg}（界限 {next(iter(ctx.values()))}）"
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
        if isinstance(exc, Unauthorized):
            body = {"error": exc.message, "code": exc.code}
        else:
            body = {"error": UNAUTHORIZED_MESSAGE, "code": "unauthorized"}
        response = api.create_response(request, body, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="xiaoneng"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # django-ninja wraps a body its parser refused (our nesting bound) in HttpError(400): the cause speaks.
        cause = exc.__cause__
        if isinstance(cause, DomainError):
            return api.create_response(request, cause.as_dict(), status=cause.status)
        if exc.status_code == 403 and "csrf" in str(exc.message).lower():
            return api.create_response(request, {"error": CSRF_MESSAGE, "code": "csrf_failed"}, status=403)
        message = _HTTP_MESSAGES.get(exc.status_code, "请求无法处理。")
        return api.create_response(request, {"error": message, "code": "http_error"}, status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"error": "未找到该记录。", "code": "not_found"}, status=404)
