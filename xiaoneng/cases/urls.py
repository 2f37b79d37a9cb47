from django.urls import path

from xiaoneng.cases import views

app_name = "cases"

urlpatterns = [
    path("staff/cases/", views.case_list, name="case_list"),
    path("staff/cases/new/", views.case_register_view, name="case_register"),
    path("staff/cases/<str:case_no>/", views.case_detail, name="case_detail"),
    path("staff/cases/<str:case_no>/accept/", views.case_accept_view, name="case_accept"),
    path("staff/cases/<str:case_no>/supplement/", views.case_supplement_view, name="case_supplement"),
    path("staff/cases/<str:case_no>/refuse/", views.case_refuse_view, name="case_refuse"),
    path("staff/cases/<str:case_no>/extend/", views.case_extend_view, name="case_extend"),
    path("staff/cases/<str:case_no>/deny/", views.case_deny_view, name="case_deny"),
    path("staff/cases/<str:case_no>/special/", views.case_special_view, name="case_special"),
    path("staff/cases/<str:case_no>/special/end/", views.case_special_end_view, name="case_special_end"),
    path("staff/cases/<str:case_no>/handler/", views.case_handler_view, name="case_handler"),
    path("staff/cases/<str:case_no>/documents/<int:pk>/", views.document_view, name="document"),
]
