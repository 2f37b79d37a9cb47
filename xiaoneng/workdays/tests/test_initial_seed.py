"""A fresh `migrate` gives the installation a calendar (issue 10 §6): without it every clock and the public
calculator answered "year not loaded" until someone knew to run seed-calendar."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from xiaoneng.workdays.models import CalendarDay, CalendarYear
from xiaoneng.workdays.services import calendar_seed_from_package, package_official_years

pytestmark = pytest.mark.django_db


def _migrate() -> str:
    out = io.StringIO()
    call_command("migrate", interactive=False, verbosity=1, stdout=out)
    return out.getvalue()


def test_first_migrate_loads_the_package_years_and_next_year(settings):
    settings.XIAONENG_SEED_CALENDAR_ON_MIGRATE = True
    assert not CalendarYear.objects.exists()
    out = _migrate()
    official = package_official_years()
    next_year = timezone.localdate().year + 1
    years = dict(CalendarYear.objects.values_list("year", "status"))
    assert sorted(years) == list(range(min(official), next_year + 1))
    assert all(years[y] == CalendarYear.Status.OFFICIAL for y in official)
    assert all(years[y] == CalendarYear.Status.PROVISIONAL for y in years if y not in official)
    # The days are there, e.g. the National Day holiday of a known year.
    assert CalendarDay.objects.filter(date__year=max(official), kind=CalendarDay.Kind.HOLIDAY).exists()
    assert "工作日历：已从 holidays 软件包载入" in out
    # Running migrate again changes nothing and says nothing.
    assert "工作日历" not in _migrate()
    assert CalendarYear.objects.count() == len(years)


def test_a_calendar_already_there_is_left_as_it_is(settings):
    calendar_seed_from_package(years=[2026])
    settings.XIAONENG_SEED_CALENDAR_ON_MIGRATE = True
    _migrate()
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2026]


def test_turned_off_migrate_leaves_the_calendar_empty():
    # The test suite's own setting (conftest.py): test databases are never seeded behind a test's back.
    from django.conf import settings

    assert settings.XIAONENG_SEED_CALENDAR_ON_MIGRATE is False
    _migrate()
    assert not CalendarYear.objects.exists()
