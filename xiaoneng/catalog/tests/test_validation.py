"""Content rules: each broken rule is refused with the field named and a Chinese reason."""

from __future__ import annotations

import pytest

from xiaoneng.catalog.content import ContentInvalid, clean_content


def fields_of(content) -> dict[str, str]:
    with pytest.raises(ContentInvalid) as exc:
        clean_content(content)
    return {e.field: e.message for e in exc.value.errors}


def test_valid_content_passes(content):
    out = clean_content(content)
    assert out["statutory_limit_value"] == 20 and out["materials"][0]["copies"] == 1


def test_committed_longer_than_statutory(content):
    content["committed_limit_value"] = 25
    assert fields_of(content) == {"committed_limit_value": "承诺时限不能长于法定时限。"}


def test_committed_wd_longer_than_statutory_natural_days(content):
    content.update(statutory_limit_value=10, statutory_limit_unit="d", committed_limit_value=11,
                   steps=content["steps"][:1])
    assert "committed_limit_value" in fields_of(content)


def test_units_not_comparable_are_not_judged(content):
    content.update(committed_limit_value=30, committed_limit_unit="wh")
    assert clean_content(content)["committed_limit_value"] == 30


@pytest.mark.parametrize("field,value", [("statutory_limit_value", 0), ("statutory_limit_value", -3),
                                         ("committed_limit_value", 0), ("statutory_limit_value", "二十"),
                                         ("statutory_limit_value", None), ("statutory_limit_value", 99999)])
def test_limits_must_be_positive_integers(content, field, value):
    content[field] = value
    errors = fields_of(content)
    assert field in errors


def test_instant_may_promise_zero(content):
    content.update(item_type="instant", committed_limit_value=0)
    assert clean_content(content)["committed_limit_value"] == 0


def test_required_texts(content):
    content.update(name=" ", legal_basis="")
    errors = fields_of(content)
    assert errors["name"] == "事项名称不能为空。" and errors["legal_basis"] == "设定依据不能为空。"


def test_every_problem_reported_at_once(content):
    content.update(name="", committed_limit_value=99, item_type="bogus")
    content["materials"][1]["copies"] = 0
    errors = fields_of(content)
    assert {"name", "item_type", "materials.1.copies"} <= set(errors)


def test_choice_accepts_chinese_label(content):
    content.update(item_type="联办件", statutory_limit_unit="工作日", suspension_reasons="补正材料、现场勘查")
    out = clean_content(content)
    assert out["item_type"] == "joint" and out["suspension_reasons"] == ["supplement", "site_survey"]


def test_suspension_rules(content):
    content.update(suspension_allowed=True, suspension_reasons=[])
    assert "suspension_reasons" in fields_of(content)
    content.update(suspension_allowed=False, suspension_reasons=["hearing"])
    assert "suspension_reasons" in fields_of(content)
    content.update(suspension_allowed=True, suspension_reasons=["nap"])
    assert "无效" in fields_of(content)["suspension_reasons"]


def test_deemed_approval_needs_its_legal_basis(content):
    """超时默许 exists only where a law provides it: the provision is required with the flag (it is cited on
    the notice) and refused without it."""
    content.update(deemed_approval=True, deemed_approval_basis="")
    assert "第五十条第二款" in fields_of(content)["deemed_approval_basis"]
    content.update(deemed_approval=False, deemed_approval_basis="《中华人民共和国行政许可法》第五十条第二款")
    assert "未勾选" in fields_of(content)["deemed_approval_basis"]
    basis = "《中华人民共和国行政许可法》第五十条第二款：……逾期未作决定的，视为准予延续。"
    content.update(deemed_approval=True, deemed_approval_basis=basis)
    assert clean_content(content)["deemed_approval_basis"] == basis


def test_the_database_refuses_deemed_approval_without_a_basis(item_a):
    from django.db import IntegrityError, transaction

    from xiaoneng.catalog.models import ServiceItemVersion

    v = ServiceItemVersion.objects.filter(deemed_approval=False).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItemVersion.objects.filter(pk=v.pk).update(deemed_approval=True)


def test_online_or_offline(content):
    content.update(online=False, offline=False)
    assert "online" in fields_of(content)


def test_online_url_must_be_http(content):
    content["online_url"] = "javascript:alert(1)"
    assert "online_url" in fields_of(content)


def test_materials_rules(content):
    content["materials"][2]["condition"] = ""
    assert fields_of(content) == {"materials.2.condition": "特定情形下需要的材料须写明适用情形。"}
    content["materials"] = []
    assert "materials" in fields_of(content)


@pytest.mark.parametrize("fee,field", [
    ({"name": "工本费", "legal_basis": "", "amount": "10"}, "fees.0.legal_basis"),
    ({"name": "工本费", "legal_basis": "x"}, "fees.0.amount"),
    ({"name": "工本费", "legal_basis": "x", "amount": "-1"}, "fees.0.amount"),
    ({"name": "工本费", "legal_basis": "x", "amount": "1.234"}, "fees.0.amount"),
    ({"name": "工本费", "legal_basis": "x", "amount": "10", "amount_min": "1", "amount_max": "2"}, "fees.0.amount"),
    ({"name": "工本费", "legal_basis": "x", "amount_min": "1"}, "fees.0.amount_max"),
    ({"name": "工本费", "legal_basis": "x", "amount_min": "5", "amount_max": "2"}, "fees.0.amount_max"),
])
def test_fee_rules(content, fee, field):
    content["fees"] = [fee]
    assert field in fields_of(content)


def test_fee_bounds_ok(content):
    content["fees"] = [{"name": "检验费", "legal_basis": "x", "amount_min": "100", "amount_max": "300.5"}]
    fee = clean_content(content)["fees"][0]
    assert str(fee["amount_min"]) == "100.00" and str(fee["amount_max"]) == "300.50"


def test_steps_rules(content):
    content["steps"][0]["kind"] = "review"
    assert fields_of(content)["steps.0.kind"] == "第一个环节必须是“受理”。"
    content["steps"][0]["kind"] = "accept"
    content["steps"][3]["kind"] = "handle"
    assert "steps.3.kind" in fields_of(content)
    content["steps"][3]["kind"] = "complete"
    content["steps"][1]["limit_value"] = 21
    assert fields_of(content) == {"steps.1.limit_value": "环节时限不能长于事项的法定时限。"}
    content["steps"] = []
    assert "steps" in fields_of(content)


def test_repeated_step_kind_allowed(content):
    content["steps"].insert(2, {"kind": "review", "name": "复审", "limit_value": 2})
    assert len(clean_content(content)["steps"]) == 5
