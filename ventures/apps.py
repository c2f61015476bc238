from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenturesConfig(AppConfig):
    name = "ventures"
    verbose_name = _("Ventures")

    def ready(self):
        from ventures import contributions  # noqa: F401
        from ventures.caching import DATA

        DATA.connect()  # every write makes the app's cached counts and lists stale
