"""Forms of the window registration (受理登记) pages. Validation of substance lives in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.params import DateField

from .models import CaseStatus


class RegisterForm(forms.Form):
    item = forms.ChoiceField(label=_("申请事项"))
    applicant_name = forms.CharField(label=_("申请人姓名或名称"), max_length=100)
    applicant_id_no = forms.CharField(label=_("证件号码"), max_length=32, required=False)
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    case_no = forms.CharField(
        label=_("办件编号"), max_length=64, required=False, help_text=_("留空则按事项所属部门的编号规则自动生成。")
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


class DenyForm(forms.Form):
    """不予许可 (行政许可法 §38 ¶2): the reasons the decision states."""

    reason = forms.CharField(
        label=_("不予许可理由"), max_length=2000, min_length=4, widget=forms.Textarea,
        error_messages={"required": _("请写明不予许可的理由：它将写入不予行政许可决定书并告知申请人。"),
                        "min_length": _("理由过短，请写明事实和依据。")},
    )


class SpecialProcedureForm(forms.Form):
    """特别程序 (行政许可法 §45): which procedure (among those the item's guide lists), why, and how long."""

    procedure = forms.ChoiceField(
        label=_("特别程序"), error_messages={"required": _("请选择特别程序。"),
                                         "invalid_choice": _("本事项的办事指南未列明该特别程序。")},
    )
    expected_days = forms.IntegerField(
        label=_("预计所需时间"), min_value=1, max_value=365,
        error_messages={"required": _("请填写特别程序预计所需的天数。"), "min_value": _("预计所需时间至少 1 天。"),
                        "max_value": _("预计所需时间不能超过 365 天。"), "invalid": _("预计所需时间应为整数。")},
    )
    reason = forms.CharField(
        label=_("理由"), max_length=2000, min_length=4, widget=forms.Textarea,
        error_messages={"required": _("请写明需要特别程序的理由：它将写入特别程序告知书并告知申请人。"),
                        "min_length": _("理由过短，请写明为什么需要该程序。")},
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("请选择"))] + list(choices)


class CaseFilterForm(forms.Form):
    """The list filters (GET); invalid values are ignored rather than refused."""

    q = forms.CharField(label=_("办件编号"), max_length=64, required=False)
    department = forms.ChoiceField(label=_("部门"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部"))] + list(CaseStatus.choices))
    service_code = forms.CharField(label=_("事项编码"), max_length=64, required=False)
    received_from = DateField(label=_("接件日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    received_to = DateField(label=_("接件日期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.ChoiceField(label=_("超期"), required=False,
                                choices=[("", _("全部")), ("1", _("已超承诺时限")), ("0", _("未超期"))])
    # The window's queue (窗口队列, links above the list): the cases registered at the reader's own window
    # unit, and only those still open. Hidden: set by the links, shown as the active queue.
    intake = forms.ChoiceField(required=False, choices=[("", ""), ("mine", "mine")], widget=forms.HiddenInput)
    open = forms.ChoiceField(required=False, choices=[("", ""), ("1", "1")], widget=forms.HiddenInput)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("全部可见部门"))] + [(d.code, d.name) for d in departments]


class ExtendForm(forms.Form):
    """延长审查期限 (行政许可法 §42): days and the reason the applicant will be told."""

    granted_days = forms.IntegerField(
        label=_("延长天数（工作日）"), min_value=1, max_value=10,
        help_text=_("行政许可法第四十二条：经本行政机关负责人批准，可以延长十日。"),
        error_messages={"required": _("请填写延长天数（1—10 个工作日）。"),
                        "min_value": _("延长天数至少 1 个工作日。"),
                        "max_value": _("延长天数不能超过 10 个工作日（行政许可法第四十二条）。"),
                        "invalid": _("延长天数应为整数。")},
    )
    reason = forms.CharField(
        label=_("延长理由"), max_length=2000, min_length=4, widget=forms.Textarea,
        error_messages={"required": _("请写明延长理由：它将写入延长审查期限告知书并告知申请人。"),
                        "min_length": _("理由过短，请写明不能在法定期限内作出决定的原因。")},
    )

    def __init__(self, *args, joint: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if joint:  # §42 ¶2: a joint case (联办件) may be extended by 15 wd with the government head's approval
            self.fields["granted_days"] = forms.IntegerField(
                label=_("延长天数（工作日）"), min_value=1, max_value=15,
                help_text=_("行政许可法第四十二条第二款：联合办理的，经本级人民政府负责人批准，可以延长十五日。"),
                error_messages={"required": _("请填写延长天数（1—15 个工作日）。"),
                                "min_value": _("延长天数至少 1 个工作日。"),
                                "max_value": _("联办件延长天数不能超过 15 个工作日（行政许可法第四十二条第二款）。"),
                                "invalid": _("延长天数应为整数。")},
            )
            self.order_fields(["granted_days", "reason"])


class AssignHandlerForm(forms.Form):
    """A head (re)assigns the case's handler among the department subtree's handlers and heads."""

    handler = forms.ModelChoiceField(
        label=_("承办人"), queryset=None, empty_label=_("请选择承办人"),
        error_messages={"required": _("请选择承办人。"), "invalid_choice": _("所选人员不能承办本件。")},
    )
    reason = forms.CharField(
        label=_("理由"), max_length=500,
        error_messages={"required": _("请填写指定（变更）承办人的理由。"), "max_length": _("理由不能超过 500 字。")},
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = choices
        self.fields["handler"].label_from_instance = lambda s: f"{s.display_name}（{s.department.name}）"
