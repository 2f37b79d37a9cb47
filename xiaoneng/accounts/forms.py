from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department
from xiaoneng.core.params import DateField


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续多次失败后账户将被临时锁定。"),
        "inactive": _("该账户已停用。"),
    }


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("系统名称"), max_length=100)
    system = forms.CharField(
        label=_("来源系统"), max_length=60, required=False,
        help_text=_("未填写时取系统名称。轮换令牌时填写与旧令牌相同的来源系统，重发的事件不会重复计入。"),
    )
    department = forms.ModelChoiceField(
        label=_("所属部门"), queryset=Department.objects.filter(is_active=True), to_field_name="code",
        error_messages={"invalid_choice": _("请选择有效的部门。"), "required": _("请选择所属部门。")},
    )


ROLE_CHOICES = [(code, label) for code, label in R.LABELS.items()]


class StaffForm(forms.Form):
    """Create (with username and password) or edit a staff account."""

    username = forms.RegexField(
        label=_("登录名"), max_length=150, regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": _("登录名只能包含字母、数字和 _ . @ + -。")},
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    department = forms.ModelChoiceField(
        label=_("所在部门"), queryset=Department.objects.filter(is_active=True), to_field_name="code", required=False,
        error_messages={"invalid_choice": _("请选择有效的部门。")},
    )
    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个角色。")},
    )
    post = forms.CharField(label=_("岗位"), max_length=60, required=False)
    phone = forms.RegexField(
        label=_("手机号码"), regex=r"^1\d{10}$", required=False,
        error_messages={"invalid": _("手机号码应为 11 位数字，以 1 开头。")},
    )
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["username"].disabled = True
            del self.fields["password"]
        else:
            self.fields["password"].required = True
            del self.fields["is_active"]


class DepartmentForm(forms.Form):
    code = forms.RegexField(
        label=_("部门编码"), max_length=32, regex=r"^[A-Za-z0-9_-]+$",
        error_messages={"invalid": _("部门编码只能包含字母、数字、- 和 _。")},
    )
    name = forms.CharField(label=_("部门名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=Department.Kind.choices)
    parent = forms.ModelChoiceField(
        label=_("上级部门"), queryset=Department.objects.all(), to_field_name="code", required=False,
        error_messages={"invalid_choice": _("请选择有效的上级部门。")},
    )
    address = forms.CharField(label=_("办公地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("咨询电话"), max_length=40, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            for f in ("code", "kind", "parent"):
                self.fields[f].disabled = True


class AuditFilterForm(forms.Form):
    """Filters of the security audit page. Dates are bounded (core.params.DateField): a year like 0001 or 9999
    is a typing mistake, answered beside the field, never an error page."""

    kind = forms.ChoiceField(label=_("事件"), required=False)
    who = forms.CharField(label=_("账户"), max_length=150, required=False, help_text=_("操作人或操作对象的登录名"))
    date_from = DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from xiaoneng.accounts.models import AuditEvent

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部事件")), *AuditEvent.Kind.choices]


class HostingForm(forms.Form):
    """进驻部门: the departments a service centre (or window unit) registers cases for. The county's bureaus
    and townships are offered (a bureau brings its sections with it)."""

    departments = forms.ModelMultipleChoiceField(
        label=_("进驻部门"), required=False, to_field_name="code",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        queryset=Department.objects.none(),
        help_text=_("勾选在本中心窗口集中受理的部门：窗口人员可为这些部门（含其内设科室）的事项办理受理登记，"
                    "办件仍归属该部门办理。"),
        error_messages={"invalid_choice": _("请选择有效的部门。"), "invalid_pk_value": _("请选择有效的部门。")},
    )

    def __init__(self, *args, host: Department, **kwargs):
        super().__init__(*args, **kwargs)
        above = [int(p) for p in host.path.strip("/").split("/") if p]
        qs = (Department.objects.filter(is_active=True, kind__in=(Department.Kind.BUREAU, Department.Kind.TOWNSHIP))
              .exclude(path__startswith=host.path).exclude(pk__in=above).order_by("path"))
        self.fields["departments"].queryset = qs
