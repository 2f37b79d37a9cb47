"""`{{ text|redact:red }}`: text as a reader who may not know the complainant sees it (see privacy.redactor_for)."""

from django import template

register = template.Library()


@register.filter
def redact(text, redactor):
    return redactor(text) if redactor else text
