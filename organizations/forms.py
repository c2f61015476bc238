from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from center.forms import DeadlineDateInput
from center.models import NetworkUnit
from organizations.models import (
    AnnualReport,
    GradingEvaluation,
    Membership,
    Organization,
    ServiceArea,
)
from organizations.services import PROFILE_FIELDS, organization_clean

DATE = forms.DateInput(attrs={"type": "date"})


class OrganizationForm(forms.ModelForm):
    """The profile; the model-level checks (credit code against type, phone) run in clean()."""

    certificate = forms.FileField(
        label=_("registration certificate"),
        required=False,
        help_text=_("PDF or image of the registration certificate, up to 10 MB."),
    )
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = [*PROFILE_FIELDS, "service_areas"]
        widgets = {
            "registration_date": DATE,
            "service_areas": forms.CheckboxSelectMultiple,
            "business_scope": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, lock_identity=False, **kwargs):
        super().__init__(*args, **kwargs)
        units = NetworkUnit.objects.order_by("parent__sort_order", "sort_order", "path")
        self.fields["street"].queryset = units.filter(level=NetworkUnit.Level.STREET)
        self.fields["community"].queryset = units.filter(level=NetworkUnit.Level.COMMUNITY)
        self.fields["service_areas"].queryset = ServiceArea.objects.all()
        self.fields["street"].required = True
        self.fields["credit_code"].help_text = _(
            "18 characters; community organizations on record may leave it empty."
        )
        if lock_identity:
            for name in ("credit_code", "org_type", "registration_date", "registration_authority"):
                self.fields[name].disabled = True

    def _post_clean(self):
        super()._post_clean()
        try:
            organization_clean(self.instance)
        except ValidationError as e:
            for field, errors in e.error_dict.items():
                if field in self.fields and field not in self._errors:
                    self.add_error(field, errors)
                elif field not in self.fields:
                    self.add_error(None, errors)

    def validate_unique(self):  # organization_clean says it more clearly for the credit code
        self.instance.credit_code = self.instance.credit_code or None
        try:
            self.instance.validate_unique(exclude=[*self._get_validation_exclusions(), "credit_code"])
        except ValidationError as e:
            self._update_errors(e)


class JoinForm(forms.Form):
    credit_code = forms.CharField(label=_("credit code or filing number"), max_length=40)
    message = forms.CharField(label=_("message to the owner"), max_length=300, required=False)


class InviteForm(forms.Form):
    identifier = forms.CharField(label=_("username or e-mail"), max_length=150)
    role = forms.ChoiceField(label=_("role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class CampaignForm(forms.Form):
    year = forms.IntegerField(label=_("year inspected"), min_value=2000, max_value=2100)
    opens_on = forms.DateField(label=_("opens on"), widget=DATE)
    deadline = forms.DateField(
        label=_("deadline"),
        widget=DeadlineDateInput(),
        required=False,
        help_text=_("Leave empty for May 31 of the following year."),
    )
    supervising_unit_deadline = forms.DateField(
        label=_("deadline for supervising units"), widget=DeadlineDateInput(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year - 1 if today.month <= 6 else today.year
        self.fields["opens_on"].initial = today


class AnnualReportForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = [
            "activities",
            "event_count",
            "beneficiaries",
            "income",
            "expenditure",
            "net_assets",
            "fulltime_staff",
            "parttime_staff",
            "volunteers",
            "has_party_organization",
            "financial_statements",
            "audit_report",
            "rectification_report",
        ]
        widgets = {"activities": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, previous_result: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        report = self.instance
        for name in ("income", "expenditure"):  # net assets may be negative
            self.fields[name].validators.append(MinValueValidator(0))
            self.fields[name].widget.attrs["min"] = 0
        self.fields["financial_statements"].help_text = _(
            "Required: the balance sheet and the statement of activities."
        )
        if report.organization.org_type == Organization.Type.FOUNDATION:
            self.fields["audit_report"].help_text = _("Required for foundations.")
        else:
            self.fields["audit_report"].help_text = _("Optional for this type of organization.")
        if previous_result in (AnnualReport.Result.BASICALLY_QUALIFIED, AnnualReport.Result.UNQUALIFIED):
            self.fields["rectification_report"].help_text = _(
                "Required: last year's result was not Qualified."
            )
        else:
            del self.fields["rectification_report"]


class ReportReviewForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("return", _("Return for changes")), ("accept", _("Accept"))], label=_("decision")
    )
    result = forms.ChoiceField(
        label=_("result"), choices=[("", "—"), *AnnualReport.Result.choices], required=False
    )
    comment = forms.CharField(label=_("comments"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class GradingScoreForm(forms.Form):
    def __init__(self, *args, evaluation=None, **kwargs):
        super().__init__(*args, **kwargs)
        for key, top in GradingEvaluation.MAX_SCORES.items():
            label = GradingEvaluation._meta.get_field(key).verbose_name
            if (
                key == "performance"
                and evaluation
                and evaluation.organization.org_type == Organization.Type.PRIVATE_NON_ENTERPRISE
            ):
                label = _("business activities and integrity")
            self.fields[key] = forms.DecimalField(
                label=f"{label} (0–{top})", min_value=0, max_value=top, decimal_places=1
            )


class GradingThresholdForm(forms.Form):
    """Lowest total score of every grade for one evaluation year."""

    year = forms.IntegerField(label=_("evaluation year"), min_value=2000, max_value=2100)

    def __init__(self, *args, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        for grade in ["5A", "4A", "3A", "2A", "1A"]:
            self.fields[f"min_{grade}"] = forms.DecimalField(
                label=_("minimum total for %(grade)s") % {"grade": grade},
                min_value=0,
                max_value=1000,
                decimal_places=1,
                initial=(initial_scores or {}).get(grade),
            )

    def min_scores(self) -> dict:
        return {grade: self.cleaned_data[f"min_{grade}"] for grade in ["5A", "4A", "3A", "2A", "1A"]}


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("list from the civil-affairs bureau (.xlsx or .csv)"))
