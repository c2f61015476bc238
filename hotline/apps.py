from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "hotline"
    verbose_name = _("Hotline")

    def ready(self) -> None:
        from hotline import caching, contributions  # noqa: F401  (nav, figures, workbench, demo, bench)

        caching.connect()  # every ticket change makes the cached lists and counts stale
