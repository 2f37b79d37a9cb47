from django.urls import path

from . import views_rectify

app_name = "ratings"

urlpatterns: list = [
    # ---- rectifications (差评整改)
    path("staff/ratings/rectifications/", views_rectify.rectify_list, name="rectify_list"),
    path("staff/ratings/rectifications/review/", views_rectify.rectify_review, name="rectify_review"),
    path("staff/ratings/rectifications/<str:number>/", views_rectify.rectify_detail, name="rectify_detail"),
    path("staff/ratings/rectifications/<str:number>/appeals/<int:pk>/evidence/", views_rectify.appeal_evidence,
         name="rectify_evidence"),
    path("staff/ratings/rectifications/<str:number>/<str:name>/", views_rectify.rectify_action,
         name="rectify_action"),
]
