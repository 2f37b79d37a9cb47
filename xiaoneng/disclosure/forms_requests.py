"""Forms of the information-request pages. They only parse what was typed; every rule is the services' (one
validator for the form, the staff entry and the API), whose DomainError the views place beside its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoneng.complaints.forms import BootstrapMixin
from xiaoneng.core.params import DateField

from .models import AnswerType, ApplicantKind, RequestChannel, ReviewKind, ReviewResult
from .services.requests import ANSWER_REASONS, DELIVERY, EXTENSION_MAX_WD, STAFF_CHANNELS

BLANK = [("", _("请选择"))]


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ApplicantFields(BootstrapMixin, forms.Form):
    department = DepartmentChoiceField(label=_("向哪个行政机关申请"), queryset=None, to_field_name="code",
                                       empty_label=_("请选择"))
    applicant_kind = forms.ChoiceField(label=_("申请人类型"), choices=ApplicantKind.choices, initial="person")
    applicant_name = forms.CharField(label=_("姓名或单位名称"), max_length=100)
    id_number = forms.CharField(label=_("身份证件号码"), max_length=32, required=False,
                                help_text=_("自然人必填；法人或其他组织填写联系人的证件号码（可选）。"))
    organisation_code = forms.CharField(label=_("统一社会信用代码"), max_length=32, required=False,
                                        help_text=_("法人或其他组织必填，18 位。"))
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    email = forms.CharField(label=_("电子邮箱"), max_length=120, required=False)
    address = forms.CharField(label=_("通信地址"), max_length=200, required=False)
    description = forms.CharField(label=_("所需政府信息的名称、文号或便于查询的其他特征性描述"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    purpose = forms.CharField(label=_("用途（选填）"), max_length=200, required=False)
    delivery = forms.ChoiceField(label=_("获取信息的方式"), choices=BLANK + list(DELIVERY), required=False)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        keys = ("applicant_kind", "applicant_name", "id_number", "organisation_code", "phone", "email", "address",
                "description", "purpose", "delivery")
        return {"department": d["department"], **{k: d.get(k, "") for k in keys}}


class PublicRequestForm(ApplicantFields):
    """The citizen's form: the phone is a mobile, confirmed by an SMS code before the request is taken."""

    sms_code = forms.CharField(label=_("短信验证码"), max_length=8, required=False,
                               help_text=_("填写手机号码后点击“获取验证码”，验证码 10 分钟内有效。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].label = _("手机号码")
        self.fields["phone"].required = True
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["sms_code"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code"})


class StaffRequestForm(ApplicantFields):
    """A request received by visit, post, fax or e-mail, entered by staff with its moment of receipt (§31)."""

    channel = forms.ChoiceField(label=_("申请方式"), choices=[(c.value, c.label) for c in STAFF_CHANNELS])
    received_at = forms.DateTimeField(
        label=_("收到申请时间"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=_("当面申请为提交时间（不填为现在）；信函为签收日期；传真、电子邮件为双方确认日期。"))

    def clean_received_at(self):
        value = self.cleaned_data.get("received_at")
        if value is not None and not 1900 <= value.year <= 2200:
            raise forms.ValidationError(_("时间超出有效范围。"))
        return value


class TrackForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("申请编号"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    code = forms.CharField(label=_("查询码"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))


# --------------------------------------------------------------------------------------------- staff actions
class TextForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("说明（选填）"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ConsultForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("征求意见的第三方及事项（仅内部可见）"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(BootstrapMixin, forms.Form):
    wd = forms.IntegerField(label=_("延长工作日数"), min_value=1, max_value=EXTENSION_MAX_WD, initial=EXTENSION_MAX_WD)
    reason = forms.CharField(label=_("延期理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


def reason_choices():
    out = list(BLANK)
    for answer_type, rows in ANSWER_REASONS.items():
        out.append((str(AnswerType(answer_type).label), [(code, text) for code, text in rows]))
    return out


class AnswerForm(BootstrapMixin, forms.Form):
    answer_type = forms.ChoiceField(label=_("答复类型"), choices=BLANK + list(AnswerType.choices))
    reason = forms.ChoiceField(label=_("理由（不予公开、无法提供、不予处理、其他处理时必选）"), choices=reason_choices,
                               required=False)
    text = forms.CharField(label=_("答复内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    fee = forms.DecimalField(label=_("信息处理费（元，选填）"), required=False, min_value=0, max_value=99999,
                             decimal_places=2)


class AssignForm(BootstrapMixin, forms.Form):
    handler = forms.ModelChoiceField(label=_("承办人"), queryset=None, empty_label=_("请选择"))

    def __init__(self, *args, staff_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = staff_qs
        self.fields["handler"].label_from_instance = lambda s: s.display_name


class PublishForm(BootstrapMixin, forms.Form):
    publish = forms.BooleanField(label=_("在公开答复栏目中公开（个人信息自动隐去）"), required=False)


class ReviewForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ReviewKind.choices)
    filed_on = DateField(label=_("提起日期"), widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(label=_("结果"), choices=ReviewResult.choices, initial=ReviewResult.PENDING)
    decided_on = DateField(label=_("审结日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明（选填）"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


CHANNEL_LABELS = dict(RequestChannel.choices)
