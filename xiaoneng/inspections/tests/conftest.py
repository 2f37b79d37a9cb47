"""Fixtures for the inspections' tests: an invited supervisor, a plan naming it, helpers that drive visits
through the real services (no mocks)."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.testing import make_staff
from xiaoneng.inspections import services as svc
from xiaoneng.inspections.models import Checklist, Result

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday


def png(exif: bool = False) -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", (24, 24), (30, 120, 200))
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "CameraMaker"  # Make
        ex[0x0131] = "secret-software"
        img.save(buf, "JPEG", exif=ex.tobytes())
    else:
        img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _rules_and_media(db, settings, tmp_path):
    from xiaoneng.supervision.defaults import rules_ensure_defaults
    from xiaoneng.supervision.rulecache import rules_invalidate

    settings.MEDIA_ROOT = tmp_path / "media"
    rules_ensure_defaults()
    rules_invalidate()
    yield
    rules_invalidate()


@pytest.fixture
def invited(depts):
    s = make_staff("deputy_wang", None, [R.INVITED])
    svc.supervisor_profile_save(staff=s, kind="deputy", affiliation="县人大常委会", by=None)
    return s


@pytest.fixture
def invited2(depts):
    return make_staff("reporter_li", None, [R.INVITED])


@pytest.fixture
def checklist(db):
    return svc.checklist_ensure_default(now=T0)


@pytest.fixture
def plans(calendar, staff, invited, checklist, depts):
    """An open and a covert plan over March 2026 on bureaus A and B, with the supervisor and `invited`."""
    out = {}
    for mode in ("open", "covert"):
        out[mode] = svc.plan_create(title=f"一季度{'明查' if mode == 'open' else '暗访'}", mode=mode, checklist=checklist,
                                    starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31),
                                    departments=[depts["a"], depts["b"]], inspectors=[staff["supervisor"], invited],
                                    by=staff["supervisor"], now=T0)
    return out


def all_results(checklist: Checklist, fail: tuple[str, ...] = (), na: tuple[str, ...] = ()) -> dict:
    out = {}
    for item in checklist.items.all():
        if item.name in fail:
            out[item.pk] = (Result.FAIL, f"{item.name}不符合要求。")
        elif item.name in na:
            out[item.pk] = (Result.NA, "")
        else:
            out[item.pk] = (Result.PASS, "")
    return out


@pytest.fixture
def record(plans, depts, checklist):
    def _record(by, *, mode="covert", dept="a", fail=("在岗在位",), na=(), submit=False, now=T0, photos=None):
        return svc.visit_record(plan=plans[mode], department=depts[dept], place="县政务服务中心", window="3号窗口",
                                visited_at=now, inspectors="王代表", results=all_results(checklist, fail, na),
                                summary="", photos=photos, submit=submit, by=by, now=now)
    return _record
