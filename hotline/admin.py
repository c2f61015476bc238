from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from center.admin_guard import GuardedAdmin
from center.validators import mask_phone
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
from hotline.permissions import is_dispatcher


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "name_en", "group", "active", "sort_order"]
    list_filter = ["active", "group"]
    search_fields = ["code", "name", "name_en", "keywords"]


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
    list_display = [
        "tracking_number",
        "title",
        "ticket_type",
        "category",
        "status",
        "assigned_unit",
        "answer_due",
        "is_overdue",
    ]
    list_filter = ["status", "ticket_type", "category", "channel", "urgency", "is_overdue", "satisfaction"]
    search_fields = ["tracking_number", "title", "phone"]
    list_select_related = ["category", "assigned_unit"]
    raw_id_fields = ["resident", "assigned_handler", "assigned_unit", "area"]
    # The workflow moves these (with a timeline entry each): the admin shows them, never edits them.
    readonly_fields = [
        "tracking_number",
        "channel",
        "status",
        "assigned_unit",
        "assigned_handler",
        "return_reason",
        "created_at",
        "first_dispatched_at",
        "dispatched_at",
        "sign_due",
        "signed_at",
        "answer_due",
        "extended",
        "is_overdue",
        "sign_overdue",
        "answer",
        "answered_at",
        "answered_on_time",
        "handling_working_days",
        "closed_at",
        "satisfaction",
        "resident",
        "external_id",
    ]
    inlines = [TicketImageInline, TicketEventInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        """Requests are filed on the portal, the call intake or Open311 (tracking number, timeline)."""
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if is_dispatcher(request.user) else [*fields, "masked_phone"]

    def get_exclude(self, request, obj=None):
        """Full phone numbers are for the dispatchers (and the assigned handler on the portal)."""
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude if is_dispatcher(request.user) else [*exclude, "phone"]

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone) if obj else ""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not is_dispatcher(request.user):  # an old version shows the full phone number
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(GuardedAdmin):
    """Asked and decided on the ticket page (services.extension_request / extension_decide)."""

    locked_fields = [
        "ticket",
        "requested_by",
        "reason",
        "working_days",
        "status",
        "old_due",
        "new_due",
        "decided_by",
        "decided_at",
        "decision_comment",
        "created_at",
    ]
    allow_add = False
    list_display = ["ticket", "working_days", "status", "old_due", "new_due", "requested_by", "decided_by"]
    list_filter = ["status"]
    search_fields = ["ticket__tracking_number", "reason"]
    raw_id_fields = ["ticket", "requested_by", "decided_by"]


@admin.register(Callback)
class CallbackAdmin(GuardedAdmin):
    """Recorded on the ticket page (services.callback_record closes or reopens the request)."""

    locked_fields = [
        "ticket",
        "channel",
        "result",
        "comment",
        "objective_reason",
        "recorded_by",
        "created_at",
    ]
    allow_add = False
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
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "key", "active", "last_used_at"],
                "description": _(
                    "Give the key to the client once; it sends it as api_key when posting requests."
                ),
            },
        )
    ]


# --- status history of extension requests (read-only; written by center.workflow) --------
from center.history_admin import register_status_history  # noqa: E402
from hotline.models import ExtensionRequestStatusChange  # noqa: E402

register_status_history(ExtensionRequestStatusChange)
