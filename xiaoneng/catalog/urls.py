from django.urls import path

from xiaoneng.catalog import views

app_name = "catalog"

urlpatterns = [
    path("guide/", views.guide_list, name="guide_list"),
    path("guide/files/<int:pk>/<str:kind>/", views.material_file, name="material_file"),
    path("guide/<str:code>/", views.guide_detail, name="guide_detail"),
    path("staff/catalog/", views.item_list, name="item_list"),
    path("staff/catalog/new/", views.item_create, name="item_create"),
    path("staff/catalog/import/", views.catalog_import_view, name="import"),
    path("staff/catalog/export/", views.catalog_export_view, name="export"),
    path("staff/catalog/<str:code>/", views.item_detail, name="item_detail"),
    path("staff/catalog/<str:code>/edit/", views.item_edit, name="item_edit"),
    path("staff/catalog/<str:code>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("staff/catalog/<str:code>/deactivate/", views.item_set_active, {"active": False}, name="item_deactivate"),
    path("staff/catalog/<str:code>/activate/", views.item_set_active, {"active": True}, name="item_activate"),
]
