from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organizations")

    def ready(self):
        from organizations import contributions  # noqa: F401
        from organizations.caching import DATA

        DATA.connect()  # every write makes the app's cached counts and lists stale
