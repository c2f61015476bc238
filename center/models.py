"""The center's own structure: people and roles, the three-level network, the working-day
calendar's holiday table, announcements, in-portal notifications and the reminder log."""

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class NetworkUnit(models.Model):
    """A node of the three-level network: district center -> street/town -> community."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("District center")
        STREET = "street", _("Street / town")
        COMMUNITY = "community", _("Community")

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path ("/1/5/23/") so "this unit and everything below it" is one indexed
    # prefix query whatever the depth.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("network unit")
        verbose_name_plural = _("network units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)
            if old:  # moved: re-root the subtree
                for child in type(self).objects.filter(path__startswith=old).exclude(pk=self.pk):
                    child.path = path + child.path[len(old) :]
                    type(self).objects.filter(pk=child.pk).update(path=child.path)

    def contains(self, other: "NetworkUnit") -> bool:
        """True when `other` is this unit or lies below it."""
        return bool(other and other.path.startswith(self.path))


class User(AbstractUser):
    class Role(models.TextChoices):
        STAFF = "staff", _("Center staff")
        HANDLER = "handler", _("Network handler")
        ORGANIZATION = "organization", _("Organization account")
        REVIEWER = "reviewer", _("Expert reviewer")
        RESIDENT = "resident", _("Resident")

    class Department(models.TextChoices):
        RESOURCE = "resource", _("Resource Development Department")
        PROJECTS = "projects", _("Project Management Department")
        INFO = "info", _("Information Services Department")
        OPERATIONS = "operations", _("Project Operations Department")
        ADMIN = "admin", _("Center administration")

    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.RESIDENT, db_index=True
    )
    department = models.CharField(_("department"), max_length=16, choices=Department.choices, blank=True)
    network_unit = models.ForeignKey(
        NetworkUnit,
        verbose_name=_("network unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handlers",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="handler_has_unit",
                condition=~models.Q(role="handler") | models.Q(network_unit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_center_staff(self) -> bool:
        return self.is_active and (self.role == self.Role.STAFF or self.is_superuser)

    @property
    def is_center_admin(self) -> bool:
        return self.is_active and (
            self.is_superuser or (self.role == self.Role.STAFF and self.department == self.Department.ADMIN)
        )

    def in_department(self, *departments: str) -> bool:
        """Staff of one of `departments`; center admins belong to every department."""
        return self.is_center_admin or (self.is_center_staff and self.department in departments)

    @property
    def is_handler(self) -> bool:
        return self.is_active and self.role == self.Role.HANDLER and self.network_unit_id is not None

    @property
    def is_reviewer(self) -> bool:
        return self.is_active and self.role == self.Role.REVIEWER

    @property
    def is_resident(self) -> bool:
        return self.is_active and self.role == self.Role.RESIDENT

    @property
    def is_organization_account(self) -> bool:
        return self.is_active and self.role == self.Role.ORGANIZATION


class Holiday(models.Model):
    """Staff-maintained calendar for years the chinese-calendar package does not know yet."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (day off)")
        WORKDAY = "workday", _("Make-up working day (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("holiday / make-up day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class Announcement(models.Model):
    """A policy notice published on the public home page."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now, db_index=True)
    is_published = models.BooleanField(_("published"), default=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("created by")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """A message in a user's portal inbox (reminders, decisions, invitations)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class Reminder(models.Model):
    """One row per (subject, occasion): the unique key makes every reminder job idempotent,
    whether beat fires twice or two workers run the same job."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key


class StatusHistory(models.Model):
    """One row per status change of a workflow subject: who, when, from, to, why.

    Abstract: each workflow declares a concrete subclass with its FK to the subject and names
    it in ``subject_field``; `center.workflow.transition(..., history_model=...)` writes it::

        class BookingStatusChange(StatusHistory):
            subject_field = "booking"
            booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="status_changes")

            class Meta(StatusHistory.Meta):
                verbose_name = _("booking status change")
    """

    subject_field: ClassVar[str] = ""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(pgettext_lazy("status change", "from"), max_length=32, blank=True)
    to_status = models.CharField(pgettext_lazy("status change", "to"), max_length=32)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{getattr(self, self.subject_field + '_id', '')}: {self.from_status} → {self.to_status}"


class OutboxMessage(models.Model):
    """An e-mail waiting to leave (the outbox): written in the same transaction as the
    notification, sent by a worker and retried with growing pauses while SMTP or the broker
    is down. One that keeps failing stays here, marked failed, for staff to see and retry."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (gave up retrying)")

    to = models.EmailField(pgettext_lazy("e-mail", "to"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
