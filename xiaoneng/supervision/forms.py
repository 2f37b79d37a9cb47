"""Forms of the supervision pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoneng.accounts.models import Department
from xiaoneng.catalog.models import ServiceItem
from xiaoneng.core.params import DateField

from .defaults import THRESHOLD_FIELDS
from .models import Level, RuleMode, RuleScope, WarningStatus


class FilterForm(forms.Form):
    level = forms.ChoiceField(label=_("等级"), required=False, choices=[("", _("全部等级"))] + Level.choices)
    status = forms.ChoiceField(
        label=_("状态"), required=False,
        choices=[("", _("全部状态")), ("open", _("未办结"))] + WarningStatus.choices,
    )
    department = forms.CharField(label=_("部门编码"), required=False, max_length=32)
    rule = forms.CharField(label=_("规则编码"), required=False, max_length=64)
    issued_from = DateField(label=_("发牌日期起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    issued_to = DateField(label=_("发牌日期止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    case_no = forms.CharField(label=_("办件或投诉编号"), required=False, max_length=64)


class TextForm(forms.Form):
    text = forms.CharField(label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class OptionalTextForm(forms.Form):
    text = forms.CharField(label=_("意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("申诉理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("附件（PDF、图片或 Word，10 MB 以内）"), required=False)


class AppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("决定"), coerce=lambda v: v == "1", choices=[("1", _("申诉成立，撤销此卡")), ("0", _("申诉不成立，维持此卡"))]
    )
    text = forms.CharField(label=_("处理意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class OrderForm(forms.Form):
    due_wd = forms.IntegerField(label=_("答复期限（工作日）"), min_value=1, max_value=60, initial=3)
    instructions = forms.CharField(label=_("督办要求"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class OrderAnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class OrderCloseForm(forms.Form):
    note = forms.CharField(label=_("办结意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RuleForm(forms.Form):
    """The editable fields of a rule; threshold fields are added for the rule's check."""

    name = forms.CharField(label=_("规则名称"), max_length=100)
    enabled = forms.BooleanField(label=_("启用"), required=False)
    level = forms.ChoiceField(label=_("等级"), choices=Level.choices)
    mode = forms.ChoiceField(label=_("发牌方式"), choices=RuleMode.choices)
    scope = forms.ChoiceField(label=_("适用范围"), choices=RuleScope.choices)
    scope_department = forms.ModelChoiceField(
        label=_("适用部门"), required=False, queryset=Department.objects.filter(is_active=True).order_by("path"),
        to_field_name="code",
    )
    scope_item = forms.ModelChoiceField(
        label=_("适用事项"), required=False, queryset=ServiceItem.objects.filter(is_active=True).order_by("code"),
        to_field_name="code",
    )
    auto_order = forms.BooleanField(label=_("黄牌、红牌自动督办"), required=False)
    order_due_wd = forms.IntegerField(label=_("自动督办答复期限（工作日）"), min_value=1, max_value=60)
    auto_proposal = forms.BooleanField(label=_("红牌自动起草整改建议书（效能监察员确认后发出）"), required=False)
    note = forms.CharField(label=_("修改说明"), max_length=200, required=False)

    def __init__(self, *args, check: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.threshold_keys = []
        for key, label, lo, hi in THRESHOLD_FIELDS.get(check, []):
            self.fields[f"t_{key}"] = forms.IntegerField(label=label, min_value=lo, max_value=hi)
            self.threshold_keys.append(key)

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"], "enabled": d["enabled"], "level": d["level"], "mode": d["mode"], "scope": d["scope"],
            "scope_department": d.get("scope_department"), "scope_item": d.get("scope_item"),
            "thresholds": {k: d[f"t_{k}"] for k in self.threshold_keys},
            "auto_order": d["auto_order"], "order_due_wd": d["order_due_wd"], "auto_proposal": d["auto_proposal"],
        }


class ProposalIssueForm(forms.Form):
    problem = forms.CharField(label=_("存在问题"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    suggestion = forms.CharField(label=_("整改建议"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    due_wd = forms.IntegerField(label=_("整改期限（工作日）"), min_value=1, max_value=60, initial=15)


class ProposalDiscardForm(forms.Form):
    reason = forms.CharField(label=_("不予发出理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
