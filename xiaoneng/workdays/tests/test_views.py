"""Calendar pages: who may see and change what, the forms, and the public calculator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaoneng.workdays.models import CalendarDay, CalendarYear, OfficeHours

ROLES = ["window", "handler", "head", "handler_b", "supervisor", "leader", "admin", None]
READ_PAGES = [
    ("workdays:calendar", []),
    ("workdays:calendar_year", [2026]),
    ("workdays:office_hours", []),
]
ADMIN_ONLY_GET = [("workdays:calendar_import", [])]
POSTS = [
    ("workdays:calendar_year_create", [], {"year": 2029, "status": "provisional"}),
    ("workdays:calendar_year_status", [2027], {"status": "official"}),
    ("workdays:calendar_day_save", [2026], {"date": "2026-12-31", "kind": "holiday", "name": "县庆"}),
    ("workdays:calendar_day_delete", [2026, "2026-10-01"], {}),
    ("workdays:calendar_year_delete", [2027], {}),
    ("workdays:office_hours", [], {"morning_start": "08:30", "morning_end": "12:00", "afternoon_start": "14:00",
                                   "afternoon_end": "18:00"}),
]


@pytest.fixture
def as_role(client, staff):
    def login(role):
        if role is not None:
            client.force_login(staff[role])
        return client

    return login


def _expect(role, allowed):
    if role is None:
        return 302  # to the login page
    return 200 if role in allowed else 403


@pytest.mark.parametrize("role", ROLES)
def test_read_pages_permissions(as_role, calendar, role):
    client = as_role(role)
    for name, args in READ_PAGES:
        r = client.get(reverse(name, args=args))
        assert r.status_code == _expect(role, ("admin", "supervisor")), (name, role)
        if role is None:
            assert "/accounts/login/" in r["Location"]
    for name, args in ADMIN_ONLY_GET:
        assert client.get(reverse(name, args=args)).status_code == _expect(role, ("admin",)), (name, role)


@pytest.mark.parametrize("role", ROLES)
def test_write_endpoints_permissions(as_role, calendar, role):
    client = as_role(role)
    before = (CalendarYear.objects.count(), CalendarDay.objects.count(), OfficeHours.objects.count())
    for name, args, data in POSTS:
        r = client.post(reverse(name, args=args), data)
        if role == "admin":
            assert r.status_code == 302, (name, r.content.decode()[:500])
        elif role is None:
            assert r.status_code == 302 and "/accounts/login/" in r["Location"]
        else:
            assert r.status_code == 403, (name, role)
    after = (CalendarYear.objects.count(), CalendarDay.objects.count(), OfficeHours.objects.count())
    if role != "admin":
        assert after == before
    else:
        assert CalendarYear.objects.filter(year=2029).exists()
        assert not CalendarYear.objects.filter(year=2027).exists()
        assert CalendarDay.objects.get(date=dt.date(2026, 12, 31)).name == "县庆"
        assert not CalendarDay.objects.filter(date=dt.date(2026, 10, 1)).exists()
        assert OfficeHours.objects.get().afternoon_end == dt.time(18)


def test_year_page_shows_grid_and_marks(client_as, calendar):
    r = client_as("supervisor").get(reverse("workdays:calendar_year", args=[2026]))
    html = r.content.decode()
    assert 'data-testid="month-grid"' in html
    assert html.count("xn-day-holiday") > 20 and "xn-day-workday" in html
    assert "国庆节" in html
    assert "/staff/calendar/2026/days/" not in html and "/staff/calendar/2026/status/" not in html  # read-only
    admin_html = client_as("admin").get(reverse("workdays:calendar_year", args=[2026])).content.decode()
    assert reverse("workdays:calendar_day_save", args=[2026]) in admin_html
    assert 'style="' not in admin_html and "<script>" not in admin_html  # CSP: no inline styles or scripts


def test_year_page_unknown_year_is_404(client_as, calendar):
    assert client_as("admin").get(reverse("workdays:calendar_year", args=[2040])).status_code == 404


def test_calendar_page_warns_about_missing_years(client_as, db):
    html = client_as("admin").get(reverse("workdays:calendar")).content.decode()
    assert 'data-testid="missing-years"' in html


def test_edit_prefills_the_day_form(client_as, calendar):
    html = client_as("admin").get(reverse("workdays:calendar_year", args=[2026]) + "?edit=2026-10-01").content.decode()
    assert 'value="2026-10-01"' in html and 'value="国庆节"' in html


def test_day_form_errors_show_next_to_fields(client_as, calendar):
    url = reverse("workdays:calendar_day_save", args=[2026])
    r = client_as("admin").post(url, {"date": "2026-12-30", "kind": "workday", "name": ""})  # a Wednesday
    assert r.status_code == 400
    html = r.content.decode()
    assert "is-invalid" in html and "调休上班日只能是星期六或星期日" in html
    assert 'id="id_kind_errors"' in html
    r = client_as("admin").post(url, {"date": "2025-12-30", "kind": "holiday"})
    assert r.status_code == 400 and "日期必须在 2026 年内" in r.content.decode()
    r = client_as("admin").post(url, {"date": "", "kind": "holiday"})
    assert r.status_code == 400 and 'id="id_date_errors"' in r.content.decode()


def test_office_hours_form_errors(client_as, calendar):
    r = client_as("admin").post(reverse("workdays:office_hours"), {
        "morning_start": "09:00", "morning_end": "14:00", "afternoon_start": "13:00", "afternoon_end": "18:00"})
    assert r.status_code == 400
    assert "下午上班时间不能早于上午下班时间" in r.content.decode()
    html = client_as("supervisor").get(reverse("workdays:office_hours")).content.decode()
    assert 'data-testid="office-hours"' in html and "17:30" in html


def test_import_upload_good_and_bad(client_as, calendar):
    client = client_as("admin")
    url = reverse("workdays:calendar_import")
    good = SimpleUploadedFile("2028.csv", "日期,类型,名称\n2028-10-02,休,国庆节\n".encode("gbk"), "text/csv")
    r = client.post(url, {"file": good, "format": "auto", "status": "official"})
    assert r.status_code == 302
    assert CalendarYear.objects.get(year=2028).status == "official"
    bad = SimpleUploadedFile("2029.csv", "2029-10-02,xx,a\n2029-02-30,休,b\n".encode(), "text/csv")
    r = client.post(url, {"file": bad, "format": "csv", "status": "official"})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'data-testid="row-errors"' in html and "类型“xx”无效" in html
    assert not CalendarYear.objects.filter(year=2029).exists()
    ics = SimpleUploadedFile("2029.ics", (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20291001\r\n"
        "DTEND;VALUE=DATE:20291004\r\nSUMMARY:国庆节 休\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode(), "text/calendar")
    r = client.post(url, {"file": ics, "format": "auto", "status": "provisional"})
    assert r.status_code == 302
    assert CalendarDay.objects.filter(date__year=2029).count() == 3
    r = client.post(url, {"format": "auto", "status": "official"})
    assert r.status_code == 400 and 'id="id_file_errors"' in r.content.decode()


# ------------------------------------------------------------------------------------------- public
def test_public_calculator_anonymous(client, calendar):
    url = reverse("workdays:public_calculator")
    r = client.get(url)
    assert r.status_code == 200 and "工作日计算器" in r.content.decode()
    r = client.get(url, {"mode": "add", "start": "2026-09-30", "days": "5"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "2026年10月13日" in html
    assert 'data-testid="skipped-holidays"' in html and "2026-10-01" in html and "国庆节" in html
    assert 'data-testid="provisional"' not in html
    r = client.get(url, {"mode": "between", "start": "2026-09-30", "end": "2026-10-13"})
    assert 'data-testid="working-days"' in r.content.decode() and "5 个工作日" in r.content.decode()


def test_public_calculator_errors_and_provisional(client, calendar):
    url = reverse("workdays:public_calculator")
    r = client.get(url, {"mode": "add", "start": "2027-03-01", "days": "5"})
    assert 'data-testid="provisional"' in r.content.decode()
    r = client.get(url, {"mode": "add", "start": "2026-02-31", "days": "5"})
    assert r.status_code == 400 and 'id="add_start_errors"' in r.content.decode()
    r = client.get(url, {"mode": "add", "start": "2026-09-30", "days": "99999"})
    assert r.status_code == 400 and 'id="add_days_errors"' in r.content.decode()
    r = client.get(url, {"mode": "add", "start": "2027-12-20", "days": "100"})
    assert r.status_code == 400 and "2028 年的工作日历尚未载入" in r.content.decode()
    r = client.get(url, {"mode": "between", "start": "2026-10-02", "end": "2026-10-01"})
    assert r.status_code == 400 and 'id="between_end_errors"' in r.content.decode()


def test_nav_entry_for_readers(client_as, calendar):
    html = client_as("supervisor").get(reverse("core:home")).content.decode()
    assert reverse("workdays:calendar") in html
    html = client_as("handler").get(reverse("core:home")).content.decode()
    assert reverse("workdays:calendar") not in html


def test_calendar_pages_name_the_source_in_words(client_as, calendar):
    """Issue 10 §4: the source read "holidays 0.108 软件包（country_holidays('CN')）" and the page told the
    administrator to run a server command; the office reads where the dates come from, in words."""
    for url in (reverse("workdays:calendar"), reverse("workdays:calendar_year", args=[2026])):
        html = client_as("admin").get(url).content.decode()
        assert "按国务院办公厅公布的放假安排自动载入" in html and "系统内置" in html
        assert "软件包" not in html and "country_holidays" not in html and "xiaoneng seed" not in html
