"""Names that staff configure (categories, service areas, scoring criteria) in two languages.

The Chinese `name` is the record's name; `name_en` is optional and shown when the interface is
not Chinese, falling back to the Chinese name, so an English page never shows an empty label.
"""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def pick_name(name: str, name_en: str | None) -> str:
    """The name to show in the active language (for rows read with `.values()`)."""
    if name_en and not (translation.get_language() or "zh").startswith("zh"):
        return name_en
    return name


class EnglishNameMixin(models.Model):
    name_en = models.CharField(
        _("English name"),
        max_length=120,
        blank=True,
        help_text=_("Shown when the portal is in English; when empty, the Chinese name is shown."),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick_name(self.name, self.name_en)
