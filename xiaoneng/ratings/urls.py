from django.urls import path

from . import views_rectify
from . import views_public

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
    # ---- channels (issue 12): the public rating link and its QR code
    path("r/<str:token>/", views_public.public_rate, name="public_rate"),
    path("r/<str:token>/qr.svg", views_public.public_qr, {"fmt": "svg"}, name="public_qr_svg"),
    path("r/<str:token>/qr.png", views_public.public_qr, {"fmt": "png"}, name="public_qr_png"),
]
