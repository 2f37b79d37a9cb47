"""The two JSON APIs: our own versioned /api/v1/ and the Open311 GeoReport v2 interface.

Each app contributes a router; this module only mounts them, turns domain errors into readable 4xx, and answers
at each root with a small index (what is here, where the docs are) instead of a 404, plus Open311's
discovery.json.
"""

from functools import cache

from django.conf import settings
from django.urls import reverse
from ninja import NinjaAPI

from xiaoneng.core.api_errors import install_error_handlers
from xiaoneng.core.apidocs import OfflineSwagger
from xiaoneng.core.jsonbody import DepthLimitedParser

api = NinjaAPI(
    title="Xiaoneng 效能 API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    docs=OfflineSwagger(),  # vendored Swagger UI: the docs work on an intranet without internet
    description="行政效能电子监察平台 API。部门系统使用 `Authorization: Bearer <令牌>` 调用。",
    parser=DepthLimitedParser(),
)
install_error_handlers(api)

open311 = NinjaAPI(
    title="Open311 GeoReport v2",
    version="v2",
    urls_namespace="open311",
    docs_url="/docs",
    docs=OfflineSwagger(),
    parser=DepthLimitedParser(),
)
install_error_handlers(open311)

from xiaoneng.accounts.api import router as accounts_router  # noqa: E402
from xiaoneng.cases.api import router as cases_router  # noqa: E402
from xiaoneng.catalog.api import router as catalog_router  # noqa: E402
from xiaoneng.catalog.open311 import router as open311_catalog_router  # noqa: E402
from xiaoneng.complaints.api import router as complaints_router  # noqa: E402
from xiaoneng.complaints.open311 import router as open311_complaints_router  # noqa: E402
from xiaoneng.disclosure.api import router as disclosure_router  # noqa: E402
from xiaoneng.evaluation.api import router as evaluation_router  # noqa: E402
from xiaoneng.inspections.api import router as inspections_router  # noqa: E402
from xiaoneng.portal.api import router as portal_router  # noqa: E402
from xiaoneng.ratings.api import router as ratings_router  # noqa: E402
from xiaoneng.supervision.api import router as supervision_router  # noqa: E402
from xiaoneng.surveys.api import router as surveys_router  # noqa: E402
from xiaoneng.workdays.api import router as workdays_router  # noqa: E402

api.add_router("/accounts/", accounts_router)
api.add_router("/workdays/", workdays_router)
api.add_router("/catalog/", catalog_router)
api.add_router("/", cases_router)  # /api/v1/case-events, /api/v1/cases
api.add_router("/", supervision_router)  # /api/v1/warnings
api.add_router("/", complaints_router)  # /api/v1/complaints
api.add_router("/", ratings_router)  # /api/v1/ratings
api.add_router("/", surveys_router)  # /api/v1/surveys
api.add_router("/", evaluation_router)  # /api/v1/rankings, /api/v1/scores
api.add_router("/", disclosure_router)  # /api/v1/disclosure/…, /api/v1/information-requests
api.add_router("/", portal_router)  # /api/v1/search, /api/v1/progress
api.add_router("/", inspections_router)  # /api/v1/inspections
# Complaints first: its services.json lists the catalogue's services plus the complaint categories, and its
# services/{code}.json hands every non-complaint code to the catalogue's function (see complaints/open311.py).
open311.add_router("", open311_complaints_router)
open311.add_router("", open311_catalog_router)


# ------------------------------------------------------------------------------------------------ indexes
GEOREPORT_SPEC = "http://wiki.open311.org/GeoReport_v2"
# When this platform's GeoReport interface last changed in a way a client should notice (discovery's changeset).
OPEN311_CHANGESET = "2026-12-05T00:00:00+08:00"


@cache
def _operations(which: NinjaAPI) -> tuple[dict, ...]:
    """Every documented operation of `which`, from its own OpenAPI schema (so the index cannot drift from it);
    built once per process."""
    schema = which.get_openapi_schema(path_prefix=reverse(f"{which.urls_namespace}:api-root"))
    out = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            out.append({"method": method.upper(), "path": path, "summary": op.get("summary", "")})
    return tuple(out)


def _index(request, which: NinjaAPI, **extra) -> dict:
    ns = which.urls_namespace
    return {
        "title": which.title,
        "version": which.version,
        **extra,
        "docs": request.build_absolute_uri(reverse(f"{ns}:openapi-view")),
        "openapi": request.build_absolute_uri(reverse(f"{ns}:openapi-json")),
        "endpoints": [op for op in _operations(which) if op["path"] != reverse(f"{ns}:api-root")],
    }


@api.get("/", summary="本接口的索引：有哪些端点、文档在哪里", url_name="index", tags=["index"],
         description="列出本接口的全部端点及其说明、交互式文档和 OpenAPI 描述的地址。")
def api_index(request):
    """What /api/v1/ offers: every endpoint with its summary, the interactive docs and the OpenAPI schema."""
    return _index(
        request, api,
        description=api.description,
        authentication="部门系统：请求头 Authorization: Bearer <令牌>（由平台管理员发放）；工作人员：登录后的会话。"
                       "公开端点（工作日计算、服务事项）无需认证。",
        open311=request.build_absolute_uri(reverse("open311:index")),
    )


@open311.get("/", summary="Open311 GeoReport v2 索引：端点、服务发现与文档", url_name="index", tags=["index"],
             description="列出 GeoReport v2 端点、服务发现文档（discovery.json）和交互式文档的地址。")
def open311_index(request):
    """What /open311/v2/ offers: the GeoReport v2 endpoints, discovery.json and the docs."""
    return _index(
        request, open311,
        specification=GEOREPORT_SPEC,
        description="按 Open311 GeoReport v2 提供服务列表和效能投诉（服务请求）。提交请求需要部门系统令牌"
                    "（请求体中的 api_key 或请求头 Authorization: Bearer <令牌>）；查询公开，只含公开字段。",
        discovery=request.build_absolute_uri(reverse("open311:discovery")),
        formats=["application/json"],
    )


@open311.get("/discovery.json", summary="GeoReport v2 service discovery", url_name="discovery", tags=["index"],
             description="GeoReport v2 服务发现：端点地址、所依规范和数据格式。")
def open311_discovery(request):
    """The GeoReport v2 discovery document: where this endpoint is, which specification and formats it serves."""
    return {
        "changeset": OPEN311_CHANGESET,
        "contact": getattr(settings, "XIAONENG_SITE_NAME", "行政效能电子监察平台"),
        "key_service": "提交服务请求所需的 api_key 由本平台管理员发放给部门系统。",
        "endpoints": [{
            "specification": GEOREPORT_SPEC,
            "url": request.build_absolute_uri(reverse("open311:index")).rstrip("/"),
            "changeset": OPEN311_CHANGESET,
            "type": "production",
            "formats": ["application/json"],
        }],
    }
