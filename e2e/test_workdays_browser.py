"""A citizen computes a deadline across National Day 2026; an administrator edits the calendar."""

import pytest

from e2e.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_calculator_across_national_day(phone_page, calendar):
    page = phone_page
    page.goto("/workdays/calculator/")
    page.get_by_label("起算日期（受理日）").fill("2026-09-28")
    page.get_by_label("工作日数").fill("5")
    page.locator("section[aria-labelledby=add-title] button[type=submit]").click()
    # 9-29, 9-30, 10-8, 10-9 and the make-up Saturday 10-10: National Day 10-1…10-7 skipped.
    assert page.get_by_test_id("result-date").inner_text().startswith("2026年10月10日")
    assert "国庆节" in page.get_by_test_id("skipped-holidays").inner_text()
    shot(page, "workdays-calculator-phone")


def test_calculator_shows_field_error(page, calendar):
    page.goto("/workdays/calculator/?mode=between&start=2026-10-10&end=2026-10-01")
    assert "结束日期不能早于开始日期" in page.locator("section[aria-labelledby=between-title]").inner_text()


def test_admin_adds_a_holiday_and_sees_it(page, staff, calendar):
    login(page, "admin")
    page.goto("/staff/calendar/2027/")
    shot(page, "workdays-year-2027-admin")
    page.get_by_label("日期").fill("2027-10-08")
    page.get_by_label("类型").select_option("holiday")
    page.get_by_label("名称").fill("国庆节")
    page.locator("#day-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "2027-10-08" in page.locator("main").inner_text()
    page.goto("/api/v1/workdays/is-working-day?date=2027-10-08")
    assert '"working_day":false' in page.content().replace(" ", "")


def test_the_calendar_says_where_its_dates_come_from_in_words(page, staff, calendar):
    """Issue 10 §4: the years list said "holidays 0.108 软件包（country_holidays('CN')）" and told the
    administrator to run a server command."""
    login(page, "admin")
    page.goto("/staff/calendar/")
    body = page.locator("main").inner_text()
    assert "按国务院办公厅公布的放假安排自动载入" in body and "系统内置" in body
    assert "软件包" not in body and "country_holidays" not in body and "xiaoneng " not in body
    shot(page, "workdays-calendar-sources-in-words")
