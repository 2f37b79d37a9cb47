"""The sitemap (/sitemap.xml, django.contrib.sitemaps) and robots.txt: every public page a search engine should
know — the portal's own pages, service guides, the disclosure index and each department's catalogue, the
published entries, disclosure-day bulletins, evaluation bulletins, department figures and the annual reports.

Pages are found by URL name; a page whose part of issue 14 has not landed (NoReverseMatch) is simply left
out, so the sitemap works before and after each lands. Only public things are listed: active guides,
published entries (not superseded or withdrawn), published bulletins, checks and reports, accepted
catalogues; never a staff page (robots.txt also asks crawlers to keep off /staff/, /api/ and /admin/)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

# Public pages without parameters, by URL name, in order of importance.
STATIC_PAGES = [
    "portal:home", "catalog:guide_list", "portal:progress", "complaints:public_home", "complaints:mailbox",
    "disclosure:public_index", "disclosure:check_public_list", "disclosure:requests_public", "portal:bulletins",
    "portal:rankings", "portal:departments", "portal:contact", "portal:accessibility", "portal:site_map",
]


def _reverse(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


class _Named(Sitemap):
    """A sitemap of objects whose page is the URL `url_name` (with `kwargs(obj)`); empty when that page is not
    there."""

    url_name = ""
    changefreq = "weekly"

    def kwargs(self, obj) -> dict:
        raise NotImplementedError

    def _present(self) -> bool:
        probe = self._probe()
        return probe is None or _reverse(self.url_name, **probe) is not None

    def _probe(self) -> dict | None:
        return None

    def location(self, obj):
        return reverse(self.url_name, kwargs=self.kwargs(obj))


class StaticSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return [name for name in STATIC_PAGES if _reverse(name) is not None]

    def location(self, item):
        return reverse(item)


class GuideSitemap(_Named):
    url_name = "catalog:guide_detail"
    priority = 0.7

    def _probe(self):
        return {"code": "X"}

    def items(self):
        from xiaoneng.catalog.models import ServiceItem

        if not self._present():
            return []
        return ServiceItem.objects.filter(is_active=True).order_by("code").only("code")

    def kwargs(self, obj):
        return {"code": obj.code}


class EntrySitemap(_Named):
    url_name = "disclosure:public_entry"
    changefreq = "monthly"
    priority = 0.6

    def _probe(self):
        return {"number": "X"}

    def items(self):
        from .feeds import public_entries

        if not self._present():
            return []
        return public_entries().order_by("-published_at", "-id").only("number", "published_at")

    def kwargs(self, obj):
        return {"number": obj.number}

    def lastmod(self, obj):
        return obj.published_at


class CatalogueSitemap(_Named):
    """Each department's public catalogue page (accepted catalogues only are public)."""

    url_name = "disclosure:public_department"
    priority = 0.6

    def _probe(self):
        return {"code": "T1"}

    def items(self):
        from xiaoneng.disclosure.models import Catalogue, CatalogueStatus

        if not self._present():
            return []
        return list(Catalogue.objects.filter(current=True, status=CatalogueStatus.ACCEPTED, department__is_active=True)
                    .order_by("department__path").values_list("department__code", flat=True))

    def kwargs(self, obj):
        return {"code": obj}


class DepartmentFiguresSitemap(_Named):
    """Each department's public figures page (the portal's figures part)."""

    url_name = "portal:department"
    priority = 0.5

    def _probe(self):
        return {"code": "T1"}

    def items(self):
        from xiaoneng.accounts.models import Department

        if not self._present():
            return []
        kinds = (Department.Kind.BUREAU, Department.Kind.TOWNSHIP, Department.Kind.CENTRE)
        return list(Department.objects.filter(is_active=True, kind__in=kinds).order_by("path")
                    .values_list("code", flat=True))

    def kwargs(self, obj):
        return {"code": obj}


class BulletinSitemap(_Named):
    url_name = "portal:bulletin"
    changefreq = "yearly"
    priority = 0.6

    def _probe(self):
        return {"pk": 1}

    def items(self):
        from xiaoneng.evaluation.models import Bulletin

        if not self._present():
            return []
        return (Bulletin.objects.filter(published_at__isnull=False, published_at__lte=timezone.now())
                .order_by("-published_at").only("pk", "published_at"))

    def kwargs(self, obj):
        return {"pk": obj.pk}

    def lastmod(self, obj):
        return obj.published_at


class CheckSitemap(_Named):
    url_name = "disclosure:check_public"
    changefreq = "yearly"
    priority = 0.6

    def _probe(self):
        return {"date": "2026-01-05"}

    def items(self):
        from xiaoneng.disclosure.models import CheckStatus, DisclosureCheck

        if not self._present():
            return []
        return (DisclosureCheck.objects.filter(status=CheckStatus.PUBLISHED, published_at__isnull=False)
                .order_by("-date").only("date", "published_at"))

    def kwargs(self, obj):
        return {"date": obj.date.isoformat()}

    def lastmod(self, obj):
        return obj.published_at


class ReportSitemap(_Named):
    """The published annual reports, and each year's page of them."""

    url_name = "disclosure:public_report_detail"
    changefreq = "yearly"
    priority = 0.5

    def _probe(self):
        return {"year": 2025, "scope": "county"}

    def items(self):
        from xiaoneng.disclosure.models import AnnualReport

        if not self._present():
            return []
        rows = list(AnnualReport.objects.select_related("department").filter(published_at__isnull=False)
                    .order_by("-year", "department__path"))
        years = sorted({r.year for r in rows}, reverse=True)
        return [("year", y, None) for y in years] + [
            ("report", r.year, r.department.code if r.department_id else "county", r.published_at) for r in rows]

    def location(self, obj):
        if obj[0] == "year":
            return reverse("disclosure:public_report_year", kwargs={"year": obj[1]})
        return reverse(self.url_name, kwargs={"year": obj[1], "scope": obj[2]})

    def lastmod(self, obj):
        return obj[3] if obj[0] == "report" else None


SITEMAPS = {
    "pages": StaticSitemap, "guides": GuideSitemap, "catalogues": CatalogueSitemap, "entries": EntrySitemap,
    "checks": CheckSitemap, "bulletins": BulletinSitemap, "departments": DepartmentFiguresSitemap,
    "reports": ReportSitemap,
}


@require_safe
def robots_txt(request):
    """robots.txt: everything public may be crawled; the staff desk, the API and the admin not; the sitemap."""
    sitemap = request.build_absolute_uri(reverse("portal:sitemap"))
    lines = ["User-agent: *", "Disallow: /staff/", "Disallow: /accounts/", "Disallow: /api/", "Disallow: /admin/",
             "Disallow: /search/", "", f"Sitemap: {sitemap}", ""]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
