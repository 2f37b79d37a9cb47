"""Public rating pages (no log-in): the case's one-time link /r/<token>/ and its QR code.

Phone width first, for the elderly too (适老化): big text, high contrast, five big level buttons; the reasons
of the chosen level as big toggles; an optional comment. Works without JavaScript — choosing a level is a
plain link (?level=N) to the second step, htmx only swaps the form in place. CSRF stays on. Requests are
counted per IP address (complaints' counters); past the limit a 429 page.

What a token's page may show: the case's item, department and masked number, never the applicant. An
unknown token shows the same words as an expired link (404; the token is unguessable, see services.links).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xiaoneng.core.errors import Conflict, DomainError
from xiaoneng.core.request import client_ip

from .models import Level, RatingReason
from .services import links as L


def levels_offered() -> list[dict]:
    """The five levels, best first, with their Chinese names and icons (the public pages' big buttons)."""
    icons = {5: "emoji-heart-eyes", 4: "emoji-smile", 3: "emoji-neutral", 2: "emoji-frown", 1: "emoji-angry"}
    return [{"value": v, "label": label, "icon": icons[v]} for v, label in sorted(Level.choices, reverse=True)]


def reasons_for(level: int | None) -> list[RatingReason]:
    if level is None:
        return []
    return [r for r in RatingReason.objects.filter(enabled=True) if level in (r.levels or [])]


def parse_level(raw) -> int | None:
    try:
        v = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return v if 1 <= v <= 5 else None


def rate_form_context(*, level: int | None, reasons_checked=(), comment: str = "", error: str = "") -> dict:
    return {"levels": levels_offered(), "level": level,
            "level_label": Level(level).label if level else "",
            "reasons": reasons_for(level), "checked": set(reasons_checked), "comment": comment, "error": error,
            "comment_max": 500}


def _limited(request) -> HttpResponse | None:
    limit, period = L.link_rate_limit()
    wait = L.rate_hit(f"ratelink:{client_ip(request) or '-'}", now=timezone.now(), limit=limit, period=period)
    if wait is None:
        return None
    resp = render(request, "ratings/public/message.html", {
        "title": _("请求过于频繁"), "text": _("您的操作过于频繁，请稍后再试。"), "icon": "hourglass-split"}, status=429)
    resp["Retry-After"] = str(wait)
    return resp


def _gone(request, status: int):
    return render(request, "ratings/public/message.html", {
        "title": _("评价链接无效或已过期"),
        "text": _("该评价链接无效或已超过评价期限，无法再评价。如有意见或建议，请拨打 12345 政务服务便民热线。"),
        "icon": "clock-history"}, status=status)


def _case_context(link) -> dict:
    case = link.case
    item = case.version.name if case.version_id else str(case.service_item)
    return {"item_name": item, "department_name": case.department.name, "case_no_masked": L.mask_case_no(case.case_no)}


@require_http_methods(["GET", "POST"])
def public_rate(request, token: str):
    """The case's rating page: one rating through its link, recorded by rating_record (channel link)."""
    limited = _limited(request)
    if limited is not None:
        return limited
    link = L.link_by_token(token)
    if link is None:
        return _gone(request, 404)
    now = timezone.now()
    state = L.link_state(link, now=now)
    ctx = {**_case_context(link), "state": state}
    if state.state == L.PENDING:
        return render(request, "ratings/public/message.html", {
            **ctx, "title": _("办件尚未办结"), "text": _("办件尚未办结，办结后即可评价。"), "icon": "hourglass"})
    if state.state == L.RATED:
        return render(request, "ratings/public/rated.html", ctx, status=409)
    if state.state == L.EXPIRED:
        return _gone(request, 410)
    if request.method == "POST":
        level = parse_level(request.POST.get("level"))
        reasons = request.POST.getlist("reasons")
        comment = request.POST.get("comment", "")
        if level is None:
            return render(request, "ratings/public/rate.html", {**ctx, **rate_form_context(
                level=None, error=_("请选择评价等级。"))}, status=400)
        try:
            L.link_rate(link=link, level=level, reasons=reasons, comment=comment, now=now)
        except Conflict:
            link.refresh_from_db()
            return render(request, "ratings/public/rated.html", {**ctx, "state": L.link_state(link, now=now)},
                          status=409)
        except L.LinkExpired:
            return _gone(request, 410)
        except DomainError as exc:
            return render(request, "ratings/public/rate.html", {**ctx, **rate_form_context(
                level=level, reasons_checked=reasons, comment=comment[:2000], error=exc.message)}, status=400)
        return render(request, "ratings/public/thanks.html", {**ctx, "level_label": Level(level).label})
    level = parse_level(request.GET.get("level"))
    return render(request, "ratings/public/rate.html", {**ctx, **rate_form_context(level=level)})


@require_http_methods(["GET"])
def public_qr(request, token: str, fmt: str):
    """The link's QR code, SVG or PNG (for documents and posters); the same answer for any token state."""
    limited = _limited(request)
    if limited is not None:
        return limited
    link = L.link_by_token(token)
    if link is None:
        return _gone(request, 404)
    url = L.link_absolute_url(link, request)
    if fmt == "svg":
        resp = HttpResponse(L.qr_svg(url), content_type="image/svg+xml")
    else:
        resp = HttpResponse(L.qr_png(url), content_type="image/png")
    resp["Cache-Control"] = "private, max-age=86400"
    return resp
