"""好差评: the JSON API under /api/v1/."""

from ninja import Router

router = Router(tags=["好差评"])
