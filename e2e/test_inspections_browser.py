"""Browser test of 明查暗访: an invited supervisor (特邀监督员) records a covert visit with a photo on a phone; the
inspected department cannot see it; the office accepts it and publishes the findings; now the department sees
them. Screenshots are saved under artefacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from e2e.conftest import login, shot
from xiaoneng.accounts import roles as R
from xiaoneng.accounts.testing import make_staff
from xiaoneng.inspections import services as svc
from xiaoneng.inspections.models import Visit, VisitStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg_with_exif() -> bytes:
    buf = io.BytesIO()
    ex = Image.Exif()
    ex[0x010F] = "CameraMaker"
    Image.new("RGB", (320, 240), (90, 140, 200)).save(buf, "JPEG", exif=ex.tobytes())
    return buf.getvalue()


@pytest.fixture
def setup(calendar, depts, staff):
    from xiaoneng.supervision.defaults import rules_ensure_defaults

    rules_ensure_defaults()  # a transactional test flushes what migrations made
    invited = make_staff("deputy_wang", None, [R.INVITED])
    svc.supervisor_profile_save(staff=invited, kind="deputy", affiliation="县人大常委会", by=None)
    now = timezone.now()
    checklist = svc.checklist_ensure_default(now=now)
    today = timezone.localdate(now)
    plan = svc.plan_create(title="窗口作风暗访", mode="covert", checklist=checklist,
                           starts_on=today - dt.timedelta(days=3), ends_on=today + dt.timedelta(days=10),
                           departments=[depts["a"], depts["b"]], inspectors=[staff["supervisor"], invited],
                           by=staff["supervisor"], now=now)
    return {"invited": invited, "plan": plan, "checklist": checklist, **staff}


def _context(browser, live_server, *, phone: bool):
    if phone:
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, base_url=live_server.url)
    else:
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    return ctx, page


def test_an_invited_supervisors_covert_visit_is_hidden_from_the_department_until_published(browser, live_server,
                                                                                           setup):
    plan, checklist = setup["plan"], setup["checklist"]
    # 1. The invited supervisor, on a phone, records the visit on the spot.
    ctx, page = _context(browser, live_server, phone=True)
    login(page, "deputy_wang")
    assert page.locator('[data-testid="panel-inspections-invited"]').count() == 1
    shot(page, "inspections-invited-landing-phone")
    page.goto(f"/staff/inspections/plans/{plan.pk}/record/")
    page.select_option("#id_department", "TA")
    page.fill("#id_place", "县政务服务中心二楼")
    page.fill("#id_window", "5号窗口")
    items = list(checklist.items.all())
    for n, item in enumerate(items):
        choice = 1 if n == 0 else 0  # the first item fails (不符合), the others pass
        page.click(f'label[for="id_result_{item.pk}_{choice}"]')
    page.fill(f"#id_note_{items[0].pk}", "9:30 窗口无人值守，群众等候 15 分钟。")
    page.set_input_files("#id_photos", files=[{"name": "现场.jpg", "mimeType": "image/jpeg",
                                                "buffer": _jpeg_with_exif()}])
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the recording form scrolls sideways on a phone ({overflow}px)"
    shot(page, "inspections-record-phone")
    page.click('[data-testid="submit-visit"]')
    page.wait_for_selector('[data-testid="visit-status"]')
    v = Visit.objects.get()
    assert v.status == VisitStatus.SUBMITTED and v.photos.count() == 1 and v.failed == 1
    assert page.locator('[data-testid="visit-photo"]').count() == 1
    shot(page, "inspections-recorded-phone")
    ctx.close()

    # 2. The inspected department sees nothing of it.
    ctx, page = _context(browser, live_server, phone=False)
    login(page, "head_a")
    page.goto("/staff/inspections/visits/")
    assert v.number not in page.content()
    resp = page.goto(f"/staff/inspections/visits/{v.pk}/")
    assert resp.status == 404
    shot(page, "inspections-department-before")
    ctx.close()

    # 3. The office accepts it and publishes the findings.
    ctx, page = _context(browser, live_server, phone=False)
    login(page, "supervisor")
    page.goto(f"/staff/inspections/visits/{v.pk}/")
    page.click('[data-testid="accept-visit"]')
    page.wait_for_selector('[data-testid="publish-visit"]')
    shot(page, "inspections-office-accepted")
    page.click('[data-testid="publish-visit"]')
    page.wait_for_selector('[data-testid="visit-published"]')
    v.refresh_from_db()
    assert v.published_at is not None
    f = v.findings.get()
    page.goto(f"/staff/inspections/findings/{f.pk}/")
    page.click('[data-testid="start-correction"]')
    page.wait_for_selector('[data-testid="correction-status"]')
    shot(page, "inspections-finding-office")
    ctx.close()

    # 4. Now the department sees the visit, its finding and its correction task.
    ctx, page = _context(browser, live_server, phone=True)
    login(page, "head_a")
    assert f.number in page.content()  # its landing panel lists the correction due
    page.goto("/staff/inspections/visits/")
    assert v.number in page.content()
    page.goto(f"/staff/inspections/findings/{f.pk}/")
    assert "9:30 窗口无人值守" in page.content()
    assert "deputy_wang" not in page.content()
    shot(page, "inspections-department-after-phone")
    ctx.close()
