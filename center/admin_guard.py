"""The admin console is no back door: workflow and money fields are shown, never edited.

Status changes, amounts, scores and decisions go through the pages that call the services
(pipeline, locks, history rows, notifications). A model admin lists them in `locked_fields`;
records that only a workflow creates (reviews, installments, callbacks ...) set
`allow_add = False`; append-only records set `allow_change = False`.

    @admin.register(models.Booking)
    class BookingAdmin(GuardedAdmin):
        locked_fields = ["status", "fee", "decided_by", "decided_at"]
        allow_add = False

`tests/security/test_admin_guard.py` checks every guarded admin's form lacks its locked
fields, whoever is logged in.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class GuardedMixin:
    locked_fields: tuple[str, ...] | list[str] = ()
    allow_add: bool = True
    allow_change: bool = True

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None or not self.allow_add:
            fields += [f for f in self.locked_fields if f not in fields]
        return fields

    def has_add_permission(self, request, *args):
        return self.allow_add and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.allow_change and super().has_change_permission(request, obj)


class GuardedAdmin(GuardedMixin, SimpleHistoryAdmin):
    pass


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows the rows a workflow wrote (no add, change or delete)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def guarded_admins():
    """(model, model admin) pairs of the admin site that lock fields or refuse adding."""
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, GuardedMixin)
    ]


def _refuse_history_writes() -> None:
    """simple-history's "revert" saves an old version of every field (status, amounts) from
    its history page, whatever the admin's read-only fields say: the history pages of the
    portal only show old versions, never save them."""
    from django.core.exceptions import PermissionDenied

    original = SimpleHistoryAdmin.history_form_view
    if getattr(original, "_portal_guarded", False):
        return

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return original(self, request, object_id, version_id, extra_context)

    history_form_view._portal_guarded = True
    SimpleHistoryAdmin.history_form_view = history_form_view


_refuse_history_writes()
