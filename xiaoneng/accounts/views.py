"""Staff pages for accounts: log-in, departments, staff lists, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.access import role_required
from xiaoneng.accounts.forms import ApiClientForm, LoginForm
from xiaoneng.accounts.models import ApiClient
from xiaoneng.accounts.selectors import (
    api_client_list,
    department_get_for,
    department_list_for,
    staff_list_for,
)
from xiaoneng.accounts.services import api_client_create, api_client_revoke
from xiaoneng.core.errors import DomainError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


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
    return render(request, "accounts/department_detail.html", {"dept": dept, "members": members, "children": children})


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
                by=request.user, now=timezone.now(),
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
