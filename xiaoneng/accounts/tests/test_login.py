"""Log-in: lockout after repeated failures (django-axes), strong passwords, session expiry."""

import pytest
from django.conf import settings
from django.urls import reverse

from xiaoneng.accounts.services import staff_create
from xiaoneng.accounts.testing import TEST_PASSWORD
from xiaoneng.core.errors import DomainError


@pytest.mark.django_db
def test_login_success_lands_on_desk_with_department_name(client, staff):
    resp = client.post(reverse("accounts:login"), {"username": "handler_a", "password": TEST_PASSWORD}, follow=True)
    body = resp.content.decode()
    assert resp.redirect_chain[-1][0] == reverse("core:home")
    assert "测试县市场监督管理局" in body and "承办人" in body


@pytest.mark.django_db
def test_wrong_password_message_then_lockout(client, staff):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        resp = client.post(url, {"username": "handler_a", "password": "wrong"})
        assert resp.status_code == 200 and "用户名或密码错误" in resp.content.decode()
    resp = client.post(url, {"username": "handler_a", "password": "wrong"})
    assert resp.status_code == 429 and "临时锁定" in resp.content.decode()
    # Even the right password is refused while locked out.
    resp = client.post(url, {"username": "handler_a", "password": TEST_PASSWORD})
    assert resp.status_code == 429
    # Another account from the same address is not locked (lockout is per user name and address).
    resp = client.post(url, {"username": "handler_b", "password": TEST_PASSWORD})
    assert resp.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("password,reason", [("short1A!", "太短"), ("alllowercaseletters", "三类"), ("12345678901", "")])
def test_weak_passwords_refused(depts, password, reason):
    with pytest.raises(DomainError) as exc:
        staff_create(username="weak", name="弱", department=depts["a"], roles=["handler"], password=password)
    assert exc.value.field == "password"
    assert reason in exc.value.message


def test_session_expiry_configured():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_SAVE_EVERY_REQUEST


@pytest.mark.django_db
def test_department_staff_need_a_department(db):
    with pytest.raises(DomainError) as exc:
        staff_create(username="x", name="x", department=None, roles=["handler"], password=TEST_PASSWORD)
    assert exc.value.field == "department"
    with pytest.raises(DomainError) as exc:
        staff_create(username="y", name="y", department=None, roles=["boss"], password=TEST_PASSWORD)
    assert exc.value.field == "roles"


@pytest.mark.django_db
def test_logout_requires_post_and_ends_session(client_as):
    client = client_as("handler")
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302
