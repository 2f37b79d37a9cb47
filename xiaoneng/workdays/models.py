"""The working-day calendar: which years are loaded (and how far to trust them), the exceptions to the
Monday-Friday week (statutory holidays and 调休 make-up working days), the office hours that working-hour
clocks run on, and a revision counter that tells every process when its cached calendar is stale.

Only exceptions are stored: a date without a CalendarDay row is a working day on Monday-Friday and a day
off on Saturday and Sunday. Writes go through xiaoneng.workdays.services, which bump the revision.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """One loaded calendar year. A year with no row is *missing*: every clock that needs it fails with
    CalendarYearMissing instead of silently assuming an ordinary week. `provisional` marks a year whose
    schedule the State Council has not published yet (an estimate, typically from the holidays package);
    results computed over it carry provisional=True so pages can say so."""

    class Status(models.TextChoices):
        OFFICIAL = "official", _("正式")
        PROVISIONAL = "provisional", _("暂定")

    class Origin(models.TextChoices):
        # Who last decided this year's content: the seeding command may only rewrite "package" years,
        # so an administrator's import or edit is never overwritten by a later seed.
        PACKAGE = "package", _("系统内置")
        IMPORT = "import", _("文件导入")
        MANUAL = "manual", _("人工维护")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PROVISIONAL)
    origin = models.CharField(_("来源类型"), max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    source = models.CharField(_("数据来源"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(_("载入时间"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("载入人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        ordering = ["year"]
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")

    def __str__(self) -> str:
        return f"{self.year}（{self.get_status_display()}）"

    @property
    def is_provisional(self) -> bool:
        return self.status == self.Status.PROVISIONAL


class CalendarDay(models.Model):
    """An exception to the ordinary week: a `holiday` is a day off (usually a weekday; a holiday falling
    on a weekend is kept too, so explanations can name it), a `workday` is a make-up working day (调休上班)
    on a Saturday or Sunday."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True)
    year = models.ForeignKey(CalendarYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="days")

    class Meta:
        ordering = ["date"]
        verbose_name = _("日历例外日")
        verbose_name_plural = _("日历例外日")
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["holiday", "workday"]), name="workdays_day_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class OfficeHours(models.Model):
    """The office hours working-hour clocks run on (a single row; defaults 09:00-12:00 and 13:30-17:30,
    Asia/Shanghai). The end of the afternoon is the moment a working-day deadline falls due."""

    morning_start = models.TimeField(_("上午上班"), default=dt.time(9, 0))
    morning_end = models.TimeField(_("上午下班"), default=dt.time(12, 0))
    afternoon_start = models.TimeField(_("下午上班"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("下午下班"), default=dt.time(17, 30))
    timezone = models.CharField(_("时区"), max_length=40, default="Asia/Shanghai")
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("办公时间")
        verbose_name_plural = _("办公时间")

    def __str__(self) -> str:
        return (
            f"{self.morning_start:%H:%M}-{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}-{self.afternoon_end:%H:%M}"
        )

    @property
    def periods(self) -> list[tuple[dt.time, dt.time]]:
        return [(self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end)]


class CalendarRevision(models.Model):
    """A single counter bumped by every calendar or office-hours change. Each process keeps its built
    WorkCalendar together with the revision it was built from and rebuilds when the stored one differs."""

    value = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("日历版本")
        verbose_name_plural = _("日历版本")

    def __str__(self) -> str:
        return str(self.value)
