"""URLs of information requests (依申请公开), included into the disclosure namespace by disclosure/urls.py's
requests block: public /information-requests/…, staff /staff/disclosure/requests/…."""

from django.urls import path

from . import views_public_requests, views_requests

urlpatterns = [
    path("information-requests/", views_public_requests.public_home, name="requests_public"),
    path("information-requests/new/", views_public_requests.request_new, name="request_new"),
    path("information-requests/submitted/", views_public_requests.request_submitted, name="request_submitted"),
    path("information-requests/track/", views_public_requests.request_track, name="request_track"),
    path("staff/disclosure/requests/", views_requests.request_desk, name="request_desk"),
    path("staff/disclosure/requests/new/", views_requests.request_register, name="request_register"),
    path("staff/disclosure/requests/overview/", views_requests.request_overview, name="request_overview"),
    path("staff/disclosure/requests/<str:number>/", views_requests.request_detail, name="request_detail"),
    path("staff/disclosure/requests/<str:number>/do/<str:name>/", views_requests.request_action,
         name="request_action"),
    path("staff/disclosure/requests/<str:number>/reviews/<int:pk>/", views_requests.review_decide,
         name="request_review_decide"),
]
