"""/api/v1/search and /api/v1/progress: public, no account; mounted in config/api.py."""

from ninja import Router

router = Router(tags=["公众门户"])

# ---- portal: GET /api/v1/search
# ---- figures: GET /api/v1/progress
router.add_router("", __import__("xiaoneng.portal.api_figures", fromlist=["x"]).router)  # noqa: E402
# ---- end figures
