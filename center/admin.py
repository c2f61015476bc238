from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from center.calendar import unknown_years
from center.models import Announcement, Holiday, NetworkUnit, Notification, Reminder, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "display_name", "role", "department", "network_unit", "is_active")
    list_filter = ("role", "department", "is_active", "is_staff")
    search_fields = ("username", "display_name", "email", "phone")
    autocomplete_fields = ("network_unit",)
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Portal role"), {"fields": ("role", "department", "network_unit", "phone", "display_name")}),
    )


@admin.register(NetworkUnit)
class NetworkUnitAdmin(SimpleHistoryAdmin):
    list_display = ("name", "level", "parent", "code", "sort_order")
    list_filter = ("level",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(Holiday)
class HolidayAdmin(SimpleHistoryAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind", "date")
    search_fields = ("name",)
    date_hierarchy = "date"

    def changelist_view(self, request, extra_context=None):
        for year in unknown_years():
            messages.warning(
                request,
                _(
                    "The chinese-calendar package has no schedule for %(year)s yet: deadlines in %(year)s use "
                    "weekends plus this table. Enter the State Council's holidays and make-up days for %(year)s, "
                    "or upgrade the package."
                )
                % {"year": year},
            )
        return super().changelist_view(request, extra_context)


@admin.register(Announcement)
class AnnouncementAdmin(SimpleHistoryAdmin):
    list_display = ("title", "published_at", "is_published", "created_by")
    list_filter = ("is_published", "published_at")
    search_fields = ("title", "body")
    date_hierarchy = "published_at"

    def save_model(self, request, obj, form, change):
        if not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "created_at", "read_at")
    list_filter = ("read_at", "created_at")
    search_fields = ("title", "user__username")
    raw_id_fields = ("user",)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("key", "sent_at", "recipients")
    list_filter = ("sent_at",)
    search_fields = ("key",)
