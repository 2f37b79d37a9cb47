from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("staff/inspections/visits/", views.visits, name="visits"),
    path("staff/inspections/visits/<int:pk>/", views.visit, name="visit"),
    path("staff/inspections/visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("staff/inspections/visits/<int:pk>/submit/", views.visit_submit, name="visit_submit"),
    path("staff/inspections/visits/<int:pk>/review/", views.visit_review, name="visit_review"),
    path("staff/inspections/visits/<int:pk>/publish/", views.visit_publish, name="visit_publish"),
    path("staff/inspections/photos/<int:pk>/", views.photo, name="photo"),
    path("staff/inspections/plans/", views.plans, name="plans"),
    path("staff/inspections/plans/<int:pk>/record/", views.visit_new, name="visit_new"),
    path("staff/inspections/checklists/", views.checklists, name="checklists"),
    path("staff/inspections/checklists/<int:pk>/", views.checklist_edit, name="checklist_edit"),
    path("staff/inspections/findings/", views.findings, name="findings"),
    path("staff/inspections/findings/<int:pk>/", views.finding, name="finding"),
    path("staff/inspections/findings/<int:pk>/<slug:action>/", views.finding_action, name="finding_action"),
    path("staff/inspections/supervisors/", views.supervisors, name="supervisors"),
]
