"""明查暗访: the JSON API under /api/v1/."""

from ninja import Router

router = Router(tags=["明查暗访"])
