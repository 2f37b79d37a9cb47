"""The seam through which apps above cases add something to a case's printed documents (the receipt, the
one-time notice, a decision, a completion or delivery notice) without cases importing them: today the
好差评 rating QR code and link (ratings). Like core/clocks.py and core/outbox.py: a provider registers once,
explicitly, from its own AppConfig.ready(); cases' templates render what the providers return
(`{% document_extras case kind %}`, core/templatetags/xn_documents.py). core imports no app.

A provider is a callable `(case, kind) -> str | None`: `kind` is the document's kind (CaseDocument.Kind
value, e.g. "one_time_notice") and the HTML it returns must be safe (built with format_html / a template,
never user text unescaped); None adds nothing. A provider's failure must not keep a document from printing:
it is logged and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

log = logging.getLogger(__name__)

DocumentExtra = Callable[[Any, str], "str | None"]

_PROVIDERS: list[DocumentExtra] = []


def register_document_extra(provider: DocumentExtra) -> None:
    """Add a provider of document extras (from an AppConfig.ready()); the same one twice is a no-op."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def unregister_document_extra(provider: DocumentExtra) -> None:
    """Remove a provider (tests)."""
    if provider in _PROVIDERS:
        _PROVIDERS.remove(provider)


def document_extras(case, kind: str) -> SafeString:
    """What the registered providers add to this document of this case, joined, as safe HTML."""
    parts = []
    for provider in tuple(_PROVIDERS):
        try:
            html = provider(case, kind)
        except Exception:  # a provider's failure must not keep the document from printing
            log.exception("document extra %r failed for case %s (%s)", provider, getattr(case, "pk", None), kind)
            continue
        if html:
            parts.append((mark_safe(html),))  # noqa: S308 — providers return safe HTML (the port's contract)
    return format_html_join("", "{}", parts) if parts else mark_safe("")
