"""Intake from every channel: the public form (each field's error in place, nothing stored half), staff entry
per channel, idempotent submits, tracking codes, attachments checked by content, rate limits and the block
list."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaoneng.complaints import services
from xiaoneng.complaints.intake import IntakeErrors, clean_intake
from xiaoneng.complaints.models import (
    STAFF_CHANNELS,
    Attachment,
    BlockEntry,
    ComplainantIdentity,
    Complaint,
    Status,
    TimelineEntry,
)
from xiaoneng.complaints.uploads import clean_uploads
from xiaoneng.core.errors import DomainError

from .conftest import LETTER, T0, letter, pdf_bytes, png_bytes

NEW = "/complaints/new/"


def form_data(**over):
    return {**letter(**over), "submission_token": over.pop("submission_token", "tok-" + "x" * 20)}


# ------------------------------------------------------------------------------------------ the validator
@pytest.mark.parametrize("field,value,message", [
    ("category", "", "请选择投诉类别"),
    ("category", "NOPE", "投诉类别无效"),
    ("department", "", "请选择被投诉单位"),
    ("department", "T00", "被投诉单位无效"),  # the county itself is not a complainable department
    ("occurred_on", "", "请填写发生日期"),
    ("occurred_on", "2026/02/30", "日期格式"),
    ("occurred_on", "2099-01-01", "不能晚于今天"),
    ("facts", "太慢了", "至少 10 个字"),
    ("facts", "慢" * 5001, "不能超过 5000"),
    ("request", "", "请写明您的诉求"),
    ("litigation", "", "仲裁"),
    ("litigation", "maybe", "仲裁"),
    ("identity_mode", "", "实名、实名保密或匿名"),
    ("name", "", "姓名"),
    ("phone", "", "联系电话"),
    ("phone", "12345abc", "格式不正确"),
    ("email", "not-an-email", "邮箱格式不正确"),
    ("window", "窗" * 101, "100"),
])
def test_each_bad_field_is_named(calendar, depts, field, value, message):
    with pytest.raises(IntakeErrors) as exc:
        clean_intake(letter(**{field: value}), today=T0.date())
    assert field in exc.value.errors and message in exc.value.errors[field]
    assert list(exc.value.errors) == [field]


def test_all_errors_at_once_and_anonymous_needs_no_name(calendar, depts):
    with pytest.raises(IntakeErrors) as exc:
        clean_intake({}, today=T0.date())
    assert {"category", "department", "occurred_on", "facts", "request", "litigation", "identity_mode"} <= set(
        exc.value.errors)
    ok = clean_intake(letter(identity_mode="anonymous", name="张晓明", phone="", email=""), today=T0.date())
    assert ok.name == "" and ok.phone == ""  # an anonymous complaint keeps no name, whatever was typed


# ------------------------------------------------------------------------------------------ public form
def test_form_page_is_phone_friendly_and_labelled(client, calendar, depts):
    r = client.get(NEW)
    html = r.content.decode()
    assert r.status_code == 200
    assert 'name="viewport"' in html and 'enctype="multipart/form-data"' in html
    for field in ("category", "department", "occurred_on", "facts", "request", "name", "phone", "attachments"):
        assert f'for="id_{field}"' in html, field
    assert 'name="submission_token"' in html and "style=" not in html and "<script>" not in html


@pytest.mark.parametrize("field,value", [("facts", "短"), ("phone", "abc"), ("department", ""), ("litigation", "")])
def test_form_error_shown_beside_field_and_nothing_stored(client, calendar, depts, field, value):
    r = client.post(NEW, form_data(**{field: value}))
    html = r.content.decode()
    assert r.status_code == 400
    assert f'id="id_{field}-err"' in html or f'id="id_{field}_0-err"' in html or f"id_{field}-err" in html
    assert Complaint.objects.count() == 0 and ComplainantIdentity.objects.count() == 0
    assert "张晓明" in html  # what the citizen typed is kept in the form


def test_form_submit_gives_tracking_code_and_link(client, calendar, depts):
    r = client.post(NEW, form_data())
    assert r.status_code == 302 and r["Location"] == reverse("complaints:submitted")
    page = client.get(r["Location"]).content.decode()
    c = Complaint.objects.get()
    assert c.status == Status.RECEIVED and c.channel == "web"
    shown = re.search(r'data-testid="tracking-code">([A-Z0-9-]+)<', page).group(1)
    assert shown.replace("-", "") == c.tracking_code
    assert f"/complaints/track/{c.tracking_code}/" in page
    assert c.identity.name == "张晓明" and c.identity.submitted_ip == "127.0.0.1"
    assert c.acceptance_due_at is not None and c.next_check_at is not None
    assert TimelineEntry.objects.filter(complaint=c, kind="received", public=True).exists()


def test_double_submit_creates_one_complaint(client, calendar, depts):
    page = client.get(NEW).content.decode()  # the token is the one the form page issued to this session
    data = form_data(submission_token=re.search(r'name="submission_token" value="([^"]+)"', page).group(1))
    r1 = client.post(NEW, data)
    r2 = client.post(NEW, data)
    assert r1.status_code == r2.status_code == 302
    assert Complaint.objects.count() == 1


def test_tracking_codes_are_unguessable(submit):
    codes = {submit(key=None).tracking_code for _ in range(30)}
    assert len(codes) == 30
    for code in codes:
        assert len(code) == 16 and set(code) <= set(services.CODE_ALPHABET)
    assert services.tracking_code_normalise("abcd-efgh ijkl mnop") == "ABCDEFGHIJKLMNOP"


def test_wrong_tracking_code_is_404(client, submit):
    c = submit()
    assert client.get(f"/complaints/track/{c.tracking_code}/").status_code == 200
    wrong = c.tracking_code[:-1] + ("2" if c.tracking_code[-1] != "2" else "3")
    assert client.get(f"/complaints/track/{wrong}/").status_code == 404
    assert client.get("/complaints/track/", {"code": "WRONG"}).status_code == 404
    r = client.get("/complaints/track/", {"code": services.tracking_code_display(c.tracking_code).lower()})
    assert r.status_code == 302


# ------------------------------------------------------------------------------------------ staff channels
@pytest.mark.parametrize("channel", [c.value for c in STAFF_CHANNELS])
def test_staff_entry_records_channel(client_as, calendar, depts, channel):
    c = client_as("supervisor")
    r = c.post("/staff/complaints/new/", {**form_data(), "channel": channel, "urgent": "on"})
    assert r.status_code == 302
    comp = Complaint.objects.get()
    assert comp.channel == channel and comp.urgent and comp.created_by.username == "supervisor"
    assert r["Location"] == f"/staff/complaints/{comp.number}/"


def test_staff_entry_refuses_web_channel_and_non_office(submit, staff):
    with pytest.raises(DomainError):
        submit(by=staff["supervisor"], channel="web")
    with pytest.raises(DomainError):
        submit(by=staff["handler"], channel="hotline")


# ------------------------------------------------------------------------------------------ attachments
def _upload(name, content, ctype="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=ctype)


def test_good_attachments_are_stored_and_exif_stripped(client, calendar, depts):
    jpg = png_bytes(exif=True)
    assert b"CameraMaker" in jpg
    r = client.post(NEW, {**form_data(), "attachments": [_upload("现场.jpg", jpg, "image/jpeg"),
                                                        _upload("收据.pdf", pdf_bytes(), "application/pdf")]})
    assert r.status_code == 302
    a = list(Attachment.objects.order_by("id"))
    assert [x.content_type for x in a] == ["image/jpeg", "application/pdf"]
    assert b"CameraMaker" not in a[0].file.read()


@pytest.mark.parametrize("name,content,reason", [
    ("photo.jpg", b"<html><script>alert(1)</script></html>", "类型不被接受"),  # a page named .jpg
    ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, "类型不被接受"),  # an executable named .pdf
    ("doc.pdf", pdf_bytes(js=True), "脚本"),
    ("broken.png", png_bytes()[:40], "损坏"),
    ("empty.png", b"", "空文件"),
])
def test_bad_attachments_refused_with_reason(client, calendar, depts, name, content, reason):
    r = client.post(NEW, {**form_data(), "attachments": [_upload(name, content)]})
    html = r.content.decode()
    assert r.status_code == 400 and reason in html and 'id="id_attachments-err"' in html
    assert Complaint.objects.count() == 0 and Attachment.objects.count() == 0


def test_oversized_and_too_many_and_bomb(settings):
    settings.XIAONENG_COMPLAINTS = {"MAX_FILE_MB": 1, "MAX_FILES": 2, "MAX_IMAGE_PIXELS": 10_000}
    with pytest.raises(DomainError, match="超过 1 MB"):
        clean_uploads([("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))])
    with pytest.raises(DomainError, match="最多 2 个"):
        clean_uploads([("a.png", png_bytes())] * 3)
    with pytest.raises(DomainError, match="分辨率过大"):
        clean_uploads([("bomb.png", png_bytes(size=(200, 200)))])


# ------------------------------------------------------------------------------------------ abuse
def test_rate_limit_per_ip_answers_429_after_the_limit(client, calendar, depts, settings):
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_IP": "5/h", "RATE_PER_CONTACT": "100/h"}
    codes = []
    for i in range(20):  # a bounded burst on loopback
        r = client.post(NEW, form_data(submission_token=f"burst-{i:04d}-xxxxxxxx", phone=f"1391234{i:04d}"))
        codes.append(r.status_code)
    assert codes[:5] == [302] * 5 and set(codes[5:]) == {429}
    assert "过于频繁" in r.content.decode()
    assert Complaint.objects.count() == 5


def test_rate_limit_per_contact(submit, settings):
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_IP": "100/h", "RATE_PER_CONTACT": "2/h"}
    submit(ip="198.51.100.1")
    submit(ip="198.51.100.2")
    with pytest.raises(services.RateLimited) as exc:
        submit(ip="198.51.100.3", phone="139 1234 5678")  # the same number, written differently
    assert exc.value.status == 429
    submit(ip="198.51.100.4", phone="13800000000")  # another complainant is not held back
    submit(ip="198.51.100.5", phone="13912345678", now=T0.replace(hour=12))  # the next hour's window


def test_block_list_by_ip_and_contact(submit, staff):
    services.block_add(by=staff["supervisor"], now=T0, kind=BlockEntry.Kind.IP, value="203.0.113.99", reason="刷屏")
    with pytest.raises(services.Blocked):
        submit(ip="203.0.113.99")
    entry = services.block_add(by=staff["supervisor"], now=T0, kind="contact", value="13912345678", reason="恶意")
    assert entry.value != "13912345678" and entry.label == "139****5678"
    with pytest.raises(services.Blocked):
        submit(ip="203.0.113.1")
    services.block_remove(entry=entry, by=staff["supervisor"], now=T0)
    assert submit(ip="203.0.113.1").pk
    with pytest.raises(DomainError):
        services.block_add(by=staff["handler"], now=T0, kind="ip", value="1.2.3.4", reason="x")


def test_blocklist_page(client_as, calendar, depts):
    c = client_as("supervisor")
    r = c.post("/staff/complaints/blocklist/", {"kind": "ip", "value": "not-an-ip", "reason": "刷屏"})
    assert r.status_code == 400 and "IP 地址格式不正确" in r.content.decode()
    r = c.post("/staff/complaints/blocklist/", {"kind": "ip", "value": "203.0.113.5", "reason": "刷屏"})
    assert r.status_code == 302 and BlockEntry.objects.count() == 1


def test_duplicates_are_offered_and_merged(submit, staff):
    first = submit()
    second = submit(now=T0.replace(hour=15), facts=LETTER["facts"] + "再次反映。")
    other = submit(phone="13800000001", name="李四", facts="完全不同的事情，关于窗口工作人员上班时间玩手机的问题。")
    dups = services.duplicates_for(second)
    assert [c.pk for c, _ in dups] == [first.pk]
    assert other.pk not in [c.pk for c, _ in services.duplicates_for(first)]
    services.complaint_merge(complaint=second, into=first, by=staff["supervisor"], now=T0)
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first and not second.is_open
