"""Residents' help requests (hotline tickets): intake, dispatch down the three-level network,
working-day deadlines, extensions, callbacks and satisfaction, the Open311 interface's keys."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from center.models import StatusHistory
from center.translated import EnglishNameMixin


class ServiceCategory(EnglishNameMixin, models.Model):
    """What a request is about (elderly care, disability, ...); one Open311 service each."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    keywords = models.CharField(
        _("keywords"), max_length=200, blank=True, help_text=_("Separated by commas.")
    )
    group = models.CharField(_("group"), max_length=60, blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.display_name


class TicketType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")


class DeadlinePolicy(models.Model):
    """Working days to answer, per ticket type; `urgent` applies to every urgent ticket."""

    URGENT = "urgent"
    KEY_CHOICES = [*TicketType.choices, (URGENT, _("Urgent (any type)"))]
    DEFAULTS = {URGENT: 0, "consultation": 3, "help": 5, "complaint": 13, "suggestion": 13}

    key = models.CharField(_("applies to"), max_length=16, choices=KEY_CHOICES, unique=True)
    working_days = models.PositiveSmallIntegerField(
        _("working days to answer"), help_text=_("0 means the same working day.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.working_days}"


class TicketCounter(models.Model):
    """Last tracking number handed out per year; locked with select_for_update to allocate."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tracking number counter")
        verbose_name_plural = _("tracking number counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def new_access_key() -> str:
    return secrets.token_urlsafe(24)


class Ticket(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        WEB = "web", _("Web")
        WALK_IN = "walk_in", _("Walk-in")
        API = "api", _("API (Open311)")

    Type = TicketType

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        DISPATCHED = "dispatched", _("Dispatched")
        SIGNED_FOR = "signed_for", _("Signed for")
        IN_PROGRESS = "in_progress", pgettext_lazy("hotline", "In progress")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        RETURNED = "returned", _("Returned")
        REOPENED = "reopened", _("Reopened")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASIC = "basic", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    tracking_number = models.CharField(_("tracking number"), max_length=16, unique=True)
    access_key = models.CharField(max_length=64, unique=True, default=new_access_key, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    ticket_type = models.CharField(
        _("type"), max_length=16, choices=TicketType.choices, default=TicketType.HELP
    )
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("service category"), on_delete=models.PROTECT, related_name="tickets"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000)
    resident_name = models.CharField(_("name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20)
    address = models.CharField(pgettext_lazy("hotline", "address"), max_length=200, blank=True)
    area = models.ForeignKey(
        "center.NetworkUnit",
        verbose_name=_("street / community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hotline_tickets",
    )
    assigned_unit = models.ForeignKey(
        "center.NetworkUnit",
        verbose_name=_("assigned unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_tickets",
    )
    assigned_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hotline_assigned",
    )
    return_reason = models.CharField(_("reason for return"), max_length=500, blank=True)
    created_at = models.DateTimeField(
        pgettext_lazy("hotline", "filed at"), default=timezone.now, db_index=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    first_dispatched_at = models.DateTimeField(_("first dispatched at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    sign_due = models.DateTimeField(_("sign-for deadline"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    answer_due = models.DateTimeField(_("answer deadline"), null=True, blank=True)
    extended = models.BooleanField(_("deadline extended"), default=False)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    sign_overdue = models.BooleanField(_("sign-for overdue"), default=False)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)
    handling_working_days = models.PositiveIntegerField(
        _("handling time (working days)"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    external_id = models.CharField(_("external reference"), max_length=60, blank=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["access_key", "updated_at"])

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "answer_due"], name="hotline_status_due"),
            models.Index(fields=["assigned_unit", "status"], name="hotline_unit_status"),
            models.Index(fields=["status", "-created_at"], name="hotline_status_created"),
            models.Index(fields=["category", "created_at"], name="hotline_cat_created"),
            # Partial indexes over the few open tickets (3% of them at full scale): the "open"
            # queue newest first, and the deadline queues (due today, overdue) by deadline.
            models.Index(
                fields=["-created_at", "-id"],
                name="hotline_open_created",
                condition=models.Q(
                    status__in=[
                        "received",
                        "dispatched",
                        "signed_for",
                        "in_progress",
                        "answered",
                        "returned",
                        "reopened",
                    ]
                ),
            ),
            models.Index(
                fields=["answer_due"],
                name="hotline_with_unit_due",
                condition=models.Q(status__in=["dispatched", "signed_for", "in_progress", "reopened"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="hotline_ticket_number_format", condition=models.Q(tracking_number__startswith="HS")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def status_tone(self) -> str:
        if self.status == self.Status.CLOSED:
            return "ok"
        if self.is_overdue or self.sign_overdue or self.status == self.Status.RETURNED:
            return "danger"
        if self.status in (self.Status.RECEIVED, self.Status.REOPENED):
            return "warn"  # waiting for the center to act
        if self.status == self.Status.ANSWERED:
            return "info"  # answered, waiting for the resident's rating
        return ""


def image_path(instance, filename: str) -> str:
    """A random name: resident photos must not be found by guessing a path."""
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"hotline/{timezone.now():%Y/%m}/{secrets.token_urlsafe(18)}.{ext}"


class TicketImage(models.Model):
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="images", verbose_name=_("help request")
    )
    file = models.FileField(_("image"), upload_to=image_path)
    mime = models.CharField(max_length=40, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.file.name


class TicketEvent(models.Model):
    """One line of a ticket's timeline. Only `public` lines reach the resident."""

    class Kind(models.TextChoices):
        FILED = "filed", pgettext_lazy("hotline", "Filed")
        DISPATCHED = "dispatched", _("Dispatched")
        SIGNED_FOR = "signed_for", _("Signed for")
        STARTED = "started", _("Work started")
        REDISPATCHED = "redispatched", _("Passed down")
        RETURNED = "returned", _("Returned")
        NOTE = "note", _("Internal note")
        REPLY = "reply", _("Reply")
        RESIDENT_INFO = "resident_info", _("More information from the resident")
        ANSWERED = "answered", _("Answered")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENSION_APPROVED = "extension_approved", _("Extension approved")
        EXTENSION_REFUSED = "extension_refused", _("Extension refused")
        CALLBACK = "callback", _("Callback")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")
        OVERDUE = "overdue", _("Deadline passed")
        SIGN_OVERDUE = "sign_overdue", _("Not signed for in time")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("help request")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    public = models.BooleanField(_("public"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    # The acting unit: what the public timeline names instead of a person.
    unit = models.ForeignKey(
        "center.NetworkUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    text = models.TextField(_("text"), blank=True)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "public", "created_at"], name="hotline_event_timeline")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class ExtensionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("help request")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    reason = models.TextField(_("reason"))
    working_days = models.PositiveSmallIntegerField(_("extra working days"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    old_due = models.DateTimeField(_("deadline before"))
    new_due = models.DateTimeField(_("new deadline"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(status="pending"), name="hotline_one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket} +{self.working_days}"


class ExtensionRequestStatusChange(StatusHistory):
    """One row per decision on a request for more time (written by center.workflow.transition)."""

    subject_field = "extension"

    extension = models.ForeignKey(ExtensionRequest, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        _("from"), max_length=32, choices=ExtensionRequest.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=32, choices=ExtensionRequest.Status.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("extension request status change")
        verbose_name_plural = _("extension request status changes")


class Callback(models.Model):
    """回访: the resident's verdict on the answer, by a staff call or rated online."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call by staff")
        ONLINE = "online", _("Rated online by the resident")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="callbacks", verbose_name=_("help request")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    result = models.CharField(
        pgettext_lazy("hotline", "result"), max_length=12, choices=Ticket.Satisfaction.choices
    )
    comment = models.TextField(_("comment"), blank=True)
    objective_reason = models.BooleanField(
        _("objective reason"),
        default=False,
        help_text=_(
            "Dissatisfied for a reason the unit cannot change (policy, law): close instead of reopening."
        ),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.result}"


class PhoneReveal(models.Model):
    """Every time someone saw a resident's full phone number through the reveal action."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="phone_reveals", verbose_name=_("help request")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("phone number reveal")
        verbose_name_plural = _("phone number reveals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


def new_api_key() -> str:
    return secrets.token_urlsafe(32)


class ApiKey(models.Model):
    """A key issued by staff to an Open311 client that may POST requests."""

    name = models.CharField(_("client name"), max_length=100)
    key = models.CharField(pgettext_lazy("hotline", "key"), max_length=64, unique=True, default=new_api_key)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["key", "last_used_at"])

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
