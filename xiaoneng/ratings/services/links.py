"""The one-time rating link of a case (一事一评): made once per case, printed as a QR code on its documents and
sent by SMS once the case ends; the public page /r/<token>/ records through `rating_record` (channel link).

The token is 32 random bytes (URL-safe), unguessable: the public page is no oracle worth protecting, so an
unknown token gets the same words as an expired link (a 404 instead of a 410 — guessing is hopeless at 2^256,
and the page never tells whose case a token belongs to, only its item, department and a masked number).
The link expires `RatingPolicy.link_valid_days` after the case ended, computed each time (a policy change
applies at once); it is used by the case's one rating, whatever channel recorded it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from xiaoneng.cases.models import Case
from xiaoneng.complaints.models import RateCounter

from ..models import Channel, Rating, RatingLink, RatingPolicy
from .rating import ENDED_STATUSES, rating_record

# The states of a link as the public page shows them.
PENDING = "pending"  # the case has not ended yet: "办件尚未办结，办结后即可评价"
OPEN = "open"  # may be rated now
RATED = "rated"  # the case has its rating (409 page: "已于…评价，感谢")
EXPIRED = "expired"  # link_valid_days after the end passed (410 page)


def case_ended_at(case: Case) -> dt.datetime | None:
    """When the case ended (the moment rating_record checks against), or None while it runs."""
    if case.status not in ENDED_STATUSES:
        return None
    return case.closed_at or case.completed_at or case.delivered_at


@transaction.atomic
def link_for_case(case: Case, now: dt.datetime) -> RatingLink:
    """The case's rating link, made on first use (printing a document, the SMS invitation) with a fresh random
    token, and the same link every time after (documents are reprinted: the QR code must not change)."""
    link = RatingLink.objects.filter(case_id=case.pk).first()
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return RatingLink.objects.create(case_id=case.pk, token=secrets.token_urlsafe(32), created_at=now)
    except IntegrityError:  # another request made it first
        return RatingLink.objects.get(case_id=case.pk)


def links_for_cases(case_ids: Sequence[int], now: dt.datetime) -> int:
    """Make the missing links of many cases at once (the SMS invitation's batch); returns how many were made."""
    have = set(RatingLink.objects.filter(case_id__in=case_ids).values_list("case_id", flat=True))
    new = [RatingLink(case_id=cid, token=secrets.token_urlsafe(32), created_at=now) for cid in case_ids
           if cid not in have]
    RatingLink.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def link_by_token(token: str) -> RatingLink | None:
    """The link of a token as typed or scanned, or None (never says why)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        return None
    return (RatingLink.objects.select_related("case__department", "case__version", "case__service_item")
            .filter(token=token).first())


def link_path(link: RatingLink) -> str:
    return reverse("ratings:public_rate", kwargs={"token": link.token})


def link_absolute_url(link: RatingLink, request=None) -> str:
    """The link as printed and sent: the platform's public address (settings.XIAONENG_PUBLIC_URL) or the
    request's host."""
    path = link_path(link)
    if request is not None:
        return request.build_absolute_uri(path)
    base = (getattr(settings, "XIAONENG_PUBLIC_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else path


@dataclass(slots=True)
class LinkState:
    state: str
    ended_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    rated_at: dt.datetime | None = None


def link_state(link: RatingLink, *, now: dt.datetime, policy: RatingPolicy | None = None) -> LinkState:
    """What the link allows now: PENDING (the case runs), RATED, EXPIRED or OPEN."""
    case = link.case
    first = Rating.objects.filter(case_id=case.pk).values_list("rated_at", flat=True).first()
    if first is not None:
        return LinkState(RATED, rated_at=first)
    ended = case_ended_at(case)
    if ended is None:
        return LinkState(PENDING)
    policy = policy or RatingPolicy.current()
    expires = ended + dt.timedelta(days=policy.link_valid_days)
    if now >= expires:
        return LinkState(EXPIRED, ended_at=ended, expires_at=expires)
    return LinkState(OPEN, ended_at=ended, expires_at=expires)


@transaction.atomic
def link_rate(*, link: RatingLink, level, reasons: Sequence[str] = (), comment: str = "", now: dt.datetime) -> Rating:
    """Record the rating a person gave through the case's link (the public page): only while the link is open
    (an expired one is refused, 410); everything else rating_record decides (ended case, once, levels,
    reasons, comment)."""
    state = link_state(link, now=now)
    if state.state == EXPIRED:
        raise LinkExpired()
    return rating_record(case=link.case, level=level, reasons=reasons, comment=comment, channel=Channel.LINK,
                         now=now)


class LinkExpired(Exception):
    """The link's validity after the case ended has passed (410)."""

    status = 410
    message = "该评价链接已过期，无法再评价。如有意见，请拨打 12345 政务服务便民热线。"


def mask_case_no(case_no: str) -> str:
    """A case number as the public page shows it: the first and last few characters, the middle starred, so
    the applicant recognises the case and a passer-by learns nothing ('SP2026****0123')."""
    s = case_no or ""
    if len(s) <= 4:
        return "*" * len(s)
    keep = max(1, min(4, len(s) // 3))
    return s[:keep] + "*" * max(4, len(s) - 2 * keep) + s[-keep:]


# --------------------------------------------------------------------------------------------- QR codes
def qr_svg(url: str, *, scale: int = 4) -> str:
    """The link's QR code as an SVG document (for printed documents and the page)."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True,
                                     title="扫码评价本次服务（好差评）")
    return buf.getvalue().decode()


def qr_png(url: str, *, scale: int = 6) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def qr_data_uri(url: str, *, scale: int = 4) -> str:
    """The QR code as a data: URI of its SVG, for an <img> in a printed document (no extra request)."""
    return segno.make(url, error="m").svg_data_uri(scale=scale, border=2)


# --------------------------------------------------------------------------------------------- rate limit
LINK_RATE = (60, 600)  # requests per IP per window (seconds) on the public rating pages


def link_rate_limit() -> tuple[int, int]:
    return tuple(getattr(settings, "XIAONENG_RATINGS_LINK_RATE", LINK_RATE))


def rate_hit(key: str, *, now: dt.datetime, limit: int, period: int) -> int | None:
    """Count one request on `key` in the fixed window of `period` seconds (complaints' counters: one atomic
    UPDATE, exact across processes, pruned by the complaint centre's housekeeping). None while within the
    limit, else the seconds until the window ends."""
    start_ts = int(now.timestamp()) // period * period
    start = dt.datetime.fromtimestamp(start_ts, tz=dt.UTC)
    rows = RateCounter.objects.filter(key=key, window_start=start)
    with transaction.atomic():
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:
                rows.update(count=F("count") + 1)
    hits = rows.values_list("count", flat=True).get()
    if hits > limit:
        return max(1, math.ceil(start_ts + period - now.timestamp()))
    return None
