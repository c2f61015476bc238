from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from center import admin_guard, staff_access  # noqa: F401  (admin_guard: history pages never save)
from center.calendar import year_sources
from center.models import Announcement, Holiday, NetworkUnit, Notification, OutboxMessage, Reminder, User

# Fields that give rights: nobody edits their own, and only superusers grant superuser rights
# or single permissions.
RIGHTS_FIELDS = ("is_superuser", "is_staff", "is_active", "groups", "user_permissions", "role", "department")
SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")


def _manages_accounts(user) -> bool:
    return bool(user and user.is_active and user.is_staff and user.is_center_admin)


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    """Accounts are managed by the center administrators only. Department staff may look up
    the accounts they work with (no residents except for the hotline's department) and never
    see or search phone numbers."""

    list_display = ("username", "display_name", "role", "department", "network_unit", "is_active")
    list_filter = ("role", "department", "is_active", "is_staff")
    search_fields = ("username", "display_name", "email", "phone")
    autocomplete_fields = ("network_unit",)
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Portal role"), {"fields": ("role", "department", "network_unit", "phone", "display_name")}),
    )

    # --- who may do what -----------------------------------------------------------------
    def has_add_permission(self, request):
        return _manages_accounts(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if not _manages_accounts(request.user):
            return False
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # a superuser's account (and password) is for superusers only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return bool(request.user.is_superuser) and (obj is None or obj.pk != request.user.pk)

    def has_view_permission(self, request, obj=None):
        if obj is not None and not self.get_queryset(request).filter(pk=obj.pk).exists():
            return False
        return super().has_view_permission(request, obj)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if _manages_accounts(request.user):
            return qs
        roles = [User.Role.STAFF, User.Role.HANDLER, User.Role.REVIEWER, User.Role.ORGANIZATION]
        if request.user.in_department(User.Department.INFO):
            roles.append(User.Role.RESIDENT)  # the hotline's callers
        return qs.filter(role__in=roles)

    # --- what is shown -------------------------------------------------------------------
    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return fields if _manages_accounts(request.user) else tuple(f for f in fields if f != "phone")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or _manages_accounts(request.user):
            return fieldsets
        return [
            (name, {**opts, "fields": tuple(f for f in opts["fields"] if f != "phone")})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += [f for f in RIGHTS_FIELDS if f not in fields]
        if not request.user.is_superuser:
            fields += [f for f in SUPERUSER_ONLY_FIELDS if f not in fields]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and not _manages_accounts(request.user):
            kwargs["exclude"] = [*(kwargs.get("exclude") or []), "phone"]
        return super().get_form(request, obj, change=change, **kwargs)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not _manages_accounts(request.user):  # an old version shows the phone number
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if not _manages_accounts(request.user):  # belt and braces: the views refuse earlier
            raise PermissionDenied
        if change and obj.pk == request.user.pk:
            stored = User.objects.get(pk=obj.pk)
            for name in ("is_superuser", "is_staff", "is_active", "role", "department"):
                setattr(obj, name, getattr(stored, name))
        if not request.user.is_superuser and obj.is_superuser:
            stored = User.objects.filter(pk=obj.pk).first() if change else None
            if not (stored and stored.is_superuser):
                raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change and form.instance.pk == request.user.pk:
            # groups/permissions are read-only on one's own account: never saved from the form
            for name in ("groups", "user_permissions"):
                form.cleaned_data.pop(name, None)
        super().save_related(request, form, formsets, change)
        # the department groups follow role and department, whatever the form said
        staff_access.place_staff_in_group(User, form.instance, False)


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
        this_year = timezone.localdate().year
        for row in year_sources([this_year, this_year + 1]):
            if row["known"]:
                messages.info(
                    request,
                    _("%(year)s: the State Council schedule from the chinese-calendar package.")
                    % {"year": row["year"]},
                )
            else:
                messages.warning(
                    request,
                    _(
                        "%(year)s: the chinese-calendar package has no schedule yet; statutory holidays are "
                        "computed by the holidays package. Enter the State Council's make-up working days "
                        "(调休) for %(year)s here once announced (%(n)s entered)."
                    )
                    % {"year": row["year"], "n": row["staff_workdays"]},
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


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SimpleHistoryAdmin):
    """Outgoing e-mails: what keeps failing shows here (filter "Failed") and can be retried."""

    list_display = ("to", "subject", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "created_at")
    search_fields = ("to", "subject")
    readonly_fields = (
        "to",
        "subject",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    )
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected e-mails again"), permissions=["change"])
    def retry(self, request, queryset):
        from center.services import outbox_retry

        n = outbox_retry(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(n)d e-mails queued again.") % {"n": n})
