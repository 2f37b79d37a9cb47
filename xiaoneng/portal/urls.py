from django.urls import path  # noqa: F401

app_name = "portal"

urlpatterns = [
    # ---- home, search, feeds, sitemap (helper "portal")
    # ---- end portal
    # ---- progress look-up, department figures, bulletins (helper "figures")
    # ---- end figures
]
