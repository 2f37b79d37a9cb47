"""效能考核: the JSON API under /api/v1/ — rankings and score breakdowns (issue 13 §2)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["效能考核"])
