from django.contrib.auth import views as auth_views
from django.urls import path

from xiaoneng.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_create_view, name="department_create"),
    path("departments/<str:code>/", views.department_detail, name="department_detail"),
    path("departments/<str:code>/edit/", views.department_edit_view, name="department_edit"),
    path("departments/<str:code>/hosting/", views.department_hosting_view, name="department_hosting"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create_view, name="staff_create"),
    path("staff/<str:username>/edit/", views.staff_edit_view, name="staff_edit"),
    path("staff/<str:username>/unlock/", views.staff_unlock_view, name="staff_unlock"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("audit/", views.audit_list, name="audit_list"),
]
