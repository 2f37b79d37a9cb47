"""Staff forms for a service item: the item's fields plus inline formsets for materials, fees and steps.

Forms only parse what was typed; the rules (limits, fee bounds, step order …) live in catalog.content and
come back as field errors from the service, so a page and an import refuse the same things.
"""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from xiaoneng.catalog.models import (
    Audience,
    Category,
    ItemType,
    LimitUnit,
    RequiredMaterial,
    StepKind,
    SuspensionReason,
)


class BootstrapMixin:
    """Bootstrap 5 classes on every widget, and `is-invalid` on a field as soon as it has an error."""

    def _style(self):
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.CheckboxSelectMultiple):
                continue
            if isinstance(w, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(w, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            w.attrs["class"] = f"{w.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in [field] if field else []:
            if name in self.fields:
                w = self.fields[name].widget
                if "is-invalid" not in w.attrs.get("class", ""):
                    w.attrs["class"] = f"{w.attrs.get('class', '')} is-invalid".strip()


class ItemForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("事项编码"), max_length=64, required=False,
                           help_text=_("字母、数字、“-”“_”“.”，创建后不能修改"))
    department = forms.ModelChoiceField(label=_("实施部门"), queryset=None, required=False, to_field_name="code")
    name = forms.CharField(label=_("事项名称"), max_length=200)
    category = forms.ChoiceField(label=_("事项类别"), choices=Category.choices, initial=Category.LICENSING)
    item_type = forms.ChoiceField(label=_("办件类型"), choices=ItemType.choices, initial=ItemType.COMMITTED)
    audience = forms.ChoiceField(label=_("服务对象"), choices=Audience.choices, initial=Audience.BOTH)
    legal_basis = forms.CharField(label=_("设定依据"), widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(label=_("事项说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    conditions = forms.CharField(label=_("受理条件"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    statutory_limit_value = forms.IntegerField(label=_("法定时限"), min_value=1)
    statutory_limit_unit = forms.ChoiceField(label=_("法定时限单位"), choices=LimitUnit.choices,
                                             initial=LimitUnit.WORKING_DAYS)
    committed_limit_value = forms.IntegerField(label=_("承诺时限"), min_value=0)
    committed_limit_unit = forms.ChoiceField(label=_("承诺时限单位"), choices=LimitUnit.choices,
                                             initial=LimitUnit.WORKING_DAYS)
    suspension_allowed = forms.BooleanField(label=_("可暂停计时"), required=False)
    suspension_reasons = forms.MultipleChoiceField(
        label=_("暂停计时情形"), choices=SuspensionReason.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deemed_approval = forms.BooleanField(label=_("超时默许"), required=False,
                                         help_text=_("逾期未作决定的，视为准予；仅限法律、法规有此规定的事项"))
    deemed_approval_basis = forms.CharField(
        label=_("超时默许依据"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("规定超时默许的法律、法规条款原文，例如延续：《中华人民共和国行政许可法》第五十条第二款"),
    )
    online = forms.BooleanField(label=_("网上办理"), required=False, initial=True)
    offline = forms.BooleanField(label=_("窗口办理"), required=False, initial=True)
    online_url = forms.CharField(label=_("网上办理地址"), max_length=200, required=False)
    max_visits = forms.IntegerField(label=_("到现场次数"), min_value=0, max_value=10, initial=1)
    location = forms.CharField(label=_("办理地点"), max_length=200, required=False)
    office_hours = forms.CharField(label=_("办理时间"), max_length=200, required=False)
    phone = forms.CharField(label=_("咨询电话"), max_length=60, required=False)
    complaint_phone = forms.CharField(label=_("监督投诉电话"), max_length=60, required=False)
    result = forms.CharField(label=_("办理结果"), max_length=200, required=False)
    change_note = forms.CharField(label=_("修订说明"), max_length=200, required=False,
                                  help_text=_("说明本次修改了什么、依据什么"))

    def __init__(self, *args, departments=None, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["department"].queryset = departments
            self.fields["code"].required = True
            self.fields["department"].required = True
            del self.fields["change_note"]
        else:
            del self.fields["code"]
            del self.fields["department"]
        self._style()

    SECTIONS = (
        (_("基本信息"), ("code", "department", "name", "category", "item_type", "audience", "legal_basis",
                     "description", "conditions", "result")),
        (_("办理时限"), ("statutory_limit_value", "statutory_limit_unit", "committed_limit_value",
                     "committed_limit_unit", "suspension_allowed", "suspension_reasons", "deemed_approval",
                     "deemed_approval_basis")),
        (_("办理方式、地点和时间"), ("online", "offline", "online_url", "max_visits", "location", "office_hours",
                             "phone", "complaint_phone")),
        (_("修订"), ("change_note",)),
    )

    def sections(self):
        for title, names in self.SECTIONS:
            fields = [self[n] for n in names if n in self.fields]
            if fields:
                yield title, fields


class MaterialForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("材料名称"), max_length=200)
    form = forms.ChoiceField(label=_("材料形式"), choices=RequiredMaterial.Form.choices,
                             initial=RequiredMaterial.Form.ORIGINAL)
    copies = forms.IntegerField(label=_("份数"), min_value=1, max_value=99, initial=1)
    requirement = forms.ChoiceField(label=_("必要性"), choices=RequiredMaterial.Requirement.choices,
                                    initial=RequiredMaterial.Requirement.MANDATORY)
    condition = forms.CharField(label=_("适用情形"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("来源渠道"), choices=RequiredMaterial.Source.choices,
                               initial=RequiredMaterial.Source.APPLICANT)
    blank_form = forms.FileField(label=_("空白表格"), required=False, widget=forms.ClearableFileInput)
    sample = forms.FileField(label=_("示例样表"), required=False, widget=forms.ClearableFileInput)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class FeeForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("收费项目"), max_length=200)
    legal_basis = forms.CharField(label=_("收费依据"), max_length=2000)
    amount = forms.DecimalField(label=_("标准金额（元）"), required=False, min_value=0, max_digits=12, decimal_places=2)
    amount_min = forms.DecimalField(label=_("下限（元）"), required=False, min_value=0, max_digits=12, decimal_places=2)
    amount_max = forms.DecimalField(label=_("上限（元）"), required=False, min_value=0, max_digits=12, decimal_places=2)
    unit = forms.CharField(label=_("计费单位"), max_length=40, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class StepForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("环节"), choices=StepKind.choices, initial=StepKind.ACCEPT)
    name = forms.CharField(label=_("环节名称"), max_length=100, required=False)
    limit_value = forms.IntegerField(label=_("环节时限"), min_value=0)
    limit_unit = forms.ChoiceField(label=_("时限单位"), choices=LimitUnit.choices, initial=LimitUnit.WORKING_DAYS)
    post = forms.CharField(label=_("承办岗位"), max_length=100, required=False)
    description = forms.CharField(label=_("办理标准"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


def _formset(form, max_num):
    return formset_factory(form, extra=1, can_delete=True, can_order=True, max_num=max_num, validate_max=True,
                           absolute_max=max_num)


MaterialFormSet = _formset(MaterialForm, 60)
FeeFormSet = _formset(FeeForm, 20)
StepFormSet = _formset(StepForm, 20)
FORMSETS = (("materials", MaterialFormSet, _("申请材料")), ("fees", FeeFormSet, _("收费标准")),
            ("steps", StepFormSet, _("办理流程")))


def build_formsets(data=None, files=None, initial: dict | None = None) -> dict:
    """The three inline formsets, bound to a POST or filled from a version's content."""
    out = {}
    for key, cls, title in FORMSETS:
        # Bound formsets get the initial rows too: a row's stored file names live there, not in the POST.
        fs = cls(data, files, prefix=key, initial=(initial or {}).get(key))
        fs.title = title
        for f in fs.forms + [fs.empty_form]:
            f.fields["ORDER"].label = _("序号")
            f.fields["ORDER"].widget.attrs["class"] = "form-control xn-order"
            f.fields["DELETE"].label = _("删除")
            f.fields["DELETE"].widget.attrs["class"] = "form-check-input"
        out[key] = fs
    return out


def formset_rows(fs) -> tuple[list[dict], list]:
    """The kept rows of a valid formset in their chosen order, as content dicts, with the form of each row
    (so an error the service reports for row i lands beside the field in the right form)."""
    rows, forms_kept = [], []
    for f in fs.ordered_forms:
        data = {k: v for k, v in f.cleaned_data.items() if k not in ("ORDER", "DELETE")}
        for key in ("blank_form", "sample"):
            if key in data:
                # False means "clear" was ticked; None means keep what the row had.
                if data[key] is False or data[key] is None:
                    data[key] = "" if data[key] is False else (f.initial.get(key) or "")
        rows.append(data)
        forms_kept.append(f)
    return rows, forms_kept
