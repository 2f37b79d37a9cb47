"""Forms of the complaint pages. The complaint form defers to intake.clean_intake (the one validator shared with
the API and Open311) and uploads.clean_uploads, and places each error beside its field."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core.errors import DomainError
from xiaoneng.core.government import mailbox_title_lazy

from .conf import cfg
from .intake import IntakeErrors, clean_intake, department_choices
from .models import (
    RATED_LEVELS,
    STAFF_CHANNELS,
    BlockEntry,
    IdentityMode,
    Litigation,
    Outcome,
    RefusalReason,
    channel_choices,
)
from .uploads import clean_uploads


class BootstrapMixin:
    """Bootstrap classes on every widget, and is-invalid / aria-invalid / aria-describedby on fields with
    errors, so templates render `{{ field }}` and stay free of per-field markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(w, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            w.attrs["class"] = f"{w.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                w = self.fields[name].widget
                w.attrs["class"] = f"{w.attrs.get('class', '')} is-invalid"
                w.attrs["aria-invalid"] = "true"
                w.attrs["aria-describedby"] = f"{self[name].auto_id}-err"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def _attachments_field():
    return MultipleFileField(
        label=_("附件（可选）"), required=False,
        help_text=_("图片（JPG、PNG）或 PDF，最多 %(n)s 个，每个不超过 %(mb)s MB。") % {
            "n": cfg("MAX_FILES"), "mb": cfg("MAX_FILE_MB")},
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,application/pdf"}),
    )


class ComplaintForm(BootstrapMixin, forms.Form):
    """The public complaint form (no account). `submission_token`, issued to the session by the view
    (formtokens), makes a double-clicked submit one complaint."""

    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(label=_("投诉类别"))
    department = forms.ChoiceField(label=_("被投诉单位"))
    window = forms.CharField(label=_("窗口（可选）"), required=False, max_length=100)
    staff_name = forms.CharField(label=_("被投诉人员姓名或工号（可选）"), required=False, max_length=100)
    case_no = forms.CharField(label=_("办件编号（可选）"), required=False, max_length=64)
    occurred_on = forms.CharField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    facts = forms.CharField(label=_("投诉事实"), widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("请写明时间、地点、经过，以及您办理的事项。"))
    request = forms.CharField(label=_("您的诉求"), widget=forms.Textarea(attrs={"rows": 3}))
    litigation = forms.ChoiceField(label=_("该事项是否已申请仲裁、提起诉讼或行政复议"), choices=Litigation.choices,
                                   widget=forms.RadioSelect, initial=Litigation.NONE)
    identity_mode = forms.ChoiceField(
        label=_("身份"), choices=IdentityMode.choices, widget=forms.RadioSelect, initial=IdentityMode.CONFIDENTIAL,
        help_text=_("实名保密：您的姓名和联系方式只有效能办承办人员可见，不会告知被投诉单位。"
                    "匿名：不留姓名，可留电话以便答复。"))
    name = forms.CharField(label=_("姓名或单位名称"), required=False, max_length=100)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=32,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.CharField(label=_("电子邮箱（可选）"), required=False, max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    address = forms.CharField(label=_("通信地址（可选）"), required=False, max_length=200)
    attachments = forms.Field(required=False)  # replaced in __init__ (help text reads the settings)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()
        self.fields["attachments"].widget.attrs["class"] = "form-control"
        self.fields["category"].choices = [("", _("请选择"))] + [
            (c.code, f"{c.name}（{c.description}）" if c.description else c.name)
            for c in _categories()]
        self.fields["department"].choices = [("", _("请选择"))] + [
            (d.code, d.name) for d in department_choices()]
        if not self.is_bound and not self.initial.get("submission_token"):
            # The public form's view passes a token issued to the session (formtokens); staff entry keys are
            # scoped to the staff account, so a random one is enough there.
            self.initial["submission_token"] = secrets.token_urlsafe(24)
        self.intake = None
        self.files_clean = []

    def clean(self):
        data = super().clean()
        try:
            self.intake = clean_intake(self.data, today=timezone.localdate())
        except IntakeErrors as exc:
            for field, message in exc.errors.items():
                if field in self._errors:  # the intake's message is more helpful than "required"
                    self._errors[field] = self.error_class([message])
                elif field in self.fields:
                    self.add_error(field, message)
        try:
            self.files_clean = clean_uploads(data.get("attachments") or [])
        except DomainError as exc:
            self.add_error("attachments", exc.message)
        return data


class StaffComplaintForm(ComplaintForm):
    """Staff entry for the hotline, letters, visits, the public mailbox, media and inspections."""

    channel = forms.ChoiceField(label=_("来源渠道"), choices=lambda: [
        (value, label) for value, label in channel_choices() if value in STAFF_CHANNELS])
    urgent = forms.BooleanField(label=_("紧急"), required=False)
    # The clerk asks the citizen: the platform's default would write every notice in Chinese, also to someone
    # who phoned the hotline in English. The service checks the code again (the API passes it too). Not
    # required: a browser always sends the selected option; a post without it (a page loaded before this field
    # existed) means the platform's language, as before.
    language = forms.ChoiceField(
        label=_("投诉人使用的语言"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE, required=False,
        help_text=_("受理、答复等告知（短信、邮件、查询页）将以此语言发给投诉人。"),
        error_messages={"invalid_choice": _("投诉人使用的语言无效：%(value)s。请从列表中选择。")})
    id_no = forms.CharField(label=_("证件号码（可选）"), required=False, max_length=32)
    field_order = ["channel", "urgent", "language"]


def _categories():
    from .selectors import categories

    return categories()


class TrackForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=40,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))


class RateForm(BootstrapMixin, forms.Form):
    rating = forms.ChoiceField(label=_("您对答复是否满意"), widget=forms.RadioSelect,
                               choices=[(r.value, r.label) for r in RATED_LEVELS])
    comment = forms.CharField(label=_("意见（可选）"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    reopen = forms.BooleanField(label=_("不满意，申请重新办理（仅限一次）"), required=False)
    reopen_reason = forms.CharField(label=_("重新办理的理由"), required=False, max_length=1000,
                                    widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(BootstrapMixin, forms.Form):
    notice = forms.CharField(label=_("受理告知（可修改）"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RefuseForm(BootstrapMixin, forms.Form):
    reason = forms.ChoiceField(label=_("不予受理理由"), choices=[("", _("请选择"))] + list(RefusalReason.choices))
    text = forms.CharField(label=_("具体说明（写入告知书）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(BootstrapMixin, forms.Form):
    authority = forms.CharField(label=_("移送机关"), max_length=100)
    text = forms.CharField(label=_("移送说明（写入告知书）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DispatchForm(BootstrapMixin, forms.Form):
    departments = forms.ModelMultipleChoiceField(label=_("承办单位（可多选）"), queryset=Department.objects.none(),
                                                 widget=forms.SelectMultiple(attrs={"size": 6}))
    lead = forms.ModelChoiceField(label=_("主办单位"), queryset=Department.objects.none(), required=False,
                                  empty_label=_("第一个承办单位"))
    limit_wd = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=60, required=False,
                                  help_text=_("留空：一般 10 个工作日，紧急 3 个工作日。"))
    urgent = forms.BooleanField(label=_("紧急"), required=False)
    instructions = forms.CharField(label=_("交办意见"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        qs = department_choices()
        self.fields["departments"].queryset = qs
        self.fields["lead"].queryset = qs


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DisputeDecideForm(BootstrapMixin, forms.Form):
    dispatch = forms.IntegerField(widget=forms.HiddenInput)
    uphold = forms.TypedChoiceField(label=_("处理"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                    choices=[("0", _("异议不成立，继续办理")), ("1", _("异议成立，撤回转办"))])
    redirect_to = forms.ModelChoiceField(label=_("改派至（可选）"), queryset=Department.objects.none(),
                                         required=False)
    text = forms.CharField(label=_("处理意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["redirect_to"].queryset = department_choices()


class NoteForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("调查记录"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = forms.Field(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()
        self.fields["attachments"].label = _("证据材料（可选）")
        self.fields["attachments"].widget.attrs["class"] = "form-control"
        self.files_clean = []

    def clean(self):
        data = super().clean()
        try:
            self.files_clean = clean_uploads(data.get("attachments") or [])
        except DomainError as exc:
            self.add_error("attachments", exc.message)
        return data


class DispatchReasonForm(ReasonForm):
    dispatch = forms.IntegerField(widget=forms.HiddenInput)


class ExtensionForm(BootstrapMixin, forms.Form):
    dispatch = forms.IntegerField(widget=forms.HiddenInput)
    days = forms.IntegerField(label=_("延期工作日"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("延期理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecideForm(BootstrapMixin, forms.Form):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(label=_("审批"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                     choices=[("1", _("批准")), ("0", _("不批准"))])
    comment = forms.CharField(label=_("审批意见"), required=False, max_length=1000)


class ResultForm(BootstrapMixin, forms.Form):
    dispatch = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("核查结论"), choices=Outcome.choices, widget=forms.RadioSelect)
    findings = forms.CharField(label=_("调查情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("处理措施"), max_length=3000, widget=forms.Textarea(attrs={"rows": 2}))
    sanction = forms.BooleanField(label=_("建议追究相关人员责任"), required=False)


class ReplyForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("答复内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class ReviewForm(BootstrapMixin, forms.Form):
    approve = forms.TypedChoiceField(label=_("审核"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                     choices=[("1", _("审核通过并答复")), ("0", _("退回修改"))])
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=2000)
    publishable = forms.BooleanField(label=format_lazy(_("在{mailbox}公开（隐去个人信息）"), mailbox=mailbox_title_lazy()), required=False)


class MergeForm(BootstrapMixin, forms.Form):
    into = forms.CharField(label=_("合并至投诉编号"), max_length=20)


class PublishForm(BootstrapMixin, forms.Form):
    publishable = forms.BooleanField(label=format_lazy(_("在{mailbox}公开"), mailbox=mailbox_title_lazy()), required=False)


class AssignForm(BootstrapMixin, forms.Form):
    handler = forms.ModelChoiceField(label=_("承办监察员"), queryset=Staff.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = Staff.objects.filter(groups__name=R.SUPERVISOR, is_active=True).order_by(
            "username")


class ShareForm(BootstrapMixin, forms.Form):
    attachment = forms.IntegerField(widget=forms.HiddenInput)
    shared = forms.TypedChoiceField(coerce=lambda v: v == "1", choices=[("1", "1"), ("0", "0")],
                                    widget=forms.HiddenInput)


class PublishAttachmentForm(BootstrapMixin, forms.Form):
    attachment = forms.IntegerField(widget=forms.HiddenInput)
    published = forms.TypedChoiceField(coerce=lambda v: v == "1", choices=[("1", "1"), ("0", "0")],
                                       widget=forms.HiddenInput)


class BlockForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=BlockEntry.Kind.choices)
    value = forms.CharField(label=_("IP 地址、电话或邮箱"), max_length=254)
    reason = forms.CharField(label=_("理由"), max_length=200)

