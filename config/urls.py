"""URL map: public pages at the root, staff pages under /staff/, JSON under /api/v1/ and /open311/v2/."""

from django.conf.urls.i18n import i18n_patterns  # noqa: F401  (kept for later: we switch language by cookie)
from django.contrib import admin
from django.urls import include, path

from config.api import api, open311

urlpatterns = [
    path("", include("xiaoneng.core.urls")),
    path("accounts/", include("xiaoneng.accounts.urls")),
    path("", include("xiaoneng.workdays.urls")),
    path("", include("xiaoneng.catalog.urls")),
    path("", include("xiaoneng.cases.urls")),
    path("", include("xiaoneng.complaints.urls")),
    path("", include("xiaoneng.ratings.urls")),
    path("", include("xiaoneng.surveys.urls")),
    path("", include("xiaoneng.inspections.urls")),
    path("", include("xiaoneng.supervision.urls")),
    path("", include("xiaoneng.evaluation.urls")),
    path("", include("xiaoneng.disclosure.urls")),
    path("", include("xiaoneng.portal.urls")),
    path("api/v1/", api.urls),
    path("open311/v2/", open311.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "xiaoneng.core.views.bad_request"
handler403 = "xiaoneng.core.views.permission_denied"
handler404 = "xiaoneng.core.views.page_not_found"
handler500 = "xiaoneng.core.views.server_error"
