"""/api/v1/disclosure/… and /api/v1/information-requests: routers of the helpers, mounted in config/api.py."""

from ninja import Router

router = Router(tags=["政务公开"])

# ---- catalogue: POST /api/v1/disclosure/entries
from .api_catalogue import router as catalogue_router  # noqa: E402

router.add_router("", catalogue_router)
# ---- end catalogue
# ---- check: GET /api/v1/disclosure/days, GET /api/v1/disclosure/checks/{date}
router.add_router("/", __import__("xiaoneng.disclosure.api_check", fromlist=["router"]).router)
# ---- end check
# ---- requests: POST /api/v1/information-requests, GET /api/v1/information-requests/{number}
router.add_router("", __import__("xiaoneng.disclosure.api_requests", fromlist=["router"]).router)
# ---- end requests
