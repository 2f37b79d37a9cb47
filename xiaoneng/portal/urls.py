from django.urls import path

from xiaoneng.portal import views, views_figures, views_progress
from xiaoneng.portal.urls_feeds import urlpatterns as feed_patterns

app_name = "portal"

urlpatterns = [
    # home, search, the department list, contact, accessibility (statement and 适老化 mode), the site map page
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("departments/", views.departments, name="departments"),
    path("contact/", views.contact, name="contact"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accessibility/mode/", views.a11y_mode, name="a11y_mode"),
    path("site-map/", views.site_map, name="site_map"),
    # the progress look-up (办件查询), a department's public figures, the published rankings and bulletins
    path("progress/", views_progress.progress, name="progress"),
    path("departments/<str:code>/", views_figures.department, name="department"),
    path("departments/<str:code>/export/", views_figures.department_export, name="department_export"),
    path("rankings/", views_figures.rankings, name="rankings"),
    path("rankings/export/", views_figures.rankings_export, name="rankings_export"),
    path("bulletins/", views_figures.bulletins, name="bulletins"),
    path("bulletins/<int:pk>/", views_figures.bulletin, name="bulletin"),
    path("bulletins/<int:pk>/pdf/", views_figures.bulletin_pdf, name="bulletin_pdf"),
    # RSS/Atom at stable URLs, the sitemap and robots.txt (portal/feeds.py, sitemaps.py)
    *feed_patterns,
]
