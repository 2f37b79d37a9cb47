from django.urls import path

from xiaoneng.catalog import views

app_name = "catalog"

urlpatterns = [
    path("guide/", views.guide_list, name="guide_list"),
    path("staff/catalog/", views.item_list, name="item_list"),
]
