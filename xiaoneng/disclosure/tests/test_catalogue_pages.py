"""The staff pages of catalogues and entries, and the public pages: the workflow through the forms, who sees
what, bad input beside the field, drafts never public, query counts of the lists."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from xiaoneng.disclosure.models import Catalogue, DisclosureEntry
from xiaoneng.disclosure.services import catalogues as C
from xiaoneng.disclosure.services import entries as E


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _accepted(dept, head, sup):
    now = timezone.now() - timedelta(days=1)
    cat = C.catalogue_create(department=dept, by=head, now=now)
    C.catalogue_file(catalogue=cat, by=head, now=now)
    return C.catalogue_accept(catalogue=cat, by=sup, now=now)


@pytest.fixture
def cat_a(depts, staff):
    return _accepted(depts["a"], staff["head"], staff["supervisor"])


def test_draft_file_accept_through_the_pages(depts, staff, client):
    client.force_login(staff["handler"])
    r = client.post(reverse("disclosure:catalogue_new"), {"department": "TA", "level": "", "from_template": "on"})
    cat = Catalogue.objects.get(department=depts["a"])
    assert r.status_code == 302 and r["Location"] == reverse("disclosure:catalogue_detail", args=[cat.pk])
    page = client.get(r["Location"]).content.decode()
    assert "财政资金收支情况" in page and "每月" in page and 'data-testid="item-add"' in page
    # A handler cannot file: 403, nothing changes.
    assert client.post(reverse("disclosure:catalogue_action", args=[cat.pk, "file"])).status_code == 403
    # Bad item input is shown beside the field (400), nothing stored.
    r = client.post(reverse("disclosure:catalogue_item_add", args=[cat.pk]),
                    {"code": "JGZN", "name": "重复", "category": "other", "frequency": "yearly"})
    assert r.status_code == 400 and "已在本目录中使用" in r.content.decode()
    r = client.post(reverse("disclosure:catalogue_item_add", args=[cat.pk]),
                    {"code": "ZFCG", "name": "政府采购", "category": "projects", "frequency": "quarterly"})
    assert r.status_code == 302 and cat.items.filter(code="ZFCG").exists()
    client.force_login(staff["head"])
    r = client.post(reverse("disclosure:catalogue_action", args=[cat.pk, "file"]))
    cat.refresh_from_db()
    assert r.status_code == 302 and cat.status == "filed"
    # Not public before acceptance.
    client.logout()
    assert client.get(reverse("disclosure:public_department", args=["TA"])).status_code == 404
    assert "测试县市场监督管理局" not in client.get(reverse("disclosure:public_index")).content.decode()
    client.force_login(staff["supervisor"])
    queue = client.get(reverse("disclosure:filing_queue")).content.decode()
    assert 'data-testid="queue-filed"' in queue and "测试县市场监督管理局" in queue
    r = client.post(reverse("disclosure:catalogue_action", args=[cat.pk, "return"]), {"reason": ""})
    cat.refresh_from_db()
    assert cat.status == "filed"  # a return without a reason is refused
    client.post(reverse("disclosure:catalogue_action", args=[cat.pk, "return"]), {"reason": "请补充政府采购依据。"})
    cat.refresh_from_db()
    assert cat.status == "returned"
    client.force_login(staff["head"])
    client.post(reverse("disclosure:catalogue_action", args=[cat.pk, "file"]))
    client.force_login(staff["supervisor"])
    client.post(reverse("disclosure:catalogue_action", args=[cat.pk, "accept"]), {"note": "同意。"})
    cat.refresh_from_db()
    assert cat.status == "accepted" and cat.current
    client.logout()
    page = client.get(reverse("disclosure:public_department", args=["TA"])).content.decode()
    assert "政府采购" in page and "暂未公开" in page


def test_revision_draft_is_never_public(depts, staff, client, cat_a):
    v2 = C.catalogue_revise(department=depts["a"], by=staff["head"], now=timezone.now())
    C.catalogue_item_add(catalogue=v2, code="SECRETDRAFT", name="草稿里的新事项", category="other",
                         frequency="yearly", by=staff["head"], now=timezone.now())
    page = client.get(reverse("disclosure:public_department", args=["TA"])).content.decode()
    assert "草稿里的新事项" not in page and "公开目录第1版" in page


def test_publish_and_correct_through_the_pages(depts, staff, client, cat_a):
    client.force_login(staff["handler"])
    form = client.get(reverse("disclosure:entry_new")).content.decode()
    assert "CZSZ 财政资金收支情况" in form
    r = client.post(reverse("disclosure:entry_new"), {
        "department": "TA", "item": "CZSZ", "title": "2026年11月财政资金收支", "body": "",
        "table_text": "项目\t金额（万元）\n收入\t120\n=HYPERLINK(\"x\")\t1"})
    e = DisclosureEntry.objects.get()
    assert r.status_code == 302 and e.table[2][0] == '=HYPERLINK("x")'
    assert e.number.startswith("GK-TA-")
    public = client.get(reverse("disclosure:public_entry", args=[e.number])).content.decode()
    assert "<th scope=\"col\">金额（万元）</th>" in public and "=HYPERLINK(&quot;x&quot;)" in public
    r = client.post(reverse("disclosure:entry_correct", args=[e.number]), {
        "title": "2026年11月财政资金收支", "body": "更正后的说明", "table_text": "", "reason": "表格有误。",
        "keep_attachment": "on"})
    new = DisclosureEntry.objects.get(version=2)
    assert r.status_code == 302 and new.number == f"{e.number}-2"
    old_page = client.get(reverse("disclosure:public_entry", args=[e.number])).content.decode()
    assert 'data-testid="entry-superseded"' in old_page and "表格有误。" in old_page and new.number in old_page
    # Bad input: a future time, beside the field, nothing stored.
    r = client.post(reverse("disclosure:entry_new"), {"department": "TA", "item": "CZSZ", "title": "未来",
                                                      "body": "x", "published_at": "2099-01-01T00:00"})
    assert r.status_code == 400 and "不能晚于当前时间" in r.content.decode()
    r = client.post(reverse("disclosure:entry_new"), {"department": "TA", "item": "CZSZ", "title": "远古",
                                                      "body": "x", "published_at": "0001-01-01T00:00"})
    assert r.status_code == 400
    r = client.post(reverse("disclosure:entry_new"), {"department": "TA", "item": "NOPE", "title": "x", "body": "x"})
    assert r.status_code == 400
    assert DisclosureEntry.objects.count() == 2


def test_attachment_upload_is_checked_and_served(depts, staff, client, cat_a):
    client.force_login(staff["handler"])
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (9, 9, 9)).save(buf, "PNG")
    buf.seek(0)
    buf.name = "预算.png"
    r = client.post(reverse("disclosure:entry_new"), {"department": "TA", "item": "YJS", "title": "2026年部门预算",
                                                      "attachment": buf})
    assert r.status_code == 302, r.content.decode()[-3000:]
    e = DisclosureEntry.objects.get()
    client.logout()
    resp = client.get(reverse("disclosure:public_attachment", args=[e.number]))
    assert resp.status_code == 200 and resp["Content-Type"] == "image/png" and resp["X-Content-Type-Options"] == "nosniff"
    client.force_login(staff["handler"])
    bad = io.BytesIO(b"<script>alert(1)</script>")
    bad.name = "x.pdf"
    r = client.post(reverse("disclosure:entry_new"), {"department": "TA", "item": "YJS", "title": "坏附件",
                                                      "attachment": bad})
    assert r.status_code == 400 and "类型不被接受" in r.content.decode()


def test_withdrawn_entry_leaves_the_lists(depts, staff, client, cat_a):
    e = E.entry_publish(department=depts["a"], item_code="ZDJC", title="关于撤回的决策", body="正文内容",
                        by=staff["head"], now=timezone.now())
    client.force_login(staff["supervisor"])
    client.post(reverse("disclosure:entry_withdraw", args=[e.number]), {"reason": "误发。"})
    client.logout()
    page = client.get(reverse("disclosure:public_department", args=["TA"])).content.decode()
    assert "关于撤回的决策" not in page
    entry_page = client.get(reverse("disclosure:public_entry", args=[e.number])).content.decode()
    assert "该信息已撤回" in entry_page and "误发。" in entry_page and "正文内容" not in entry_page


def test_other_departments_objects_are_404(depts, staff, client, cat_a):
    cat_b = _accepted(depts["b"], None, staff["supervisor"])
    eb = E.entry_publish(department=depts["b"], item_code="CZSZ", title="B", body="x", now=timezone.now())
    client.force_login(staff["handler"])
    assert client.get(reverse("disclosure:catalogue_detail", args=[cat_b.pk])).status_code == 404
    assert client.get(reverse("disclosure:entry_detail", args=[eb.number])).status_code == 404
    assert client.get(reverse("disclosure:entry_correct", args=[eb.number])).status_code == 404
    assert client.post(reverse("disclosure:catalogue_action", args=[cat_b.pk, "revise"])).status_code == 404
    # The department selector of the publish form ignores another bureau's code (falls back to one's own).
    r = client.post(reverse("disclosure:entry_new"), {"department": "TB", "item": "CZSZ", "title": "x", "body": "y"})
    assert r.status_code == 302 and DisclosureEntry.objects.filter(department=depts["a"]).count() == 1
    client.force_login(staff["window"])
    assert client.get(reverse("disclosure:catalogue_home")).status_code == 403
    client.force_login(staff["leader"])
    assert client.get(reverse("disclosure:catalogue_detail", args=[cat_b.pk])).status_code == 200
    assert client.post(reverse("disclosure:catalogue_action", args=[cat_b.pk, "revise"])).status_code == 403


def test_public_pages_query_counts_do_not_grow(depts, staff, client, cat_a, django_assert_max_num_queries):
    now = timezone.now()
    for n in range(25):
        E.entry_publish(department=depts["a"], item_code="CZSZ", title=f"第{n}期", body="x", by=staff["head"],
                        now=now)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("disclosure:public_index")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("disclosure:public_department", args=["TA"])).status_code == 200
    client.force_login(staff["supervisor"])
    with django_assert_max_num_queries(14):
        assert client.get(reverse("disclosure:entry_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("disclosure:catalogue_home")).status_code == 200


def test_unknown_codes_and_numbers_are_404(db, client):
    for url in ("/disclosure/NOPE/", "/disclosure/entries/GK-X-2026-0001/",
                "/disclosure/entries/GK-X-2026-0001/attachment/", "/disclosure/" + "A" * 40 + "/"):
        assert client.get(url).status_code == 404
    assert client.get("/disclosure/").status_code == 200


def test_landing_panels(depts, staff, client, cat_a):
    draft = C.catalogue_create(department=depts["b"], by=None, now=timezone.now() - timedelta(days=30),
                               due_at=timezone.now() - timedelta(days=1))
    client.force_login(staff["supervisor"])
    page = client.get("/staff/").content.decode()
    assert 'data-testid="panel-disclosure-catalogue-office"' in page
    assert 'data-testid="tile-overdue"' in page and 'data-value="1"' in page
    client.force_login(staff["head"])
    page = client.get("/staff/").content.decode()
    assert 'data-testid="panel-disclosure-catalogue-department"' in page and "已备案" in page
    assert "登记注册科" not in page.split('panel-disclosure-catalogue-department')[1].split("</section>")[0]
    assert draft.status == "draft"
