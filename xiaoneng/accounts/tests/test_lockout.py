"""Log-in lock-out per user name and, separately, per address (accounts/lockout.py; issue 9 item 12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from xiaoneng.accounts.testing import TEST_PASSWORD

URL = "/accounts/login/"


def login(username: str, password: str, ip: str):
    return Client().post(URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def locked(response) -> bool:
    return response.status_code == 429 and "临时锁定" in response.content.decode()


@pytest.mark.django_db
def test_guesses_spread_over_ten_addresses_lock_the_user_name(staff):
    results = [login("handler_a", "wrong", f"10.0.0.{ip}") for ip in range(10) for _ in range(4)]
    assert any(locked(r) for r in results[: settings.AXES_FAILURE_LIMIT])
    # The right password from yet another address is refused while the cool-off lasts.
    assert locked(login("handler_a", TEST_PASSWORD, "10.0.1.1"))


@pytest.mark.django_db
def test_one_address_guessing_many_user_names_is_locked(staff):
    limit = settings.XIAONENG_LOGIN_IP_FAILURE_LIMIT
    for i in range(limit - 1):
        assert not locked(login(f"guess{i}", "wrong", "10.9.9.9")), i
    assert locked(login(f"guess{limit}", "wrong", "10.9.9.9"))
    # Everyone at that address is refused now, even with the right password; elsewhere they log in.
    assert locked(login("handler_b", TEST_PASSWORD, "10.9.9.9"))
    assert login("handler_b", TEST_PASSWORD, "10.8.8.8").status_code == 302


@pytest.mark.django_db
def test_a_few_typos_in_an_office_behind_one_address_lock_nobody_else(staff):
    for name in ("handler_a", "handler_b", "head_a", "window_a"):
        for _ in range(2):
            assert not locked(login(name, "typo", "10.1.1.1"))
    assert login("handler_a1", TEST_PASSWORD, "10.1.1.1").status_code == 302


@pytest.mark.django_db
def test_a_lock_on_one_user_does_not_lock_another_from_another_address(staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("handler_a", "wrong", "10.0.0.1")
    assert locked(login("handler_a", TEST_PASSWORD, "10.0.0.2"))
    assert login("handler_b", TEST_PASSWORD, "10.0.0.3").status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(staff):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("handler_a", "wrong", "10.0.0.1")
    assert locked(login("handler_a", TEST_PASSWORD, "10.0.0.1"))
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(hours=settings.AXES_COOLOFF_TIME,
                                                                                      minutes=1))
    assert login("handler_a", TEST_PASSWORD, "10.0.0.1").status_code == 302


@pytest.mark.django_db
def test_the_administrator_unlocks_an_account(staff, client_as):
    for ip in range(settings.AXES_FAILURE_LIMIT):
        login("handler_a", "wrong", f"10.0.0.{ip}")
    assert locked(login("handler_a", TEST_PASSWORD, "10.0.2.2"))
    admin = client_as("admin")
    page = admin.get(reverse("accounts:staff_edit", args=["handler_a"]))
    assert reverse("accounts:staff_unlock", args=["handler_a"]) in page.content.decode()
    assert admin.post(reverse("accounts:staff_unlock", args=["handler_a"])).status_code == 302
    assert login("handler_a", TEST_PASSWORD, "10.0.2.2").status_code == 302


@pytest.mark.django_db
def test_the_locked_out_page_is_in_chinese_with_the_cool_off(staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = login("handler_a", "wrong", "10.0.0.1")
    body = r.content.decode()
    assert r.status_code == 429 and "账户已临时锁定" in body
    assert f"{int(settings.AXES_COOLOFF_TIME * 60)} 分钟" in body and "联系系统管理员" in body
