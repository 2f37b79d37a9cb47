"""URLs of catalogues and entries (helper "catalogue"), spliced into disclosure/urls.py's marked block (so they
share its namespace "disclosure")."""

from django.urls import path, re_path

from . import views_catalogue, views_public_catalogue

urlpatterns = [
    path("staff/disclosure/catalogues/", views_catalogue.catalogue_home, name="catalogue_home"),
    path("staff/disclosure/catalogues/new/", views_catalogue.catalogue_new, name="catalogue_new"),
    path("staff/disclosure/catalogues/filing/", views_catalogue.filing_queue, name="filing_queue"),
    path("staff/disclosure/catalogues/<int:pk>/", views_catalogue.catalogue_detail, name="catalogue_detail"),
    path("staff/disclosure/catalogues/<int:pk>/items/", views_catalogue.catalogue_item_add, name="catalogue_item_add"),
    path("staff/disclosure/catalogues/<int:pk>/items/<int:item_pk>/", views_catalogue.catalogue_item_edit,
         name="catalogue_item_edit"),
    path("staff/disclosure/catalogues/<int:pk>/items/<int:item_pk>/remove/", views_catalogue.catalogue_item_remove,
         name="catalogue_item_remove"),
    path("staff/disclosure/catalogues/<int:pk>/<slug:action>/", views_catalogue.catalogue_action,
         name="catalogue_action"),
    path("staff/disclosure/entries/", views_catalogue.entry_list, name="entry_list"),
    path("staff/disclosure/entries/new/", views_catalogue.entry_new, name="entry_new"),
    path("staff/disclosure/entries/<str:number>/", views_catalogue.entry_detail, name="entry_detail"),
    path("staff/disclosure/entries/<str:number>/correct/", views_catalogue.entry_correct, name="entry_correct"),
    path("staff/disclosure/entries/<str:number>/withdraw/", views_catalogue.entry_withdraw, name="entry_withdraw"),
    path("disclosure/", views_public_catalogue.public_index, name="public_index"),
    path("disclosure/entries/<str:number>/", views_public_catalogue.public_entry, name="public_entry"),
    path("disclosure/entries/<str:number>/attachment/", views_public_catalogue.public_attachment,
         name="public_attachment"),
    # A department's code has a capital letter or a digit (QY-SCJ, TA): the other parts' lower-case words under
    # /disclosure/ (checks, reports …) never match it.
    re_path(r"^disclosure/(?P<code>(?=[^/]*[A-Z0-9])[A-Za-z0-9][A-Za-z0-9_-]{0,31})/$",
            views_public_catalogue.public_department, name="public_department"),
]
