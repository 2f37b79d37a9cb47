"""The annual report's URLs (helper "report"), spliced into disclosure/urls.py by one line of its marked block.
`<scope>` is "county" (the county-wide report) or a department's code."""

from django.urls import path

from . import views_report

urlpatterns = [
    path("staff/disclosure/reports/", views_report.report_list, name="report_list"),
    path("staff/disclosure/reports/<int:year>/<str:scope>/", views_report.report_detail, name="report_detail"),
    path("staff/disclosure/reports/<int:year>/<str:scope>/publish/", views_report.report_publish,
         name="report_publish"),
    path("staff/disclosure/reports/<int:year>/<str:scope>/xlsx/", views_report.report_xlsx, name="report_xlsx"),
    path("staff/disclosure/reports/<int:year>/<str:scope>/pdf/", views_report.report_pdf, name="report_pdf"),
    path("disclosure/reports/<int:year>/", views_report.public_report_year, name="public_report_year"),
    path("disclosure/reports/<int:year>/<str:scope>/", views_report.public_report_detail,
         name="public_report_detail"),
    path("disclosure/reports/<int:year>/<str:scope>/xlsx/", views_report.public_report_xlsx,
         name="public_report_xlsx"),
    path("disclosure/reports/<int:year>/<str:scope>/pdf/", views_report.public_report_pdf, name="public_report_pdf"),
]
