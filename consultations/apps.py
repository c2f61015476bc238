from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from consultations import contributions  # noqa: F401  (nav, figures, workbench, demo, bench)
        from consultations.caching import DATA

        DATA.connect()  # every write makes the app's cached counts and lists stale
