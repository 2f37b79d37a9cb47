from django.urls import path  # noqa: F401

app_name = "portal"

urlpatterns = [
    # ---- home, search, feeds, sitemap (helper "portal")
    # ---- end portal
    # ---- progress look-up, department figures, bulletins (helper "figures")
    # ---- end figures
    # ---- feeds (helper report): RSS/Atom at stable URLs, the sitemap and robots.txt (portal/feeds.py, sitemaps.py)
    *__import__("xiaoneng.portal.urls_feeds", fromlist=["urlpatterns"]).urlpatterns,
    # ---- end feeds (helper report)
]
