"""Forms of the rectification pages (差评整改). They only parse; the rules (what is required, who may act, the
call-back time) are the services' (services/rectification.py), whose DomainError is placed beside its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Staff
from xiaoneng.complaints.forms import BootstrapMixin

from .models import RectificationStatus

TEXT_MAX = 2000
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class WorkForm(BootstrapMixin, forms.Form):
    """核实 · 整改 · 回访: the same fields for saving progress and submitting (the submit button decides)."""

    verification = forms.CharField(label=_("核实情况"), required=False, max_length=TEXT_MAX,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    explained = forms.BooleanField(label=_("经核实差评反映的问题不属实，作情况说明"), required=False)
    action = forms.CharField(label=_("整改措施或情况说明"), required=False, max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))
    callback_at = forms.DateTimeField(label=_("回访时间"), required=False, input_formats=DT_FORMATS,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"),
                                      error_messages={"invalid": _("回访时间格式不正确。")})
    callback_reached = forms.BooleanField(label=_("已联系到评价人"), required=False)
    callback_result = forms.CharField(label=_("回访结果"), required=False, max_length=TEXT_MAX,
                                      widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(BootstrapMixin, forms.Form):
    handler = forms.ModelChoiceField(label=_("整改承办人"), queryset=Staff.objects.none(),
                                     error_messages={"invalid_choice": _("承办人须为整改部门的承办人或负责人。")})

    def __init__(self, *args, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Staff.objects.filter(is_active=True, groups__name__in=(R.HANDLER, R.HEAD)).distinct()
        if department is not None:
            qs = qs.filter(department=department)
        else:
            qs = qs.none()
        self.fields["handler"].queryset = qs.order_by("username")
        self.fields["handler"].label_from_instance = lambda s: s.display_name


class AppealForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("申诉理由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("写明差评属于恶意评价或错误评价的具体情况。"))
    evidence = forms.FileField(label=_("证据材料"), required=False,
                               help_text=_("可附一个文件：JPG、PNG、WebP、GIF 图片或 PDF。"))


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label=_("审核"), widget=forms.RadioSelect,
                                 choices=[("accept", _("审核通过")), ("return", _("退回重办"))])
    note = forms.CharField(label=_("审核意见（退回时必填）"), required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AppealDecideForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label=_("申诉审核"), widget=forms.RadioSelect,
                                 choices=[("uphold", _("申诉成立，差评作废")), ("reject", _("驳回申诉"))])
    note = forms.CharField(label=_("审核意见"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), ("running", ""), *RectificationStatus.choices])
