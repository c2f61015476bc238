"""Forms of incubation pages. They only shape input; the rules live in the services."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubation.models import Application, GraduationEvaluation, ServiceLogEntry, Space, Waiver

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ApplicationForm(forms.Form):
    organization = forms.TypedChoiceField(
        label=_("Apply for"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Leave empty to apply as a grassroots group that is not registered yet."),
    )
    group_name = forms.CharField(label=_("Group name (not registered yet)"), max_length=200, required=False)
    members = forms.CharField(
        label=_("Members of the group"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    service_area = forms.CharField(label=_("Service area"), max_length=200)
    team = forms.CharField(label=_("Team"), widget=forms.Textarea(attrs={"rows": 3}))
    plan = forms.CharField(label=_("Incubation plan"), widget=forms.Textarea(attrs={"rows": 5}))
    space_need = forms.ChoiceField(label=_("Space needed"), choices=Application.SpaceNeed.choices)
    desks_needed = forms.IntegerField(
        label=_("Desks needed"), min_value=0, max_value=20, initial=0, required=False
    )
    attachment = forms.FileField(label=_("Attachment (PDF, image, Office)"), required=False)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("— a grassroots group —"))] + [
            (o.pk, o.name) for o in organizations
        ]

    def clean(self):
        data = super().clean()
        if not data.get("organization") and not (data.get("group_name") or "").strip():
            self.add_error("group_name", _("Give the group's name, or choose your organization."))
        return data


class DecisionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AdmitForm(forms.Form):
    space = forms.ModelChoiceField(
        label=_("Space assigned"),
        queryset=Space.objects.none(),
        required=False,
        help_text=_("Leave empty for virtual incubation."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=24, initial=12)
    deposit = forms.DecimalField(label=_("Deposit"), min_value=0, max_digits=12, decimal_places=2, initial=0)
    conditions = forms.CharField(
        label=_("Conditions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    rent_percent = forms.DecimalField(
        label=_("Rent waiver (%)"),
        max_digits=5,
        decimal_places=2,
        initial=100,
        required=False,
        help_text=_("0–100; 100 means free."),
    )
    rent_months = forms.IntegerField(
        label=_("Rent waiver for (months)"), min_value=0, max_value=24, initial=12, required=False
    )
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, spaces=None, **kwargs):
        super().__init__(*args, **kwargs)
        if spaces is not None:
            self.fields["space"].queryset = spaces


class WaiverForm(forms.ModelForm):
    class Meta:
        model = Waiver
        fields = ["item", "percent", "monthly_value", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}


class ReportForm(forms.Form):
    activities = forms.CharField(label=_("Activities"), widget=forms.Textarea(attrs={"rows": 4}))
    people_served = forms.IntegerField(label=_("People served"), min_value=0)
    volunteers = forms.IntegerField(label=_("Volunteers"), min_value=0)
    income = forms.DecimalField(label=_("Income (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    problems = forms.CharField(label=_("Problems"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class GraduationForm(forms.Form):
    registered = forms.BooleanField(label=_("Registered as a legal entity"), required=False)
    governance = forms.BooleanField(label=_("Sound governance"), required=False)
    running_project = forms.BooleanField(label=_("At least one running project"), required=False)
    funding_secured = forms.BooleanField(label=_("Funding secured"), required=False)
    panel = forms.CharField(label=_("Panel members"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Panel's opinion"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=GraduationEvaluation.Outcome.choices)
    extend_months = forms.IntegerField(
        label=_("Extension (months)"), min_value=0, max_value=12, initial=0, required=False
    )


class HandoverForm(forms.Form):
    keys_returned = forms.BooleanField(label=_("Keys returned"), required=False)
    desks_cleared = forms.BooleanField(label=_("Space and desks cleared"), required=False)
    deposit_refunded = forms.BooleanField(label=_("Deposit refunded"), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class FollowUpForm(forms.Form):
    still_active = forms.BooleanField(label=_("We are still active"), required=False)
    staff_count = forms.IntegerField(label=_("Staff"), min_value=0)
    projects_running = forms.IntegerField(label=_("Projects running"), min_value=0)
    how_are_you = forms.CharField(label=_("How are you doing?"), widget=forms.Textarea(attrs={"rows": 3}))


class ServiceLogForm(forms.ModelForm):
    class Meta:
        model = ServiceLogEntry
        fields = ["incubatee", "kind", "date", "hours", "expert", "summary", "outcome"]
        widgets = {"date": DATE, "outcome": forms.Textarea(attrs={"rows": 2})}


class BookingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)

    def clean(self):
        data = super().clean()
        a, b = data.get("starts_at"), data.get("ends_at")
        if a and b and b <= a:
            self.add_error("ends_at", _("A booking must end after it starts."))
        return data


WEEKDAY_CHOICES = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


class SeriesForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    first_day = forms.DateField(label=_("First day"), widget=DATE)
    start_time = forms.TimeField(label=_("From"), widget=TIME)
    end_time = forms.TimeField(label=_("To"), widget=TIME)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"), choices=WEEKDAY_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    interval = forms.IntegerField(label=_("Every N weeks"), min_value=1, max_value=4, initial=1)
    until = forms.DateField(label=_("Until"), widget=DATE)

    def clean(self):
        data = super().clean()
        a, b = data.get("start_time"), data.get("end_time")
        if a and b and b <= a:
            self.add_error("end_time", _("A booking must end after it starts."))
        return data

    def first_occurrence(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        d = self.cleaned_data["first_day"]
        return (
            timezone.make_aware(datetime.combine(d, self.cleaned_data["start_time"]), tz),
            timezone.make_aware(datetime.combine(d, self.cleaned_data["end_time"]), tz),
        )


class BlockedPeriodForm(forms.Form):
    space = forms.ModelChoiceField(label=_("Room"), queryset=Space.objects.none(), required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rooms is not None:
            self.fields["space"].queryset = rooms
