"""Forms of the catalogue and entry pages. They check shape (a time is a time, a pasted table parses); the services
check the rules and raise DomainError naming the field, which the views place beside it."""

from __future__ import annotations

import csv
import io

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.errors import DomainError
from xiaoneng.core.params import check_moment

from .models import Category, Frequency, Level
from .services.entries import MAX_COLS, MAX_ROWS

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={**TEXT, **(attrs or {})}, format="%Y-%m-%dT%H:%M")


class CatalogueNewForm(forms.Form):
    department = forms.ChoiceField(label=_("单位"), widget=forms.Select(attrs=SELECT),
                                   error_messages={"invalid_choice": _("请选择您所在单位或其下属单位。"),
                                                   "required": _("请选择单位。")})
    level = forms.ChoiceField(label=_("目录层级"), choices=[("", _("按单位类型"))] + list(Level.choices), required=False,
                              widget=forms.Select(attrs=SELECT),
                              error_messages={"invalid_choice": _("请选择有效的目录层级。")})
    from_template = forms.BooleanField(label=_("从本层级的目录模板开始"), required=False, initial=True,
                                       widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.code, d.name) for d in departments]


class ItemForm(forms.Form):
    code = forms.CharField(label=_("事项编码"), max_length=32, widget=forms.TextInput(attrs=TEXT),
                           help_text=_("字母、数字、连字符或下划线，例如 CZSZ；已公开的信息按编码归属。"))
    name = forms.CharField(label=_("公开事项"), max_length=120, widget=forms.TextInput(attrs=TEXT))
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices, widget=forms.Select(attrs=SELECT),
                                 error_messages={"invalid_choice": _("请选择有效的类别。")})
    frequency = forms.ChoiceField(label=_("公开频次"), choices=Frequency.choices, widget=forms.Select(attrs=SELECT),
                                  error_messages={"invalid_choice": _("请选择有效的公开频次。")})
    legal_basis = forms.CharField(label=_("公开依据"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))
    content = forms.CharField(label=_("公开内容"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={**TEXT, "rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
                             error_messages={"required": _("请填写理由。")})


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={**TEXT, "rows": 2}))


def parse_table(text: str) -> list[list[str]]:
    """A table pasted as CSV (commas) or from a spreadsheet (tabs): rows of strings; DomainError on `table_text`."""
    text = (text or "").rstrip("\n\r")
    if not text.strip():
        return []
    delimiter = "\t" if "\t" in text else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        raise DomainError("表格无法解析：请粘贴逗号或制表符分隔的内容，每行一条。", field="table_text") from None
    if len(rows) > MAX_ROWS:
        raise DomainError(f"表格最多 {MAX_ROWS} 行（含表头）。", field="table_text")
    if any(len(r) > MAX_COLS for r in rows):
        raise DomainError(f"表格每行最多 {MAX_COLS} 列。", field="table_text")
    return rows


def table_as_text(rows: list[list[str]]) -> str:
    """A stored table as text parse_table reads back to the same rows: tab-separated (as a spreadsheet pastes),
    every cell quoted, so a cell's own commas, tabs and line breaks stay inside it."""
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows or [])
    return buf.getvalue()


class EntryForm(forms.Form):
    """Publish (or correct: `reason` added) one entry: item, title, text, a table pasted, an attachment."""

    item = forms.ChoiceField(label=_("公开事项"), widget=forms.Select(attrs=SELECT),
                             error_messages={"invalid_choice": _("请选择本单位现行公开目录中的事项。"),
                                             "required": _("请选择公开事项。")})
    title = forms.CharField(label=_("标题"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    body = forms.CharField(label=_("正文"), max_length=50_000, required=False,
                           widget=forms.Textarea(attrs={**TEXT, "rows": 6}))
    table_text = forms.CharField(label=_("表格（可选）"), required=False, max_length=200_000,
                                 widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
                                 help_text=_("从表格软件复制粘贴，或每行用逗号分隔；第一行为表头。最多 200 行、20 列。"))
    attachment = forms.FileField(label=_("附件（可选）"), required=False,
                                 widget=forms.ClearableFileInput(attrs={**TEXT, "accept": ".pdf,image/*"}),
                                 help_text=_("PDF 或图片，最大 20 MB，按文件内容检查。"))
    published_at = forms.DateTimeField(label=_("公开时间"), required=False, widget=DateTimeLocal(),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                       help_text=_("留空为当前时间；不能晚于当前时间。"),
                                       error_messages={"invalid": _("请填写有效的公开时间。")})

    def __init__(self, *args, items=(), correcting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("请选择"))] + [(i.code, f"{i.code} {i.name}") for i in items]
        if correcting:
            del self.fields["item"]
            self.fields["reason"] = forms.CharField(label=_("更正原因"), max_length=1000,
                                                    widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
                                                    error_messages={"required": _("请填写更正原因。")})
            self.fields["keep_attachment"] = forms.BooleanField(
                label=_("保留原附件（未上传新附件时）"), required=False, initial=True,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def clean_published_at(self):
        value = self.cleaned_data.get("published_at")
        if value is None:
            return None
        try:
            check_moment(value, field="published_at")
        except DomainError:
            raise forms.ValidationError(_("公开时间应在 1900 年至 2200 年之间。")) from None
        return timezone.make_aware(value) if timezone.is_naive(value) else value

    def clean_table_text(self):
        try:
            return parse_table(self.cleaned_data.get("table_text", ""))
        except DomainError as e:
            raise forms.ValidationError(e.message) from None
