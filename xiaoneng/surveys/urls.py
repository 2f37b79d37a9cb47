from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("surveys/<str:token>/", views.public, name="public"),
    path("surveys/<str:token>/thanks/", views.thanks, name="thanks"),
    path("surveys/<str:token>/verify/", views.verify, name="verify"),
    path("surveys/<str:token>/qr.png", views.qr_png, name="qr_png"),
    path("surveys/<str:token>/qr.svg", views.qr_svg, name="qr_svg"),
    path("staff/surveys/", views.survey_list, name="list"),
    path("staff/surveys/my-scores/", views.my_scores, name="my_scores"),
    path("staff/surveys/<int:pk>/", views.designer, name="designer"),
    path("staff/surveys/<int:pk>/settings/", views.settings_save, name="settings"),
    path("staff/surveys/<int:pk>/sections/", views.section_add, name="section_add"),
    path("staff/surveys/<int:pk>/questions/", views.question_add, name="question_add"),
    path("staff/surveys/<int:pk>/questions/<int:qid>/delete/", views.question_delete, name="question_delete"),
    path("staff/surveys/<int:pk>/questions/<int:qid>/edit/", views.question_edit, name="question_edit"),
    path("staff/surveys/<int:pk>/sections/<int:sid>/", views.section_edit, name="section_edit"),
    path("staff/surveys/<int:pk>/publish/", views.publish, name="publish"),
    path("staff/surveys/<int:pk>/revise/", views.revise, name="revise"),
    path("staff/surveys/<int:pk>/preview/", views.preview, name="preview"),
    path("staff/surveys/<int:pk>/groups/", views.groups, name="groups"),
    path("staff/surveys/<int:pk>/codes/", views.codes, name="codes"),
    path("staff/surveys/<int:pk>/codes/sheet/", views.codes_sheet, name="codes_sheet"),
    path("staff/surveys/<int:pk>/codes/export/", views.codes_export, name="codes_export"),
    path("staff/surveys/<int:pk>/results/", views.results, name="results"),
    path("staff/surveys/<int:pk>/results/export/", views.results_export, name="results_export"),
]
