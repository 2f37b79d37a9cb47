"""Shared pytest fixtures: a small department tree, staff of every role, API tokens, the calendar."""

from __future__ import annotations

import pytest

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.testing import make_department_tree, make_staff

# A valid strong password for test accounts (tests never weaken validation to log in).
PASSWORD = "Xiaoneng-Test-2026!"


def pytest_configure(config):
    """Test databases start without a calendar: the first-migrate seeding (workdays/apps.py) is off, so tests
    that need one build it (the `calendar` fixture) and tests of a missing year mean what they say."""
    from django.conf import settings

    settings.XIAONENG_SEED_CALENDAR_ON_MIGRATE = False


@pytest.fixture(autouse=True)
def _chinese_first():
    """Every test starts in the site's language: a request in English leaves English active in the thread after
    it (LocaleMiddleware activates and never resets), and a service's message read by the next test would follow."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many accounts; PBKDF2 at production strength would dominate the run time.
    Production keeps Django's default hashers (settings.py does not change them)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache(settings):
    """The process-wide calendar cache outlives each test's rolled-back transaction: start and end clean.

    The once-a-second re-reads of the calendar revision and of the rules (which only catch changes made by
    other processes; this process invalidates its caches when it changes them) are switched off: on a loaded
    machine a request could cross the second and count one query more, making query-count tests flaky. Tests
    of the re-read set the intervals back themselves."""
    from xiaoneng.supervision.rulecache import rules_invalidate
    from xiaoneng.workdays.calendar import calendar_invalidate

    settings.XIAONENG_CALENDAR_CHECK_SECONDS = 3600
    settings.XIAONENG_RULES_CHECK_SECONDS = 3600
    calendar_invalidate()
    rules_invalidate()
    yield
    calendar_invalidate()
    rules_invalidate()


@pytest.fixture
def depts(db):
    """county → (bureau A → section A1), (bureau B), supervision office."""
    return make_department_tree()


@pytest.fixture
def staff(depts):
    """One account per role: handler/window/head in bureau A, a handler in bureau B, county-wide roles."""
    return {
        "window": make_staff("window_a", depts["a"], [R.WINDOW]),
        "handler": make_staff("handler_a", depts["a"], [R.HANDLER]),
        "handler_a1": make_staff("handler_a1", depts["a1"], [R.HANDLER]),
        "head": make_staff("head_a", depts["a"], [R.HEAD]),
        "handler_b": make_staff("handler_b", depts["b"], [R.HANDLER]),
        "supervisor": make_staff("supervisor", depts["office"], [R.SUPERVISOR]),
        "leader": make_staff("leader", depts["county"], [R.LEADER]),
        "admin": make_staff("admin", None, [R.ADMIN]),
    }


@pytest.fixture
def client_as(client, staff):
    """client_as('handler') logs the test client in as that role's account."""

    def login(role: str):
        client.force_login(staff[role])
        return client

    return login


@pytest.fixture
def calendar(db):
    """The working-day calendar 2020-2027, seeded from the holidays package as in production."""
    from xiaoneng.workdays.services import calendar_seed_from_package

    calendar_seed_from_package(years=range(2020, 2028))
    from xiaoneng.workdays.calendar import get_calendar

    return get_calendar()
