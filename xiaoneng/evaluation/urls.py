from django.urls import path

app_name = "evaluation"

urlpatterns = [
    # ---- office pages and scores (helper "pages"): evaluations, breakdowns, schemes, groups
    # ---- consequences (helper "consequences"): bulletins, sanctions, staff records
    # ---- the leader's view (helper "dashboard")
]
