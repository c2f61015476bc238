from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from center.admin_guard import GuardedAdmin
from organizations.models import (
    AnnualReport,
    AnnualReportStatusChange,
    GradingEvaluation,
    GradingThreshold,
    ImportBatch,
    InspectionCampaign,
    JoinRequest,
    Membership,
    Organization,
    OrganizationStatusChange,
    ServiceArea,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


class StatusChangeInline(admin.TabularInline):
    model = OrganizationStatusChange
    extra = 0
    readonly_fields = ("from_status", "to_status", "reason", "by", "at")
    can_delete = False


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "org_type",
        "credit_code",
        "filing_number",
        "status",
        "street",
        "grade",
        "registration_date",
    )
    list_filter = ("status", "org_type", "grade", "street", "service_areas")
    search_fields = ("name", "short_name", "credit_code", "filing_number", "legal_representative")
    list_select_related = ("street",)
    autocomplete_fields = ("street", "community")
    filter_horizontal = ("service_areas",)
    inlines = [MembershipInline, StatusChangeInline]
    # Status changes go through the workflow (staff pages), never by editing the field here.
    readonly_fields = ("status", "abnormal_since", "abnormal_reason", "grade", "grade_valid_until")


@admin.register(ServiceArea)
class ServiceAreaAdmin(SimpleHistoryAdmin):
    list_display = ("name", "name_en", "code", "sort_order")
    list_filter = ("sort_order",)
    search_fields = ("name", "code")


@admin.register(Membership)
class MembershipAdmin(GuardedAdmin):
    # Owners are added and removed on the organization's pages (the last owner stays).
    locked_fields = ("organization", "user", "role")
    list_display = ("organization", "user", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("organization__name", "user__username")
    autocomplete_fields = ("organization", "user")


@admin.register(OrganizationStatusChange)
class OrganizationStatusChangeAdmin(admin.ModelAdmin):
    list_display = ("organization", "from_status", "to_status", "by", "at")
    list_filter = ("to_status", "from_status")
    search_fields = ("organization__name", "reason")
    list_select_related = ("organization", "by")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JoinRequest)
class JoinRequestAdmin(GuardedAdmin):
    locked_fields = ("organization", "user", "message", "status", "created_at", "decided_by", "decided_at")
    allow_add = False
    list_display = ("organization", "user", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("organization__name", "user__username")
    list_select_related = ("organization", "user")


@admin.register(InspectionCampaign)
class InspectionCampaignAdmin(SimpleHistoryAdmin):
    list_display = ("year", "opens_on", "deadline", "supervising_unit_deadline", "abnormal_list_done_at")
    list_filter = ("year",)
    search_fields = ("year",)


class ReportStatusChangeInline(admin.TabularInline):
    model = AnnualReportStatusChange
    extra = 0
    readonly_fields = ("from_status", "to_status", "reason", "by", "at")
    can_delete = False


@admin.register(AnnualReport)
class AnnualReportAdmin(GuardedAdmin):
    # Filed by the organization and reviewed on the inspection pages.
    locked_fields = ("organization", "campaign", "status", "result", "income", "expenditure", "net_assets")
    allow_add = False
    list_display = ("organization", "campaign", "status", "result", "submitted_at")
    list_filter = ("campaign", "status", "result", "organization__org_type")
    search_fields = ("organization__name", "organization__credit_code")
    list_select_related = ("organization", "campaign")
    autocomplete_fields = ("organization",)
    readonly_fields = ("status",)
    inlines = [ReportStatusChangeInline]


@admin.register(GradingThreshold)
class GradingThresholdAdmin(SimpleHistoryAdmin):
    list_display = ("year", "grade", "min_score")
    list_filter = ("year", "grade")
    search_fields = ("year",)


@admin.register(GradingEvaluation)
class GradingEvaluationAdmin(GuardedAdmin):
    # Applied for by the organization, scored on the grading pages (grade and validity follow).
    locked_fields = (
        "organization",
        "year",
        "status",
        "basic_conditions",
        "internal_governance",
        "performance",
        "social_evaluation",
        "total",
        "grade",
        "valid_until",
        "applied_by",
        "applied_at",
        "scored_by",
        "scored_at",
    )
    allow_add = False
    list_display = ("organization", "year", "status", "total", "grade", "valid_until")
    list_filter = ("year", "status", "grade")
    search_fields = ("organization__name",)
    list_select_related = ("organization",)
    autocomplete_fields = ("organization",)


@admin.register(ImportBatch)
class ImportBatchAdmin(GuardedAdmin):
    locked_fields = (
        "file_name",
        "uploaded_by",
        "created_at",
        "status",
        "total_rows",
        "bad_rows",
        "processed",
        "imported",
        "error",
        "finished_at",
    )
    allow_add = False
    list_display = ("file_name", "uploaded_by", "created_at", "status", "total_rows", "imported")
    list_filter = ("status",)
    search_fields = ("file_name",)
    exclude = ("good_rows",)


# --- status history of join requests (read-only; written by center.workflow) -------------
from center.history_admin import register_status_history  # noqa: E402
from organizations.models import JoinRequestStatusChange  # noqa: E402

register_status_history(JoinRequestStatusChange)
