from django.urls import path

from . import views_dashboard, views_scores

app_name = "evaluation"

urlpatterns = [
    # ---- a score and the evidence behind its lines (lead): every ranking, bulletin and chart links here
    path("staff/evaluation/scores/<int:pk>/", views_scores.score_detail, name="score_detail"),
    path("staff/evaluation/lines/<int:pk>/", views_scores.line_evidence, name="line_evidence"),
    # ---- office pages and scores (helper "pages"): evaluations, breakdowns, schemes, groups
    # ---- consequences (helper "consequences"): bulletins, sanctions, staff records
    # ---- the leader's view (helper "dashboard")
    path("staff/evaluation/dashboard/", views_dashboard.dashboard, name="dashboard"),
]
