from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubationConfig(AppConfig):
    name = "incubation"
    verbose_name = _("Incubation")

    def ready(self):
        from incubation import contributions  # noqa: F401
        from incubation.caching import DATA

        DATA.connect()  # every write makes the app's cached counts and lists stale
