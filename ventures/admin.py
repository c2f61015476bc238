from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from center.admin_guard import GuardedAdmin, ReadOnlyInline
from center.errors import DomainError
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


def _rubric_scored(round_id) -> bool:
    return bool(round_id) and models.ReviewScore.objects.filter(criterion__round_id=round_id).exists()


class CriterionInline(admin.TabularInline):
    """The rubric is fixed once a review scored it (as services.round_rubric_set says)."""

    model = models.Criterion
    formset = _WeightsFormSet
    extra = 0

    def _locked(self, obj) -> bool:
        return obj is not None and _rubric_scored(obj.pk)

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class InstallmentRuleInline(admin.TabularInline):
    model = models.InstallmentRule
    formset = _PercentsFormSet
    extra = 0


class BudgetLineInline(ReadOnlyInline):
    """The applicant's budget changes on the application pages (money never negative)."""

    model = models.BudgetLine


class InstallmentInline(admin.TabularInline):
    """Payments are recorded on the application page (services.installment_pay checks the
    trigger and that the total never exceeds the award); the admin shows them only."""

    model = models.Installment
    extra = 0
    can_delete = False
    readonly_fields = ["order", "trigger", "planned_amount", "status", "paid_date"]

    def has_add_permission(self, request, obj=None):
        return False


class _DryRun(Exception):
    pass


class _RoundAdminForm(forms.ModelForm):
    """Changes to an existing round are checked by services.round_update (the round row
    locked, the committed money counted on it) and saved by it in RoundAdmin.save_model."""

    class Meta:
        model = models.Round
        fields = "__all__"  # noqa: DJ007 - the admin shows every field; the service checks them

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            from ventures import services

            try:
                with transaction.atomic():  # a dry run: the service checks, the savepoint undoes
                    services.round_update(round=self.instance, by=self.by, data=self.changes())
                    raise _DryRun
            except _DryRun:
                pass
            except DomainError as exc:
                raise ValidationError(exc.message) from exc
        return cleaned

    def changes(self) -> dict:
        names = {f.name for f in models.Round._meta.concrete_fields}
        return {k: v for k, v in self.cleaned_data.items() if k in names and k in self.changed_data}


@admin.register(models.Fund)
class FundAdmin(GuardedAdmin):
    # The budget of an existing fund changes on the ventures pages, where the service checks
    # it against what is committed, with the fund row locked.
    locked_fields = ["budget"]
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        from ventures import services

        # the service decides on the locked round row (budget against committed awards)
        services.round_update(round=obj, by=request.user, data=form.changes())
        return None


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
        "requested_amount",
        "co_funding",
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
class ReviewAdmin(GuardedAdmin):
    locked_fields = ["application", "reviewer", "status", "comment", "total", "assigned_at", "submitted_at"]
    allow_add = False
    list_display = ["application", "reviewer", "status", "total", "submitted_at"]
    list_filter = ["status", "application__round"]
    search_fields = ["application__title", "reviewer__username"]
    raw_id_fields = ["application", "reviewer"]


@admin.register(models.ConflictDeclaration)
class ConflictDeclarationAdmin(GuardedAdmin):
    locked_fields = ["application", "reviewer", "reason", "replacement", "declared_at"]
    allow_add = False
    list_display = ["application", "reviewer", "replacement", "declared_at"]
    list_filter = ["declared_at"]
    search_fields = ["application__title", "reviewer__username"]
    raw_id_fields = ["application", "reviewer", "replacement"]


@admin.register(models.Objection)
class ObjectionAdmin(GuardedAdmin):
    locked_fields = ["application", "status", "resolution", "resolved_by", "resolved_at"]
    allow_add = False
    list_display = ["application", "name", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "application__title"]
    raw_id_fields = ["application"]


@admin.register(models.Agreement)
class AgreementAdmin(GuardedAdmin):
    locked_fields = ["application", "terms", "accepted_at", "accepted_by"]
    allow_add = False
    list_display = ["application", "created_at", "accepted_at"]
    list_filter = ["accepted_at"]
    search_fields = ["application__title"]
    raw_id_fields = ["application"]


@admin.register(models.Installment)
class InstallmentAdmin(GuardedAdmin):
    locked_fields = ["application", "order", "trigger", "planned_amount", "status", "paid_date"]
    allow_add = False
    list_display = ["application", "order", "trigger", "planned_amount", "status", "paid_date"]
    list_filter = ["status", "trigger"]
    search_fields = ["application__title"]
    raw_id_fields = ["application"]


@admin.register(models.ProgressReport)
class ProgressReportAdmin(GuardedAdmin):
    locked_fields = ["application", "kind", "due_date", "status", "submitted_at"]
    allow_add = False
    list_display = ["application", "kind", "due_date", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["application__title"]
    raw_id_fields = ["application"]


@admin.register(models.Evaluation)
class EvaluationAdmin(GuardedAdmin):
    locked_fields = ["report", "score", "result", "comment", "evaluated_by", "evaluated_at"]
    allow_add = False
    list_display = ["report", "score", "result", "evaluated_at"]
    list_filter = ["result"]
    search_fields = ["report__application__title"]


@admin.register(models.Attachment)
class AttachmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "application", "mime", "size", "uploaded_at"]
    list_filter = ["mime"]
    search_fields = ["name", "application__title"]
    raw_id_fields = ["application", "report"]


class CriterionAdmin(SimpleHistoryAdmin):
    search_fields = ["name", "round__title"]
    list_filter = ["round"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "round", "name", "weight"] if obj and _rubric_scored(obj.round_id) else fields

    def has_delete_permission(self, request, obj=None):
        return not (obj and _rubric_scored(obj.round_id)) and super().has_delete_permission(request, obj)


admin.site.register(models.Criterion, CriterionAdmin)

# (model, search, filters, fields the admin never edits, whether the admin may add one)
for _model, _fields, _filters, _locked, _add in [
    (models.InstallmentRule, ["round__title"], ["round", "trigger"], [], True),
    (
        models.BudgetLine,
        ["item", "application__title"],
        ["application__round"],
        ["application", "amount"],
        False,
    ),
    (models.Milestone, ["description", "application__title"], ["application__round"], [], True),
    (
        models.ReviewScore,
        ["review__application__title"],
        ["criterion__round"],
        ["review", "criterion", "score", "comment"],
        False,
    ),
    (
        models.SpendingLine,
        ["budget_line__item", "report__application__title"],
        ["report__kind"],
        ["report", "budget_line", "spent"],
        False,
    ),
]:
    admin.site.register(
        _model,
        GuardedAdmin,
        search_fields=_fields,
        list_filter=_filters,
        raw_id_fields=[
            f.name for f in _model._meta.fields if f.many_to_one and f.name not in ("round", *_locked)
        ],
        locked_fields=_locked,
        allow_add=_add,
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
