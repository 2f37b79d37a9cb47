"""Staff pages for accounts: log-in, departments, staff lists, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.accounts.forms import (
    ApiClientForm,
    AuditFilterForm,
    DepartmentForm,
    HostingForm,
    LoginForm,
    StaffForm,
)
from xiaoneng.accounts.models import ApiClient, AuditEvent, Department, HostedDepartment, Staff
from xiaoneng.accounts.selectors import (
    api_client_list,
    audit_event_list,
    department_get_for,
    department_list_for,
    staff_list_for,
)
from xiaoneng.accounts.services import (
    api_client_create,
    api_client_revoke,
    audit_record,
    can_host,
    department_create,
    department_hosting_set,
    department_update,
    staff_create,
    staff_unlock,
    staff_update,
)
from xiaoneng.core.errors import DomainError
from xiaoneng.core.request import client_ip


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own page, with the change written to the security audit trail."""

    template_name = "accounts/password_change.html"
    success_url = "/staff/"

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(kind=AuditEvent.Kind.PASSWORD_CHANGED, now=timezone.now(), actor=self.request.user,
                     target=self.request.user.username, ip=client_ip(self.request))
        return response


AUDIT_PAGE_SIZE = 50


@role_required(R.ADMIN)
@require_GET
def audit_list(request):
    """The security audit trail (安全审计): administrators read it; nobody can change it."""
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(kind=data.get("kind") or "", who=(data.get("who") or "").strip(),
                              date_from=data.get("date_from"), date_to=data.get("date_to"))
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "accounts/audit_list.html", {"form": form, "page": page, "query": params.urlencode()},
                  status=200 if not form.errors else 400)


@login_required
@require_GET
def department_list(request):
    return render(request, "accounts/department_list.html", {"departments": department_list_for(request.user)})


@login_required
@require_GET
def department_detail(request, code: str):
    dept = department_get_for(request.user, code)
    members = staff_list_for(request.user).filter(department=dept)
    children = department_list_for(request.user).filter(parent=dept)
    hosted = Department.objects.filter(hosted_at__host=dept).order_by("path")
    return render(request, "accounts/department_detail.html", {
        "dept": dept, "members": members, "children": children, "hosted": hosted,
        "can_host": can_host(dept)})


@role_required(R.HEAD, R.SUPERVISOR, R.LEADER, R.ADMIN)
@require_GET
def staff_list(request):
    return render(request, "accounts/staff_list.html", {"staff_list": staff_list_for(request.user)})


@role_required(R.ADMIN)
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = ApiClientForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            client, new_token = api_client_create(
                name=form.cleaned_data["name"], department=form.cleaned_data["department"],
                system=form.cleaned_data["system"], by=request.user, now=timezone.now(),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已创建接口令牌“%(name)s”。令牌只显示这一次，请立即复制保存。") % {"name": client.name})
            form = ApiClientForm()
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request, "accounts/token_list.html",
        {"form": form, "clients": api_client_list(), "new_token": new_token}, status=status,
    )


@role_required(R.ADMIN)
@require_POST
def token_revoke(request, pk: int):
    client = get_object_or_404(ApiClient, pk=pk)
    api_client_revoke(client=client, by=request.user, now=timezone.now())
    messages.success(request, _("已吊销接口令牌“%(name)s”。") % {"name": client.name})
    return redirect("accounts:token_list")


def _apply_domain_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@role_required(R.ADMIN)
@require_http_methods(["GET", "POST"])
def staff_create_view(request):
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            created = staff_create(
                username=d["username"], name=d["name"], department=d["department"], roles=d["roles"],
                password=d["password"], post=d["post"], phone=d["phone"], email=d["email"], by=request.user,
                now=timezone.now(),
            )
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, _("已创建工作人员账户 %(u)s。") % {"u": created.username})
            return redirect("accounts:staff_list")
    status = 400 if form.errors else 200
    return render(request, "accounts/form_page.html", {"form": form, "title": _("新建工作人员"), "cancel_url": reverse("accounts:staff_list")}, status=status)


@role_required(R.ADMIN)
@require_http_methods(["GET", "POST"])
def staff_edit_view(request, username: str):
    target = get_object_or_404(Staff, username=username)
    initial = {
        "username": target.username, "name": target.name, "department": target.department.code if target.department else "",
        "roles": sorted(target.groups.values_list("name", flat=True)),
        "post": target.post, "phone": target.phone, "email": target.email, "is_active": target.is_active,
    }
    form = StaffForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            staff_update(
                staff=target, by=request.user, name=d["name"], department=d["department"], roles=d["roles"],
                post=d["post"], phone=d["phone"], email=d["email"], is_active=d["is_active"], now=timezone.now(),
            )
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存 %(u)s。") % {"u": target.username})
            return redirect("accounts:staff_list")
    status = 400 if form.errors else 200
    return render(
        request, "accounts/form_page.html",
        {"form": form, "title": _("编辑工作人员：%(u)s") % {"u": target.username}, "unlock_user": target.username,
         "cancel_url": reverse("accounts:staff_list")},
        status=status,
    )


@role_required(R.ADMIN)
@require_POST
def staff_unlock_view(request, username: str):
    target = get_object_or_404(Staff, username=username)
    staff_unlock(username=target.username, by=request.user, now=timezone.now())
    messages.success(request, _("已解除 %(u)s 的登录锁定。") % {"u": target.username})
    return redirect("accounts:staff_edit", username=target.username)


@role_required(R.ADMIN)
@require_http_methods(["GET", "POST"])
def department_create_view(request):
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            dept = department_create(
                code=d["code"], name=d["name"], kind=d["kind"], parent=d["parent"], short_name=d["short_name"],
                address=d["address"], phone=d["phone"], by=request.user, now=timezone.now(),
            )
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, _("已创建部门 %(n)s。") % {"n": dept.name})
            return redirect("accounts:department_detail", code=dept.code)
    status = 400 if form.errors else 200
    return render(request, "accounts/form_page.html", {"form": form, "title": _("新建部门"), "cancel_url": reverse("accounts:department_list")}, status=status)


@role_required(R.ADMIN)
@require_http_methods(["GET", "POST"])
def department_edit_view(request, code: str):
    dept = get_object_or_404(Department, code=code)
    initial = {
        "code": dept.code, "name": dept.name, "short_name": dept.short_name, "kind": dept.kind,
        "parent": dept.parent.code if dept.parent else "", "address": dept.address, "phone": dept.phone,
        "is_active": dept.is_active,
    }
    form = DepartmentForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            department_update(
                department=dept, by=request.user, name=d["name"], short_name=d["short_name"], address=d["address"],
                phone=d["phone"], is_active=d["is_active"], now=timezone.now(),
            )
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存部门 %(n)s。") % {"n": dept.name})
            return redirect("accounts:department_detail", code=dept.code)
    status = 400 if form.errors else 200
    return render(
        request, "accounts/form_page.html", {"form": form, "title": _("编辑部门：%(n)s") % {"n": dept.name},
         "cancel_url": reverse("accounts:department_detail", args=[dept.code])}, status=status
    )


@role_required(R.ADMIN)
@require_http_methods(["GET", "POST"])
def department_hosting_view(request, code: str):
    """进驻部门: which departments a service centre (or window unit) registers cases for (administrators)."""
    dept = get_object_or_404(Department, code=code)
    hostable = can_host(dept)
    initial = {"departments": list(HostedDepartment.objects.filter(host=dept).values_list("department__code", flat=True))}
    form = HostingForm(request.POST or None, initial=initial, host=dept)
    if request.method == "POST" and form.is_valid():
        try:
            department_hosting_set(host=dept, departments=form.cleaned_data["departments"], by=request.user,
                                   now=timezone.now())
        except DomainError as exc:
            _apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存 %(n)s 的进驻部门。") % {"n": dept.name})
            return redirect("accounts:department_detail", code=dept.code)
    status = 400 if form.errors else 200
    return render(request, "accounts/department_hosting.html", {"dept": dept, "form": form, "hostable": hostable},
                  status=status)
