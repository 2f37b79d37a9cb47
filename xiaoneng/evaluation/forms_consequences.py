"""Forms of the consequences pages (the register and its steps, a new sanction by hand). They only parse; the
rules (what is required, which evidence concerns the department, who may appeal) are the services', whose
DomainError is placed beside its field (`FIELD_OF` maps a service field to the form's)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaoneng.accounts.models import Department, Staff
from xiaoneng.complaints.forms import BootstrapMixin

from .models import EvidenceKind, SanctionKind, SanctionStatus

TEXT_MAX = 2000
_SPLIT = re.compile(r"[\s,，、;；]+")

# A service's DomainError.field → the form field it belongs beside.
FIELD_OF = {"evidence_card": "cards", "evidence_complaint": "complaints", "evidence_rating": "ratings",
            "evidence_finding": "findings", "evidence_score": None, "evidence_case": None, "evidence": None,
            "text": "text", "note": "note", "reason": "reason", "points": "points", "kind": "kind",
            "department": "department", "staff": "staff", "basis": "basis", "outcome": "outcome"}


class ConfirmForm(BootstrapMixin, forms.Form):
    points = forms.CharField(label=_("扣分"), required=False, max_length=20,
                             help_text=_("留空按处理方式的默认分值：效能告诫10分，通报批评、诫勉谈话20分，责令整改10分，"
                                         "组织处理30分，纪律处分50分。"))
    basis = forms.CharField(label=_("依据"), required=False, max_length=300)
    note = forms.CharField(label=_("决定意见"), required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class DismissForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("不予处理的理由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class AppealForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("申诉理由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("写明认为处理不当的事实和理由。"))


class DecideForm(BootstrapMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("申诉处理"), widget=forms.RadioSelect,
                                choices=[("upheld", _("申诉成立，撤销处理")), ("rejected", _("申诉不成立，维持处理"))])
    note = forms.CharField(label=_("处理意见"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))


def _ids(text: str, label: str, *, numeric: bool) -> list[str]:
    parts = [p for p in _SPLIT.split(text or "") if p]
    if len(parts) > 50:
        raise forms.ValidationError(_("%(label)s最多填写50项。") % {"label": label})
    if numeric and any(not p.isdigit() or len(p) > 12 for p in parts):
        raise forms.ValidationError(_("%(label)s应填写数字编号，多个用逗号分隔。") % {"label": label})
    return parts


class NewSanctionForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("处理方式"), choices=[("", _("请选择")), *SanctionKind.choices])
    department = forms.ModelChoiceField(label=_("对象单位"), queryset=Department.objects.none(),
                                        empty_label=_("请选择"))
    staff = forms.ModelChoiceField(label=_("对象人员（可不填）"), queryset=Staff.objects.none(), required=False,
                                   empty_label=_("不针对个人"))
    reason = forms.CharField(label=_("事由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    basis = forms.CharField(label=_("依据"), required=False, max_length=300)
    points = forms.CharField(label=_("扣分"), required=False, max_length=20, help_text=_("留空按处理方式的默认分值。"))
    cards = forms.CharField(label=_("预警纠错卡编号"), required=False, max_length=600,
                            help_text=_("多个用逗号分隔，下同。"))
    complaints = forms.CharField(label=_("投诉编号"), required=False, max_length=1200)
    ratings = forms.CharField(label=_("评价编号"), required=False, max_length=600)
    findings = forms.CharField(label=_("检查发现问题编号"), required=False, max_length=1200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).exclude(
            kind__in=(Department.Kind.COUNTY, Department.Kind.OFFICE)).order_by("path")
        self.fields["staff"].queryset = Staff.objects.filter(is_active=True, department__isnull=False).select_related(
            "department").order_by("department__path", "username")
        self.fields["staff"].label_from_instance = lambda s: f"{s.department.name} · {s.display_name}"

    def clean_cards(self):
        return _ids(self.cleaned_data.get("cards"), _("预警纠错卡编号"), numeric=True)

    def clean_ratings(self):
        return _ids(self.cleaned_data.get("ratings"), _("评价编号"), numeric=True)

    def clean_complaints(self):
        return _ids(self.cleaned_data.get("complaints"), _("投诉编号"), numeric=False)

    def clean_findings(self):
        return _ids(self.cleaned_data.get("findings"), _("检查发现问题编号"), numeric=False)

    def evidence(self) -> list[tuple[str, object]]:
        """(kind, id) pairs for the service; numbers of complaints and findings looked up (an unknown one is a
        field error here)."""
        from xiaoneng.complaints.models import Complaint
        from xiaoneng.inspections.models import Finding

        d = self.cleaned_data
        out = [(EvidenceKind.CARD, x) for x in d["cards"]] + [(EvidenceKind.RATING, x) for x in d["ratings"]]
        for field, model, kind in (("complaints", Complaint, EvidenceKind.COMPLAINT),
                                   ("findings", Finding, EvidenceKind.FINDING)):
            found = dict(model.objects.filter(number__in=d[field]).values_list("number", "pk"))
            missing = [n for n in d[field] if n not in found]
            if missing:
                self.add_error(field, _("编号不存在：%(n)s") % {"n": "、".join(missing[:5])})
                return []
            out += [(kind, found[n]) for n in d[field]]
        return out


class SanctionFilterForm(forms.Form):
    """The register's filters (validated by hand in the view: a bad value is said, not a 500)."""

    STATUSES = SanctionStatus.values
