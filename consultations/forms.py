from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import Attachment, Attendance, Event, Opinion


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-05"}),
    )
    audience = forms.ChoiceField(
        label=_("Audience"), required=False, choices=[("", _("All"))] + list(Event.Audience.choices)
    )
    area = forms.ChoiceField(label=_("Service area"), required=False)

    def __init__(self, *args, kinds=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All"))] + [(k.code, k.name) for k in kinds]
        self.fields["area"].choices = [("", _("All"))] + [(a.code, a.name) for a in areas]


class RegisterForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("Organization"), coerce=int, required=False)
    attendees = forms.IntegerField(label=_("Attendees"), min_value=1, max_value=99, initial=1, required=False)
    name = forms.CharField(label=_("Name (contact person)"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        if organizations:
            self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]
            self.fields["organization"].required = True
        else:
            del self.fields["organization"]
            del self.fields["attendees"]


class PhoneRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    attendees = forms.IntegerField(label=_("Attendees"), min_value=1, max_value=99, initial=1)


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("Check-in code"), max_length=40)
    session = forms.IntegerField(label=_("Session"), min_value=1, initial=1, required=False)


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)


class MinutesForm(forms.Form):
    body = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}))
    published = forms.BooleanField(label=_("Publish on the event page"), required=False)


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Attachment.Kind.choices)
    file = forms.FileField(label=_("File"))
    public = forms.BooleanField(label=_("Public"), required=False)


class AttendanceForm(forms.Form):
    session = forms.IntegerField(label=_("Session"), min_value=1, initial=1)
    status = forms.ChoiceField(label=_("Attendance"), choices=Attendance.Status.choices)


class OpinionForm(forms.Form):
    paragraph = forms.TypedChoiceField(label=_("On"), coerce=int, required=False, empty_value=None)
    body = forms.CharField(
        label=_("Your opinion"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": Opinion.MAX_LENGTH}),
        # the service gives the clear message; no form-level max so the count is shown
        strip=True,
    )
    name = forms.CharField(label=_("Your name"), max_length=120)
    name_public = forms.BooleanField(label=_("Show my name with the opinion"), required=False)
    phone = forms.CharField(label=_("Phone (only the center sees it)"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail (only the center sees it)"), required=False)

    def __init__(self, *args, paragraphs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paragraph"].choices = [("", _("The whole draft"))] + [
            (p.pk, f"§{p.number} {p.heading}".strip()) for p in paragraphs
        ]


class HearingOpinionForm(OpinionForm):
    """Staff record an opinion spoken at the hearing."""


class SpeakerForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    phone = forms.CharField(label=_("Phone (only the center sees it)"), max_length=20, required=False)
    topic = forms.CharField(
        label=_("What you want to say"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ForwardForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Department"), coerce=int)
    note = forms.CharField(
        label=_("Note to the department"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]


class AnswerForm(forms.Form):
    result = forms.ChoiceField(label=_("Answer"), choices=Opinion.Result.choices)
    answer = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackForm(forms.Form):
    feedback = forms.CharField(label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 4}))
