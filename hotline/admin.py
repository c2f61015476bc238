from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from hotline.models import (
    ApiKey,
    Callback,
    DeadlinePolicy,
    ExtensionRequest,
    PhoneReveal,
    ServiceCategory,
    Ticket,
    TicketEvent,
    TicketImage,
)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "group", "active", "sort_order"]
    list_filter = ["active", "group"]
    search_fields = ["code", "name", "keywords"]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(SimpleHistoryAdmin):
    list_display = ["key", "working_days"]
    list_filter = ["key"]
    search_fields = ["key"]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ["created_at", "kind", "public", "actor", "unit", "text", "from_status", "to_status"]
    readonly_fields = fields
    can_delete = False


class TicketImageInline(admin.TabularInline):
    model = TicketImage
    extra = 0
    readonly_fields = ["mime", "uploaded_at"]


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    list_display = ["tracking_number", "title", "ticket_type", "category", "status", "assigned_unit", "answer_due", "is_overdue"]
    list_filter = ["status", "ticket_type", "category", "channel", "urgency", "is_overdue", "satisfaction"]
    search_fields = ["tracking_number", "title", "phone"]
    list_select_related = ["category", "assigned_unit"]
    raw_id_fields = ["resident", "assigned_handler", "assigned_unit", "area"]
    readonly_fields = ["tracking_number", "first_dispatched_at", "answered_at", "closed_at"]
    inlines = [TicketImageInline, TicketEventInline]
    date_hierarchy = "created_at"


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(SimpleHistoryAdmin):
    list_display = ["ticket", "working_days", "status", "old_due", "new_due", "requested_by", "decided_by"]
    list_filter = ["status"]
    search_fields = ["ticket__tracking_number", "reason"]
    raw_id_fields = ["ticket", "requested_by", "decided_by"]


@admin.register(Callback)
class CallbackAdmin(SimpleHistoryAdmin):
    list_display = ["ticket", "channel", "result", "objective_reason", "recorded_by", "created_at"]
    list_filter = ["channel", "result", "objective_reason"]
    search_fields = ["ticket__tracking_number", "comment"]
    raw_id_fields = ["ticket", "recorded_by"]


@admin.register(PhoneReveal)
class PhoneRevealAdmin(admin.ModelAdmin):
    list_display = ["ticket", "user", "ip", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["ticket__tracking_number", "user__username"]
    raw_id_fields = ["ticket", "user"]

    def has_change_permission(self, request, obj=None):  # the log is evidence: read-only
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "active", "created_at", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name"]
    readonly_fields = ["last_used_at"]
    fieldsets = [(None, {"fields": ["name", "key", "active", "last_used_at"], "description": _(
        "Give the key to the client once; it sends it as api_key when posting requests.")})]
