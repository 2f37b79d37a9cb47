"""Fixtures for complaint tests: the calendar, a valid complaint letter, and helpers that drive complaints
through the real services (no mocks) to each stage of handling."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from xiaoneng.accounts.services import api_client_create
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

    def _submit(now=T0, channel=Channel.WEB, files=(), by=None, ip="203.0.113.7", key=None, language=None, **over):
        intake = clean_intake(letter(**over), today=now.date())
        return services.complaint_submit(intake=intake, channel=channel, now=now, files=list(files), by=by, ip=ip,
                                         idempotency_key=key, language=language)
    return _submit


@pytest.fixture
def tokens(depts):
    out = {}
    for key in ("a", "b"):
        _, raw = api_client_create(name=f"sys-{key}", department=depts[key], by=None, now=T0)
        out[key] = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "raw": raw}
    return out


@pytest.fixture
def figures_data(submit, staff, depts):
    """March, bureau A: 4 received (1 refused); 3 accepted; one replied on time and satisfied, one replied late
    and not satisfied, one still in progress. April, bureau B: 1 received, accepted late."""
    sup = staff["supervisor"]
    day = datetime(2026, 3, 2, 10, tzinfo=TZ)
    cs = [submit(now=day + timedelta(hours=i), phone=f"1390000000{i}") for i in range(4)]
    services.complaint_refuse(complaint=cs[0], by=sup, now=day, reason="not_in_scope", text="不属于受理范围。")
    for c in cs[1:]:
        services.complaint_accept(complaint=c, by=sup, now=day + timedelta(days=1))
        services.complaint_dispatch(complaint=c, by=sup, now=day + timedelta(days=1), departments=[depts["a"]])
    for c, outcome, reply_at, rating in ((cs[1], "substantiated", day + timedelta(days=4), "satisfied"),
                                         (cs[2], "not_substantiated", day + timedelta(days=20), "unsatisfied")):
        d = c.dispatches.get()
        services.dispatch_result(dispatch=d, by=staff["handler"], now=day + timedelta(days=3), outcome=outcome,
                                 findings="调查情况说明。", measures="处理措施说明。")
        r = services.reply_draft(complaint=c, by=sup, now=day + timedelta(days=3), text="答复内容：已调查处理完毕。")
        services.reply_review(reply=r, by=sup, now=reply_at, approve=True)
        services.complaint_rate(complaint=c, now=reply_at + timedelta(hours=1), rating=rating)
    late = submit(now=datetime(2026, 4, 1, 10, tzinfo=TZ), department="TB", phone="13900000009")
    services.complaint_accept(complaint=late, by=sup, now=datetime(2026, 4, 20, 10, tzinfo=TZ))
    return cs


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
