"""Fixtures for complaint tests: the calendar, a valid complaint letter, and helpers that drive complaints
through the real services (no mocks) to each stage of handling."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from xiaoneng.complaints import services
from xiaoneng.complaints.intake import clean_intake
from xiaoneng.complaints.models import Channel

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday, no holiday for weeks around it

LETTER = {
    "category": "TS-CSBL",
    "department": "TA",
    "window": "12号窗口",
    "staff_name": "工号0123",
    "case_no": "",
    "occurred_on": "2026-02-26",
    "facts": "2月26日我到县政务服务中心12号窗口办理食品经营许可，材料齐全，工作人员说要等领导签字，至今未办结。",
    "request": "请尽快办结并说明延误原因。",
    "litigation": "none",
    "identity_mode": "confidential",
    "name": "张晓明",
    "phone": "13912345678",
    "email": "zhang@example.com",
    "address": "清源县人民路88号",
}


def letter(**over) -> dict:
    return {**LETTER, **over}


@pytest.fixture(autouse=True)
def _rules(db):
    """The supervision rules decide the complaint clocks' next check (complaints.hooks): make sure the
    shipped defaults exist (a transactional test elsewhere may have flushed them) and are read fresh."""
    from xiaoneng.supervision.defaults import rules_ensure_defaults
    from xiaoneng.supervision.rulecache import rules_invalidate

    rules_ensure_defaults()
    rules_invalidate()
    yield
    rules_invalidate()


@pytest.fixture(autouse=True)
def _media_and_limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tests submit many complaints from one address; the rate-limit tests set their own limits.
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_IP": "1000/h", "RATE_PER_CONTACT": "1000/h"}


@pytest.fixture
def submit(calendar, depts):
    from xiaoneng.complaints.categories import categories_ensure

    categories_ensure()  # a transactional test elsewhere may have flushed the migration's categories

    def _submit(now=T0, channel=Channel.WEB, files=(), by=None, ip="203.0.113.7", key=None, **over):
        intake = clean_intake(letter(**over), today=now.date())
        return services.complaint_submit(intake=intake, channel=channel, now=now, files=list(files), by=by, ip=ip,
                                         idempotency_key=key)
    return _submit


@pytest.fixture
def accepted(submit, staff):
    c = submit()
    return services.complaint_accept(complaint=c, by=staff["supervisor"], now=T0)


@pytest.fixture
def dispatched(accepted, staff, depts):
    services.complaint_dispatch(complaint=accepted, by=staff["supervisor"], now=T0, departments=[depts["a"]])
    accepted.refresh_from_db()
    return accepted


def png_bytes(size=(20, 20), exif: bool = False) -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", size, (200, 30, 30))
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "CameraMaker"  # Make
        img.save(buf, "JPEG", exif=ex.tobytes())
    else:
        img.save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes(js: bool = False) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    if js:
        from pypdf.generic import DictionaryObject, NameObject, TextStringObject

        w._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x');")})
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()
