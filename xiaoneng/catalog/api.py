"""/api/v1/catalog/: the public service catalogue as JSON, in the same shape as the guide pages."""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from xiaoneng.catalog.selectors import item_get_public, item_list_public
from xiaoneng.catalog.serializers import GuideOut, guide_data
from xiaoneng.core.errors import NotFound
from xiaoneng.core.params import Limit, Offset

router = Router(tags=["catalog"])

MAX_LIMIT = 200


class ItemPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[GuideOut]


class ItemFilters(Schema):
    department: str | None = Field(None, max_length=32)
    q: str | None = Field(None, max_length=100)
    type: Literal["instant", "committed", "referred", "joint"] | None = None
    online: bool | None = None
    limit: Limit = 50
    offset: Offset = 0


@router.get("/items", response=ItemPage, summary="政务服务事项列表（办事指南）")
def item_list(request, filters: Query[ItemFilters]):
    """Active service items with their current version. Public: no token needed. Filters: `department`
    (department code, includes its sections), `q` (name, code or department), `type`
    (instant / committed / referred / joint), `online`; paginated with `limit` (1-200) and `offset`."""
    limit = min(max(filters.limit, 1), MAX_LIMIT)
    offset = max(filters.offset, 0)
    qs = item_list_public(
        q=filters.q, department_code=filters.department, item_type=filters.type, online=filters.online,
        with_children=True,
    )
    count = qs.count()
    items = [guide_data(i) for i in qs[offset : offset + limit]]
    return {"count": count, "limit": limit, "offset": offset, "items": items}


@router.get("/items/{code}", response=GuideOut, summary="政务服务事项详情（办事指南）")
def item_detail(request, code: str):
    """One active item's current service guide; 404 with a readable message for an unknown code."""
    try:
        return guide_data(item_get_public(code))
    except Http404 as exc:
        raise NotFound(f"事项“{code}”不存在或已停用。") from exc
