from django.urls import path  # noqa: F401

from xiaoneng.portal import views

app_name = "portal"

urlpatterns = [
    # ---- home, search, feeds, sitemap (helper "portal")
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("departments/", views.departments, name="departments"),
    path("contact/", views.contact, name="contact"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accessibility/mode/", views.a11y_mode, name="a11y_mode"),
    path("site-map/", views.site_map, name="site_map"),
    # ---- end portal
    # ---- progress look-up, department figures, bulletins (helper "figures")
    path("progress/", __import__("xiaoneng.portal.views_progress", fromlist=["x"]).progress, name="progress"),
    path("departments/<str:code>/", __import__("xiaoneng.portal.views_figures", fromlist=["x"]).department,
         name="department"),
    path("departments/<str:code>/export/", __import__("xiaoneng.portal.views_figures", fromlist=["x"])
         .department_export, name="department_export"),
    path("rankings/", __import__("xiaoneng.portal.views_figures", fromlist=["x"]).rankings, name="rankings"),
    path("rankings/export/", __import__("xiaoneng.portal.views_figures", fromlist=["x"]).rankings_export,
         name="rankings_export"),
    path("bulletins/", __import__("xiaoneng.portal.views_figures", fromlist=["x"]).bulletins, name="bulletins"),
    path("bulletins/<int:pk>/", __import__("xiaoneng.portal.views_figures", fromlist=["x"]).bulletin, name="bulletin"),
    path("bulletins/<int:pk>/pdf/", __import__("xiaoneng.portal.views_figures", fromlist=["x"]).bulletin_pdf,
         name="bulletin_pdf"),
    # ---- end figures
    # ---- feeds (helper report): RSS/Atom at stable URLs, the sitemap and robots.txt (portal/feeds.py, sitemaps.py)
    *__import__("xiaoneng.portal.urls_feeds", fromlist=["urlpatterns"]).urlpatterns,
    # ---- end feeds (helper report)
]
