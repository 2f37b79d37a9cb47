"""{% document_extras case kind %}: what apps above cases add to a case's printed document (core/documents.py)."""

from django import template

from xiaoneng.core.documents import document_extras as _extras

register = template.Library()


@register.simple_tag
def document_extras(case, kind):
    return _extras(case, str(kind))
