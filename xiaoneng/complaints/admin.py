"""Admin: categories only. Complaints, identities and their logs are handled through the complaint pages,
where scoping and whistle-blower protection apply; the Django admin would bypass both."""

from django.contrib import admin

from .models import ComplaintCategory


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("code", "name")
