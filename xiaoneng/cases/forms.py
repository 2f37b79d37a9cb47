"""Forms of the window registration (受理登记) pages. Validation of substance lives in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CaseStatus


class RegisterForm(forms.Form):
    item = forms.ChoiceField(label=_("申请事项"))
    applicant_name = forms.CharField(label=_("申请人姓名或名称"), max_length=100)
    applicant_id_no = forms.CharField(label=_("证件号码"), max_length=32, required=False)
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    case_no = forms.CharField(
        label=_("办件编号"), max_length=64, required=False, help_text=_("留空则按本部门编号规则自动生成。")
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("请选择事项"))] + [
            (i.code, f"{i.code} {i.current_version.name}（{i.department.name}）") for i in items
        ]


class SupplementForm(forms.Form):
    materials = forms.MultipleChoiceField(
        label=_("需补正的全部材料"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请勾选需要补正的全部材料。")},
    )
    note = forms.CharField(label=_("补正要求说明"), max_length=500, required=False)

    def __init__(self, *args, checklist=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials"].choices = [(m, m) for m in checklist]


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("不予受理理由"), max_length=2000, min_length=4, widget=forms.Textarea,
        error_messages={"required": _("请写明不予受理的理由：它将写入不予受理决定书并告知申请人。"),
                        "min_length": _("理由过短，请写明事实和依据。")},
    )


class CaseFilterForm(forms.Form):
    """The list filters (GET); invalid values are ignored rather than refused."""

    q = forms.CharField(label=_("办件编号"), max_length=64, required=False)
    department = forms.ChoiceField(label=_("部门"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部"))] + list(CaseStatus.choices))
    service_code = forms.CharField(label=_("事项编码"), max_length=64, required=False)
    received_from = forms.DateField(label=_("接件日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label=_("接件日期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.ChoiceField(label=_("超期"), required=False,
                                choices=[("", _("全部")), ("1", _("已超承诺时限")), ("0", _("未超期"))])

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("全部可见部门"))] + [(d.code, d.name) for d in departments]
