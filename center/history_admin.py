"""Admin for the status-history tables (`center.models.StatusHistory` subclasses): read-only
lists, since history is written by `center.workflow.transition` only."""

from __future__ import annotations

from django.contrib import admin


class StatusHistoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status", "at"]
    search_fields = ["reason", "by__username"]
    list_select_related = ["by"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def register_status_history(*models) -> None:
    """Register each history model with the read-only `StatusHistoryAdmin`."""
    for model in models:
        if not admin.site.is_registered(model):
            admin.site.register(model, StatusHistoryAdmin)
