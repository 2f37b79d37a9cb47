"""Catalogues: the shipped templates, drafting, filing (报备), the office's decision, versions — every transition
and every refusal, through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department
from xiaoneng.accounts.services import department_create
from xiaoneng.accounts.testing import make_staff
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.disclosure.models import (
    Catalogue,
    CatalogueItem,
    CheckFinding,
    CheckLine,
    DisclosureCheck,
    FindingKind,
    FindingStatus,
    Frequency,
    Level,
)
from xiaoneng.disclosure.services import catalogues as C
from xiaoneng.disclosure.templates_catalogue import TEMPLATES, level_for_kind

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture
def head(staff):
    return staff["head"]


def _accepted(dept, head, supervisor, now=T0):
    cat = C.catalogue_create(department=dept, by=head, now=now)
    C.catalogue_file(catalogue=cat, by=head, now=now)
    return C.catalogue_accept(catalogue=cat, by=supervisor, now=now)


# ------------------------------------------------------------------------------------------------ templates
def test_every_level_has_a_template_with_real_legal_bases_and_monthly_finances():
    for level in Level.values:
        items = TEMPLATES[level]
        assert len(items) >= 5
        codes = [i.code for i in items]
        assert len(codes) == len(set(codes))
        for i in items:
            assert "《" in i.legal_basis and "》" in i.legal_basis, i
            C.clean_item(code=i.code, name=i.name, category=i.category, legal_basis=i.legal_basis,
                         content=i.content, frequency=i.frequency)  # every shipped item passes its own checks
        finances = [i for i in items if i.category == "finances" and i.frequency == Frequency.MONTHLY]
        if level != Level.ENTERPRISE:
            assert finances, level
    dept = {i.code: i for i in TEMPLATES[Level.DEPARTMENT]}
    assert dept["CZSZ"].frequency == Frequency.MONTHLY
    assert dept["ZDJC"].frequency == Frequency.QUARTERLY
    assert "第二十条" in dept["JGZN"].legal_basis
    village = {i.code: i for i in TEMPLATES[Level.VILLAGE]}
    assert "《中华人民共和国村民委员会组织法》第三十条" in village["CWSZ"].legal_basis
    assert {"HNBT", "JTZC"} <= set(village)
    assert {"FWCN", "SFBZ", "BSLC"} <= {i.code for i in TEMPLATES[Level.ENTERPRISE]}
    assert any("第二十一条" in i.legal_basis for i in TEMPLATES[Level.TOWNSHIP])


def test_level_follows_the_department_kind():
    assert level_for_kind("township") == Level.TOWNSHIP
    assert level_for_kind("village") == Level.VILLAGE
    assert level_for_kind("bureau") == Level.DEPARTMENT


# ------------------------------------------------------------------------------------------------ workflow
def test_create_file_accept_and_the_finding_closes(depts, staff, head):
    sup = staff["supervisor"]
    cat = C.catalogue_create(department=depts["a"], by=head, now=T0)
    assert (cat.version, cat.status, cat.current, cat.level) == (1, "draft", False, "department")
    assert cat.items.count() == len(TEMPLATES[Level.DEPARTMENT])
    # An "unfiled catalogue" finding of bureau A, open: accepting the catalogue closes it.
    check = DisclosureCheck.objects.create(date=T0.date(), year=2026, quarter=1, run_at=T0, rectify_due_at=T0)
    line = CheckLine.objects.create(disclosure_check=check, department=depts["a"], due=0, published=0, missing=0,
                                    stale=0, catalogue_filed=False)
    f = CheckFinding.objects.create(disclosure_check=check, line=line, number="F-1", department=depts["a"],
                                    kind=FindingKind.UNFILED, due_at=T0 + timedelta(days=7), next_check_at=T0)
    C.catalogue_file(catalogue=cat, by=head, now=T0 + timedelta(hours=1))
    cat.refresh_from_db()
    assert cat.status == "filed" and cat.filed_by == head and cat.filed_at == T0 + timedelta(hours=1)
    C.catalogue_accept(catalogue=cat, note="符合要求。", by=sup, now=T0 + timedelta(days=1))
    cat.refresh_from_db()
    assert (cat.status, cat.current, cat.decided_by, cat.decision_note) == ("accepted", True, sup, "符合要求。")
    f.refresh_from_db()
    assert f.status == FindingStatus.RECTIFIED and f.next_check_at is None


def test_return_needs_a_reason_then_edit_and_refile(depts, staff, head):
    sup = staff["supervisor"]
    cat = C.catalogue_create(department=depts["a"], by=head, now=T0)
    C.catalogue_file(catalogue=cat, by=head, now=T0)
    with pytest.raises(DomainError) as e:
        C.catalogue_return(catalogue=cat, reason="  ", by=sup, now=T0)
    assert e.value.field == "reason"
    C.catalogue_return(catalogue=cat, reason="缺少政府采购项目。", by=sup, now=T0)
    cat.refresh_from_db()
    assert cat.status == "returned" and cat.decision_note == "缺少政府采购项目。"
    C.catalogue_item_add(catalogue=cat, code="zfcg", name="政府采购", category="projects", frequency="quarterly",
                         by=staff["handler"], now=T0)
    assert cat.items.filter(code="ZFCG").exists()  # codes are upper-cased
    C.catalogue_file(catalogue=cat, by=head, now=T0)
    C.catalogue_accept(catalogue=cat, by=sup, now=T0)
    cat.refresh_from_db()
    assert cat.status == "accepted" and cat.current


def test_revise_copies_codes_and_supersedes_on_acceptance(depts, staff, head):
    sup = staff["supervisor"]
    v1 = _accepted(depts["a"], head, sup)
    v2 = C.catalogue_revise(department=depts["a"], note="增加政府采购。", by=head, now=T0 + timedelta(days=2))
    assert (v2.version, v2.status, v2.current) == (2, "draft", False)
    assert list(v2.items.values_list("code", flat=True)) == list(v1.items.values_list("code", flat=True))
    # While v2 is open no other version can be started.
    with pytest.raises(DomainError):
        C.catalogue_revise(department=depts["a"], by=head, now=T0)
    # A code in force cannot be renamed; a new item's can.
    jgzn = v2.items.get(code="JGZN")
    with pytest.raises(DomainError) as e:
        C.catalogue_item_edit(item=jgzn, code="JG", name="机构", category="functions", frequency="on_change",
                              by=head, now=T0)
    assert e.value.field == "code"
    new = C.catalogue_item_add(catalogue=v2, code="ZFCG", name="政府采购", category="projects",
                               frequency="quarterly", by=head, now=T0)
    C.catalogue_item_edit(item=new, code="ZFCG2", name="政府集中采购", category="projects", frequency="monthly",
                          by=head, now=T0)
    C.catalogue_item_remove(item=v2.items.get(code="RSXX"), by=head, now=T0)
    C.catalogue_file(catalogue=v2, by=head, now=T0)
    # v1 stays in force (public) until v2 is accepted.
    v1.refresh_from_db()
    assert v1.current and v1.status == "accepted"
    C.catalogue_accept(catalogue=v2, by=sup, now=T0 + timedelta(days=3))
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v1.current) == ("superseded", False)
    assert (v2.status, v2.current) == ("accepted", True)
    assert set(v2.items.values_list("code", flat=True)) == set(v1.items.values_list("code", flat=True)) - {"RSXX"} | {"ZFCG2"}


@pytest.mark.parametrize("action", ["file", "accept", "return"])
def test_transitions_refused_from_the_wrong_state(depts, staff, head, action):
    sup = staff["supervisor"]
    cat = _accepted(depts["a"], head, sup)
    with pytest.raises(DomainError) as e:
        if action == "file":
            C.catalogue_file(catalogue=cat, by=head, now=T0)
        elif action == "accept":
            C.catalogue_accept(catalogue=cat, by=sup, now=T0)
        else:
            C.catalogue_return(catalogue=cat, reason="x", by=sup, now=T0)
    assert "已备案" in e.value.message
    cat.refresh_from_db()
    assert cat.status == "accepted"


def test_accept_or_return_of_a_draft_is_refused(depts, staff, head):
    cat = C.catalogue_create(department=depts["a"], by=head, now=T0)
    for fn in (lambda: C.catalogue_accept(catalogue=cat, by=staff["supervisor"], now=T0),
               lambda: C.catalogue_return(catalogue=cat, reason="x", by=staff["supervisor"], now=T0)):
        with pytest.raises(DomainError):
            fn()
    assert Catalogue.objects.get(pk=cat.pk).status == "draft"


def test_an_empty_catalogue_has_nothing_to_file(depts, head):
    cat = C.catalogue_create(department=depts["a"], from_template=False, by=head, now=T0)
    with pytest.raises(DomainError) as e:
        C.catalogue_file(catalogue=cat, by=head, now=T0)
    assert e.value.field == "items" and "无可报备" in e.value.message


def test_a_second_first_version_and_revising_nothing_are_refused(depts, staff, head):
    with pytest.raises(DomainError):
        C.catalogue_revise(department=depts["a"], by=head, now=T0)
    C.catalogue_create(department=depts["a"], by=head, now=T0)
    with pytest.raises(DomainError) as e:
        C.catalogue_create(department=depts["a"], by=head, now=T0)
    assert e.value.field == "department"


def test_who_may_do_what(depts, staff, head):
    sup = staff["supervisor"]
    for who in ("window", "handler_b", "leader", "admin", "supervisor"):
        with pytest.raises(NotPermitted):
            C.catalogue_create(department=depts["a"], by=staff[who], now=T0)
    cat = C.catalogue_create(department=depts["a"], by=staff["handler"], now=T0)  # a handler drafts
    for who in ("handler", "window", "handler_b", "supervisor", "leader"):
        with pytest.raises(NotPermitted):
            C.catalogue_file(catalogue=cat, by=staff[who], now=T0)  # only a head files
    with pytest.raises(NotPermitted):
        C.catalogue_item_add(catalogue=cat, code="X1", name="x", category="other", frequency="yearly",
                             by=staff["handler_b"], now=T0)
    C.catalogue_file(catalogue=cat, by=head, now=T0)
    for who in ("head", "handler", "leader", "admin"):
        with pytest.raises(NotPermitted):
            C.catalogue_accept(catalogue=cat, by=staff[who], now=T0)
        with pytest.raises(NotPermitted):
            C.catalogue_return(catalogue=cat, reason="x", by=staff[who], now=T0)
    C.catalogue_accept(catalogue=cat, by=sup, now=T0)
    # The section's handler does not reach the bureau above it.
    with pytest.raises(NotPermitted):
        C.catalogue_revise(department=depts["a"], by=staff["handler_a1"], now=T0)


def test_a_township_head_drafts_its_villages_catalogue(db):
    town = department_create(code="TZ", name="测试镇人民政府", kind=Department.Kind.TOWNSHIP)
    village = department_create(code="TZ-01", name="东村村民委员会", kind=Department.Kind.VILLAGE, parent=town)
    head = make_staff("town_head", town, [R.HEAD])
    cat = C.catalogue_create(department=village, by=head, now=T0)
    assert cat.level == Level.VILLAGE and cat.items.filter(code="CWSZ", frequency="monthly").exists()


@pytest.mark.parametrize("field,kwargs", [
    ("code", {"code": ""}), ("code", {"code": "含中文"}), ("code", {"code": "A" * 33}), ("code", {"code": "-X"}),
    ("name", {"name": " "}), ("name", {"name": "名" * 121}), ("legal_basis", {"legal_basis": "法" * 301}),
    ("content", {"content": "容" * 2001}), ("category", {"category": "nope"}), ("frequency", {"frequency": "daily"}),
])
def test_item_bad_input_names_the_field(depts, head, field, kwargs):
    cat = C.catalogue_create(department=depts["a"], from_template=False, by=head, now=T0)
    data = {"code": "X1", "name": "事项", "category": "other", "frequency": "yearly", **kwargs}
    with pytest.raises(DomainError) as e:
        C.catalogue_item_add(catalogue=cat, by=head, now=T0, **data)
    assert e.value.field == field
    assert not CatalogueItem.objects.filter(catalogue=cat).exists()


def test_duplicate_code_and_editing_a_filed_catalogue_refused(depts, head):
    cat = C.catalogue_create(department=depts["a"], by=head, now=T0)
    with pytest.raises(DomainError) as e:
        C.catalogue_item_add(catalogue=cat, code="jgzn", name="重复", category="other", frequency="yearly",
                             by=head, now=T0)
    assert e.value.field == "code"
    C.catalogue_file(catalogue=cat, by=head, now=T0)
    with pytest.raises(DomainError) as e:
        C.catalogue_item_add(catalogue=cat, code="NEW", name="新", category="other", frequency="yearly",
                             by=head, now=T0)
    assert e.value.field == "status"
    with pytest.raises(DomainError):
        C.catalogue_item_remove(item=cat.items.first(), by=head, now=T0)
