"""How a page shows a moment and an age: one place, so no page prints an ISO timestamp or Django's
timesince ("已 10 月，4 周": zh-hans has no "个" and joins with a comma).

    {% load xn_time %}
    {{ value|local_time }}        2026-09-03 10:49   (a datetime or an ISO string, e.g. from a case's JSON)
    {{ issued_at|age:now }}       1 个月 3 周
"""

from __future__ import annotations

import calendar
import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()

HOUSE_FORMAT = "%Y-%m-%d %H:%M"


def _as_datetime(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


@register.filter
def local_time(value) -> str:
    """A moment in the house format, in the county's time (settings.TIME_ZONE): the case JSON stores UTC
    ISO strings ("2026-09-03T02:49:00+00:00" is 10:49 in Shanghai). "" for nothing, so `|default:"—"` works."""
    moment = _as_datetime(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).strftime(HOUSE_FORMAT)


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@register.filter
def age(value, now=None) -> str:
    """How long since `value` (until `now`, else the current time), in the two largest adjacent units as a
    Chinese reader writes them: "10 个月 4 周", "3 天 5 小时", "20 分钟"; "不到 1 分钟" for less."""
    start = _as_datetime(value)
    if start is None:
        return ""
    end = _as_datetime(now) or timezone.now()
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    if timezone.is_naive(end):
        end = timezone.make_aware(end)
    start, end = timezone.localtime(start), timezone.localtime(end)
    if end <= start:
        return _("不到 1 分钟")
    months = (end.year - start.year) * 12 + end.month - start.month
    if months and _add_months(start, months) > end:
        months -= 1
    rest = end - _add_months(start, months)
    seconds = int(rest.total_seconds())
    counts = [
        (months // 12, _("%(n)d 年")), (months % 12, _("%(n)d 个月")), (rest.days // 7, _("%(n)d 周")),
        (rest.days % 7, _("%(n)d 天")), (seconds // 3600 % 24, _("%(n)d 小时")), (seconds // 60 % 60, _("%(n)d 分钟")),
    ]
    for i, (n, _text) in enumerate(counts):
        if n:
            parts = [text % {"n": n} for n, text in counts[i:i + 2] if n]
            return " ".join(parts)
    return _("不到 1 分钟")


# How an office names its time zones: China has one, and nobody in it calls it "Asia/Shanghai".
_TZ_NAMES = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "Asia/Harbin": "北京时间",
             "Asia/Urumqi": "乌鲁木齐时间", "PRC": "北京时间"}


@register.filter
def tz_name(value) -> str:
    """A time zone as a reader names it ("北京时间" for Asia/Shanghai); an unusual one keeps its identifier."""
    name = str(value or "")
    return _(_TZ_NAMES[name]) if name in _TZ_NAMES else name
