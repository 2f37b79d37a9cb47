from django.urls import path

from xiaoneng.core import views

app_name = "core"

urlpatterns = [
    path("", views.public_index, name="public_index"),
    path("staff/", views.home, name="home"),
]
