from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from center.models import NetworkUnit
from center.validators import IMAGE_MIME_TYPES, normalize_phone, validate_upload
from hotline.models import Callback, ServiceCategory, Ticket
from hotline.services import MAX_EXTENSION_DAYS, MAX_IMAGES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_IMAGES:
            raise ValidationError(_("At most %(n)d images.") % {"n": MAX_IMAGES})
        for f in files:
            validate_upload(f, allowed=IMAGE_MIME_TYPES)
        return files


class AreaField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        from hotline.selectors import dispatch_units

        super().__init__(queryset=dispatch_units(), **kwargs)

    def label_from_instance(self, obj):
        return f"— {obj.name}" if obj.level == NetworkUnit.Level.COMMUNITY else obj.name


def _phone(value: str) -> str:
    return normalize_phone(value)


class TicketFileForm(forms.Form):
    """What a resident fills in, without an account: where first, then what, then how to reach them."""

    required_css_class = "required"

    area = AreaField(
        label=_("Street / community"),
        required=False,
        help_text=_("Where the help is needed; the street or community handles your request."),
    )
    address = forms.CharField(label=pgettext_lazy("hotline", "Address"), max_length=200, required=False)
    ticket_type = forms.ChoiceField(
        label=_("Kind of request"), choices=Ticket.Type.choices, initial=Ticket.Type.HELP
    )
    category = forms.ModelChoiceField(label=_("About"), queryset=ServiceCategory.objects.filter(active=True))
    title = forms.CharField(label=pgettext_lazy("hotline", "Title"), max_length=120, required=False)
    description = forms.CharField(
        label=_("What do you need?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    resident_name = forms.CharField(label=_("Your name (optional)"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        help_text=_("We call you back on this number. Only staff handling your request see it."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # Coordinates are optional and filled by the browser's location button (or the map when one
    # is configured); typing them stays possible for people who know them.
    lat = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-geo": "lat"}),
    )
    long = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-geo": "long"}),
    )
    images = MultipleImageField(label=_("Photos (optional)"), required=False)
    # Honeypot: hidden from people by CSS; bots fill it in.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    LOCATION_FIELDS = ("lat", "long")

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if "lat" in data and "long" in data and (data["lat"] is None) != (data["long"] is None):
            # The message sits at the coordinates, not at the top of the form.
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        return data

    def main_fields(self):
        return [f for f in self.visible_fields() if f.name not in (*self.LOCATION_FIELDS, "website")]

    def location_fields(self):
        return [self[name] for name in self.LOCATION_FIELDS]


class PhoneIntakeForm(forms.Form):
    """A phone call logged by staff: the few fields that matter, in the order they are said."""

    required_css_class = "required"

    phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "tel"}),
    )
    resident_name = forms.CharField(label=pgettext_lazy("hotline", "Name"), max_length=60, required=False)
    description = forms.CharField(
        label=_("What they need"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    ticket_type = forms.ChoiceField(label=_("Type"), choices=Ticket.Type.choices, initial=Ticket.Type.HELP)
    category = forms.ModelChoiceField(
        label=pgettext_lazy("hotline", "Category"), queryset=ServiceCategory.objects.filter(active=True)
    )
    area = AreaField(label=_("Street / community"), required=False)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Ticket.Urgency.choices, initial=Ticket.Urgency.NORMAL
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            (Ticket.Channel.PHONE, Ticket.Channel.PHONE.label),
            (Ticket.Channel.WALK_IN, Ticket.Channel.WALK_IN.label),
        ],
    )
    dispatch_now = forms.BooleanField(
        label=_("Dispatch to the street / community at once"), required=False, initial=True
    )

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])


class TrackForm(forms.Form):
    required_css_class = "required"

    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=16,
        widget=forms.TextInput(attrs={"placeholder": "HS2026000123"}),
    )
    last4 = forms.RegexField(
        label=_("Last four digits of your phone"),
        regex=r"^\d{4}$",
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class ResidentInfoForm(forms.Form):
    required_css_class = "required"

    text = forms.CharField(
        label=_("Add information"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RateForm(forms.Form):
    required_css_class = "required"

    result = forms.ChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=Ticket.Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=pgettext_lazy("hotline", "Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CallbackForm(forms.Form):
    required_css_class = "required"

    result = forms.ChoiceField(label=pgettext_lazy("hotline", "Result"), choices=Ticket.Satisfaction.choices)
    comment = forms.CharField(label=pgettext_lazy("hotline", "Comment"), max_length=1000, required=False)
    objective_reason = forms.BooleanField(
        label=Callback._meta.get_field("objective_reason").help_text, required=False
    )


class ExtensionForm(forms.Form):
    required_css_class = "required"

    working_days = forms.IntegerField(
        label=_("Extra working days"), min_value=1, max_value=MAX_EXTENSION_DAYS
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
