from django.urls import path

from xiaoneng.supervision import views

app_name = "supervision"

urlpatterns = [
    path("staff/supervision/", views.monitor, name="monitor"),
    path("staff/supervision/panel/", views.monitor_panel, name="monitor_panel"),
    path("staff/supervision/charts.json", views.monitor_charts, name="monitor_charts"),
    path("staff/supervision/desk/", views.desk, name="desk"),
    path("staff/supervision/notifications/read/", views.notifications_read, name="notifications_read"),
    path("staff/supervision/warnings/", views.warning_list, name="warning_list"),
    path("staff/supervision/warnings/<int:pk>/", views.warning_detail, name="warning_detail"),
    path("staff/supervision/warnings/<int:pk>/attachments/<int:action_id>/", views.appeal_attachment,
         name="appeal_attachment"),
    path("staff/supervision/warnings/<int:pk>/<slug:action>/", views.warning_action, name="warning_action"),
    path("staff/supervision/orders/", views.order_list, name="order_list"),
    path("staff/supervision/orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("staff/supervision/orders/<int:pk>/<slug:action>/", views.order_action, name="order_action"),
    path("staff/supervision/proposals/", views.proposal_list, name="proposal_list"),
    path("staff/supervision/proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("staff/supervision/proposals/<int:pk>/print/", views.proposal_print, name="proposal_print"),
    path("staff/supervision/proposals/<int:pk>/<slug:action>/", views.proposal_action, name="proposal_action"),
    path("staff/supervision/rules/", views.rule_list, name="rule_list"),
    path("staff/supervision/rules/<slug:code>/", views.rule_edit, name="rule_edit"),
]
