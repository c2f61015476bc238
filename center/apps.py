from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CenterConfig(AppConfig):
    name = "center"
    verbose_name = _("Center")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from center import (
            contributions,  # noqa: F401  (registers nav, figures, demo data)
            staff_access,
        )

        post_migrate.connect(staff_access.sync_staff_group, sender=self)
        post_save.connect(staff_access.place_staff_in_group, sender="center.User")
