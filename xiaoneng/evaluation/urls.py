from django.urls import path

from . import views_consequences as cons
from . import views_dashboard, views_office, views_scores

app_name = "evaluation"

urlpatterns = [
    # ---- a score and the evidence behind its lines (lead): every ranking, bulletin and chart links here
    path("staff/evaluation/scores/<int:pk>/", views_scores.score_detail, name="score_detail"),
    path("staff/evaluation/lines/<int:pk>/", views_scores.line_evidence, name="line_evidence"),
    # ---- office pages and scores (helper "pages"): evaluations, breakdowns, schemes, groups
    path("staff/evaluation/", views_office.office_list, name="office_list"),
    path("staff/evaluation/<int:pk>/", views_office.evaluation_detail, name="evaluation_detail"),
    path("staff/evaluation/<int:pk>/publish/", views_office.evaluation_publish_view, name="evaluation_publish"),
    path("staff/evaluation/<int:pk>/export/", views_office.evaluation_export, name="evaluation_export"),
    path("staff/evaluation/schemes/", views_office.schemes, name="schemes"),
    path("staff/evaluation/schemes/new/", views_office.scheme_new, name="scheme_new"),
    path("staff/evaluation/schemes/<int:pk>/", views_office.scheme_detail, name="scheme_detail"),
    path("staff/evaluation/groups/", views_office.groups, name="groups"),
    path("staff/evaluation/mine/", views_office.my_scores, name="my_scores"),
    # ---- consequences (helper "consequences"): bulletins, sanctions, staff records
    path("staff/evaluation/bulletins/", cons.bulletin_list, name="bulletin_list"),
    path("staff/evaluation/bulletins/generate/", cons.bulletin_generate, name="bulletin_generate"),
    path("staff/evaluation/bulletins/<int:pk>/", cons.bulletin_detail, name="bulletin_detail"),
    path("staff/evaluation/bulletins/<int:pk>/publish/", cons.bulletin_publish, name="bulletin_publish"),
    path("staff/evaluation/bulletins/<int:pk>/pdf/", cons.bulletin_pdf, name="bulletin_pdf"),
    path("staff/evaluation/bulletins/<int:pk>/xlsx/", cons.bulletin_xlsx, name="bulletin_xlsx"),
    path("staff/evaluation/sanctions/", cons.sanction_list, name="sanction_list"),
    path("staff/evaluation/sanctions/new/", cons.sanction_new, name="sanction_new"),
    path("staff/evaluation/sanctions/<int:pk>/", cons.sanction_detail, name="sanction_detail"),
    path("staff/evaluation/sanctions/<int:pk>/confirm/", cons.sanction_confirm, name="sanction_confirm"),
    path("staff/evaluation/sanctions/<int:pk>/dismiss/", cons.sanction_dismiss, name="sanction_dismiss"),
    path("staff/evaluation/sanctions/<int:pk>/appeal/", cons.sanction_appeal, name="sanction_appeal"),
    path("staff/evaluation/sanctions/<int:pk>/decide/", cons.sanction_decide, name="sanction_decide"),
    path("staff/evaluation/sanctions/<int:pk>/document/", cons.sanction_document, name="sanction_document"),
    path("staff/evaluation/sanctions/<int:pk>/pdf/", cons.sanction_pdf, name="sanction_pdf"),
    path("staff/evaluation/records/<int:pk>/", cons.staff_record, name="staff_record"),
    # ---- the leader's view (helper "dashboard")
    path("staff/evaluation/dashboard/", views_dashboard.dashboard, name="dashboard"),
]
