from django.urls import path

from . import views_office, views_public, views_rectify, views_window

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
    # ---- channels (issue 12): window contacts (一次一评) and the counter tablet
    path("staff/ratings/window/", views_window.window_home, name="window_home"),
    path("staff/ratings/window/contacts/<str:number>/push/", views_window.contact_push, name="contact_push"),
    path("staff/ratings/window/cases/push/", views_window.case_push, name="case_push"),
    path("staff/ratings/kiosks/", views_window.kiosk_list, name="kiosk_list"),
    path("staff/ratings/kiosks/<int:pk>/pairing/", views_window.kiosk_pairing, name="kiosk_pairing"),
    path("staff/ratings/kiosks/<int:pk>/revoke/", views_window.kiosk_revoke, name="kiosk_revoke"),
    path("kiosk/", views_window.kiosk_page, name="kiosk"),
    path("kiosk/prompt/", views_window.kiosk_prompt_fragment, name="kiosk_prompt"),
    path("kiosk/pair/<str:code>/", views_window.kiosk_pair, name="kiosk_pair"),
    # ---- ratings-core (issue 12): the office's pages
    path("staff/ratings/", views_office.rating_list, name="office_list"),
    path("staff/ratings/export/", views_office.rating_list_export, name="office_list_export"),
    path("staff/ratings/figures/", views_office.figures, name="office_figures"),
    path("staff/ratings/figures/export/", views_office.figures_export, name="office_figures_export"),
    path("staff/ratings/settings/", views_office.policy, name="office_policy"),
    path("staff/ratings/settings/reasons/", views_office.reasons, name="office_reasons"),
    path("staff/ratings/settings/reasons/<int:pk>/", views_office.reason_edit, name="office_reason_edit"),
    path("staff/ratings/<int:pk>/", views_office.rating_detail, name="office_detail"),
]
