from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Attachment, Attendance, Audience, Consultation, Event, EventKind, Opinion
from organizations.models import ServiceArea


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


# ------------------------------------------------------------ staff: set up events ----


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class EventForm(forms.Form):
    """An event as staff set it up; the cross-field rules are the services' own
    (`services.event_schedule_errors`), shown next to the fields they concern."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ModelChoiceField(label=_("Kind"), queryset=EventKind.objects.none())
    organizer_department = forms.ChoiceField(
        label=_("Organizing department"), choices=Event.Department.choices
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    venue = forms.CharField(
        label=_("Venue"), max_length=200, required=False, help_text=_("Address or room name.")
    )
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeLocalInput())
    registration_opens_at = forms.DateTimeField(
        label=_("Registration opens"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Empty: open as soon as the event is published."),
    )
    registration_closes_at = forms.DateTimeField(
        label=_("Registration closes"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Empty: open until the event starts."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        max_value=100000,
        error_messages={"min_value": _("The capacity must be at least 1.")},
    )
    max_per_organization = forms.IntegerField(
        label=_("Attendees per organization"),
        min_value=1,
        max_value=999,
        initial=3,
        error_messages={"min_value": _("At least one attendee per organization.")},
    )
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices, initial=Audience.EVERYONE)
    requires_approval = forms.BooleanField(label=_("Registrations need approval"), required=False)
    gives_certificate = forms.BooleanField(label=_("Gives a certificate"), required=False)
    sessions = forms.IntegerField(
        label=_("Number of sessions"),
        min_value=1,
        max_value=99,
        initial=1,
        error_messages={"min_value": _("At least one session.")},
    )
    attendance_threshold = forms.IntegerField(
        label=_("Sessions needed for a certificate"), min_value=1, max_value=99, initial=1
    )
    service_areas = forms.ModelMultipleChoiceField(
        label=_("Service areas"),
        queryset=ServiceArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = EventKind.objects.filter(active=True)
        self.fields["service_areas"].queryset = ServiceArea.objects.order_by("sort_order", "code")

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        data = {name: getattr(event, name) for name in cls.base_fields if name != "service_areas"}
        data["starts_at"] = timezone.localtime(event.starts_at)
        data["ends_at"] = timezone.localtime(event.ends_at)
        for name in ("registration_opens_at", "registration_closes_at"):
            value = getattr(event, name)
            data[name] = timezone.localtime(value) if value else None
        data["service_areas"] = list(event.service_areas.all())
        return data

    def clean(self):
        data = super().clean()
        from consultations.services import event_schedule_errors

        for field, message in event_schedule_errors(data).items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class AgendaItemForm(forms.Form):
    starts_at = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    title = forms.CharField(label=_("Item"), max_length=200, required=False)
    speaker = forms.CharField(label=_("Speaker"), max_length=120, required=False)

    def clean(self):
        data = super().clean()
        if data.get("title") and data.get("starts_at") is None and "starts_at" not in self.errors:
            self.add_error("starts_at", _("Give the time of this item."))
        if data.get("starts_at") is not None and not data.get("title"):
            self.add_error("title", _("Give the title of this item."))
        return data

    @property
    def item(self) -> dict | None:
        """The row's agenda item, or None for an empty row."""
        data = getattr(self, "cleaned_data", {})
        if not data.get("title"):
            return None
        return {"starts_at": data["starts_at"], "title": data["title"], "speaker": data.get("speaker", "")}


AgendaFormSet = forms.formset_factory(AgendaItemForm, extra=3, max_num=40, absolute_max=40)


def agenda_formset(data=None, event: Event | None = None):
    initial = (
        [{"starts_at": a.starts_at, "title": a.title, "speaker": a.speaker} for a in event.agenda.all()]
        if event
        else []
    )
    return AgendaFormSet(data, initial=initial, prefix="agenda")


# ------------------------------------------------------- staff: set up consultations ----


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(
        label=_("Text of the draft"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Separate the paragraphs with an empty line; each becomes a paragraph people can "
            "comment on. A line starting with # gives the paragraph its heading, e.g. "
            "“# Article 3”."
        ),
    )
    event = forms.ModelChoiceField(
        label=_("Hearing"),
        queryset=Event.objects.none(),
        required=False,
        help_text=_("The hearing where opinions are also given in person, if any."),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens for opinions"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Once published, it opens on this date by itself."),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes for opinions"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("It closes on this date by itself."),
    )
    reply_working_days = forms.IntegerField(
        label=_("Working days for departments to reply"),
        min_value=1,
        max_value=60,
        initial=15,
        error_messages={
            "min_value": _("Between 1 and 60 working days."),
            "max_value": _("Between 1 and 60 working days."),
        },
    )

    def __init__(self, *args, consultation: Consultation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        since = timezone.now() - timedelta(days=180)
        events = Q(starts_at__gte=since) & ~Q(status=Event.Status.CANCELLED)
        if consultation is not None and consultation.event_id:
            events |= Q(pk=consultation.event_id)
        self.fields["event"].queryset = Event.objects.filter(events).order_by("starts_at", "pk")
        self.fields["event"].label_from_instance = lambda e: (
            f"{timezone.localtime(e.starts_at):%Y-%m-%d} {e.title}"
        )

    @classmethod
    def initial_for(cls, consultation: Consultation) -> dict:
        from consultations.services import paragraphs_to_text

        data = {
            name: getattr(consultation, name) for name in ("title", "summary", "event", "reply_working_days")
        }
        for name in ("opens_at", "closes_at"):
            value = getattr(consultation, name)
            data[name] = timezone.localtime(value) if value else None
        data["body"] = paragraphs_to_text(consultation.paragraphs.order_by("number"))
        return data

    def clean(self):
        data = super().clean()
        from consultations.services import consultation_dates_errors, paragraphs_from_text

        for field, message in consultation_dates_errors(data).items():
            if field not in self.errors:
                self.add_error(field, message)
        if data.get("body") and not paragraphs_from_text(data["body"]):
            self.add_error("body", _("The draft text is empty."))
        return data
