"""The demo seeder: realistic, valid, deterministic, idempotent and fast enough (bulk writes)."""

from __future__ import annotations

import random
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiaoneng.accounts.services import department_create
from xiaoneng.catalog.content import clean_content, version_content
from xiaoneng.catalog.demo import seed_catalog
from xiaoneng.catalog.models import ServiceItem

from .conftest import T0


def _departments(depts):
    county = depts["county"]
    extra = [
        department_create(code="ZJ", name="测试县住房和城乡建设局", parent=county),
        department_create(code="MZ", name="测试县民政局", parent=county),
        department_create(code="RS", name="测试县人力资源和社会保障局", parent=county),
        department_create(code="GA", name="测试县公安局", parent=county),
        department_create(code="WJ", name="测试县卫生健康局", parent=county),
        department_create(code="JT", name="测试县交通运输局", parent=county),
        department_create(code="JY", name="测试县教育局", parent=county),
        department_create(code="XZ1", name="城关镇人民政府", kind="township", parent=county),
    ]
    return [depts["a"], depts["b"], *extra]


def test_seed_items_valid_and_with_bulk_writes(depts):
    """Issue 10 §4: a department gets only the items its kind really has — variants (变更/延续/注销/补证) only of
    licences that issue a licence or certificate, no "（1类）" copies — so asking for 400 items of these ten
    departments gives the 151 they really have (it gave 400, padded with "政府信息公开申请（变更）" and the like)."""
    departments = _departments(depts)
    with CaptureQueriesContext(connection) as ctx:
        created = seed_catalog(departments=departments, rng=random.Random(42), count=400, now=T0)
    assert created == ServiceItem.objects.count() == 151
    assert len(ctx.captured_queries) < 40  # bulk: not a query per item
    items = list(ServiceItem.objects.select_related("current_version", "department").prefetch_related(
        "current_version__materials", "current_version__fees", "current_version__steps"))
    assert len({i.code for i in items}) == created
    types = Counter(i.current_version.item_type for i in items)
    assert types["committed"] > created / 2 and types["instant"] > 0
    assert 0.1 <= (types["joint"] + types["referred"]) / created <= 0.35
    with_fees = sum(1 for i in items if i.current_version.fees.all())
    assert 0 < with_fees < created / 2
    by_dept = Counter((i.department_id, i.current_version.name) for i in items)
    assert max(by_dept.values()) == 1  # no name twice in a department's guide list
    for i in items:
        v = i.current_version
        assert "类）" not in v.name
        if v.name.endswith(("（变更）", "（延续）", "（注销）", "（补证）")):
            assert v.category == "licensing" and v.result.endswith(("许可证", "登记证", "证书")), v.name
        for m in v.materials.all():
            # A conditional material says which applicants need it; a mandatory one has no condition.
            assert (m.requirement == "conditional") == bool(m.condition), (v.name, m.name)
            assert m.name != "申请书（申请表）" or m.requirement == "mandatory"
    names = {i.current_version.name for i in items}
    assert {"食品经营许可证核发", "建设用地规划许可证核发", "建筑工程施工许可证核发", "农村宅基地审批"} <= names
    for i in items:
        v = i.current_version
        assert 3 <= len(v.materials.all()) <= 13
        # Every demo version satisfies the same rules as an edit or an import would.
        assert clean_content(version_content(v)) == version_content(v), i.code
        if v.item_type != "instant":
            assert v.committed_limit_value < v.statutory_limit_value
        # 超时默许 only where the law provides it: licence renewals (行政许可法 §50 ¶2), citing it.
        assert v.deemed_approval == (v.category == "licensing" and "（延续）" in v.name), i.code
        assert ("第五十条第二款" in v.deemed_approval_basis) is v.deemed_approval
    assert any(i.current_version.deemed_approval for i in items)


def test_seed_deterministic_and_idempotent(depts):
    departments = [depts["a"], depts["b"], depts["a1"]]
    # a (市场监管) and b (自然资源) offer 26 and 18 items, the section a1 the three general ones: 47 at most.
    assert seed_catalog(departments=departments, rng=random.Random(5), count=30, now=T0) == 30
    first = {i.code: version_content(i.current_version) for i in ServiceItem.objects.select_related("current_version")}
    assert seed_catalog(departments=departments, rng=random.Random(5), count=30, now=T0) == 0
    assert ServiceItem.objects.count() == 30
    ServiceItem.objects.update(current_version=None)
    from xiaoneng.catalog.models import ServiceItemVersion

    ServiceItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()
    seed_catalog(departments=departments, rng=random.Random(5), count=30, now=T0)
    again = {i.code: version_content(i.current_version) for i in ServiceItem.objects.select_related("current_version")}
    assert again == first
    # More items later: the earlier codes are skipped, new ones numbered on.
    assert seed_catalog(departments=departments, rng=random.Random(5), count=36, now=T0) == 6
    # …up to what the departments really offer, and not one more.
    assert seed_catalog(departments=departments, rng=random.Random(5), count=400, now=T0) == 47 - 36


def test_seed_nothing_for_no_departments(db):
    assert seed_catalog(departments=[], rng=random.Random(1), count=10, now=T0) == 0
