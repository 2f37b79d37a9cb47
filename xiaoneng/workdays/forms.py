"""Forms of the calendar pages. They only parse input; the rules live in services and WorkCalendar."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.params import DateField
from xiaoneng.workdays.models import CalendarDay, CalendarYear


class BootstrapForm(forms.Form):
    """Gives widgets Bootstrap classes, and marks fields with errors `is-invalid` so the message shows
    next to the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self):
        super().full_clean()
        self.full_clean_marks()

    def add_domain_error(self, exc) -> None:
        """Show a service's DomainError next to the field it names (or above the form)."""
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)
        self.full_clean_marks()

    def full_clean_marks(self) -> None:
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_errors"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


STATUS_CHOICES = CalendarYear.Status.choices


class DayForm(BootstrapForm):
    date = DateField(label=_("日期"), widget=DateInput())
    kind = forms.ChoiceField(label=_("类型"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=60, required=False,
                           help_text=_("例如“国庆节”；调休上班日可写“国庆节调休上班”。"))


class YearCreateForm(BootstrapForm):
    year = forms.IntegerField(label=_("年度"), min_value=1950, max_value=2200)
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, initial=CalendarYear.Status.PROVISIONAL)


class YearStatusForm(BootstrapForm):
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES)


class ImportForm(BootstrapForm):
    FORMATS = [("auto", _("按扩展名自动识别")), ("csv", "CSV"), ("ical", "iCal (.ics)")]

    file = forms.FileField(label=_("文件"), help_text=_("CSV（日期,类型,名称）或 iCal 文件，UTF-8 或 GBK 编码。"))
    format = forms.ChoiceField(label=_("格式"), choices=FORMATS, initial="auto")
    status = forms.ChoiceField(label=_("导入后的年度状态"), choices=STATUS_CHOICES, initial=CalendarYear.Status.OFFICIAL)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("文件过大（上限 2 MB）。"))
        return f


class OfficeHoursForm(BootstrapForm):
    morning_start = forms.TimeField(label=_("上午上班"), widget=TimeInput())
    morning_end = forms.TimeField(label=_("上午下班"), widget=TimeInput())
    afternoon_start = forms.TimeField(label=_("下午上班"), widget=TimeInput())
    afternoon_end = forms.TimeField(label=_("下午下班"), widget=TimeInput())


class AddDaysForm(BootstrapForm):
    start = DateField(label=_("起算日期（受理日）"), widget=DateInput())
    days = forms.IntegerField(label=_("工作日数"), min_value=-settings.XIAONENG_MAX_WORKDAYS,
                              max_value=settings.XIAONENG_MAX_WORKDAYS)


class BetweenForm(BootstrapForm):
    start = DateField(label=_("开始日期"), widget=DateInput())
    end = DateField(label=_("结束日期"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data
