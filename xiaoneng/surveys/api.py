"""民主评议: the JSON API under /api/v1/."""

from ninja import Router

router = Router(tags=["民主评议"])
