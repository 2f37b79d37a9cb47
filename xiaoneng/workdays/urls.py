from django.urls import path

from xiaoneng.workdays import views

app_name = "workdays"

urlpatterns = [
    path("staff/calendar/", views.calendar, name="calendar"),
    path("workdays/calculator/", views.public_calculator, name="public_calculator"),
]
