"""The rating QR code and link on a case's printed documents (issue 12 §1), through core/documents.py's port,
registered by RatingsConfig.ready(): cases renders it without importing ratings. Printed on every document of
a case, running or ended: the link works once the case ends (the page says so before)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .services.links import case_ended_at, link_absolute_url, link_for_case, qr_data_uri


def rating_qr_extra(case, kind: str) -> str | None:
    """The QR block: the image (an SVG data URI, no extra request), the caption and the link as text."""
    link = link_for_case(case, timezone.now())
    url = link_absolute_url(link)
    hint = "" if case_ended_at(case) else _("办结后即可评价。")
    return format_html(
        '<div class="xn-doc-extra" data-testid="rating-qr"><img src="{}" alt="{}"><div><p><strong>{}</strong></p>'
        '<p>{}</p><p class="small">{}</p></div></div>',
        qr_data_uri(url), _("好差评二维码"), _("扫码评价本次服务（好差评）"), hint or _("欢迎您对本次服务作出评价。"), url)
