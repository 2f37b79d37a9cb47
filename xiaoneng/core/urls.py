from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from xiaoneng.core import views

app_name = "core"

urlpatterns = [
    path("staff/", views.home, name="home"),
    path("favicon.ico", RedirectView.as_view(url=static("core/favicon.svg"), permanent=True)),
]
