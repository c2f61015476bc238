"""Admin console for incubation. Workflow statuses, scores and money decided by the services
are read-only here: status changes and assignments go through the portal's pages, which
enforce the rules (no double assignment, no double booking, reasons, notices)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from center.validators import IMAGE_MIME_TYPES, validate_upload
from incubation import models


class _WeightsSumTo100(BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        total = sum(r.get("weight") or 0 for r in rows)
        if rows and total != 100:
            raise ValidationError(_("The weights must sum to 100 (they sum to %(n)d).") % {"n": total})


class IndicatorInline(admin.TabularInline):
    model = models.Indicator
    formset = _WeightsSumTo100
    extra = 0


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WaiverInline(_ReadOnlyInline):
    model = models.Waiver
    fields = readonly_fields = ["item", "percent", "monthly_value", "starts_on", "ends_on"]


class ApplicationHistoryInline(_ReadOnlyInline):
    model = models.ApplicationStatusChange
    fields = readonly_fields = ["at", "by", "from_status", "to_status", "reason"]


class AgreementHistoryInline(_ReadOnlyInline):
    model = models.AgreementStatusChange
    fields = readonly_fields = ["at", "by", "from_status", "to_status", "reason"]


class BookingHistoryInline(_ReadOnlyInline):
    model = models.BookingStatusChange
    fields = readonly_fields = ["at", "by", "from_status", "to_status", "reason"]


@admin.register(models.Base)
class BaseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "street", "area_m2", "opened_on"]
    list_filter = ["street"]
    search_fields = ["name", "address"]


class SpacePhotoForm(forms.ModelForm):
    class Meta:
        model = models.SpacePhoto
        fields = ["file", "caption", "order"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if hasattr(upload, "content_type"):  # a new upload, not the stored file
            validate_upload(upload, allowed=IMAGE_MIME_TYPES)
        return upload


class SpacePhotoInline(admin.TabularInline):
    model = models.SpacePhoto
    form = SpacePhotoForm
    extra = 1


@admin.register(models.Space)
class SpaceAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "base",
        "kind",
        "floor",
        "area_m2",
        "capacity",
        "status",
        "needs_approval",
    ]
    list_filter = ["base", "kind", "floor", "status", "needs_approval", "bookable_by"]
    search_fields = ["code", "name", "equipment"]
    readonly_fields = ["ical_token"]
    inlines = [SpacePhotoInline]


@admin.register(models.BlockedPeriod)
class BlockedPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["reason", "base", "space", "starts_at", "ends_at"]
    list_filter = ["base"]
    search_fields = ["reason", "space__code"]


@admin.register(models.IndicatorSheet)
class IndicatorSheetAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "pass_mark"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [IndicatorInline]


@admin.register(models.Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "sheet", "weight", "order"]
    list_filter = ["sheet"]
    search_fields = ["name"]


@admin.register(models.EntryCall)
class EntryCallAdmin(SimpleHistoryAdmin):
    list_display = ["title", "base", "places", "opens_at", "closes_at", "is_published"]
    list_filter = ["base", "is_published"]
    search_fields = ["title", "criteria"]


@admin.register(models.Incubatee)
class IncubateeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "contact", "status", "graduated_on", "listed_publicly"]
    list_filter = ["status", "listed_publicly"]
    search_fields = ["name", "organization__name", "contact__username", "service_area"]
    raw_id_fields = ["organization", "contact"]
    readonly_fields = ["status", "graduated_on", "ical_token"]


@admin.register(models.Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ["incubatee", "call", "space_need", "status", "answer_due", "score"]
    list_filter = ["status", "space_need", "call"]
    search_fields = ["incubatee__name", "service_area", "plan"]
    raw_id_fields = ["incubatee", "created_by"]
    readonly_fields = [
        "status",
        "reason",
        "submitted_at",
        "answer_due",
        "score",
        "offer_space",
        "offer_deadline",
        "created_at",
        "updated_at",
    ]
    inlines = [ApplicationHistoryInline]


@admin.register(models.ApplicationStatusChange)
class ApplicationStatusChangeAdmin(SimpleHistoryAdmin):
    list_display = ["application", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["application__incubatee__name", "reason"]
    readonly_fields = ["application", "from_status", "to_status", "by", "at", "reason"]


@admin.register(models.PanelScore)
class PanelScoreAdmin(SimpleHistoryAdmin):
    list_display = ["application", "scorer", "indicator", "score"]
    list_filter = ["indicator__sheet"]
    search_fields = ["application__incubatee__name", "scorer__username"]
    readonly_fields = ["application", "scorer", "indicator", "score"]


@admin.register(models.Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["number", "incubatee", "space", "starts_on", "ends_on", "status", "deposit", "renewals"]
    list_filter = ["status", "renewal", "space__base", "failing_warning"]
    search_fields = ["number", "incubatee__name", "space__code"]
    readonly_fields = [
        "number",
        "incubatee",
        "application",
        "space",
        "starts_on",
        "ends_on",
        "status",
        "renewals",
        "renewal",
        "deposit",
        "deposit_refunded",
        "failing_warning",
        "created_at",
        "updated_at",
    ]
    inlines = [WaiverInline, AgreementHistoryInline]


@admin.register(models.AgreementStatusChange)
class AgreementStatusChangeAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["agreement__number", "reason"]
    readonly_fields = ["agreement", "from_status", "to_status", "by", "at", "reason"]


@admin.register(models.Waiver)
class WaiverAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "item", "percent", "monthly_value", "starts_on", "ends_on"]
    list_filter = ["item"]
    search_fields = ["agreement__number", "agreement__incubatee__name"]
    readonly_fields = ["agreement", "item", "percent", "monthly_value", "starts_on", "ends_on"]


@admin.register(models.ServiceLogEntry)
class ServiceLogEntryAdmin(SimpleHistoryAdmin):
    list_display = ["date", "incubatee", "kind", "hours", "given_by", "expert"]
    list_filter = ["kind"]
    search_fields = ["incubatee__name", "summary", "expert"]
    raw_id_fields = ["incubatee", "given_by"]


@admin.register(models.QuarterlyReport)
class QuarterlyReportAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "year", "quarter", "due_on", "status", "score", "passed"]
    list_filter = ["status", "year", "quarter", "passed"]
    search_fields = ["agreement__number", "agreement__incubatee__name"]
    readonly_fields = [
        "agreement",
        "year",
        "quarter",
        "due_on",
        "status",
        "income",
        "score",
        "passed",
        "return_reason",
        "submitted_at",
        "submitted_by",
        "assessed_by",
        "assessed_at",
        "updated_at",
    ]


@admin.register(models.QuarterlyScore)
class QuarterlyScoreAdmin(SimpleHistoryAdmin):
    list_display = ["report", "indicator", "score"]
    list_filter = ["indicator__sheet"]
    search_fields = ["report__agreement__number"]
    readonly_fields = ["report", "indicator", "score"]


@admin.register(models.GraduationEvaluation)
class GraduationEvaluationAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "outcome", "decided_on", "decided_by"]
    list_filter = ["outcome", "registered"]
    search_fields = ["agreement__number", "agreement__incubatee__name", "notes"]
    readonly_fields = ["agreement", "outcome", "extend_months", "decided_by", "decided_on"]


@admin.register(models.Handover)
class HandoverAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "started_on", "due_on", "status"]
    list_filter = ["status"]
    search_fields = ["agreement__number", "agreement__incubatee__name"]
    readonly_fields = [
        "agreement",
        "started_on",
        "due_on",
        "status",
        "done_at",
        "deposit_refunded",
        "updated_at",
    ]


@admin.register(models.FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "months", "due_on", "status", "still_active"]
    list_filter = ["status", "months"]
    search_fields = ["agreement__incubatee__name"]
    readonly_fields = ["agreement", "months", "due_on", "status", "answered_at"]


@admin.register(models.BookingSeries)
class BookingSeriesAdmin(SimpleHistoryAdmin):
    list_display = ["title", "space", "booked_by", "rrule", "created_at"]
    list_filter = ["space"]
    search_fields = ["title", "booked_by__username"]
    readonly_fields = ["space", "booked_by", "rrule", "created_at"]


@admin.register(models.Booking)
class BookingAdmin(SimpleHistoryAdmin):
    list_display = ["space", "starts_at", "ends_at", "title", "booked_by", "status"]
    list_filter = ["status", "space"]
    search_fields = ["title", "booked_by__username", "space__code"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "space",
        "booked_by",
        "incubatee",
        "organization",
        "series",
        "starts_at",
        "ends_at",
        "status",
        "checked_in_at",
        "created_at",
        "updated_at",
    ]
    inlines = [BookingHistoryInline]


@admin.register(models.BookingStatusChange)
class BookingStatusChangeAdmin(SimpleHistoryAdmin):
    list_display = ["booking", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["booking__title", "reason"]
    readonly_fields = ["booking", "from_status", "to_status", "by", "at", "reason"]


@admin.register(models.NoShow)
class NoShowAdmin(SimpleHistoryAdmin):
    list_display = ["booking", "user", "marked_at", "marked_by"]
    search_fields = ["user__username", "booking__title"]
    list_filter = ["marked_at"]
    readonly_fields = ["booking", "user", "marked_at", "marked_by"]
