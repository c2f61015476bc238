"""The incubation base (孵化基地): spaces and their floor plan, calls for entry, applications
and their panel scores, incubation agreements with waivers and deposit, the service log,
quarterly reports and assessments, graduation (出壳), handover, alumni follow-ups, and the
bookable shared facilities (meeting rooms, training room, roadshow hall).

Never double-booked / never double-assigned: on PostgreSQL two exclusion constraints (added
by migration 0002 only there) refuse overlapping confirmed bookings of one room and
overlapping agreements over one space; on SQLite the services check under a lock.
"""

from __future__ import annotations

import secrets
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from center.files import RandomName
from center.models import StatusHistory
from center.money import MoneyField


def _token() -> str:
    return secrets.token_urlsafe(24)


# ------------------------------------------------------------------------- the base ----
class Base(models.Model):
    """An incubation base: the district base, or a street's sub-base (managed by that
    street's handlers)."""

    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=9, decimal_places=1, default=Decimal("0"))
    street = models.ForeignKey(
        "center.NetworkUnit",
        verbose_name=_("street (sub-base)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incubation_bases",
        help_text=_("Empty for the district base; a street for a street sub-base."),
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    how_to_apply = models.TextField(_("how to apply"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incubation base")
        verbose_name_plural = _("incubation bases")
        ordering = ["street_id", "pk"]
        constraints = [
            models.CheckConstraint(name="incubation_base_area", condition=models.Q(area_m2__gte=0))
        ]

    def __str__(self) -> str:
        return self.name


class Space(models.Model):
    class Kind(models.TextChoices):
        OFFICE = "office", _("Office (独立办公室)")
        DESK = "desk", _("Open desk (工位)")
        MEETING_ROOM = "meeting_room", _("Meeting room")
        TRAINING_ROOM = "training_room", _("Training room")
        ROADSHOW_HALL = "roadshow_hall", _("Roadshow hall")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        OCCUPIED = "occupied", _("Occupied")
        RESERVED = "reserved", _("Reserved")
        MAINTENANCE = "maintenance", _("Under maintenance")

    class BookableBy(models.TextChoices):
        EVERYONE = "everyone", _("Incubatees, organization accounts and staff")
        INCUBATEES = "incubatees", _("Incubatees and staff")
        STAFF = "staff", _("Staff only")

    base = models.ForeignKey(Base, on_delete=models.PROTECT, related_name="spaces", verbose_name=_("base"))
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    floor = models.SmallIntegerField(_("floor"), default=1)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=7, decimal_places=1, default=Decimal("0"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=1)
    equipment = models.CharField(_("equipment"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.AVAILABLE, db_index=True
    )
    # position on the floor plan: a grid per floor
    grid_x = models.PositiveSmallIntegerField(_("plan column"), default=0)
    grid_y = models.PositiveSmallIntegerField(_("plan row"), default=0)
    grid_w = models.PositiveSmallIntegerField(_("plan width"), default=1)
    grid_h = models.PositiveSmallIntegerField(_("plan height"), default=1)
    monthly_rent = MoneyField(_("monthly rent"), default=Decimal("0"))
    # booking rules (shared facilities only)
    bookable_by = models.CharField(
        _("who may book"), max_length=12, choices=BookableBy.choices, default=BookableBy.EVERYONE
    )
    needs_approval = models.BooleanField(_("bookings need approval"), default=False)
    opens_at = models.TimeField(_("opens at"), default=time(8, 30))
    closes_at = models.TimeField(_("closes at"), default=time(17, 30))
    open_on_non_working_days = models.BooleanField(_("open on non-working days"), default=False)
    max_booking_minutes = models.PositiveIntegerField(_("longest booking (minutes)"), default=240)
    max_days_ahead = models.PositiveSmallIntegerField(_("bookable days ahead"), default=30)
    cancel_cutoff_hours = models.PositiveSmallIntegerField(_("cancellation until (hours before)"), default=2)
    ical_token = models.CharField(_("calendar feed token"), max_length=64, default=_token, unique=True)
    history = HistoricalRecords(excluded_fields=["ical_token"])

    FACILITY_KINDS = (Kind.MEETING_ROOM, Kind.TRAINING_ROOM, Kind.ROADSHOW_HALL)
    WORKSPACE_KINDS = (Kind.OFFICE, Kind.DESK)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["base_id", "floor", "code"]
        constraints = [
            models.UniqueConstraint(fields=["base", "code"], name="incubation_space_code"),
            models.CheckConstraint(name="incubation_space_rent", condition=models.Q(monthly_rent__gte=0)),
            models.CheckConstraint(
                name="incubation_space_hours", condition=models.Q(closes_at__gt=models.F("opens_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def is_facility(self) -> bool:
        return self.kind in self.FACILITY_KINDS


class SpacePhoto(models.Model):
    """A photo of a space (several per space, in order), shown on its public page."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="photos", verbose_name=_("space"))
    file = models.ImageField(_("photo"), upload_to=RandomName("incubation/spaces"))
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("space photo")
        verbose_name_plural = _("space photos")
        ordering = ["space", "order", "pk"]

    def __str__(self) -> str:
        return self.caption or f"{self.space} #{self.order}"


class BlockedPeriod(models.Model):
    """A period in which a room (or, without a room, every room of the base) cannot be booked."""

    base = models.ForeignKey(
        Base, on_delete=models.CASCADE, related_name="blocked_periods", verbose_name=_("base")
    )
    space = models.ForeignKey(
        Space,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="blocked_periods",
        verbose_name=_("room"),
        help_text=_("Empty: every room of the base."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("blocked period")
        verbose_name_plural = _("blocked periods")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                name="incubation_blocked_order", condition=models.Q(ends_at__gt=models.F("starts_at"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_at:%Y-%m-%d})"


# ------------------------------------------------------------------ sheets, calls ----
class IndicatorSheet(models.Model):
    """A configurable scoring sheet (like the ventures rubric): for entry assessments,
    quarterly assessments or graduation evaluations. Weights sum to 100."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _("Entry assessment")
        QUARTERLY = "quarterly", _("Quarterly assessment")
        GRADUATION = "graduation", _("Graduation evaluation")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"), default=60, validators=[MaxValueValidator(100)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator sheet")
        verbose_name_plural = _("indicator sheets")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    sheet = models.ForeignKey(
        IndicatorSheet, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("sheet")
    )
    name = models.CharField(_("indicator"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sheet", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"


class EntryCall(models.Model):
    """A call for entry (入驻批次): places, an application window and criteria."""

    base = models.ForeignKey(Base, on_delete=models.PROTECT, related_name="calls", verbose_name=_("base"))
    title = models.CharField(_("title"), max_length=200)
    places = models.PositiveSmallIntegerField(_("places"), default=5)
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    criteria = models.TextField(_("criteria"), blank=True)
    sheet = models.ForeignKey(
        IndicatorSheet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("assessment sheet"),
    )
    is_published = models.BooleanField(_("published"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call for entry")
        verbose_name_plural = _("calls for entry")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                name="incubation_call_window", condition=models.Q(closes_at__gt=models.F("opens_at"))
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_published and self.opens_at <= now < self.closes_at


# ----------------------------------------------------------------------- incubatees ----
class Incubatee(models.Model):
    """Who is (or was, or wants to be) incubated: a registered organization, or a grassroots
    group that is not registered yet (a contact person with an account). When the group
    registers, `organization` is filled in and the record keeps its history."""

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        INCUBATING = "incubating", _("Incubating")
        GRADUATED = "graduated", _("Graduated (alumni)")
        EXITED = "exited", _("Exited")

    name = models.CharField(_("name"), max_length=200, db_index=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incubation_records",
        verbose_name=_("registered organization"),
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incubation_contacts",
        verbose_name=_("contact person"),
    )
    members = models.TextField(_("members"), blank=True)
    service_area = models.CharField(_("service area"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.APPLICANT, db_index=True
    )
    graduated_on = models.DateField(_("graduated on"), null=True, blank=True)
    listed_publicly = models.BooleanField(_("agrees to be listed publicly"), default=False)
    ical_token = models.CharField(_("calendar feed token"), max_length=64, default=_token, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords(excluded_fields=["ical_token"])

    class Meta:
        verbose_name = _("incubatee")
        verbose_name_plural = _("incubatees")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_grassroots(self) -> bool:
        return self.organization_id is None


# ---------------------------------------------------------------------- applications ----
class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for more information")
        SCREENED = "screened", _("Screened")
        ASSESSED = "assessed", _("Assessed by the panel")
        ADMITTED = "admitted", _("Admitted")
        WAITLISTED = "waitlisted", _("Waitlisted")
        REFUSED = "refused", _("Refused")

    class SpaceNeed(models.TextChoices):
        OFFICE = "office", _("Office")
        DESKS = "desks", _("Open desks")
        VIRTUAL = "virtual", _("Virtual incubation (no space, 虚拟孵化)")

    call = models.ForeignKey(
        EntryCall, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call")
    )
    incubatee = models.ForeignKey(
        Incubatee, on_delete=models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    service_area = models.CharField(_("service area"), max_length=200)
    team = models.TextField(_("team"))
    plan = models.TextField(_("incubation plan"))
    space_need = models.CharField(_("space needed"), max_length=8, choices=SpaceNeed.choices)
    desks_needed = models.PositiveSmallIntegerField(_("desks needed"), default=0)
    attachment = models.FileField(
        _("attachment"), upload_to=RandomName("incubation/applications"), blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    reason = models.TextField(_("reason of the last decision"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    answer_due = models.DateField(_("answer due"), null=True, blank=True, db_index=True)
    score = models.DecimalField(_("panel score"), max_digits=5, decimal_places=2, null=True, blank=True)
    offer_space = models.ForeignKey(
        Space,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("space offered"),
    )
    offer_deadline = models.DateField(_("accept offer by"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entry application")
        verbose_name_plural = _("entry applications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "answer_due"])]

    def __str__(self) -> str:
        return f"{self.incubatee} · {self.call}"


class ApplicationStatusChange(StatusHistory):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("application")
    )
    subject_field = "application"
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    class Meta(StatusHistory.Meta):
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")


class PanelScore(models.Model):
    """One panel member's score of one indicator of an application's entry assessment."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="panel_scores", verbose_name=_("application")
    )
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("panel member")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    score = models.PositiveSmallIntegerField(_("score (0–100)"), validators=[MaxValueValidator(100)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("panel score")
        verbose_name_plural = _("panel scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "scorer", "indicator"], name="incubation_panel_once"
            ),
            models.CheckConstraint(name="incubation_panel_range", condition=models.Q(score__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.score}"


# ------------------------------------------------------------------------ agreements ----
class Agreement(models.Model):
    """An incubation agreement (入驻协议). On PostgreSQL an exclusion constraint refuses two
    agreements over one space with overlapping periods (migration 0002)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        GRADUATED = "graduated", _("Ended: graduated")
        EXITED = "exited", _("Ended: exited")
        ENDED_EARLY = "ended_early", _("Ended early")
        EXPIRED = "expired", _("Expired")

    class Renewal(models.TextChoices):
        NONE = "", _("None")
        REQUESTED = "requested", _("Renewal requested")
        GRANTED = "granted", _("Renewal granted")
        DECLINED = "declined", _("Renewal declined")

    number = models.CharField(_("agreement number"), max_length=30, unique=True)
    incubatee = models.ForeignKey(
        Incubatee, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("incubatee")
    )
    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement",
        verbose_name=_("application"),
    )
    space = models.ForeignKey(
        Space,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("space"),
        help_text=_("Empty for virtual incubation."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    renewal = models.CharField(_("renewal"), max_length=10, choices=Renewal.choices, default="", blank=True)
    renewal_note = models.CharField(_("renewal request"), max_length=300, blank=True)
    deposit = MoneyField(_("deposit"), default=Decimal("0"))
    deposit_refunded = models.BooleanField(_("deposit refunded"), default=False)
    conditions = models.TextField(_("conditions"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    failing_warning = models.BooleanField(_("warned after two failing quarters"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incubation agreement")
        verbose_name_plural = _("incubation agreements")
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["space", "starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                name="incubation_agreement_term", condition=models.Q(ends_on__gte=models.F("starts_on"))
            ),
            models.CheckConstraint(name="incubation_agreement_deposit", condition=models.Q(deposit__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.incubatee}"


class AgreementStatusChange(StatusHistory):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("agreement")
    )
    subject_field = "agreement"
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    class Meta(StatusHistory.Meta):
        verbose_name = _("agreement status change")
        verbose_name_plural = _("agreement status changes")


class Waiver(models.Model):
    """A waiver line (减免): one cost item free or reduced by a percentage for a period."""

    class Item(models.TextChoices):
        RENT = "rent", _("Rent")
        WATER = "water", _("Water")
        ELECTRICITY = "electricity", _("Electricity")
        GAS = "gas", _("Gas")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="waivers", verbose_name=_("agreement")
    )
    item = models.CharField(_("item"), max_length=12, choices=Item.choices)
    percent = models.DecimalField(
        _("reduction (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("100 means free."),
    )
    monthly_value = MoneyField(_("monthly cost before the waiver"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("waiver")
        verbose_name_plural = _("waivers")
        ordering = ["agreement", "item", "starts_on"]
        constraints = [
            models.CheckConstraint(
                name="incubation_waiver_percent", condition=models.Q(percent__gte=0, percent__lte=100)
            ),
            models.CheckConstraint(name="incubation_waiver_value", condition=models.Q(monthly_value__gte=0)),
            models.CheckConstraint(
                name="incubation_waiver_period", condition=models.Q(ends_on__gte=models.F("starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()} −{self.percent}%"


# ------------------------------------------------------------------- while incubated ----
class ServiceLogEntry(models.Model):
    class Kind(models.TextChoices):
        MENTORING = "mentoring", _("Mentoring")
        TRAINING = "training", _("Training")
        CONSULTANCY = "consultancy", _("Consultancy")
        FUNDER_INTRO = "funder_intro", _("Introduction to funders")

    incubatee = models.ForeignKey(
        Incubatee, on_delete=models.PROTECT, related_name="services", verbose_name=_("incubatee")
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("given by (staff)"),
    )
    expert = models.CharField(_("given by (expert)"), max_length=100, blank=True)
    summary = models.CharField(_("what was done"), max_length=300)
    outcome = models.TextField(_("what came of it"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service log entry")
        verbose_name_plural = _("service log")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(name="incubation_service_hours", condition=models.Q(hours__gt=0))
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} · {self.incubatee}"


class QuarterlyReport(models.Model):
    class Status(models.TextChoices):
        DUE = "due", _("Due")
        RETURNED = "returned", _("Returned for more information")
        SUBMITTED = "submitted", _("Submitted")
        ASSESSED = "assessed", _("Assessed")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="reports", verbose_name=_("agreement")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DUE, db_index=True
    )
    activities = models.TextField(_("activities"), blank=True)
    people_served = models.PositiveIntegerField(_("people served"), default=0)
    volunteers = models.PositiveIntegerField(_("volunteers"), default=0)
    income = MoneyField(_("income"), default=Decimal("0"))
    problems = models.TextField(_("problems"), blank=True)
    return_reason = models.TextField(_("what staff asked for when returning it"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    score = models.DecimalField(_("assessment score"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["-year", "-quarter", "agreement_id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year", "quarter"], name="incubation_report_once"),
            models.CheckConstraint(name="incubation_report_income", condition=models.Q(income__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter} · {self.agreement.incubatee}"


class QuarterlyScore(models.Model):
    report = models.ForeignKey(
        QuarterlyReport, on_delete=models.CASCADE, related_name="scores", verbose_name=_("report")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    score = models.PositiveSmallIntegerField(_("score (0–100)"), validators=[MaxValueValidator(100)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quarterly assessment score")
        verbose_name_plural = _("quarterly assessment scores")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="incubation_qscore_once"),
            models.CheckConstraint(name="incubation_qscore_range", condition=models.Q(score__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.score}"


# --------------------------------------------------------------- graduation and exit ----
class GraduationEvaluation(models.Model):
    class Outcome(models.TextChoices):
        GRADUATE = "graduate", _("Graduate (出壳)")
        EXTEND = "extend", _("Extend the incubation")
        EXIT = "exit", _("Exit")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("agreement")
    )
    registered = models.BooleanField(_("registered as a legal entity"), default=False)
    governance = models.BooleanField(_("sound governance"), default=False)
    running_project = models.BooleanField(_("at least one running project"), default=False)
    funding_secured = models.BooleanField(_("funding secured"), default=False)
    panel = models.CharField(_("panel members"), max_length=300, blank=True)
    notes = models.TextField(_("panel's opinion"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    extend_months = models.PositiveSmallIntegerField(_("extension (months)"), default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_on = models.DateField(_("decided on"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("graduation evaluation")
        verbose_name_plural = _("graduation evaluations")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.get_outcome_display()}"


class Handover(models.Model):
    """The checklist when an incubatee leaves: due within 15 working days."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="handover", verbose_name=_("agreement")
    )
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("due on"), db_index=True)
    keys_returned = models.BooleanField(_("keys returned"), default=False)
    desks_cleared = models.BooleanField(_("space and desks cleared"), default=False)
    deposit_refunded = models.BooleanField(_("deposit refunded"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.due_on}"


class FollowUp(models.Model):
    """An alumni follow-up 6 and 12 months after leaving: a short form."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        ANSWERED = "answered", _("Answered")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("agreement")
    )
    months = models.PositiveSmallIntegerField(_("months after leaving"))
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DUE)
    still_active = models.BooleanField(_("still active"), null=True, blank=True)
    staff_count = models.PositiveSmallIntegerField(_("staff"), null=True, blank=True)
    projects_running = models.PositiveSmallIntegerField(_("projects running"), null=True, blank=True)
    how_are_you = models.TextField(_("how are you doing"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("alumni follow-up")
        verbose_name_plural = _("alumni follow-ups")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "months"], name="incubation_followup_once")
        ]

    def __str__(self) -> str:
        return f"{self.agreement.incubatee} +{self.months}m"


# --------------------------------------------------------------------------- bookings ----
class BookingSeries(models.Model):
    """A recurring booking: an RFC 5545 RRULE over the first occurrence."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="series", verbose_name=_("room"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("booked by")
    )
    title = models.CharField(_("title"), max_length=120)
    rrule = models.CharField(_("recurrence rule"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recurring booking")
        verbose_name_plural = _("recurring bookings")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.rrule})"


class Booking(models.Model):
    """A booking of a shared facility by the hour. Confirmed bookings of one room never
    overlap (PostgreSQL: exclusion constraint from migration 0002; SQLite: locked check)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show (released)")

    space = models.ForeignKey(
        Space, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("room")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incubation_bookings",
        verbose_name=_("booked by"),
    )
    incubatee = models.ForeignKey(
        Incubatee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("for incubatee"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incubation_bookings",
        verbose_name=_("for organization"),
    )
    series = models.ForeignKey(
        BookingSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("series"),
    )
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["space", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["booked_by", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="incubation_booking_order", condition=models.Q(ends_at__gt=models.F("starts_at"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.space} {self.starts_at:%Y-%m-%d %H:%M} {self.title}"


class BookingStatusChange(StatusHistory):
    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("booking")
    )
    subject_field = "booking"
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    class Meta(StatusHistory.Meta):
        verbose_name = _("booking status change")
        verbose_name_plural = _("booking status changes")


class NoShow(models.Model):
    """A no-show counted against the booker."""

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="no_show", verbose_name=_("booking")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("booker")
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("no-show")
        verbose_name_plural = _("no-shows")
        ordering = ["-marked_at"]

    def __str__(self) -> str:
        return str(self.booking)
