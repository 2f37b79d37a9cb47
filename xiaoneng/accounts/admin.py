from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from xiaoneng.accounts.models import ApiClient, AuditEvent, Department, Staff


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "head", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("path", "depth")


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ("username", "name", "department", "post", "is_active")
    list_filter = ("groups", "is_active")
    search_fields = ("username", "name")
    fieldsets = UserAdmin.fieldsets + (("部门与岗位", {"fields": ("name", "department", "post", "phone")}),)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "system", "department", "token_prefix", "created_at", "revoked_at", "last_used_at")
    # The department and the source system are the token's identity (its write scope, and the namespace of
    # its event ids): changing them would move what the token may write and split its ids. Issue a new one.
    readonly_fields = ("system", "department", "token_prefix", "created_at", "revoked_at", "last_used_at",
                       "created_by", "revoked_by")

    def has_add_permission(self, request):
        return False  # tokens are created on the token page or by `xiaoneng create-token`, shown once


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only, here as on its own page."""

    list_display = ("at", "kind", "actor_name", "target", "ip", "detail")
    list_filter = ("kind",)
    search_fields = ("actor_name", "target")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
