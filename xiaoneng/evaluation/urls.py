from django.urls import path

from . import views_office, views_scores

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
    # ---- the leader's view (helper "dashboard")
]
