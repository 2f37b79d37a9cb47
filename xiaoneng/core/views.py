"""Shell pages: the staff desk and error pages in Chinese (the public front page is the portal's: portal/views.py)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from xiaoneng.core.landing import landing_role, panels_for
from xiaoneng.core.middleware import is_api_path, too_large_response


@login_required
@require_GET
def home(request):
    """The landing page (工作台): the panels of the user's most senior role (or of `?role=`, one they hold),
    links to their other roles' pages, then the menu. Panels come from the apps (core/landing.py)."""
    role, held = landing_role(request.user, request.GET.get("role"))
    return render(request, "core/home.html", {
        "roles": [label for _code, label in held], "role": role, "held": held,
        "panels": panels_for(request.user, role, now=timezone.now()),
    })


def _error(request, status: int, title: str, message: str):
    # An address under /api or /open311 that no endpoint answers still answers JSON, like every endpoint.
    if is_api_path(request.path_info):
        codes = {400: "invalid", 403: "forbidden", 404: "not_found"}
        return JsonResponse({"error": message, "code": codes.get(status, "error")}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    template = "core/error.html"
    return render(request, template, {"status": status, "title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    # Django reports a body over DATA_UPLOAD_MAX_MEMORY_SIZE as a 400; it is a 413, and the client must know.
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return _error(request, 400, "请求无效", "提交的内容无法处理，请检查后重试。")


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有权限访问此页面，或该记录不属于您的部门。"
    return _error(request, 403, "无权访问", message)


def page_not_found(request, exception=None):
    return _error(request, 404, "页面不存在", "您访问的页面不存在或已被移除。")


def server_error(request):
    return render(request, "core/error_500.html", status=500)
