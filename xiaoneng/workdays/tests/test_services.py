"""Calendar services: seeding, CSV and iCal imports, admin edits, cache invalidation, commands."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xiaoneng.core.errors import DomainError, NotPermitted, RowErrors
from xiaoneng.workdays import services
from xiaoneng.workdays.calendar import CalendarYearMissing, get_calendar
from xiaoneng.workdays.models import CalendarDay, CalendarRevision, CalendarYear, OfficeHours
from xiaoneng.workdays.selectors import calendar_revision_get
from xiaoneng.workdays.tests.conftest import at

D = dt.date
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)

GOOD_CSV = """date,kind,name
2028-01-01,放假,元旦
2028-01-25,休,春节
2028-01-26,holiday,春节
2028-01-29,班,春节调休上班
2028-02-05,workday,
"""


def snapshot():
    return (
        sorted(CalendarYear.objects.values_list("year", "status", "origin")),
        sorted(CalendarDay.objects.values_list("date", "kind", "name")),
        calendar_revision_get(),
    )


# ------------------------------------------------------------------------------------------- seeding
@pytest.mark.django_db
def test_seed_marks_official_and_provisional_years():
    result = services.calendar_seed_from_package(years=[2025, 2026, 2027], now=NOW)
    assert result == {2025: "created", 2026: "created", 2027: "created"}
    status = dict(CalendarYear.objects.values_list("year", "status"))
    assert status == {2025: "official", 2026: "official", 2027: "provisional"}
    # make-up working days come from the package's weekend_workdays; none for the estimated 2027
    assert set(CalendarDay.objects.filter(kind="workday", date__year=2026).values_list("date", flat=True)) == {
        D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)}
    assert not CalendarDay.objects.filter(kind="workday", date__year=2027).exists()
    assert CalendarDay.objects.get(date=D(2026, 10, 6)).name == "国庆节"  # substituted day named by its festival
    assert CalendarDay.objects.get(date=D(2026, 10, 5)).name == "国庆节"  # "国庆节（补假）" cleaned


@pytest.mark.django_db
def test_seed_is_idempotent():
    services.calendar_seed_from_package(years=range(2020, 2028), now=NOW)
    before = snapshot()
    result = services.calendar_seed_from_package(years=range(2020, 2028), now=NOW + dt.timedelta(days=1))
    assert set(result.values()) == {"unchanged"}
    assert snapshot() == before  # nothing written, revision not bumped


@pytest.mark.django_db
def test_seed_never_overwrites_admin_years(staff):
    services.calendar_import_csv(data="2027-10-08,休,国庆节\n", status="official", by=staff["admin"], now=NOW)
    services.calendar_seed_from_package(years=[2026], now=NOW)
    services.calendar_day_set(date=D(2026, 12, 31), kind="holiday", name="县庆", by=staff["admin"], now=NOW)
    before = snapshot()
    result = services.calendar_seed_from_package(years=[2026, 2027], now=NOW)
    assert result == {2026: "kept", 2027: "kept"}
    assert snapshot() == before
    assert CalendarYear.objects.get(year=2027).status == "official"


@pytest.mark.django_db
def test_seed_updates_package_year_when_package_changes():
    services.calendar_seed_from_package(years=[2026], now=NOW)
    CalendarDay.objects.filter(date=D(2026, 10, 1)).delete()  # as if an older package lacked it
    assert services.calendar_seed_from_package(years=[2026], now=NOW) == {2026: "updated"}
    assert CalendarDay.objects.filter(date=D(2026, 10, 1)).exists()


# ------------------------------------------------------------------------------------------- CSV
@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "str"])
def test_csv_import_good(staff, encoding):
    data = GOOD_CSV if encoding == "str" else GOOD_CSV.encode(encoding)
    counts = services.calendar_import_csv(data=data, status="official", by=staff["admin"], now=NOW)
    assert counts == {2028: 5}
    cy = CalendarYear.objects.get(year=2028)
    assert (cy.status, cy.origin, cy.loaded_by) == ("official", "import", staff["admin"])
    assert CalendarDay.objects.get(date=D(2028, 1, 29)).kind == "workday"
    assert CalendarDay.objects.get(date=D(2028, 1, 25)).name == "春节"
    cal = get_calendar()
    assert not cal.is_working_day(D(2028, 1, 25))
    assert cal.is_working_day(D(2028, 1, 29))  # Saturday make-up day
    assert not cal.add_working_days(D(2028, 3, 1), 3).provisional


@pytest.mark.django_db
def test_csv_without_header_and_with_chinese_header(staff):
    services.calendar_import_csv(data="2028-10-02,休,国庆节\n2028-10-03,放假,国庆节\n", by=staff["admin"], now=NOW)
    assert CalendarDay.objects.filter(date__year=2028).count() == 2
    services.calendar_import_csv(data="名称,日期,类型\n国庆节,2028/10/04,休\n", by=staff["admin"], now=NOW)
    # the second import replaced 2028 entirely
    assert list(CalendarDay.objects.filter(date__year=2028).values_list("date", flat=True)) == [D(2028, 10, 4)]


@pytest.mark.django_db
def test_csv_import_replaces_years_and_can_be_provisional(calendar, staff):
    assert CalendarDay.objects.filter(date__year=2027).count() > 10
    services.calendar_import_csv(data="2027-10-01,休,国庆节\n", status="provisional", by=staff["admin"], now=NOW)
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True)) == [D(2027, 10, 1)]
    assert CalendarYear.objects.get(year=2027).status == "provisional"
    assert CalendarDay.objects.filter(date__year=2026).count() > 10  # other years untouched


@pytest.mark.django_db
def test_csv_import_bad_rows_reports_all_and_changes_nothing(calendar, staff):
    before = snapshot()
    bad = (
        "date,kind,name\n"
        "2027-10-01,休,国庆节\n"
        "2027-02-30,休,不存在的日期\n"  # row 3: no such date
        "2027-10-02,吃饭,国庆节\n"  # row 4: unknown kind
        "2027-10-01,休,重复\n"  # row 5: duplicate of row 2
        "2027-10-06,班,周三上班\n"  # row 6: make-up day on a Wednesday
        "notadate,holiday,x\n"  # row 7
    )
    with pytest.raises(RowErrors) as exc:
        services.calendar_import_csv(data=bad, by=staff["admin"], now=NOW)
    rows = [(e["row"], e["field"]) for e in exc.value.errors]
    assert rows == [(3, "date"), (4, "kind"), (5, "date"), (6, "kind"), (7, "date")]
    assert "第 3 行" in exc.value.message and "未导入任何数据" in exc.value.message
    assert "星期三" in exc.value.errors[3]["error"]
    assert snapshot() == before


@pytest.mark.django_db
def test_csv_import_refuses_empty_bad_status_and_non_admins(staff):
    with pytest.raises(DomainError) as exc:
        services.calendar_import_csv(data="\n\n", by=staff["admin"], now=NOW)
    assert exc.value.field == "file"
    with pytest.raises(DomainError) as exc:
        services.calendar_import_csv(data=GOOD_CSV, status="maybe", by=staff["admin"], now=NOW)
    assert exc.value.field == "status"
    with pytest.raises(NotPermitted):
        services.calendar_import_csv(data=GOOD_CSV, by=staff["supervisor"], now=NOW)
    with pytest.raises(DomainError):
        services.calendar_import_csv(data=b"\xff\xfe\x00\xd8garbage\x81", by=staff["admin"], now=NOW)
    assert not CalendarYear.objects.exists()


# ------------------------------------------------------------------------------------------- iCal
ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//xiaoneng test//CN\r
BEGIN:VEVENT\r
UID:1@test\r
DTSTART;VALUE=DATE:20281001\r
DTEND;VALUE=DATE:20281006\r
SUMMARY:国庆节 休\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:2@test\r
DTSTART;VALUE=DATE:20280930\r
SUMMARY:国庆节补班\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:3@test\r
DTSTART;VALUE=DATE:20280101\r
SUMMARY:元旦\r
CATEGORIES:holiday\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:4@test\r
DTSTART;VALUE=DATE:20280129\r
SUMMARY:春节（班）\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.mark.django_db
def test_ical_import(staff):
    counts = services.calendar_import_ical(data=ICS.encode(), status="official", by=staff["admin"], now=NOW)
    assert counts == {2028: 8}
    days = {d.date: (d.kind, d.name) for d in CalendarDay.objects.all()}
    assert days[D(2028, 10, 1)] == ("holiday", "国庆节")
    assert days[D(2028, 10, 5)] == ("holiday", "国庆节")
    assert D(2028, 10, 6) not in days  # DTEND is exclusive
    assert days[D(2028, 9, 30)] == ("workday", "国庆节")
    assert days[D(2028, 1, 1)] == ("holiday", "元旦")
    assert days[D(2028, 1, 29)] == ("workday", "春节")
    assert CalendarYear.objects.get(year=2028).source.startswith("iCal")


@pytest.mark.django_db
def test_ical_import_bad_events(staff):
    bad = ICS.replace("SUMMARY:元旦\r\nCATEGORIES:holiday\r\n", "SUMMARY:元旦\r\n").replace(
        "DTSTART;VALUE=DATE:20280930", "DTSTART;VALUE=DATE:20281004")
    with pytest.raises(RowErrors) as exc:
        services.calendar_import_ical(data=bad, by=staff["admin"], now=NOW)
    # event 3 cannot be classified; event 2 is a make-up day on a Wednesday and overlaps event 1
    assert sorted({e["row"] for e in exc.value.errors}) == [2, 3]
    assert not CalendarYear.objects.exists()
    with pytest.raises(DomainError) as exc:
        services.calendar_import_ical(data=b"not a calendar", by=staff["admin"], now=NOW)
    assert exc.value.field == "file"


# ------------------------------------------------------------------------------------------- admin edits
@pytest.mark.django_db
def test_day_set_delete_and_cache_invalidation(calendar, staff):
    cal = get_calendar()
    assert cal is calendar
    assert cal.is_working_day(D(2026, 12, 31))
    rev = calendar_revision_get()
    services.calendar_day_set(date=D(2026, 12, 31), kind="holiday", name="县庆", by=staff["admin"], now=NOW)
    assert calendar_revision_get() == rev + 1
    cal2 = get_calendar()
    assert cal2 is not cal and cal2.revision == rev + 1
    assert not cal2.is_working_day(D(2026, 12, 31))
    assert cal2.day_info(D(2026, 12, 31)).name == "县庆"
    assert CalendarYear.objects.get(year=2026).origin == "manual"
    # a make-up working day on a Saturday
    services.calendar_day_set(date=D(2026, 12, 26), kind="workday", name="", by=staff["admin"], now=NOW)
    assert get_calendar().is_working_day(D(2026, 12, 26))
    services.calendar_day_delete(date=D(2026, 12, 31), by=staff["admin"], now=NOW)
    assert get_calendar().is_working_day(D(2026, 12, 31))
    with pytest.raises(DomainError) as exc:
        services.calendar_day_delete(date=D(2026, 12, 30), by=staff["admin"], now=NOW)
    assert exc.value.field == "date"


@pytest.mark.django_db
def test_cache_notices_a_change_made_elsewhere(calendar, settings):
    # Another process bumps the revision: after the check interval this process rebuilds.
    settings.XIAONENG_CALENDAR_CHECK_SECONDS = 0
    cal = get_calendar()
    CalendarDay.objects.filter(date=D(2026, 10, 1)).delete()
    assert get_calendar() is cal  # same revision: nothing rebuilt
    CalendarRevision.objects.filter(pk=1).update(value=999)
    rebuilt = get_calendar()
    assert rebuilt is not cal and rebuilt.revision == 999
    assert rebuilt.is_working_day(D(2026, 10, 1))


@pytest.mark.django_db
def test_day_set_validation(calendar, staff):
    admin = staff["admin"]
    with pytest.raises(DomainError) as exc:
        services.calendar_day_set(date=D(2026, 12, 30), kind="workday", by=admin, now=NOW)  # a Wednesday
    assert exc.value.field == "kind"
    with pytest.raises(DomainError) as exc:
        services.calendar_day_set(date=D(2026, 12, 30), kind="party", by=admin, now=NOW)
    assert exc.value.field == "kind"
    with pytest.raises(DomainError) as exc:
        services.calendar_day_set(date=D(2030, 1, 2), kind="holiday", by=admin, now=NOW)
    assert exc.value.code == "calendar_year_missing"
    with pytest.raises(DomainError) as exc:
        services.calendar_day_set(date=D(2026, 12, 30), kind="holiday", name="x" * 61, by=admin, now=NOW)
    assert exc.value.field == "name"
    with pytest.raises(NotPermitted):
        services.calendar_day_set(date=D(2026, 12, 30), kind="holiday", by=staff["supervisor"], now=NOW)


@pytest.mark.django_db
def test_year_create_status_delete(calendar, staff):
    admin = staff["admin"]
    services.calendar_year_create(year=2028, status="provisional", by=admin, now=NOW)
    assert get_calendar().add_working_days(D(2027, 12, 31), 5).provisional
    with pytest.raises(DomainError) as exc:
        services.calendar_year_create(year=2028, by=admin, now=NOW)
    assert exc.value.field == "year"
    services.calendar_year_set_status(year=2027, status="official", by=admin, now=NOW)
    assert not get_calendar().add_working_days(D(2027, 3, 1), 5).provisional
    assert CalendarYear.objects.get(year=2027).origin == "manual"
    assert services.calendar_seed_from_package(years=[2027], now=NOW) == {2027: "kept"}
    services.calendar_year_delete(year=2028, by=admin, now=NOW)
    with pytest.raises(CalendarYearMissing):
        get_calendar().add_working_days(D(2028, 3, 1), 1)
    with pytest.raises(DomainError):
        services.calendar_year_set_status(year=2031, status="official", by=admin, now=NOW)


@pytest.mark.django_db
def test_office_hours(calendar, staff):
    hours = services.office_hours_set(
        morning_start=dt.time(8, 30), morning_end=dt.time(12), afternoon_start=dt.time(14),
        afternoon_end=dt.time(18), by=staff["admin"], now=NOW,
    )
    assert OfficeHours.objects.get().afternoon_end == dt.time(18) == hours.afternoon_end
    cal = get_calendar()
    assert cal.deadline(at(2026, 11, 3, 9), 1, "wd").at == at(2026, 11, 4, 18)
    assert cal.add_working_hours(at(2026, 11, 3, 11), 2).at == at(2026, 11, 3, 15)
    with pytest.raises(DomainError) as exc:
        services.office_hours_set(morning_start=dt.time(9), morning_end=dt.time(14), afternoon_start=dt.time(13),
                                  afternoon_end=dt.time(18), by=staff["admin"], now=NOW)
    assert exc.value.field == "afternoon_start"
    with pytest.raises(DomainError) as exc:
        services.office_hours_set(morning_start=dt.time(12), morning_end=dt.time(9), afternoon_start=dt.time(13),
                                  afternoon_end=dt.time(18), by=staff["admin"], now=NOW)
    assert exc.value.field == "morning_end"


# ------------------------------------------------------------------------------------------- commands
@pytest.mark.django_db
def test_seed_and_import_commands(tmp_path):
    out = StringIO()
    call_command("seed_calendar", "--from", "2025", "--to", "2027", stdout=out)
    assert "2027：已生成（暂定）" in out.getvalue()
    assert CalendarYear.objects.count() == 3
    path = tmp_path / "2028.csv"
    path.write_bytes(GOOD_CSV.encode("gbk"))
    out = StringIO()
    call_command("import_calendar", str(path), "--status", "provisional", stdout=out)
    assert "2028 年：导入 5" in out.getvalue()
    assert CalendarYear.objects.get(year=2028).status == "provisional"
    ics = tmp_path / "2028.ics"
    ics.write_text(ICS, encoding="utf-8")
    call_command("import_calendar", str(ics), stdout=StringIO())
    assert CalendarYear.objects.get(year=2028).source == "iCal 导入 2028.ics"
    bad = tmp_path / "bad.csv"
    bad.write_text("2028-13-01,休,x\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_calendar", str(bad), stderr=err)
    assert "第 1 行" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_calendar", str(tmp_path / "nope.csv"))


def test_parse_date_formats():
    assert services.parse_date("2026-10-01") == D(2026, 10, 1)
    assert services.parse_date("2026/1/2") == D(2026, 1, 2)
    assert services.parse_date("2026年1月2日") == D(2026, 1, 2)
    assert services.parse_date("20260102") == D(2026, 1, 2)
    assert services.parse_date("2026-02-30") is None
    assert services.parse_date("") is None
