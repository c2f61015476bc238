from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from center.models import User
from center.validators import normalize_phone


class SignupForm(UserCreationForm):
    role = forms.ChoiceField(
        label=_("I am"),
        choices=[(User.Role.ORGANIZATION, _("a social organization")), (User.Role.RESIDENT, _("a resident"))],
        widget=forms.RadioSelect,
    )
    display_name = forms.CharField(label=_("Name"), max_length=60)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "email", "phone", "role")

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        return normalize_phone(value) if value else ""

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("Please leave this field empty."))
        return ""


class DeadlineDateInput(forms.DateInput):
    """A date picker for a staff-set deadline: as soon as staff pick a day off, the page says
    so beside the field and names the day the deadline will really end (static/js/deadline.js
    asks /calendar/day/). Saving is still allowed; `day_off_warnings` repeats it on save."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"data-deadline-check": "", **(attrs or {})}, format="%Y-%m-%d")

    class Media:
        js = ("js/deadline.js",)


def day_off_warnings(cleaned_data: dict, fields: dict[str, str]) -> list[str]:
    """Messages for each deadline in `fields` ({name: label}) that falls on a day off."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _t

    from center.calendar import effective_deadline, is_working_day

    out = []
    for name, label in fields.items():
        day = cleaned_data.get(name)
        if day is None or is_working_day(day):
            continue
        out.append(
            _t("%(field)s %(day)s is not a working day: the deadline runs until the end of %(effective)s.")
            % {
                "field": label,
                "day": date_format(day, "DATE_FORMAT"),
                "effective": date_format(effective_deadline(day), "DATE_FORMAT"),
            }
        )
    return out
