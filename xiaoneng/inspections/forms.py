"""明查暗访: the forms. They check shape (a date is a date); the services check the rules and raise
DomainError naming the field, which the views place beside it."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff

from .models import Mode, Result, SanctionKind, SupervisorKind

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={**TEXT, **(attrs or {})}, format="%Y-%m-%dT%H:%M")


class VisitForm(forms.Form):
    """One visit: where, when, who, and a result per checklist item (fields result_<item id>, note_<item id>)."""

    department = forms.ModelChoiceField(label=_("被检查部门"), queryset=Department.objects.none(), to_field_name="code",
                                        widget=forms.Select(attrs=SELECT),
                                        error_messages={"invalid_choice": _("请选择本计划的被检查部门。"),
                                                        "required": _("请选择被检查部门。")})
    place = forms.CharField(label=_("检查地点"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    window = forms.CharField(label=_("窗口"), max_length=40, required=False, widget=forms.TextInput(attrs=TEXT))
    visited_at = forms.DateTimeField(label=_("检查时间"), widget=DateTimeLocal(),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                     error_messages={"invalid": _("请填写有效的检查时间。")})
    inspectors = forms.CharField(label=_("检查人员"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    summary = forms.CharField(label=_("总体情况"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={**TEXT, "rows": 2}))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["department"].queryset = plan.departments.all()
        self.items = list(plan.checklist.items.all())
        for item in self.items:
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=item.name, choices=Result.choices, widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                help_text=item.guidance,
                error_messages={"required": _("请选择检查结果。"), "invalid_choice": _("请选择检查结果。")})
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("说明"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))

    def item_rows(self):
        return [(item, self[f"result_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]

    def clean_visited_at(self):
        value = self.cleaned_data["visited_at"]
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def results(self) -> dict:
        return {item.pk: (self.cleaned_data.get(f"result_{item.pk}"), self.cleaned_data.get(f"note_{item.pk}") or "")
                for item in self.items}


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={**TEXT, "rows": 2}))


class PlanForm(forms.Form):
    title = forms.CharField(label=_("计划名称"), max_length=80, widget=forms.TextInput(attrs=TEXT))
    mode = forms.ChoiceField(label=_("方式"), choices=Mode.choices, widget=forms.RadioSelect)
    checklist = forms.ModelChoiceField(label=_("检查表"), queryset=None, widget=forms.Select(attrs=SELECT),
                                       error_messages={"invalid_choice": _("请选择启用中的检查表。")})
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
                                error_messages={"invalid": _("请填写有效的日期。")})
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
                              error_messages={"invalid": _("请填写有效的日期。")})
    departments = forms.ModelMultipleChoiceField(
        label=_("被检查部门"), queryset=Department.objects.filter(is_active=True), to_field_name="code",
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 6}),
        error_messages={"invalid_choice": _("请选择有效的部门。"), "required": _("请至少选择一个被检查部门。")})
    windows = forms.CharField(label=_("检查窗口"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
    inspectors = forms.ModelMultipleChoiceField(
        label=_("检查人员"), queryset=Staff.objects.none(), widget=forms.SelectMultiple(attrs={**SELECT, "size": 6}),
        error_messages={"invalid_choice": _("请选择效能监察员或特邀监督员。"), "required": _("请至少选择一名检查人员。"),
                        "invalid_pk_value": _("请选择效能监察员或特邀监督员。")})

    def __init__(self, *args, **kwargs):
        from .models import Checklist

        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = Checklist.objects.filter(is_active=True)
        self.fields["inspectors"].queryset = (Staff.objects.filter(is_active=True,
                                                                   groups__name__in=(R.SUPERVISOR, R.INVITED))
                                              .distinct().order_by("username"))
        self.fields["inspectors"].label_from_instance = lambda s: s.display_name


class ChecklistForm(forms.Form):
    """A checklist: name, description and one line per item "名称|权重|检查要点"."""

    name = forms.CharField(label=_("检查表名称"), max_length=60, widget=forms.TextInput(attrs=TEXT))
    description = forms.CharField(label=_("说明"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
    items = forms.CharField(label=_("检查项目"), max_length=5000, widget=forms.Textarea(attrs={**TEXT, "rows": 10}),
                            help_text=_("每行一项，格式：项目名称|权重|检查要点。权重为 1-100 的整数。"))

    def parsed_items(self) -> list[dict]:
        out = []
        for line in (self.cleaned_data.get("items") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            out.append({"name": parts[0], "weight": parts[1] if len(parts) > 1 else "",
                        "guidance": "|".join(parts[2:]) if len(parts) > 2 else ""})
        return out


class CorrectionStartForm(forms.Form):
    wd = forms.IntegerField(label=_("整改期限（工作日）"), min_value=1, max_value=60, initial=10,
                            widget=forms.NumberInput(attrs=TEXT),
                            error_messages={"invalid": _("整改期限须为 1-60 个工作日。"),
                                            "min_value": _("整改期限须为 1-60 个工作日。"),
                                            "max_value": _("整改期限须为 1-60 个工作日。")})


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("整改情况"), max_length=1000, widget=forms.Textarea(attrs={**TEXT, "rows": 4}))


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=_("处理方式"), choices=SanctionKind.choices, widget=forms.Select(attrs=SELECT))
    staff = forms.ModelChoiceField(label=_("对象人员"), queryset=Staff.objects.none(), required=False,
                                   widget=forms.Select(attrs=SELECT),
                                   error_messages={"invalid_choice": _("对象人员须为责任单位的工作人员。")})
    reason = forms.CharField(label=_("理由"), max_length=500, widget=forms.Textarea(attrs={**TEXT, "rows": 2}))

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Staff.objects.filter(department__path__startswith=department.path,
                                                             is_active=True).order_by("username")
        self.fields["staff"].label_from_instance = lambda s: s.display_name


class CardForm(forms.Form):
    level = forms.ChoiceField(label=_("预警级别"), choices=[("reminder", _("提醒")), ("yellow", _("黄牌")), ("red", _("红牌"))],
                              widget=forms.Select(attrs=SELECT))


def local_now_input() -> str:
    return timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M")



class ProfileForm(forms.Form):
    """Who an invited supervisor is (the office keeps it; the account itself is made on the accounts pages)."""

    staff = forms.ModelChoiceField(label=_("特邀监督员"), queryset=Staff.objects.none(), widget=forms.Select(attrs=SELECT),
                                   error_messages={"invalid_choice": _("请选择特邀监督员账号。")})
    kind = forms.ChoiceField(label=_("身份"), choices=SupervisorKind.choices, widget=forms.Select(attrs=SELECT))
    affiliation = forms.CharField(label=_("工作单位或界别"), max_length=100, required=False,
                                  widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Staff.objects.filter(groups__name=R.INVITED).distinct().order_by("username")
        self.fields["staff"].label_from_instance = lambda s: s.display_name
