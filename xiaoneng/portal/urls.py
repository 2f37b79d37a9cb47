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
    # ---- end figures
]
