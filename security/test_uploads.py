"""The crafted-upload corpus (security/corpus/, built by make_corpus.py, verdicts in manifest.json) through the
real upload path: `complaints.uploads.clean_uploads`, which every upload goes through (public form, staff
entry, investigation notes, API), and the API end to end (a department system's token submitting a complaint
with the file as a base64 attachment).

A refused file answers with a Chinese reason naming the file, on the field "attachments", and stores nothing;
an accepted image is stored re-encoded, so what was hidden in it (EXIF, a script after the image data, a text
chunk, a GIF/JavaScript polyglot's tail) is not in the stored bytes."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from xiaoneng.complaints.uploads import clean_uploads, image_has_metadata
from xiaoneng.core.errors import DomainError

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
CASES = sorted(MANIFEST.items())
IDS = [rel for rel, _ in CASES]
CJK = re.compile(r"[\u4e00-\u9fff]")
HIDDEN = (b"alert(", b"<script", b"CameraMaker", "张晓明".encode())
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_manifest_covers_every_corpus_file():
    on_disk = {str(p.relative_to(CORPUS)) for sub in ("pdf", "images", "other") for p in (CORPUS / sub).iterdir()}
    assert on_disk == set(MANIFEST), "run security/corpus/make_corpus.py and commit its output"
    assert {v["expect"] for v in MANIFEST.values()} == {"accept", "refuse"}


def _assert_clean(rel: str, stored: bytes) -> None:
    for marker in HIDDEN:
        assert marker not in stored, f"{marker!r} survived in the stored copy of {rel}"
    if rel.startswith("images/"):
        assert not image_has_metadata(stored), rel


@pytest.mark.parametrize(("rel", "case"), CASES, ids=IDS)
def test_clean_uploads(rel, case, settings, tmp_path):
    name, data = Path(rel).name, (CORPUS / rel).read_bytes()
    if case["expect"] == "refuse":
        with pytest.raises(DomainError) as err:
            clean_uploads([(name, data)])
        assert err.value.field == "attachments"
        message = err.value.message
        assert CJK.search(message) and name in message and case["reason"] in message, message
    else:
        (clean,) = clean_uploads([(name, data)])
        _assert_clean(rel, clean.content)


@pytest.fixture
def department_token(db, depts, calendar, settings, tmp_path):
    """A department system's token, and what complaint submission needs: categories, the supervision rules
    that schedule complaint clocks, a media directory, limits that a whole corpus does not reach."""
    from xiaoneng.accounts.services import api_client_create
    from xiaoneng.complaints.categories import categories_ensure
    from xiaoneng.supervision.defaults import rules_ensure_defaults
    from xiaoneng.supervision.rulecache import rules_invalidate

    categories_ensure()
    rules_ensure_defaults()
    rules_invalidate()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_IP": "1000/h", "RATE_PER_CONTACT": "1000/h"}
    _, raw = api_client_create(name="sys-a", department=depts["a"], by=None, now=T0)
    yield {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    rules_invalidate()


@pytest.mark.parametrize(("rel", "case"), CASES, ids=IDS)
def test_through_the_api(rel, case, client, department_token):
    from django.utils import timezone

    from xiaoneng.complaints.models import Attachment, Complaint

    body = {
        "category": "TS-CSBL", "department": "TA", "occurred_on": timezone.localdate().isoformat(),
        "facts": "窗口工作人员拖延办理营业执照变更，附材料一份。", "request": "请尽快办结。", "litigation": "none",
        "identity_mode": "anonymous",
        "attachments": [{"name": Path(rel).name, "content_base64": base64.b64encode((CORPUS / rel).read_bytes()).decode()}],
    }
    r = client.post("/api/v1/complaints", json.dumps(body), content_type="application/json", **department_token)
    if case["expect"] == "refuse":
        assert r.status_code == 400, r.content
        answer = r.json()
        assert answer.get("field") == "attachments" and CJK.search(answer["error"]) and case["reason"] in answer["error"]
        assert Complaint.objects.count() == 0 and Attachment.objects.count() == 0
    else:
        assert r.status_code == 201, r.content
        (a,) = Attachment.objects.all()
        with a.file.open("rb") as fh:
            _assert_clean(rel, fh.read())
