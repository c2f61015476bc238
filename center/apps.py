from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CenterConfig(AppConfig):
    name = "center"
    verbose_name = _("Center")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from center import (
            contributions,  # noqa: F401  (registers nav, figures, demo data)
            signals,
            staff_access,
        )
        from center.caching import CENTER

        CENTER.connect()  # a renamed or new street shows in the cached lists at once
        from center.selectors import notification_written

        post_save.connect(notification_written, sender="center.Notification", dispatch_uid="unread-save")
        post_delete.connect(notification_written, sender="center.Notification", dispatch_uid="unread-delete")
        # The groups' rights are kept in data migrations (center.staff_access.grant_rights).
        post_save.connect(staff_access.place_staff_in_group, sender="center.User")
        post_save.connect(signals.holiday_changed, sender="center.Holiday")
        post_delete.connect(signals.holiday_changed, sender="center.Holiday")
