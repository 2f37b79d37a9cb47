"""The portal's own public pages: the home page (/), search (/search/), the department list, contact, the
accessibility statement, the site map, and the switch of the 适老化 (large text, high contrast) mode."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from xiaoneng.accounts.models import Department
from xiaoneng.core.errors import DomainError
from xiaoneng.core.params import MAX_PAGE_NUMBER, parse_int
from xiaoneng.portal import selectors as S
from xiaoneng.portal.models import SearchKind
from xiaoneng.portal.search import MAX_QUERY_CHARS, highlight, search

PAGE_SIZE = 10
A11Y_COOKIE = "xn_a11y"  # "1": the 适老化 mode is on (static/portal/a11y.js sets the same cookie)
A11Y_COOKIE_AGE = 365 * 24 * 3600


@require_GET
def home(request):
    """首页: search box, the latest published bulletins and ranking, the headline figures of the latest
    published evaluation (its period said), and the ways in (guides, progress, complaints, mailbox, disclosure,
    information requests, departments)."""
    ev = S.latest_published_evaluation()
    return render(request, "portal/home.html", {
        "evaluation": ev, "headlines": S.headline_figures(ev), "groups": S.ranking_ends(ev),
        "bulletins": S.latest_bulletins(), "max_query": MAX_QUERY_CHARS,
    })


class _Page:
    """A Paginator page over results already counted (the search returns one page and the total)."""

    def __init__(self, number: int, total: int, size: int):
        self.paginator = Paginator(range(total), size)
        self.number = number

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.paginator.num_pages

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


@require_GET
def search_page(request):
    """全站检索: results of the words in `q`, filtered by `kind` (all kinds when empty), 10 a page; a bad query
    is shown beside the box (400), never a 500."""
    q = request.GET.get("q", "")
    kind = request.GET.get("kind", "").strip()
    ctx = {"q": q[:200], "kind": kind, "kinds": SearchKind.choices, "max_query": MAX_QUERY_CHARS, "results": None}
    if "q" not in request.GET:
        return render(request, "portal/search.html", ctx)
    try:
        page_no = parse_int(request.GET.get("page"), field="page", default=1, minimum=1, maximum=MAX_PAGE_NUMBER)
        results = search(q, kinds=[kind] if kind else None, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    except DomainError as exc:
        ctx["error"] = exc.message
        ctx["error_field"] = exc.field
        return render(request, "portal/search.html", ctx, status=400)
    for h in results.hits:
        h.title_html = highlight(h.doc.title, results.terms)
    params = request.GET.copy()
    params.pop("page", None)
    ctx.update({
        "results": results, "page": _Page(page_no, results.total, PAGE_SIZE), "query": params.urlencode(),
        "kind_counts": [(value, label, results.counts.get(value, 0)) for value, label in SearchKind.choices],
        "all_count": sum(results.counts.values()),
    })
    return render(request, "portal/search.html", ctx)


@require_GET
def departments(request):
    """部门信息: the departments a citizen deals with, by kind, with address and phone where recorded."""
    groups: dict[str, list] = {}
    for d in S.public_departments():
        groups.setdefault(d.kind, []).append(d)
    order = [Department.Kind.BUREAU, Department.Kind.CENTRE, Department.Kind.TOWNSHIP, Department.Kind.OFFICE]
    return render(request, "portal/departments.html", {
        "groups": [(Department.Kind(k).label, groups[k]) for k in order if k in groups]})


@require_GET
def contact(request):
    """联系我们: the supervision office, the hotline and the ways to write."""
    return render(request, "portal/contact.html", {"office": S.supervision_office()})


@require_GET
def accessibility(request):
    """无障碍声明: what the site does for accessibility and elderly users, and how to report a barrier."""
    return render(request, "portal/accessibility.html", {"on": request.COOKIES.get(A11Y_COOKIE) == "1"})


@require_GET
def site_map(request):
    """网站地图: every public section in one list."""
    return render(request, "portal/sitemap.html")


@require_GET
def a11y_mode(request):
    """Switch the 适老化 mode on (`on=1`) or off (`on=0`) without JavaScript: a cookie, then back to `next`
    (a path on this site; the home page otherwise). With JavaScript, static/portal/a11y.js sets the same cookie
    and stays on the page."""
    on = request.GET.get("on", "1") == "1"
    target = request.GET.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                         require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if on:
        response.set_cookie(A11Y_COOKIE, "1", max_age=A11Y_COOKIE_AGE, samesite="Lax",
                            secure=getattr(settings, "SESSION_COOKIE_SECURE", False))
    else:
        response.delete_cookie(A11Y_COOKIE, samesite="Lax")
    return response
