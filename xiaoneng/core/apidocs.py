"""The API docs pages (/api/v1/docs, /open311/v2/docs) served entirely from this platform.

django-ninja's own Swagger page takes Swagger UI from a CDN (its local template is used only when "ninja" is an
installed app, and that template's assets are whatever ninja ships) and a government intranet has no internet:
the page stayed blank. `OfflineSwagger` renders our template with the Swagger UI vendored under
core/static/vendor/swagger-ui (a pinned swagger-ui-dist, vendor/README.md) and starts it from a static file,
so the Content Security Policy (script-src 'self' + nonce) needs no exception: no inline script, no CDN.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import render
from ninja.openapi.docs import Swagger, _csrf_needed


class OfflineSwagger(Swagger):
    """ninja's Swagger docs class, rendered from core/api_docs.html with vendored assets only."""

    template = "core/api_docs.html"
    default_settings = {
        **Swagger.default_settings,
        # No "validate this schema" badge: it calls validator.swagger.io from the visitor's browser.
        "validatorUrl": None,
        "docExpansion": "list",
    }

    def render_page(self, request, api, **kwargs: Any):
        # A copy per request: ninja writes the URL into self.settings, shared by every request of the process.
        config = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"swagger_settings": config, "api": api,
                                               "add_csrf": _csrf_needed(api)})
