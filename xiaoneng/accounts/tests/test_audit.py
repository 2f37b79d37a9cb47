"""The security audit trail (安全审计): every log-in, failure, lock-out, unlock, password change, account,
role, department and token change leaves one record; administrators read it; nobody changes it."""

import pytest
from django.conf import settings
from django.urls import reverse

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import ApiClient, AuditEvent
from xiaoneng.accounts.testing import TEST_PASSWORD

K = AuditEvent.Kind
LOGIN = "/accounts/login/"


def kinds(**filters) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).order_by("id").values_list("kind", flat=True))


@pytest.mark.django_db
def test_log_in_failure_lock_out_and_log_out_are_recorded_with_the_address(client, staff):
    AuditEvent.objects.all().delete()  # the fixture's accounts were created by the platform (audited too)
    client.post(LOGIN, {"username": "handler_a", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post(LOGIN, {"username": "handler_a", "password": TEST_PASSWORD}, REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/logout/")
    assert kinds(target="handler_a") == [K.LOGIN_FAILED, K.LOGIN, K.LOGOUT]
    failed = AuditEvent.objects.get(kind=K.LOGIN_FAILED)
    assert failed.ip == "10.1.2.3" and failed.actor is None and failed.actor_name == "handler_a"
    assert "wrong" not in failed.detail  # the password typed is never kept
    ok = AuditEvent.objects.get(kind=K.LOGIN)
    assert ok.actor == staff["handler"] and ok.ip == "10.1.2.3"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "handler_b", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    assert AuditEvent.objects.filter(kind=K.LOCKED_OUT, target="handler_b", ip="10.9.9.9").exists()


@pytest.mark.django_db
def test_an_unknown_user_name_is_recorded_as_typed(client, staff):
    client.post(LOGIN, {"username": "' OR 1=1 --", "password": "x"})
    assert AuditEvent.objects.filter(kind=K.LOGIN_FAILED, target="' OR 1=1 --").count() == 1


@pytest.mark.django_db
def test_administrators_changes_are_recorded(client_as, staff, depts):
    AuditEvent.objects.all().delete()
    c = client_as("admin")
    r = c.post(reverse("accounts:staff_create"), {
        "username": "new_clerk", "name": "新同事", "department": depts["a"].code, "roles": [R.WINDOW],
        "password": TEST_PASSWORD, "post": "", "phone": "", "email": "", "is_active": "on"})
    assert r.status_code == 302
    created = AuditEvent.objects.get(kind=K.STAFF_CREATED)
    assert created.actor == staff["admin"] and created.target == "new_clerk" and "窗口人员" in created.detail
    r = c.post(reverse("accounts:staff_edit", args=["new_clerk"]), {
        "username": "new_clerk", "name": "新同事", "department": depts["a"].code, "roles": [R.WINDOW, R.HEAD],
        "post": "", "phone": "13912345678", "email": "", "is_active": "on"})
    assert r.status_code == 302
    change = AuditEvent.objects.get(kind=K.ROLES_CHANGED)
    assert "窗口人员 → 窗口人员、部门负责人" in change.detail and "修改了手机号码" in change.detail
    assert "13912345678" not in change.detail  # that contact details changed is recorded, not what they are
    c.post(reverse("accounts:staff_edit", args=["new_clerk"]), {
        "username": "new_clerk", "name": "新同事", "department": depts["a"].code, "roles": [R.WINDOW, R.HEAD],
        "post": "", "phone": "13912345678", "email": "", "is_active": ""})
    assert AuditEvent.objects.filter(kind=K.STAFF_UPDATED, target="new_clerk", detail="停用账户").exists()
    c.post(reverse("accounts:token_list"), {"name": "审批系统", "department": depts["a"].code, "system": ""})
    token = ApiClient.objects.get(name="审批系统")
    c.post(reverse("accounts:token_revoke", args=[token.pk]))
    c.post(reverse("accounts:token_revoke", args=[token.pk]))  # revoking twice records once
    assert kinds(kind__in=[K.TOKEN_CREATED, K.TOKEN_REVOKED]) == [K.TOKEN_CREATED, K.TOKEN_REVOKED]
    assert AuditEvent.objects.get(kind=K.TOKEN_CREATED).target.startswith(token.token_prefix)
    c.post(reverse("accounts:staff_unlock", args=["new_clerk"]))
    assert AuditEvent.objects.filter(kind=K.UNLOCKED, target="new_clerk", actor=staff["admin"]).exists()
    c.post(reverse("accounts:department_edit", args=[depts["b"].code]), {
        "code": depts["b"].code, "name": "改名后的局", "short_name": "", "kind": depts["b"].kind, "parent": "",
        "address": "", "phone": "", "is_active": "on"})
    assert AuditEvent.objects.filter(kind=K.DEPARTMENT_UPDATED, detail__contains="名称").exists()


@pytest.mark.django_db
def test_a_password_change_is_recorded(client_as, staff):
    c = client_as("handler")
    r = c.post(reverse("accounts:password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": "Another-Strong-2027!", "new_password2": "Another-Strong-2027!"})
    assert r.status_code == 302
    assert AuditEvent.objects.filter(kind=K.PASSWORD_CHANGED, actor=staff["handler"]).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [R.WINDOW, R.HANDLER, R.HEAD, R.SUPERVISOR, R.LEADER])
def test_only_administrators_read_the_trail(client_as, role):
    assert client_as({"window": "window", "handler": "handler", "head": "head", "supervisor": "supervisor",
                      "leader": "leader"}[role]).get(reverse("accounts:audit_list")).status_code == 403


@pytest.mark.django_db
def test_the_page_lists_and_filters_and_refuses_silly_dates(client_as, client, staff):
    client.post(LOGIN, {"username": "handler_b", "password": "wrong"}, REMOTE_ADDR="10.7.7.7")
    c = client_as("admin")
    r = c.get(reverse("accounts:audit_list"), {"kind": K.LOGIN_FAILED})
    page = r.content.decode()
    assert r.status_code == 200 and "登录失败" in page and "handler_b" in page and "10.7.7.7" in page
    table = page[page.index('data-testid="audit-table"'):]
    assert "login_failed" not in table  # the event's name in words, never its code
    r = c.get(reverse("accounts:audit_list"), {"who": "nobody-like-this"})
    assert "没有符合条件的记录" in r.content.decode()
    for bad in ("0001-01-01", "9999-12-31", "2026-13-45", "x" * 40):
        r = c.get(reverse("accounts:audit_list"), {"date_from": bad})
        assert r.status_code == 400 and "日期" in r.content.decode()


@pytest.mark.django_db
def test_the_trail_cannot_be_changed_through_the_admin_site(client_as, client, staff):
    client.post(LOGIN, {"username": "handler_b", "password": "wrong"})
    event = AuditEvent.objects.get(kind=K.LOGIN_FAILED)
    staff["admin"].is_superuser = True  # even a superuser, who passes every model permission
    staff["admin"].save()
    c = client_as("admin")
    assert c.get(f"/admin/accounts/auditevent/{event.pk}/delete/").status_code == 403
    c.post(f"/admin/accounts/auditevent/{event.pk}/change/", {"detail": "tampered"})
    event.refresh_from_db()
    assert event.detail != "tampered"
