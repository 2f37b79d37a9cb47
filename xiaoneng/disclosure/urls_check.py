"""URLs of the disclosure day and its check (helper "check"), included by disclosure/urls.py (app "disclosure")."""

from django.urls import path

from . import views_check as v

urlpatterns = [
    path("staff/disclosure/checks/", v.check_list, name="check_list"),
    path("staff/disclosure/checks/<str:date>/", v.check_detail, name="check_detail"),
    path("staff/disclosure/checks/<str:date>/publish/", v.check_publish, name="check_publish"),
    path("staff/disclosure/days/", v.check_days, name="check_days"),
    path("staff/disclosure/findings/", v.check_findings, name="check_findings"),
    path("disclosure/checks/", v.check_public_list, name="check_public_list"),
    path("disclosure/checks/<str:date>/", v.check_public, name="check_public"),
    path("disclosure/checks/<str:date>/bulletin.pdf", v.check_public_pdf, name="check_public_pdf"),
    path("disclosure/checks/<str:date>/bulletin.xlsx", v.check_public_xlsx, name="check_public_xlsx"),
]
