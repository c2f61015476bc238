from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ventures import models


class _SumsTo100(BaseInlineFormSet):
    """The rubric's weights (or the schedule's percents) must sum to 100."""

    field = ""

    def clean(self):
        super().clean()
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        total = sum(r.get(self.field) or 0 for r in rows)
        if rows and total != 100:
            if self.field == "weight":
                raise ValidationError(_("The weights must sum to 100 (they sum to %(n)d).") % {"n": total})
            raise ValidationError(_("The percents must sum to 100."))


class _WeightsFormSet(_SumsTo100):
    field = "weight"


class _PercentsFormSet(_SumsTo100):
    field = "percent"


class CriterionInline(admin.TabularInline):
    model = models.Criterion
    formset = _WeightsFormSet
    extra = 0


class InstallmentRuleInline(admin.TabularInline):
    model = models.InstallmentRule
    formset = _PercentsFormSet
    extra = 0


class BudgetLineInline(admin.TabularInline):
    model = models.BudgetLine
    extra = 0


class InstallmentInline(admin.TabularInline):
    """Payments are recorded on the application page (services.installment_pay checks the
    trigger and that the total never exceeds the award); the admin shows them only."""

    model = models.Installment
    extra = 0
    can_delete = False
    readonly_fields = ["order", "trigger", "planned_amount", "status", "paid_date"]

    def has_add_permission(self, request, obj=None):
        return False


class _RoundAdminForm(forms.ModelForm):
    class Meta:
        model = models.Round
        fields = "__all__"  # noqa: DJ007 - the admin shows every field; this form only adds a check

    def clean_budget(self):
        from ventures.selectors import round_committed

        budget = self.cleaned_data["budget"]
        if self.instance.pk and budget is not None:
            committed = round_committed(self.instance.pk)
            if budget < committed:
                raise ValidationError(
                    _("The budget cannot be lower than the %(c)s yuan already committed to awards.")
                    % {"c": f"{committed:,.2f}"}
                )
        return budget


class _FundAdminForm(forms.ModelForm):
    class Meta:
        model = models.Fund
        fields = "__all__"  # noqa: DJ007 - the admin shows every field; this form only adds a check

    def clean_budget(self):
        from ventures.selectors import fund_committed

        budget = self.cleaned_data["budget"]
        if self.instance.pk and budget is not None:
            committed = fund_committed(self.instance.pk)
            if budget < committed:
                raise ValidationError(
                    _("The budget cannot be lower than the %(c)s yuan already committed to awards.")
                    % {"c": f"{committed:,.2f}"}
                )
        return budget


@admin.register(models.Fund)
class FundAdmin(SimpleHistoryAdmin):
    form = _FundAdminForm
    list_display = ["name", "source", "year", "budget"]
    list_filter = ["source", "year"]
    search_fields = ["name"]


@admin.register(models.Round)
class RoundAdmin(SimpleHistoryAdmin):
    form = _RoundAdminForm
    list_display = ["title", "year", "fund", "budget", "cap", "call_opens", "call_closes", "blind_review"]
    list_filter = ["year", "fund", "blind_review"]
    search_fields = ["title"]
    inlines = [CriterionInline, InstallmentRuleInline]


@admin.register(models.Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "organization",
        "round",
        "category",
        "status",
        "requested_amount",
        "award_amount",
    ]
    list_filter = ["status", "category", "round"]
    search_fields = ["title", "organization__name"]
    raw_id_fields = ["organization", "created_by"]
    inlines = [BudgetLineInline, InstallmentInline]
    # Status and money change through the services (pipeline, budget lock, history rows).
    readonly_fields = [
        "status",
        "award_amount",
        "fund",
        "awarded_at",
        "submitted_at",
        "review_count",
        "review_score",
        "review_spread",
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # never write back the read-only columns from a copy loaded before a concurrent change
        fields = [
            f.name
            for f in obj._meta.concrete_fields
            if not f.primary_key and f.name not in self.readonly_fields
        ]
        obj.save(update_fields=fields)
        return None


@admin.register(models.Review)
class ReviewAdmin(SimpleHistoryAdmin):
    list_display = ["application", "reviewer", "status", "total", "submitted_at"]
    list_filter = ["status", "application__round"]
    search_fields = ["application__title", "reviewer__username"]
    raw_id_fields = ["application", "reviewer"]


@admin.register(models.ConflictDeclaration)
class ConflictDeclarationAdmin(SimpleHistoryAdmin):
    list_display = ["application", "reviewer", "replacement", "declared_at"]
    list_filter = ["declared_at"]
    search_fields = ["application__title", "reviewer__username"]
    raw_id_fields = ["application", "reviewer", "replacement"]


@admin.register(models.Objection)
class ObjectionAdmin(SimpleHistoryAdmin):
    list_display = ["application", "name", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "application__title"]
    raw_id_fields = ["application"]


@admin.register(models.Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["application", "created_at", "accepted_at"]
    list_filter = ["accepted_at"]
    search_fields = ["application__title"]
    raw_id_fields = ["application"]


@admin.register(models.Installment)
class InstallmentAdmin(SimpleHistoryAdmin):
    list_display = ["application", "order", "trigger", "planned_amount", "status", "paid_date"]
    list_filter = ["status", "trigger"]
    search_fields = ["application__title"]
    raw_id_fields = ["application"]


@admin.register(models.ProgressReport)
class ProgressReportAdmin(SimpleHistoryAdmin):
    list_display = ["application", "kind", "due_date", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["application__title"]
    raw_id_fields = ["application"]


@admin.register(models.Evaluation)
class EvaluationAdmin(SimpleHistoryAdmin):
    list_display = ["report", "score", "result", "evaluated_at"]
    list_filter = ["result"]
    search_fields = ["report__application__title"]


@admin.register(models.Attachment)
class AttachmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "application", "mime", "size", "uploaded_at"]
    list_filter = ["mime"]
    search_fields = ["name", "application__title"]
    raw_id_fields = ["application", "report"]


for _model, _fields, _filters in [
    (models.Criterion, ["name", "round__title"], ["round"]),
    (models.InstallmentRule, ["round__title"], ["round", "trigger"]),
    (models.BudgetLine, ["item", "application__title"], ["application__round"]),
    (models.Milestone, ["description", "application__title"], ["application__round"]),
    (models.ReviewScore, ["review__application__title"], ["criterion__round"]),
    (models.SpendingLine, ["budget_line__item", "report__application__title"], ["report__kind"]),
]:
    admin.site.register(
        _model,
        SimpleHistoryAdmin,
        search_fields=_fields,
        list_filter=_filters,
        raw_id_fields=[f.name for f in _model._meta.fields if f.many_to_one and f.name != "round"],
    )


@admin.register(models.ApplicationStatusChange)
class ApplicationStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["application", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["application__title"]
    raw_id_fields = ["application", "by"]


# --- status history of the smaller workflows (read-only; written by center.workflow) -------
from center.history_admin import register_status_history  # noqa: E402

register_status_history(
    models.ReviewStatusChange,
    models.ObjectionStatusChange,
    models.InstallmentStatusChange,
    models.ProgressReportStatusChange,
)
