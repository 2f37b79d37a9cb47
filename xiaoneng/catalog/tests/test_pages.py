"""Public guide pages and staff catalogue pages: permissions for every role, the edit form (new version,
errors beside fields, nothing saved on error), import/export pages, query counts."""

from __future__ import annotations

import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.testing import make_staff
from xiaoneng.catalog.demo import seed_catalog
from xiaoneng.catalog.models import ServiceItem, ServiceItemVersion
from xiaoneng.catalog.services import catalog_export

from .conftest import CONTENT, T0

ROLES = ["window", "handler", "head", "handler_b", "supervisor", "leader", "admin", "anonymous"]
FIELDS = [k for k in CONTENT if k not in ("materials", "fees", "steps")]


def form_post(content: dict, change_note: str = "修订", **extra) -> dict:
    """The POST a browser sends from the item form for `content` (booleans as checkboxes)."""
    data = {"change_note": change_note, **extra}
    for key in FIELDS:
        value = content[key]
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif key == "suspension_reasons":
            data[key] = list(value)
        else:
            data[key] = "" if value is None else str(value)
    for prefix in ("materials", "fees", "steps"):
        rows = content[prefix]
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-ORDER"] = str(i + 1)
            for k, v in row.items():
                if k in ("blank_form", "sample"):
                    continue
                data[f"{prefix}-{i}-{k}"] = "" if v is None else str(v)
    return data


@pytest.fixture
def head_b(depts):
    return make_staff("head_b", depts["b"], [R.HEAD])


def as_role(client, staff, role):
    if role != "anonymous":
        client.force_login(staff[role])
    return client


# ------------------------------------------------------------------------------------------ public pages
@pytest.mark.parametrize("role", ROLES)
def test_public_guides_open_to_everyone(role, client, staff, item_a):
    c = as_role(client, staff, role)
    r = c.get(reverse("catalog:guide_list"), {"q": "食品"})
    assert r.status_code == 200 and "食品经营许可证核发" in r.content.decode()
    r = c.get(reverse("catalog:guide_detail", args=["SP001"]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "申请材料" in html and "最多跑一次" in html and "data-print" in html and "本事项不收费" in html


def test_guide_list_search_filter_and_pagination(client, depts, item_a, item_b):
    # The demo gives a department only the items it really has (issue 10 §4): the 市场监管 bureau TA has 26
    # (with item_a 27, two pages), the 自然资源 bureau TB 18 (with item_b 19).
    seed_catalog(departments=[depts["a"], depts["b"]], rng=random.Random(1), count=50, now=T0)
    r = client.get(reverse("catalog:guide_list"), {"department": "TA"})
    assert r.status_code == 200
    names = {i.department.code for i in r.context["page"]}
    assert names == {"TA"}
    assert r.context["page"].paginator.count == 27
    page2 = client.get(reverse("catalog:guide_list"), {"department": "TA", "page": 2})
    assert len(page2.context["page"]) == 7
    assert "department=TA&amp;page=1" in page2.content.decode()
    by_code = client.get(reverse("catalog:guide_list"), {"q": "ZR001"})
    assert [i.code for i in by_code.context["page"]] == ["ZR001"]
    by_dept = client.get(reverse("catalog:guide_list"), {"q": "自然资源局"})
    assert by_dept.context["page"].paginator.count == 19
    none = client.get(reverse("catalog:guide_list"), {"q": "不存在的事项"})
    assert "没有找到" in none.content.decode()


def test_guide_shows_fees_and_hides_inactive(client, make_item, staff):
    item = make_item(code="FEE1", fees=[{"name": "工本费", "legal_basis": "财税〔2016〕79号", "amount": "80",
                                        "unit": "件"}])
    html = client.get(reverse("catalog:guide_detail", args=["FEE1"])).content.decode()
    assert "工本费" in html and "80.00元/件" in html and "财税〔2016〕79号" in html
    from xiaoneng.catalog.services import service_item_deactivate

    service_item_deactivate(item=item, by=staff["admin"], now=T0)
    assert client.get(reverse("catalog:guide_detail", args=["FEE1"])).status_code == 404
    assert "FEE1" not in client.get(reverse("catalog:guide_list")).content.decode()


def test_pages_have_no_inline_script_or_style(client, admin_client_as, item_a):
    for c, url in ((client, reverse("catalog:guide_list")), (client, reverse("catalog:guide_detail", args=["SP001"])),
                   (admin_client_as, reverse("catalog:item_edit", args=["SP001"])),
                   (admin_client_as, reverse("catalog:item_detail", args=["SP001"]))):
        html = c.get(url).content.decode()
        assert "style=" not in html
        assert "<script>" not in html and "<script nonce" not in html
        assert "onclick" not in html


@pytest.fixture
def admin_client_as(client, staff):
    client.force_login(staff["admin"])
    return client


# ------------------------------------------------------------------------------------------ staff pages
EXPECT_READ = {"window": 200, "handler": 200, "head": 200, "handler_b": 404, "supervisor": 200, "leader": 200,
               "admin": 200, "anonymous": 302}
EXPECT_EDIT = {"window": 403, "handler": 403, "head": 200, "handler_b": 404, "supervisor": 403, "leader": 403,
               "admin": 200, "anonymous": 302}
EXPECT_ADMIN = {"window": 403, "handler": 403, "head": 403, "handler_b": 403, "supervisor": 403, "leader": 403,
                "admin": 200, "anonymous": 302}


@pytest.mark.parametrize("role", ROLES)
def test_item_list_permissions(role, client, staff, item_a, item_b):
    r = as_role(client, staff, role).get(reverse("catalog:item_list"))
    if role == "anonymous":
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
        return
    assert r.status_code == 200
    codes = {i.code for i in r.context["page"]}
    expected = {"window": {"SP001"}, "handler": {"SP001"}, "head": {"SP001"}, "handler_b": {"ZR001"}}
    assert codes == expected.get(role, {"SP001", "ZR001"})
    assert r.context["can_transfer"] == (role == "admin")
    assert r.context["can_create"] == (role in ("head", "admin"))


@pytest.mark.parametrize("role", ROLES)
def test_item_detail_and_version_permissions(role, client, staff, item_a):
    c = as_role(client, staff, role)
    assert c.get(reverse("catalog:item_detail", args=["SP001"])).status_code == EXPECT_READ[role]
    assert c.get(reverse("catalog:version_detail", args=["SP001", 1])).status_code == EXPECT_READ[role]


@pytest.mark.parametrize("role", ROLES)
def test_item_edit_permissions_get_and_forged_post(role, client, staff, item_a, content):
    c = as_role(client, staff, role)
    assert c.get(reverse("catalog:item_edit", args=["SP001"])).status_code == EXPECT_EDIT[role]
    content["committed_limit_value"] = 7
    r = c.post(reverse("catalog:item_edit", args=["SP001"]), form_post(content))
    if EXPECT_EDIT[role] == 200:
        assert r.status_code == 302
        assert ServiceItem.objects.get(code="SP001").current_version.number == 2
    else:
        assert r.status_code == EXPECT_EDIT[role]
        assert ServiceItemVersion.objects.filter(item__code="SP001").count() == 1


def test_head_of_bureau_b_cannot_edit_bureau_a(client, head_b, item_a, item_b, content):
    client.force_login(head_b)
    assert client.get(reverse("catalog:item_edit", args=["SP001"])).status_code == 404
    r = client.post(reverse("catalog:item_edit", args=["SP001"]), form_post({**content, "name": "篡改"}))
    assert r.status_code == 404
    assert client.post(reverse("catalog:item_deactivate", args=["SP001"])).status_code == 404
    assert ServiceItem.objects.get(code="SP001").current_version.name == "食品经营许可证核发"
    assert ServiceItem.objects.get(code="SP001").is_active
    # Their own bureau's item is theirs to edit.
    assert client.get(reverse("catalog:item_edit", args=["ZR001"])).status_code == 200
    # Creating in bureau A through a forged POST: A is not among their departments.
    r = client.post(reverse("catalog:item_create"), form_post({**content}, code="NEW-A", department="TA"))
    assert r.status_code == 400 and not ServiceItem.objects.filter(code="NEW-A").exists()
    assert "department" in r.context["form"].errors


@pytest.mark.parametrize("role", ROLES)
def test_item_create_permissions(role, client, staff, depts, content):
    c = as_role(client, staff, role)
    expected = {"head": 200, "admin": 200, "anonymous": 302}.get(role, 403)
    assert c.get(reverse("catalog:item_create")).status_code == expected
    r = c.post(reverse("catalog:item_create"), form_post(content, code="NEW1", department="TA1"))
    if expected == 200:
        assert r.status_code == 302
        item = ServiceItem.objects.get(code="NEW1")
        assert item.department.code == "TA1" and item.current_version.materials.count() == 3
    else:
        assert r.status_code == expected and not ServiceItem.objects.filter(code="NEW1").exists()


@pytest.mark.parametrize("role", ROLES)
def test_deactivate_permissions(role, client, staff, item_a):
    r = as_role(client, staff, role).post(reverse("catalog:item_deactivate", args=["SP001"]))
    expected = {"head": 302, "admin": 302}.get(role, EXPECT_EDIT[role])
    assert r.status_code == expected
    assert ServiceItem.objects.get(code="SP001").is_active == (expected != 302 or role == "anonymous")


@pytest.mark.parametrize("role", ROLES)
def test_import_export_pages_admin_only(role, client, staff, item_a):
    c = as_role(client, staff, role)
    assert c.get(reverse("catalog:import")).status_code == EXPECT_ADMIN[role]
    r = c.get(reverse("catalog:export"), {"fmt": "xlsx"})
    assert r.status_code == EXPECT_ADMIN[role]
    if role == "admin":
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")
        assert c.get(reverse("catalog:export"), {"fmt": "csv"}).content.startswith("\ufeff#事项".encode())
    upload = SimpleUploadedFile("c.csv", catalog_export(fmt="csv"), content_type="text/csv")
    r = c.post(reverse("catalog:import"), {"file": upload})
    assert r.status_code == EXPECT_ADMIN[role]


def test_import_page_shows_row_errors(admin_client_as, item_a):
    text = catalog_export(fmt="csv").decode("utf-8-sig").replace(",20,工作日,", ",0,工作日,", 1)
    upload = SimpleUploadedFile("c.csv", text.encode("utf-8-sig"), content_type="text/csv")
    r = admin_client_as.post(reverse("catalog:import"), {"file": upload})
    assert r.status_code == 400
    html = r.content.decode()
    assert "法定时限" in html and "未导入任何数据" in html and 'data-testid="import-errors"' in html
    bad = SimpleUploadedFile("c.txt", b"x")
    assert admin_client_as.post(reverse("catalog:import"), {"file": bad}).status_code == 400


def test_import_page_success(admin_client_as, item_a):
    upload = SimpleUploadedFile("c.xlsx", catalog_export(fmt="xlsx"))
    r = admin_client_as.post(reverse("catalog:import"), {"file": upload})
    assert r.status_code == 200 and r.context["result"].unchanged == ["SP001"]


# -------------------------------------------------------------------------------------------- edit form
def test_edit_form_prefilled_and_new_version_with_diff(admin_client_as, item_a, content):
    r = admin_client_as.get(reverse("catalog:item_edit", args=["SP001"]))
    html = r.content.decode()
    assert 'value="食品经营许可证核发"' in html and "营业执照" in html and "id_materials-TOTAL_FORMS" in html
    content["committed_limit_value"] = 8
    content["materials"].append({"name": "新增材料", "form": "copy", "copies": 1, "requirement": "mandatory",
                                 "source": "applicant"})
    r = admin_client_as.post(reverse("catalog:item_edit", args=["SP001"]), form_post(content, "压缩时限"))
    assert r.status_code == 302
    detail = admin_client_as.get(r["Location"])
    html = detail.content.decode()
    assert "第 2 版" in html and "压缩时限" in html and "新增 新增材料" in html and "承诺时限" in html
    v2 = ServiceItem.objects.get(code="SP001").current_version
    assert v2.number == 2 and v2.created_by.username == "admin"


def test_edit_without_changes_makes_no_version(admin_client_as, item_a, content):
    r = admin_client_as.post(reverse("catalog:item_edit", args=["SP001"]), form_post(content), follow=True)
    assert "内容没有变化" in r.content.decode()
    assert ServiceItemVersion.objects.count() == 1


def test_edit_errors_beside_fields_and_nothing_saved(admin_client_as, item_a, content):
    content["committed_limit_value"] = 30  # longer than statutory: a service rule
    content["materials"][2]["condition"] = ""  # conditional without condition: a row rule
    r = admin_client_as.post(reverse("catalog:item_edit", args=["SP001"]), form_post(content))
    assert r.status_code == 400
    form = r.context["form"]
    assert form.errors["committed_limit_value"] == ["承诺时限不能长于法定时限。"]
    material_forms = r.context["formsets"]["materials"].forms
    assert material_forms[2].errors["condition"] == ["特定情形下需要的材料须写明适用情形。"]
    html = r.content.decode()
    assert "is-invalid" in html and "未保存" in html
    assert ServiceItemVersion.objects.count() == 1


def test_edit_field_level_errors(admin_client_as, item_a, content):
    content["statutory_limit_value"] = "abc"
    content["steps"][1]["limit_value"] = ""
    r = admin_client_as.post(reverse("catalog:item_edit", args=["SP001"]), form_post(content))
    assert r.status_code == 400
    assert "statutory_limit_value" in r.context["form"].errors
    assert "limit_value" in r.context["formsets"]["steps"].forms[1].errors
    assert ServiceItemVersion.objects.count() == 1


def test_edit_delete_and_reorder_rows(admin_client_as, item_a, content):
    data = form_post(content)
    data["materials-0-DELETE"] = "on"
    data["materials-1-ORDER"] = "3"
    data["materials-2-ORDER"] = "2"
    r = admin_client_as.post(reverse("catalog:item_edit", args=["SP001"]), data)
    assert r.status_code == 302
    v2 = ServiceItem.objects.get(code="SP001").current_version
    assert [m.name for m in v2.materials.all()] == ["授权委托书", "营业执照"]


def test_whole_list_error_shown(admin_client_as, item_a, content):
    data = form_post(content)
    for i in range(4):
        data[f"steps-{i}-DELETE"] = "on"
    r = admin_client_as.post(reverse("catalog:item_edit", args=["SP001"]), data)
    assert r.status_code == 400 and "办理流程至少要有" in r.content.decode()


def test_material_file_upload_carried_to_next_version_and_served(admin_client_as, client, staff, item_a, content,
                                                                  settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = form_post(content)
    data["materials-0-blank_form"] = SimpleUploadedFile("申请书.docx", b"PK fake docx")
    assert admin_client_as.post(reverse("catalog:item_edit", args=["SP001"]), data).status_code == 302
    v2 = ServiceItem.objects.get(code="SP001").current_version
    m = v2.materials.get(position=1)
    assert m.blank_form.name.startswith("catalog/forms/") and m.blank_form.name.endswith(".docx")
    # Saving again with a change elsewhere keeps the file reference on the new version.
    content["name"] = "食品经营许可证核发（新）"
    assert admin_client_as.post(reverse("catalog:item_edit", args=["SP001"]), form_post(content)).status_code == 302
    v3 = ServiceItem.objects.get(code="SP001").current_version
    assert v3.number == 3 and v3.materials.get(position=1).blank_form.name == m.blank_form.name
    client.logout()
    url = reverse("catalog:material_file", args=[v3.materials.get(position=1).pk, "blank_form"])
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"PK fake docx"
    # The old version's copy is not public.
    assert client.get(reverse("catalog:material_file", args=[m.pk, "blank_form"])).status_code == 404
    guide = client.get(reverse("catalog:guide_detail", args=["SP001"])).content.decode()
    assert url in guide
    client.force_login(staff["admin"])
    bad = form_post(content)
    bad["materials-0-sample"] = SimpleUploadedFile("x.exe", b"MZ")
    r = admin_client_as.post(reverse("catalog:item_edit", args=["SP001"]), bad)
    assert r.status_code == 400 and "sample" in r.context["formsets"]["materials"].forms[0].errors


# ------------------------------------------------------------------------------------------ query counts
def test_list_pages_do_not_query_per_row(client, staff, depts, django_assert_max_num_queries):
    seed_catalog(departments=[depts["a"], depts["b"]], rng=random.Random(2), count=40, now=T0)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("catalog:guide_list")).status_code == 200
    client.force_login(staff["admin"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("catalog:item_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("catalog:item_detail", args=["TA-001"])).status_code == 200


def test_item_detail_queries_do_not_grow_with_versions(admin_client_as, item_a, content, staff):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiaoneng.catalog.services import service_item_revise

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client_as.get(reverse("catalog:item_detail", args=["SP001"])).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for n in range(2, 6):
        service_item_revise(item=item_a, data={**content, "committed_limit_value": n}, by=staff["admin"],
                            now=T0 + timedelta(days=n), change_note=f"第{n}次")
    assert count() == one


def test_guide_detail_query_count(client, item_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert client.get(reverse("catalog:guide_detail", args=["SP001"])).status_code == 200

