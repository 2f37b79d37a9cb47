"""How evaluation figures read on pages: rates as percentages (87.5%), ratios with 倍, scores with 分, points
with two decimals; a missing value as —."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


def _trim(d: Decimal, places: int) -> str:
    q = d.quantize(Decimal(1).scaleb(-places))
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def figure(value, unit: str = "%") -> str:
    """An indicator's value in its unit: 0.875 → 87.5%, 0.62 (倍) → 0.62倍, 85.25 (分) → 85.25分."""
    if value is None or value == "":
        return "—"
    d = Decimal(str(value))
    if unit == "%":
        return f"{_trim(d * 100, 1)}%"
    return f"{_trim(d, 2)}{unit}"


@register.filter
def points(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):f}"


@register.filter
def number(value) -> str:
    """A count or a sum as stored (Decimal with 4 places): 12.0000 → 12, 3.5000 → 3.5."""
    if value is None or value == "":
        return "—"
    return _trim(Decimal(str(value)), 4)
