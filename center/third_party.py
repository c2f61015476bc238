"""Third-party pieces shown to staff, in the portal's words and languages.

- `AxesConfig`: django-axes' app with a translated name (the admin shows an untranslated
  "Axes" heading otherwise); listed in INSTALLED_APPS instead of "axes".
- `STRINGS`: the third-party strings the admin console shows that have no Chinese of their own
  (django-axes ships none) or whose Chinese differs from the portal's words (Django's 过滤器
  is 筛选 everywhere else). Marked here so `make messages` keeps them in the project catalogue,
  which Django consults before the packages' own.
"""

from axes.apps import AppConfig as _AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class AxesConfig(_AxesAppConfig):
    verbose_name = _("Login protection")


STRINGS = [
    gettext_noop("Filter"),
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("Username"),
    gettext_noop("access attempt"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
]
