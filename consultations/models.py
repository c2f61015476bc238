"""Consultations: events (policy consultation sessions, hearings, trainings, salons,
lectures) with registration, waitlist, check-in, minutes and certificates; consultations on
draft policy documents with opinions forwarded to government departments and answered; and
the annual research topics whose reports go to the departments."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from center.files import RandomName
from center.models import StatusHistory


def new_code() -> str:
    """Check-in code: 12 characters of an unguessable token (about 72 bits)."""
    return secrets.token_urlsafe(9)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Audience(models.TextChoices):
    ORGANIZATIONS = "organizations", _("Organizations")
    RESIDENTS = "residents", _("Residents")
    EVERYONE = "everyone", _("Everyone")


# --------------------------------------------------------------------------- events ----


class EventKind(models.Model):
    """Policy consultation session, hearing, training, salon, lecture … (configurable)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    counts_as_training = models.BooleanField(
        _("counts as training"),
        default=False,
        help_text=_("Counted in the trainings and support sessions held."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("event kind")
        verbose_name_plural = _("event kinds")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    Audience = Audience

    title = models.CharField(_("title"), max_length=200)
    kind = models.ForeignKey(
        EventKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="events"
    )

    class Department(models.TextChoices):
        # the center's departments, as on the user model
        RESOURCE = "resource", _("Resource Development Department")
        PROJECTS = "projects", _("Project Management Department")
        INFO = "info", _("Information Services Department")
        OPERATIONS = "operations", _("Project Operations Department")
        ADMIN = "admin", _("Center administration")

    organizer_department = models.CharField(
        _("organizing department"), max_length=16, choices=Department.choices, default=Department.RESOURCE
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organizer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organized_events",
    )
    description = models.TextField(_("description"), blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True, help_text=_("Address or room name."))
    online_url = models.URLField(_("online link"), blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=50)
    # Seats held by pending, confirmed and offered registrations; written only under the
    # event row's lock so two cancellations never give one seat twice.
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0)
    max_per_organization = models.PositiveSmallIntegerField(_("attendees per organization"), default=3)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE
    )
    requires_approval = models.BooleanField(_("registrations need approval"), default=False)
    gives_certificate = models.BooleanField(_("gives a certificate"), default=False)
    sessions = models.PositiveSmallIntegerField(_("sessions"), default=1)
    attendance_threshold = models.PositiveSmallIntegerField(_("sessions needed for a certificate"), default=1)
    cancellation_cutoff_hours = models.PositiveIntegerField(
        _("cancellation possible until (hours before the start)"), default=24
    )
    offer_hours = models.PositiveIntegerField(_("hours to accept a freed seat"), default=24)
    service_areas = models.ManyToManyField(
        "organizations.ServiceArea", verbose_name=_("service areas"), blank=True, related_name="events"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["seats_taken", "updated_at"])

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["status", "starts_at"], name="consult_event_status_start")]
        constraints = [
            models.CheckConstraint(
                name="consult_event_ends_after_start", condition=models.Q(ends_at__gte=models.F("starts_at"))
            ),
            models.CheckConstraint(
                name="consult_event_seats_le_capacity",
                condition=models.Q(seats_taken__lte=models.F("capacity")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class EventStatusChange(StatusHistory):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="status_changes"
    )
    subject_field = "event"

    class Meta(StatusHistory.Meta):
        verbose_name = _("event status change")
        verbose_name_plural = _("event status changes")


class AgendaItem(models.Model):
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="agenda")
    starts_at = models.TimeField(_("time"))
    title = models.CharField(_("item"), max_length=200)
    speaker = models.CharField(_("speaker"), max_length=120, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["event", "sort_order", "starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M} {self.title}"


class Registration(models.Model):
    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Organization")
        RESIDENT = "resident", _("Resident")
        PHONE = "phone", _("By phone (staff)")
        WALK_IN = "walk_in", _("Walk-in")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        OFFERED = "offered", _("Seat offered")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Offer expired")

    HOLDS_SEATS = (Status.PENDING, Status.CONFIRMED, Status.OFFERED)
    ACTIVE = (Status.PENDING, Status.CONFIRMED, Status.OFFERED, Status.WAITLISTED)

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="registrations"
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.RESIDENT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_registrations",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    attendees = models.PositiveSmallIntegerField(_("attendees"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    code = models.CharField(_("check-in code"), max_length=20, unique=True, default=new_code, editable=False)
    queued_at = models.DateTimeField(_("joined the waitlist at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["event", "status", "queued_at"], name="consult_reg_event_status"),
            models.Index(fields=["user", "status"], name="consult_reg_user_status"),
        ]
        constraints = [
            models.CheckConstraint(
                name="consult_reg_attendees_positive", condition=models.Q(attendees__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.event}"

    @property
    def holds_seats(self) -> bool:
        return self.status in self.HOLDS_SEATS


class RegistrationStatusChange(StatusHistory):
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="status_changes"
    )
    subject_field = "registration"

    class Meta(StatusHistory.Meta):
        verbose_name = _("registration status change")
        verbose_name_plural = _("registration status changes")


class CheckIn(models.Model):
    class Method(models.TextChoices):
        SCAN = "scan", _("QR scan")
        CODE = "code", _("Typed code")
        NAME = "name", _("Name search")
        WALK_IN = "walk_in", _("Walk-in")

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="checkins"
    )
    session = models.PositiveSmallIntegerField(_("session"), default=1)
    at = models.DateTimeField(_("checked in at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.CODE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="consult_checkin_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration} @ {self.at:%H:%M}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="attendance"
    )
    session = models.PositiveSmallIntegerField(_("session"), default=1)
    status = models.CharField(_("attendance"), max_length=8, choices=Status.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["registration", "session"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="consult_attendance_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration} #{self.session}: {self.get_status_display()}"


class Minutes(models.Model):
    event = models.OneToOneField(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="minutes"
    )
    body = models.TextField(_("minutes"))
    published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.event)


class MinutesRevision(models.Model):
    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="revisions"
    )
    body = models.TextField(_("text"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes revision")
        verbose_name_plural = _("minutes revisions")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.minutes} {self.at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        SLIDES = "slides", _("Slides")
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    file = models.FileField(_("file"), upload_to=RandomName("consultations/attachments"))
    public = models.BooleanField(_("public"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["event", "uploaded_at"]

    def __str__(self) -> str:
        return self.title


class Certificate(models.Model):
    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    holder_name = models.CharField(_("holder"), max_length=120)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class FeedToken(models.Model):
    """The secret in a person's iCalendar subscription URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="consultation_feed",
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return str(self.user)


# ------------------------------------------------------------- government departments ----


class GovernmentDepartment(models.Model):
    """区民政局, 区财政局, … : who must answer the opinions forwarded to them."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("government department")
        verbose_name_plural = _("government departments")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class DepartmentContact(models.Model):
    """A department's contact person; the account sees only what was forwarded to it."""

    department = models.ForeignKey(
        GovernmentDepartment, verbose_name=_("department"), on_delete=models.CASCADE, related_name="contacts"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="department_contact",
    )
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department contact")
        verbose_name_plural = _("department contacts")
        ordering = ["department", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.department})"


# ------------------------------------------------------------------- consultations ----


class Consultation(models.Model):
    """A draft policy document (征求意见稿) open for opinions in dated phases."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        OPEN = "open", _("Open for opinions")
        CLOSED = "closed", pgettext_lazy("consultation", "Closed")
        ANSWERED = "answered", _("Answered")

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    event = models.ForeignKey(
        Event,
        verbose_name=_("hearing"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    opens_at = models.DateTimeField(_("opens for opinions"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes for opinions"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reply_working_days = models.PositiveSmallIntegerField(
        _("working days for departments to reply"), default=15
    )
    feedback_published = models.BooleanField(_("feedback report published"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ConsultationStatusChange(StatusHistory):
    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="status_changes"
    )
    subject_field = "consultation"

    class Meta(StatusHistory.Meta):
        verbose_name = _("consultation status change")
        verbose_name_plural = _("consultation status changes")


class Paragraph(models.Model):
    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="paragraphs"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="consult_paragraph_number")
        ]

    def __str__(self) -> str:
        return f"§{self.number} {self.heading}".strip()


class Forward(models.Model):
    """Opinions of one consultation passed to one department, with a working-day deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting reply")
        REPLIED = "replied", _("Replied")

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="forwards"
    )
    department = models.ForeignKey(
        GovernmentDepartment, verbose_name=_("department"), on_delete=models.PROTECT, related_name="forwards"
    )
    forwarded_at = models.DateTimeField(_("forwarded at"), default=timezone.now)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("forwarded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_at = models.DateTimeField(_("reply due"), db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    note = models.TextField(_("note to the department"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("forward to a department")
        verbose_name_plural = _("forwards to departments")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "department"], name="consult_forward_once_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation} → {self.department}"


class OpinionGroup(models.Model):
    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="groups"
    )
    title = models.CharField(_("title"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opinion group")
        verbose_name_plural = _("opinion groups")
        ordering = ["consultation", "title"]

    def __str__(self) -> str:
        return self.title


class Opinion(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        FORWARDED = "forwarded", _("Forwarded")
        ANSWERED = "answered", _("Answered")
        PUBLISHED = "published", _("Answer published")

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        HEARING = "hearing", _("Spoken at the hearing")

    class Result(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        PARTLY = "partly", _("Partly adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")

    MAX_LENGTH = 3000

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.PROTECT, related_name="opinions"
    )
    paragraph = models.ForeignKey(
        Paragraph,
        verbose_name=_("paragraph"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinions",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_opinions",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=120)
    name_public = models.BooleanField(_("show my name publicly"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    body = models.TextField(_("opinion"), max_length=MAX_LENGTH)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.ONLINE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    group = models.ForeignKey(
        OpinionGroup,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
    )
    forward = models.ForeignKey(
        Forward,
        verbose_name=_("forwarded to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
    )
    result = models.CharField(_("answer"), max_length=12, choices=Result.choices, blank=True)
    answer = models.TextField(_("reason"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)
    created_at = models.DateTimeField(_("given at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["consultation", "hidden", "created_at"], name="consult_opinion_list"),
            models.Index(fields=["forward", "status"], name="consult_opinion_forward"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.body[:40]}"

    @property
    def public_name(self) -> str:
        return self.name if self.name_public else ""


class OpinionStatusChange(StatusHistory):
    opinion = models.ForeignKey(
        Opinion, verbose_name=_("opinion"), on_delete=models.CASCADE, related_name="status_changes"
    )
    subject_field = "opinion"

    class Meta(StatusHistory.Meta):
        verbose_name = _("opinion status change")
        verbose_name_plural = _("opinion status changes")


class SpeakerApplication(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        SELECTED = "selected", _("Selected")
        NOT_SELECTED = "not_selected", _("Not selected")

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="speaker_applications",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    topic = models.CharField(_("what I want to say"), max_length=500)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.APPLIED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("speaker application")
        verbose_name_plural = _("speaker applications")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.topic[:40]}"


# ------------------------------------------------------------------------ research ----


class ResearchTopic(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        ASSIGNED = "assigned", _("Assigned to a team")
        SUBMITTED = "submitted", _("Report submitted")
        FEEDBACK = "feedback", _("Feedback received")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Not approved")

    class Source(models.TextChoices):
        STAFF = "staff", _("Proposed by staff")
        HOTLINE = "hotline", _("From hotline requests")
        CONSULTATION = "consultation", _("From consultations")

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    source = models.CharField(_("source"), max_length=14, choices=Source.choices, default=Source.STAFF)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    team = models.CharField(_("expert team"), max_length=300, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="research_topics",
    )
    report = models.FileField(_("report (PDF)"), upload_to=RandomName("consultations/reports"), blank=True)
    report_summary = models.TextField(_("report summary"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class ResearchTopicStatusChange(StatusHistory):
    topic = models.ForeignKey(
        ResearchTopic,
        verbose_name=_("research topic"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    subject_field = "topic"

    class Meta(StatusHistory.Meta):
        verbose_name = _("research status change")
        verbose_name_plural = _("research status changes")


class Milestone(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", _("Research plan")
        MIDTERM = "midterm", _("Mid-term review")
        FINAL = "final", _("Final report")

    topic = models.ForeignKey(
        ResearchTopic, verbose_name=_("research topic"), on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(_("milestone"), max_length=8, choices=Kind.choices)
    due_date = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["topic", "due_date"]
        constraints = [models.UniqueConstraint(fields=["topic", "kind"], name="consult_milestone_once")]

    def __str__(self) -> str:
        return f"{self.topic}: {self.get_kind_display()}"


class ReportSubmission(models.Model):
    """A research report sent to one department, and that department's feedback."""

    topic = models.ForeignKey(
        ResearchTopic, verbose_name=_("research topic"), on_delete=models.CASCADE, related_name="submissions"
    )
    department = models.ForeignKey(
        GovernmentDepartment,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="report_submissions",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    feedback = models.TextField(_("feedback"), blank=True)
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        ordering = ["topic", "department"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "department"], name="consult_submission_once")
        ]

    def __str__(self) -> str:
        return f"{self.topic} → {self.department}"
