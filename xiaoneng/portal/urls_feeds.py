"""The feeds, the sitemap and robots.txt (helper "report"), spliced into portal/urls.py by one line of its marked
block. The paths are stable: readers and search engines keep them."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from . import feeds, sitemaps

urlpatterns = [
    path("feeds/disclosure.rss", require_safe(feeds.DisclosureFeed()), name="feed_disclosure_rss"),
    path("feeds/disclosure.atom", require_safe(feeds.atom(feeds.DisclosureFeed)()), name="feed_disclosure_atom"),
    path("feeds/bulletins.rss", require_safe(feeds.BulletinFeed()), name="feed_bulletins_rss"),
    path("feeds/bulletins.atom", require_safe(feeds.atom(feeds.BulletinFeed)()), name="feed_bulletins_atom"),
    path("feeds/checks.rss", require_safe(feeds.CheckFeed()), name="feed_checks_rss"),
    path("feeds/checks.atom", require_safe(feeds.atom(feeds.CheckFeed)()), name="feed_checks_atom"),
    path("feeds/reports.rss", require_safe(feeds.ReportFeed()), name="feed_reports_rss"),
    path("feeds/reports.atom", require_safe(feeds.atom(feeds.ReportFeed)()), name="feed_reports_atom"),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
]
