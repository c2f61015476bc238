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
