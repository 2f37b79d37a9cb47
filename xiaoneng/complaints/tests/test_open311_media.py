"""Open311 `media_url`: an image of the complainant's that the office published, at a public EXIF-free address;
never a file the office did not publish, never the complainant. And `media_url` given on POST: kept as text for
the office (validated http(s), never fetched), never shown to departments or the public."""

from __future__ import annotations

import io
import json
import socket

import pytest
from PIL import Image

from xiaoneng.complaints import services
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.uploads import clean_uploads
from xiaoneng.core.errors import DomainError

from .conftest import LETTER, T0, pdf_bytes, png_bytes

NAME_ON_FILE = "张晓明的身份证照片.jpg"


@pytest.fixture
def with_files(submit, staff):
    """A complaint with a JPEG carrying EXIF (cleaned at upload), a PDF, and a staff member's evidence photo."""
    files = clean_uploads([(NAME_ON_FILE, png_bytes(exif=True)), ("材料.pdf", pdf_bytes())])
    c = submit(files=files)
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    services.complaint_note_add(complaint=c, by=staff["supervisor"], now=T0, text="现场拍照取证。",
                                files=clean_uploads([("现场.png", png_bytes())]))
    photo = c.attachments.get(original_name=NAME_ON_FILE)
    pdf = c.attachments.get(content_type="application/pdf")
    evidence = c.attachments.get(note__isnull=False)
    return c, photo, pdf, evidence


def sr(client, c):
    r = client.get(f"/open311/v2/requests/{c.number}.json")
    assert r.status_code == 200
    return r.json()[0]


def listed(client, c):
    rows = client.get("/open311/v2/requests.json", {"start_date": "2026-03-01"}).json()
    return next(x for x in rows if x["service_request_id"] == c.number)


def test_nothing_is_public_until_the_office_publishes(client, with_files, staff):
    c, photo, pdf, evidence = with_files
    services.attachment_share(attachment=photo, by=staff["supervisor"], shared=True)  # shared ≠ published
    assert sr(client, c)["media_url"] is None and listed(client, c)["media_url"] is None
    for a in (photo, pdf, evidence):
        assert client.get(f"/complaints/media/{a.pk}/").status_code == 404
        assert client.get(f"/complaints/media/{a.sha256}/").status_code == 404


def test_published_image_is_served_without_exif_or_identity(client, with_files, staff):
    c, photo, _pdf, _ev = with_files
    services.attachment_publish(attachment=photo, by=staff["supervisor"], now=T0, published=True)
    photo.refresh_from_db()
    one, row = sr(client, c), listed(client, c)
    assert one["media_url"] == row["media_url"] == f"http://testserver/complaints/media/{photo.public_token}/"
    r = client.get(one["media_url"].removeprefix("http://testserver"))
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert r["X-Content-Type-Options"] == "nosniff" and r["Content-Disposition"] == "inline"
    assert "sandbox" in r["Content-Security-Policy"]
    data = b"".join(r.streaming_content)
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG" and len(img.getexif()) == 0 and "exif" not in img.info
    assert b"CameraMaker" not in data
    # Neither the answer nor the image's address tells who complained, nor the tracking code.
    text = json.dumps([one, row], ensure_ascii=False) + one["media_url"]
    for secret in (LETTER["name"], LETTER["phone"], LETTER["email"], LETTER["address"], NAME_ON_FILE,
                   c.tracking_code):
        assert secret not in text
    # …nor is it the attachment's guessable number: no path segment is the pk (a random token may contain its
    # digits, which the former check `str(pk) + "/"` mistook for a leak now and then).
    assert str(photo.pk) not in one["media_url"].split("?")[0].split("/")
    assert NAME_ON_FILE not in r.get("Content-Disposition", "")


def test_only_the_complainants_images_can_be_published(with_files, staff):
    _c, _photo, pdf, evidence = with_files
    for a in (pdf, evidence):
        with pytest.raises(DomainError) as e:
            services.attachment_publish(attachment=a, by=staff["supervisor"], now=T0, published=True)
        assert e.value.field == "attachment" and "图片" in e.value.message
        a.refresh_from_db()
        assert a.public_token is None


def test_an_image_still_carrying_exif_is_never_published(with_files, staff):
    _c, photo, _pdf, _ev = with_files
    with photo.file.open("wb") as fh:  # as if stored by some path that skipped the cleaning
        fh.write(png_bytes(exif=True))
    with pytest.raises(DomainError, match="元数据"):
        services.attachment_publish(attachment=photo, by=staff["supervisor"], now=T0, published=True)
    photo.refresh_from_db()
    assert photo.public_token is None


@pytest.mark.parametrize("role", ["handler", "head", "leader", "admin"])
def test_only_the_office_publishes(client_as, with_files, staff, depts, role):
    c, photo, _pdf, _ev = with_files
    services.complaint_dispatch(complaint=c, by=staff["supervisor"], now=T0, departments=[depts["a"]])
    r = client_as(role).post(f"/staff/complaints/{c.number}/do/publish_attachment/",
                             {"attachment": photo.pk, "published": "1"})
    assert r.status_code == 403
    photo.refresh_from_db()
    assert photo.public_token is None


def test_office_publishes_from_the_page_and_withdrawal_kills_the_address(client, client_as, with_files):
    c, photo, _pdf, _ev = with_files
    sup = client_as("supervisor")
    assert f'data-testid="publish-{photo.pk}"' in sup.get(f"/staff/complaints/{c.number}/").content.decode()
    r = sup.post(f"/staff/complaints/{c.number}/do/publish_attachment/", {"attachment": photo.pk, "published": "1"})
    assert r.status_code == 302
    photo.refresh_from_db()
    first = f"/complaints/media/{photo.public_token}/"
    assert c.timeline.filter(kind="published", public=False).exists()
    sup.post(f"/staff/complaints/{c.number}/do/publish_attachment/", {"attachment": photo.pk, "published": "0"})
    client.logout()
    assert client.get(first).status_code == 404 and sr(client, c)["media_url"] is None
    services.attachment_publish(attachment=photo, by=photo.complaint.office_handler, now=T0, published=True)
    photo.refresh_from_db()
    assert f"/complaints/media/{photo.public_token}/" != first and client.get(first).status_code == 404


def test_media_list_adds_one_query_only(client, with_files, staff, submit, django_assert_max_num_queries):
    c, photo, *_ = with_files
    services.attachment_publish(attachment=photo, by=staff["supervisor"], now=T0, published=True)
    for i in range(10):
        submit(phone=f"1390000{i:04d}")
    with django_assert_max_num_queries(3):
        rows = client.get("/open311/v2/requests.json", {"start_date": "2026-03-01"}).json()
    assert sum(1 for x in rows if x["media_url"]) == 1 and len(rows) == 11


# ----------------------------------------------------------------------------------- media_url on POST
def o311(**over):
    return {"service_code": "TS-CSBL", "description": LETTER["facts"], "first_name": "晓明", "last_name": "张",
            "phone": LETTER["phone"], "attribute[department]": "TA", "attribute[occurred_on]": "2026-02-26",
            "attribute[request]": "请尽快办结。", "attribute[litigation]": "none", **over}


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to reach another host during the request fails the test: media_url is never fetched."""
    def refuse(*a, **k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_posted_media_url_is_stored_for_the_office_only(client, client_as, calendar, depts, staff, tokens,
                                                        no_network):
    link = "https://img.example.com/u/zhangxiaoming/photo1.jpg"
    r = client.post("/open311/v2/requests.json", {**o311(media_url=link), "api_key": tokens["a"]["raw"]})
    assert r.status_code == 201, r.content
    c = Complaint.objects.get(number=r.json()[0]["service_request_id"])
    assert c.media_url == link and not c.attachments.exists()
    assert link not in c.facts_redacted
    # The public answer never echoes it (it may lead to the complainant): only a published image would show.
    assert sr(client, c)["media_url"] is None
    services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)
    services.complaint_dispatch(complaint=c, by=staff["supervisor"], now=T0, departments=[depts["a"]])
    assert link in client_as("supervisor").get(f"/staff/complaints/{c.number}/").content.decode()
    for role in ("handler", "head"):
        assert link not in client_as(role).get(f"/staff/complaints/{c.number}/").content.decode()
        assert link not in client_as(role).get(f"/api/v1/complaints/{c.number}").content.decode()
    assert link not in client.get("/api/v1/complaints/" + c.number, HTTP_AUTHORIZATION=tokens["a"][
        "HTTP_AUTHORIZATION"]).content.decode()


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://example.com/a.jpg", "file:///etc/passwd",
                                 "not a url", "https://", "http://example.com/" + "a" * 600])
@pytest.mark.parametrize("as_json", [False, True])
def test_bad_media_url_is_a_field_error_and_nothing_is_stored(client, calendar, depts, tokens, no_network, bad,
                                                              as_json):
    if as_json:
        body = {"service_code": "TS-CSBL", "description": LETTER["facts"], "api_key": tokens["a"]["raw"],
                "media_url": bad, "attribute": {"department": "TA", "occurred_on": "2026-02-26",
                                                "request": "请尽快办结。", "litigation": "none"}}
        r = client.post("/open311/v2/requests.json", json.dumps(body), content_type="application/json")
    else:
        r = client.post("/open311/v2/requests.json", {**o311(media_url=bad), "api_key": tokens["a"]["raw"]})
    assert r.status_code == 400
    errors = r.json()
    assert [e["field"] for e in errors] == ["media_url"]
    assert "媒体链接" in errors[0]["description"] and "http" in errors[0]["description"]
    assert Complaint.objects.count() == 0


def test_bad_media_url_is_reported_with_the_other_bad_fields(client, calendar, depts, tokens):
    r = client.post("/open311/v2/requests.json", {**o311(media_url="data:image/png;base64,AAAA", description="短"),
                                                  "api_key": tokens["a"]["raw"]})
    assert r.status_code == 400 and {e["field"] for e in r.json()} == {"description", "media_url"}
