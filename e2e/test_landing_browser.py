"""Browser test of the landing page (工作台): each role opens on its own page — figures it acts on, scoped
to its department — at desktop width and on a phone. Screenshots are saved for each role."""

from __future__ import annotations

import pytest

from e2e.conftest import login, shot
from e2e.test_supervision_browser import supervised  # noqa: F401  (the fixture: overdue cases and cards)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {
    "leader": "leader", "supervisor": "supervisor", "head_a": "head", "handler_a": "handler",
    "window_a": "window", "admin": "admin",
}


@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_opens_its_own_landing_page(page, supervised, username):  # noqa: F811
    login(page, username)
    page.goto("/staff/")
    assert page.locator(f"[data-testid=landing][data-role={ROLES[username]}]").count() == 1
    assert page.locator("[data-testid=landing] section").count() >= 1
    shot(page, f"landing-{ROLES[username]}")


def test_the_head_overdue_tile_leads_to_the_overdue_cases(page, supervised):  # noqa: F811
    login(page, "head_a")
    page.goto("/staff/")
    overdue = int(page.locator("[data-testid=tile-overdue] [data-value]").first.get_attribute("data-value"))
    assert overdue >= 2  # the two overdue open cases of bureau A
    page.locator("[data-testid=tile-overdue]").first.click()
    page.wait_for_url("**/staff/cases/?overdue=1")


@pytest.mark.parametrize("username", ["supervisor", "handler_a"])
def test_landing_on_a_phone(phone_page, supervised, username):  # noqa: F811
    login(phone_page, username)
    phone_page.goto("/staff/")
    assert phone_page.locator("[data-testid=landing] section").count() >= 1
    shot(phone_page, f"landing-{ROLES[username]}-phone")
