"""The office's ratings panel on the leader's and supervisor's landing pages (core/landing.py): this quarter's
good rate and bad ratings, county-wide (the figures page behind it). One GROUP BY over ratings_rating."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from xiaoneng.core.periods import Period

from . import selectors as S
from .exports import pct_value


def quarter_ratings(user, *, now: dt.datetime) -> dict | None:
    if not user.is_county_wide:
        return None
    period = Period.current(now)
    s = S.landing_summary(period)
    figures = reverse("ratings:office_figures") + "?" + urlencode({"period": period.code})
    bad = reverse("ratings:office_list") + "?" + urlencode({"period": period.code, "kind": "bad"})
    rate = pct_value(s["good_rate"])
    return {
        "key": "ratings-quarter", "title": _("好差评（%(period)s）") % {"period": period.label}, "url": figures,
        "link": _("好差评统计"),
        "tiles": [
            {"key": "good-rate", "label": _("好评率"), "value": "—" if rate is None else f"{rate:.1f}%", "url": figures,
             "tone": "", "hint": _("共 %(n)s 条评价") % {"n": s["ratings"]}},
            {"key": "bad", "label": _("差评"), "value": s["bad"], "url": bad, "tone": "danger"},
            {"key": "open-rectifications", "label": _("待整改差评"), "value": s["open_rectifications"], "url": bad,
             "tone": "warning"},
        ],
    }
