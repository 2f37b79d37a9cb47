"""Open311 GeoReport v2 service discovery: GET services.json and services/{code}.json.

Each service is a service item; besides the GeoReport fields (service_code, service_name, description,
metadata, type, keywords, group) every entry carries the full service guide fields of
catalog.serializers.guide_data, so a client sees what the guide page shows. The complaints app answers these
URLs first (config/api.py): it calls these functions and adds the complaint letter's attributes to a definition,
and registers a request against an item as a complaint about the item's department (complaints/open311.py).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from ninja import Router

from xiaoneng.catalog.selectors import item_get_public, item_list_public
from xiaoneng.catalog.serializers import guide_data
from xiaoneng.core.errors import NotFound

router = Router(tags=["open311"])

# What a citizen reporting a problem with a service is asked: the efficiency complaints the platform takes.
PROBLEMS = [
    ("overdue", "超过承诺时限未办结"),
    ("not_one_time", "材料未一次性告知、多次跑腿"),
    ("extra_fee", "收取目录外费用或超标准收费"),
    ("extra_material", "要求提供清单以外的材料"),
    ("attitude", "服务态度、工作作风问题"),
    ("other", "其他问题"),
]


def _service(guide: dict) -> dict[str, Any]:
    keywords = [guide["code"], guide["department_name"], guide["item_type_label"], guide["category_label"]]
    return {
        **guide,
        "service_code": guide["code"],
        "service_name": guide["name"],
        "description": guide["description"] or guide["name"],
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(keywords),
        "group": guide["department_name"],
    }


def _attributes(guide: dict) -> list[dict[str, Any]]:
    return [
        {
            "variable": True, "code": "case_number", "datatype": "string", "required": False,
            "datatype_description": "办件编号（已申请的请填写）", "order": 1, "description": "办件编号",
        },
        {
            "variable": True, "code": "problem", "datatype": "singlevaluelist", "required": True,
            "datatype_description": "选择一项", "order": 2, "description": "反映的问题",
            "values": [{"key": k, "name": n} for k, n in PROBLEMS],
        },
        {
            "variable": True, "code": "materials_submitted", "datatype": "multivaluelist", "required": False,
            "datatype_description": "可多选", "order": 3, "description": "已提交的申请材料",
            "values": [{"key": str(m["position"]), "name": m["name"]} for m in guide["materials"]],
        },
        {
            "variable": True, "code": "details", "datatype": "text", "required": True,
            "datatype_description": "请写明时间、经过和诉求", "order": 4, "description": "具体情况",
        },
    ]


@router.get("/services.json", summary="GeoReport v2 service list")
def services(request, jurisdiction_id: str | None = None):
    """Every active service item as a GeoReport v2 service, with our guide fields added."""
    return [_service(guide_data(i)) for i in item_list_public(with_children=True)]


@router.get("/services/{code}.json", summary="GeoReport v2 service definition")
def service_definition(request, code: str, jurisdiction_id: str | None = None):
    """The GeoReport v2 service definition (attributes a report asks for), plus the guide fields."""
    try:
        guide = guide_data(item_get_public(code))
    except Http404 as exc:
        raise NotFound(f"服务“{code}”不存在或已停用。") from exc
    return {**_service(guide), "attributes": _attributes(guide)}
