from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from center.validators import mask_phone
from consultations.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Certificate,
    CheckIn,
    Consultation,
    ConsultationStatusChange,
    DepartmentContact,
    Event,
    EventKind,
    EventStatusChange,
    FeedToken,
    Forward,
    GovernmentDepartment,
    Milestone,
    Minutes,
    MinutesRevision,
    Opinion,
    OpinionGroup,
    OpinionStatusChange,
    Paragraph,
    Registration,
    RegistrationStatusChange,
    ReportSubmission,
    ResearchTopic,
    ResearchTopicStatusChange,
    SpeakerApplication,
)


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """Status histories are written by the workflow only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EventKind)
class EventKindAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "counts_as_training", "active", "sort_order"]
    list_filter = ["active", "counts_as_training"]
    search_fields = ["code", "name"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "starts_at", "capacity", "seats_taken", "audience", "status"]
    list_filter = ["status", "kind", "audience", "organizer_department", "gives_certificate", "starts_at"]
    search_fields = ["title", "venue", "description"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["service_areas"]
    inlines = [AgendaItemInline]
    # The seat counter is kept under the event's lock by the services.
    readonly_fields = ["seats_taken"]
    raw_id_fields = ["organizer"]


@admin.register(EventStatusChange)
class EventStatusChangeAdmin(ReadOnlyLogAdmin):
    list_display = ["event", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["event__title", "reason"]


@admin.register(AgendaItem)
class AgendaItemAdmin(SimpleHistoryAdmin):
    list_display = ["event", "starts_at", "title", "speaker"]
    list_filter = ["event__kind"]
    search_fields = ["title", "speaker", "event__title"]
    raw_id_fields = ["event"]


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "event", "kind", "attendees", "status", "masked_phone", "created_at"]
    list_filter = ["status", "kind", "event__kind"]
    search_fields = ["name", "event__title", "organization__name"]
    raw_id_fields = ["event", "user", "organization"]
    # Status and seats change only through the services (waitlist, promotion, offers).
    readonly_fields = ["status", "attendees", "queued_at", "offer_expires_at"]

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(RegistrationStatusChange)
class RegistrationStatusChangeAdmin(ReadOnlyLogAdmin):
    list_display = ["registration", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["registration__name", "reason"]


@admin.register(CheckIn)
class CheckInAdmin(SimpleHistoryAdmin):
    list_display = ["registration", "session", "at", "method", "by"]
    list_filter = ["method", "session"]
    search_fields = ["registration__name", "registration__event__title"]
    raw_id_fields = ["registration", "by"]


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["registration", "session", "status"]
    list_filter = ["status", "session"]
    search_fields = ["registration__name", "registration__event__title"]
    raw_id_fields = ["registration"]


class MinutesRevisionInline(admin.TabularInline):
    model = MinutesRevision
    extra = 0
    readonly_fields = ["body", "by", "at"]
    can_delete = False


@admin.register(Minutes)
class MinutesAdmin(SimpleHistoryAdmin):
    list_display = ["event", "published", "updated_at"]
    list_filter = ["published"]
    search_fields = ["event__title", "body"]
    raw_id_fields = ["event"]
    inlines = [MinutesRevisionInline]


@admin.register(MinutesRevision)
class MinutesRevisionAdmin(SimpleHistoryAdmin):
    list_display = ["minutes", "by", "at"]
    list_filter = ["at"]
    search_fields = ["minutes__event__title", "body"]
    raw_id_fields = ["minutes", "by"]


@admin.register(Attachment)
class AttachmentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "event", "kind", "public", "uploaded_at"]
    list_filter = ["kind", "public"]
    search_fields = ["title", "event__title"]
    raw_id_fields = ["event", "uploaded_by"]


@admin.register(Certificate)
class CertificateAdmin(SimpleHistoryAdmin):
    list_display = ["number", "holder_name", "registration", "issued_at", "revoked_at"]
    list_filter = ["issued_at", "revoked_at"]
    search_fields = ["number", "holder_name", "registration__event__title"]
    raw_id_fields = ["registration"]


@admin.register(FeedToken)
class FeedTokenAdmin(SimpleHistoryAdmin):
    list_display = ["user", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


class DepartmentContactInline(admin.TabularInline):
    model = DepartmentContact
    extra = 0
    raw_id_fields = ["user"]


@admin.register(GovernmentDepartment)
class GovernmentDepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "active", "sort_order"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
    inlines = [DepartmentContactInline]


@admin.register(DepartmentContact)
class DepartmentContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "department", "user", "active"]
    list_filter = ["department", "active"]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user"]


class ParagraphInline(admin.TabularInline):
    model = Paragraph
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "opens_at", "closes_at", "reply_working_days", "feedback_published"]
    list_filter = ["status", "feedback_published"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["event", "created_by"]
    inlines = [ParagraphInline]
    readonly_fields = ["status"]


@admin.register(ConsultationStatusChange)
class ConsultationStatusChangeAdmin(ReadOnlyLogAdmin):
    list_display = ["consultation", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["consultation__title", "reason"]


@admin.register(Paragraph)
class ParagraphAdmin(SimpleHistoryAdmin):
    list_display = ["consultation", "number", "heading"]
    list_filter = ["consultation"]
    search_fields = ["heading", "text"]


@admin.register(Forward)
class ForwardAdmin(SimpleHistoryAdmin):
    list_display = ["consultation", "department", "forwarded_at", "due_at", "status", "replied_at"]
    list_filter = ["status", "department"]
    search_fields = ["consultation__title", "department__name"]
    raw_id_fields = ["consultation", "forwarded_by"]


@admin.register(OpinionGroup)
class OpinionGroupAdmin(SimpleHistoryAdmin):
    list_display = ["title", "consultation"]
    list_filter = ["consultation"]
    search_fields = ["title"]


@admin.register(Opinion)
class OpinionAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "consultation", "paragraph", "name", "source", "status", "hidden", "result"]
    list_filter = ["status", "source", "hidden", "result", "consultation"]
    search_fields = ["body", "name", "answer"]
    raw_id_fields = ["consultation", "paragraph", "author", "organization", "group", "forward", "answered_by"]
    readonly_fields = ["status"]


@admin.register(OpinionStatusChange)
class OpinionStatusChangeAdmin(ReadOnlyLogAdmin):
    list_display = ["opinion", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["reason"]


@admin.register(SpeakerApplication)
class SpeakerApplicationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "consultation", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "topic"]
    raw_id_fields = ["consultation", "user", "decided_by"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class ReportSubmissionInline(admin.TabularInline):
    model = ReportSubmission
    extra = 0


@admin.register(ResearchTopic)
class ResearchTopicAdmin(SimpleHistoryAdmin):
    list_display = ["title", "year", "source", "status", "submitted_at", "published_at"]
    list_filter = ["status", "year", "source"]
    search_fields = ["title", "summary", "team"]
    raw_id_fields = ["lead"]
    inlines = [MilestoneInline, ReportSubmissionInline]
    readonly_fields = ["status"]


@admin.register(ResearchTopicStatusChange)
class ResearchTopicStatusChangeAdmin(ReadOnlyLogAdmin):
    list_display = ["topic", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["topic__title", "reason"]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["topic", "kind", "due_date", "done_at"]
    list_filter = ["kind"]
    search_fields = ["topic__title", "note"]


@admin.register(ReportSubmission)
class ReportSubmissionAdmin(SimpleHistoryAdmin):
    list_display = ["topic", "department", "submitted_at", "feedback_at"]
    list_filter = ["department"]
    search_fields = ["topic__title", "feedback"]
