from django.urls import path

from xiaoneng.workdays import views

app_name = "workdays"

urlpatterns = [
    path("staff/calendar/", views.calendar, name="calendar"),
    path("staff/calendar/years/", views.calendar_year_create, name="calendar_year_create"),
    path("staff/calendar/import/", views.calendar_import, name="calendar_import"),
    path("staff/calendar/office-hours/", views.office_hours, name="office_hours"),
    path("staff/calendar/<int:year>/", views.calendar_year, name="calendar_year"),
    path("staff/calendar/<int:year>/status/", views.calendar_year_status, name="calendar_year_status"),
    path("staff/calendar/<int:year>/delete/", views.calendar_year_delete, name="calendar_year_delete"),
    path("staff/calendar/<int:year>/days/", views.calendar_day_save, name="calendar_day_save"),
    path("staff/calendar/<int:year>/days/<str:date>/delete/", views.calendar_day_delete, name="calendar_day_delete"),
    path("workdays/calculator/", views.public_calculator, name="public_calculator"),
]
