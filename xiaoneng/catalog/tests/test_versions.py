"""Versioning: an edit creates a new version, the old one stays intact, and version_in_force answers
which version governed a case received at any moment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from xiaoneng.catalog.content import ContentInvalid, version_content
from xiaoneng.catalog.models import ServiceItemVersion
from xiaoneng.catalog.selectors import version_diff, version_history, version_in_force
from xiaoneng.catalog.services import (
    service_item_activate,
    service_item_create,
    service_item_deactivate,
    service_item_revise,
)
from xiaoneng.core.errors import DomainError, NotPermitted

from .conftest import T0


def test_create_writes_version_one(item_a, staff):
    v = item_a.current_version
    assert v.number == 1 and v.valid_from == T0 and v.created_by == staff["admin"]
    assert [m.name for m in v.materials.all()] == ["食品经营许可申请书", "营业执照", "授权委托书"]
    assert [s.kind for s in v.steps.all()] == ["accept", "review", "approve", "complete"]
    assert [m.position for m in v.materials.all()] == [1, 2, 3]


def test_revise_creates_new_version_and_keeps_old(item_a, content, staff):
    content["committed_limit_value"] = 5
    content["materials"].append({"name": "经营场所平面图", "form": "copy", "copies": 2})
    later = T0 + timedelta(days=30)
    v2 = service_item_revise(item=item_a, data=content, by=staff["head"], now=later, change_note="压缩承诺时限")
    item_a.refresh_from_db()
    assert v2.number == 2 and item_a.current_version == v2 and v2.change_note == "压缩承诺时限"
    v1 = ServiceItemVersion.objects.get(item=item_a, number=1)
    assert v1.committed_limit_value == 10 and v1.materials.count() == 3
    assert v2.committed_limit_value == 5 and v2.materials.count() == 4
    assert v2.materials.get(position=4).copies == 2
    # version_in_force: before v1 none, between v1 and v2 the old one, at and after v2 the new one.
    assert version_in_force(item_a, T0 - timedelta(seconds=1)) is None
    assert version_in_force(item_a, T0) == v1
    assert version_in_force(item_a, later - timedelta(seconds=1)) == v1
    assert version_in_force(item_a, later) == v2
    assert version_in_force(item_a, later + timedelta(days=365)) == v2


def test_version_in_force_needs_aware_datetime(item_a):
    with pytest.raises(ValueError):
        version_in_force(item_a, T0.replace(tzinfo=None))


def test_unchanged_revise_writes_nothing(item_a, content, staff):
    v = service_item_revise(item=item_a, data=content, by=staff["admin"], now=T0 + timedelta(hours=1), change_note="")
    assert v == item_a.current_version
    assert item_a.versions.count() == 1


def test_reasons_order_does_not_count_as_change(item_a, content, staff):
    content["suspension_reasons"] = ["site_survey", "supplement"]
    service_item_revise(item=item_a, data=content, by=staff["admin"], now=T0 + timedelta(hours=1), change_note="")
    assert item_a.versions.count() == 1


def test_diff_and_history(item_a, content, staff):
    content["name"] = "食品经营许可证核发（含仅销售预包装食品备案）"
    content["materials"] = content["materials"][:2]
    content["fees"] = [{"name": "工本费", "legal_basis": "某收费文件", "amount": "10"}]
    content["steps"][1]["limit_value"] = 3
    v2 = service_item_revise(item=item_a, data=content, by=staff["admin"], now=T0 + timedelta(days=1),
                             change_note="调整")
    changes = version_diff(item_a.versions.get(number=1), v2)
    fields = {c["field"] for c in changes}
    assert {"事项名称", "申请材料", "收费标准", "办理流程"} <= fields
    name_change = next(c for c in changes if c["field"] == "事项名称")
    assert name_change["old"] == "食品经营许可证核发"
    summaries = " ".join(c.get("summary", "") for c in changes)
    assert "删除 授权委托书" in summaries and "新增 工本费" in summaries and "修改 2.审核" in summaries
    history = version_history(item_a)
    assert [h["version"].number for h in history] == [2, 1]
    assert history[0]["is_current"] and history[1]["changes"] == []


def test_versions_number_on_after_deactivate_and_activate(item_a, content, staff):
    service_item_deactivate(item=item_a, by=staff["admin"], now=T0 + timedelta(days=1))
    item_a.refresh_from_db()
    assert not item_a.is_active and item_a.deactivated_at is not None
    # A case received while active keeps its version.
    assert version_in_force(item_a, T0 + timedelta(hours=1)).number == 1
    service_item_activate(item=item_a, by=staff["admin"], now=T0 + timedelta(days=2))
    item_a.refresh_from_db()
    assert item_a.is_active and item_a.deactivated_at is None


def test_revise_cannot_backdate(item_a, content, staff):
    content["name"] = "新名称"
    with pytest.raises(DomainError) as exc:
        service_item_revise(item=item_a, data=content, by=staff["admin"], now=T0 - timedelta(days=1), change_note="")
    assert exc.value.field == "valid_from"


def test_duplicate_code_refused(item_a, depts, staff, content):
    with pytest.raises(DomainError) as exc:
        service_item_create(department=depts["a"], data={**content, "code": "SP001"}, by=staff["admin"], now=T0)
    assert exc.value.field == "code" and "已存在" in exc.value.message


@pytest.mark.parametrize("code", ["", "食品", "a b", "-x", "new", "x" * 65])
def test_bad_codes(code, depts, staff, content):
    with pytest.raises(DomainError) as exc:
        service_item_create(department=depts["a"], data={**content, "code": code}, by=staff["admin"], now=T0)
    assert exc.value.field == "code"


@pytest.mark.parametrize("role", ["window", "handler", "handler_b", "supervisor", "leader"])
def test_services_refuse_roles_that_may_not_edit(role, item_a, depts, staff, content):
    with pytest.raises(NotPermitted):
        service_item_revise(item=item_a, data={**content, "name": "x"}, by=staff[role], now=T0 + timedelta(1),
                            change_note="")
    with pytest.raises(NotPermitted):
        service_item_create(department=depts["a"], data={**content, "code": "N1"}, by=staff[role], now=T0)
    with pytest.raises(NotPermitted):
        service_item_deactivate(item=item_a, by=staff[role], now=T0)


def test_head_edits_own_subtree_only(item_a, item_b, depts, staff, content):
    head = staff["head"]
    v2 = service_item_revise(item=item_a, data={**content, "name": "改名"}, by=head, now=T0 + timedelta(1),
                             change_note="")
    assert v2.number == 2
    service_item_create(department=depts["a1"], data={**content, "code": "A1-1"}, by=head, now=T0)
    with pytest.raises(NotPermitted):
        service_item_revise(item=item_b, data={**content, "name": "改名"}, by=head, now=T0 + timedelta(1),
                            change_note="")
    with pytest.raises(NotPermitted):
        service_item_create(department=depts["b"], data={**content, "code": "B-1"}, by=head, now=T0)
    assert item_b.versions.count() == 1


def test_version_content_round_trip(item_a, content):
    from xiaoneng.catalog.content import clean_content

    v = item_a.current_version
    assert version_content(v) == clean_content(content)


def test_content_invalid_is_a_domain_error(content):
    from xiaoneng.catalog.content import clean_content

    content["name"] = ""
    with pytest.raises(DomainError) as exc:
        clean_content(content)
    assert isinstance(exc.value, ContentInvalid) and exc.value.field == "name"
