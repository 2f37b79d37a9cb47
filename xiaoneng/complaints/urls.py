from django.urls import path

from xiaoneng.complaints import views

app_name = "complaints"

urlpatterns = [
    path("complaints/", views.public_home, name="public_home"),
    path("complaints/new/", views.complaint_new, name="new"),
    path("complaints/submitted/", views.complaint_submitted, name="submitted"),
    path("complaints/track/", views.track_lookup, name="track_lookup"),
    path("complaints/track/<str:code>/", views.track, name="track"),
    path("complaints/track/<str:code>/withdraw/", views.track_withdraw, name="track_withdraw"),
    path("complaints/follow-up/<str:token>/", views.follow_up, name="follow_up"),
    path("complaints/media/<str:token>/", views.public_media, name="media"),
    path("complaints/mailbox/", views.mailbox, name="mailbox"),
    path("complaints/mailbox/<str:number>/", views.mailbox_detail, name="mailbox_detail"),
    path("staff/complaints/", views.inbox, name="inbox"),
    path("staff/complaints/board/", views.board, name="board"),
    path("staff/complaints/overdue/", views.overdue, name="overdue"),
    path("staff/complaints/new/", views.staff_new, name="staff_new"),
    path("staff/complaints/figures/", views.figures, name="figures"),
    path("staff/complaints/figures/export/", views.figures_export, name="figures_export"),
    path("staff/complaints/blocklist/", views.blocklist, name="blocklist"),
    path("staff/complaints/access-log/", views.access_log, name="access_log"),
    path("staff/complaints/<str:number>/", views.detail, name="detail"),
    path("staff/complaints/<str:number>/identity/", views.identity, name="identity"),
    path("staff/complaints/<str:number>/original/", views.original, name="original"),
    path("staff/complaints/<str:number>/files/<int:pk>/", views.attachment, name="attachment"),
    path("staff/complaints/<str:number>/notices/<int:pk>/", views.notice, name="notice"),
    path("staff/complaints/<str:number>/do/<str:name>/", views.action, name="action"),
    path("staff/complaints/<str:number>/messages/", views.complaint_messages, name="messages"),
    path("staff/complaints/<str:number>/messages/<int:pk>/retry/", views.complaint_message_retry,
         name="message_retry"),
]
