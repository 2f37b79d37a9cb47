from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from xiaoneng.accounts.models import Department


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续多次失败后账户将被临时锁定。"),
        "inactive": _("该账户已停用。"),
    }


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("系统名称"), max_length=100)
    department = forms.ModelChoiceField(
        label=_("所属部门"), queryset=Department.objects.filter(is_active=True), to_field_name="code"
    )
