"""The two JSON APIs: our own versioned /api/v1/ and the Open311 GeoReport v2 interface.

Each app contributes a router; this module only mounts them and turns domain errors into readable 4xx.
"""

from ninja import NinjaAPI

from xiaoneng.core.api_errors import install_error_handlers
from xiaoneng.core.jsonbody import DepthLimitedParser

api = NinjaAPI(
    title="Xiaoneng 效能 API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    description="行政效能电子监察平台 API。部门系统使用 `Authorization: Bearer <令牌>` 调用。",
    parser=DepthLimitedParser(),
)
install_error_handlers(api)

open311 = NinjaAPI(
    title="Open311 GeoReport v2",
    version="v2",
    urls_namespace="open311",
    docs_url="/docs",
    parser=DepthLimitedParser(),
)
install_error_handlers(open311)

from xiaoneng.accounts.api import router as accounts_router  # noqa: E402
from xiaoneng.cases.api import router as cases_router  # noqa: E402
from xiaoneng.catalog.api import router as catalog_router  # noqa: E402
from xiaoneng.catalog.open311 import router as open311_catalog_router  # noqa: E402
from xiaoneng.complaints.api import router as complaints_router  # noqa: E402
from xiaoneng.complaints.open311 import router as open311_complaints_router  # noqa: E402
from xiaoneng.supervision.api import router as supervision_router  # noqa: E402
from xiaoneng.workdays.api import router as workdays_router  # noqa: E402

api.add_router("/accounts/", accounts_router)
api.add_router("/workdays/", workdays_router)
api.add_router("/catalog/", catalog_router)
api.add_router("/", cases_router)  # /api/v1/case-events, /api/v1/cases
api.add_router("/", supervision_router)  # /api/v1/warnings
api.add_router("/", complaints_router)  # /api/v1/complaints
# Complaints first: its services.json lists the catalogue's services plus the complaint categories, and its
# services/{code}.json hands every non-complaint code to the catalogue's function (see complaints/open311.py).
open311.add_router("", open311_complaints_router)
open311.add_router("", open311_catalog_router)
