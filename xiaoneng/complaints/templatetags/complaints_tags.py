"""`{{ text|redact:red }}`: text as a reader who may not know the complainant sees it (see privacy.redactor_for).
`{{ rate|pct }}`: a rate (0..1 or None) as "66.7%" or "—", rounded as the figures charts round it."""

from django import template

register = template.Library()


@register.filter
def redact(text, redactor):
    return redactor(text) if redactor else text


def pct_value(rate: float | None) -> float | None:
    """A rate as a percentage with one decimal: the one rounding used by the figures tables and charts."""
    return None if rate is None else round(rate * 100, 1)


@register.filter
def pct(rate):
    value = pct_value(rate)
    return "—" if value is None else f"{value:.1f}%"
