"""Filters of the office's ratings pages: a rate as a percentage (one decimal, "—" when it cannot be computed)
and a rating's local time."""

from django import template
from django.utils import timezone

from xiaoneng.ratings.exports import pct_value

register = template.Library()


@register.filter
def rate_pct(rate):
    value = pct_value(rate)
    return "—" if value is None else f"{value:.1f}%"


@register.filter
def local_stamp(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"
