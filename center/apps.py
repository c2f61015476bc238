from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CenterConfig(AppConfig):
    name = "center"
    verbose_name = _("Center")

    def ready(self) -> None:
        from center import contributions  # noqa: F401  (registers nav, figures, demo data)
