"""The registry of social organizations, their members, annual inspections, the abnormal list,
grading evaluations and civil-affairs imports.

The core names (Organization, Membership and their choices) are used by the other apps:
extend them, never rename them.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from center.files import RandomName
from center.models import StatusHistory
from center.translated import EnglishNameMixin

MONEY = {"max_digits": 12, "decimal_places": 2}


class ServiceArea(EnglishNameMixin, models.Model):
    """What an organization works on (扶老, 助残, 救孤, 济困, …); an organization has several."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.display_name


class Organization(models.Model):
    class Type(models.TextChoices):
        SOCIAL_GROUP = "social_group", _("Social group")  # 社会团体
        PRIVATE_NON_ENTERPRISE = "private_non_enterprise", _("Private non-enterprise unit")  # 民办非企业单位
        FOUNDATION = "foundation", _("Foundation")  # 基金会
        COMMUNITY = "community", _("Community social organization")  # 社区社会组织 (on record)

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        ABNORMAL = "abnormal", _("Abnormal activity")  # 活动异常
        DEREGISTERED = "deregistered", _("Deregistered")
        REFUSED = "refused", _("Registration refused")

    class Grade(models.TextChoices):
        A1 = "1A", "1A"
        A2 = "2A", "2A"
        A3 = "3A", "3A"
        A4 = "4A", "4A"
        A5 = "5A", "5A"

    name = models.CharField(_("name"), max_length=200, db_index=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    english_name = models.CharField(_("English name"), max_length=200, blank=True)
    org_type = models.CharField(_("type"), max_length=32, choices=Type.choices, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    filing_number = models.CharField(
        _("filing number"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Given by the street office to a community organization on record."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    street = models.ForeignKey(
        "center.NetworkUnit",
        verbose_name=_("street / town"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "center.NetworkUnit",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registration_authority = models.CharField(_("registration authority"), max_length=100, blank=True)
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    supervising_unit = models.CharField(_("supervising unit"), max_length=100, blank=True)
    registered_funds = models.DecimalField(_("registered funds (yuan)"), null=True, blank=True, **MONEY)
    business_scope = models.TextField(_("business scope"), blank=True)
    service_areas = models.ManyToManyField(
        ServiceArea, verbose_name=_("service areas"), blank=True, related_name="organizations"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    certificate = models.FileField(
        _("registration certificate"), upload_to=RandomName("organizations/certificates"), blank=True
    )
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices, blank=True)
    grade_valid_until = models.DateField(_("grade valid until"), null=True, blank=True)
    # Denormalised from the latest status change so the public abnormal list is one query.
    abnormal_since = models.DateField(_("on the abnormal list since"), null=True, blank=True)
    abnormal_reason = models.CharField(_("reason for the abnormal list"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organizations"
    )
    history = HistoricalRecords(excluded_fields=["created_at"], m2m_fields=[service_areas])

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="organizations_registered_funds_gte_0",
                condition=models.Q(registered_funds__isnull=True) | models.Q(registered_funds__gte=0),
            ),
        ]
        verbose_name = _("social organization")
        verbose_name_plural = _("social organizations")
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "org_type"], name="org_status_type")]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        """The credit code, or the filing number of a community organization on record."""
        return self.credit_code or self.filing_number or ""


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class OrganizationStatusChange(StatusHistory):
    """One row per status change of an organization: who, when, from, to, why."""

    subject_field = "organization"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=32, choices=Organization.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=Organization.Status.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("organization status change")
        verbose_name_plural = _("organization status changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.organization}: {self.from_status} → {self.to_status}"


class JoinRequest(models.Model):
    """A person asks to join an existing organization; one of its owners decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the owner")
        APPROVED = "approved", pgettext_lazy("join request", "Approved")
        DECLINED = "declined", _("Declined")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_join_requests"
    )
    message = models.CharField(_("message"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("join request", "decided by"),
    )
    decided_at = models.DateTimeField(pgettext_lazy("join request", "decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organization}"


def _may_31(year: int) -> date:
    return date(year, 5, 31)


class JoinRequestStatusChange(StatusHistory):
    subject_field = "join_request"

    join_request = models.ForeignKey(JoinRequest, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=32, choices=JoinRequest.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=JoinRequest.Status.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("join request status change")
        verbose_name_plural = _("join request status changes")


class InspectionCampaign(models.Model):
    """The annual inspection of one year's work: reports are due by `deadline` (default May 31
    of the following year)."""

    year = models.PositiveIntegerField(_("year inspected"), unique=True)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    supervising_unit_deadline = models.DateField(_("deadline for supervising units"), null=True, blank=True)
    abnormal_list_done_at = models.DateTimeField(_("abnormal list drawn up at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual inspection campaign")
        verbose_name_plural = _("annual inspection campaigns")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("Annual inspection %(year)s") % {"year": self.year}

    @staticmethod
    def default_deadline(year: int) -> date:
        return _may_31(year + 1)

    @property
    def enrollment_cutoff(self) -> date:
        """Organizations registered on or before this day (six months before the year's end) file."""
        return date(self.year, 6, 30)

    def is_open(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today


class AnnualReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", pgettext_lazy("annual report", "Submitted")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")

    class Result(models.TextChoices):
        QUALIFIED = "qualified", _("Qualified")  # 合格
        BASICALLY_QUALIFIED = "basically_qualified", _("Basically qualified")  # 基本合格
        UNQUALIFIED = "unqualified", _("Unqualified")  # 不合格

    campaign = models.ForeignKey(
        InspectionCampaign, on_delete=models.CASCADE, related_name="reports", verbose_name=_("campaign")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="annual_reports", verbose_name=_("organization")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    result = models.CharField(_("result"), max_length=24, choices=Result.choices, blank=True)
    activities = models.TextField(_("activities of the year"), blank=True)
    event_count = models.PositiveIntegerField(_("number of events"), null=True, blank=True)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), null=True, blank=True)
    income = models.DecimalField(_("income (yuan)"), null=True, blank=True, **MONEY)
    expenditure = models.DecimalField(_("expenditure (yuan)"), null=True, blank=True, **MONEY)
    net_assets = models.DecimalField(_("net assets (yuan)"), null=True, blank=True, **MONEY)
    fulltime_staff = models.PositiveIntegerField(_("full-time staff"), null=True, blank=True)
    parttime_staff = models.PositiveIntegerField(_("part-time staff"), null=True, blank=True)
    volunteers = models.PositiveIntegerField(_("volunteers"), null=True, blank=True)
    has_party_organization = models.BooleanField(_("has a party organization"), default=False)
    financial_statements = models.FileField(
        _("financial statements"), upload_to=RandomName("organizations/reports"), blank=True
    )
    audit_report = models.FileField(
        _("audit report"), upload_to=RandomName("organizations/reports"), blank=True
    )
    rectification_report = models.FileField(
        _("rectification report"), upload_to=RandomName("organizations/reports"), blank=True
    )
    staff_comments = models.TextField(_("comments from the center"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-campaign__year", "organization__name"]
        constraints = [
            models.CheckConstraint(
                name="organizations_income_gte_0",
                condition=models.Q(income__isnull=True) | models.Q(income__gte=0),
            ),
            models.CheckConstraint(
                name="organizations_expenditure_gte_0",
                condition=models.Q(expenditure__isnull=True) | models.Q(expenditure__gte=0),
            ),
            models.UniqueConstraint(fields=["campaign", "organization"], name="one_report_per_campaign"),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="report_campaign_status")]

    def __str__(self) -> str:
        return f"{self.organization} {self.campaign.year}"


class AnnualReportStatusChange(StatusHistory):
    """One row per status change of an annual report; `reason` holds the staff comment."""

    subject_field = "report"

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=32, choices=AnnualReport.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=AnnualReport.Status.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("annual report status change")
        verbose_name_plural = _("annual report status changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.report}: {self.from_status} → {self.to_status}"


class GradingThreshold(models.Model):
    """Lowest total score (out of 1000) for a grade in one evaluation year."""

    year = models.PositiveIntegerField(_("evaluation year"))
    grade = models.CharField(_("grade"), max_length=2, choices=Organization.Grade.choices)
    min_score = models.DecimalField(_("minimum total score"), max_digits=6, decimal_places=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grading threshold")
        verbose_name_plural = _("grading thresholds")
        ordering = ["-year", "-min_score"]
        constraints = [models.UniqueConstraint(fields=["year", "grade"], name="one_threshold_per_grade_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.grade} ≥ {self.min_score}"


class GradingEvaluation(models.Model):
    """An organization's application for a grade (等级评估) and the indicator scores staff give."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        GRADED = "graded", _("Graded")
        NOT_GRADED = "not_graded", _("Below every grade")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Maximum points per indicator; they add up to 1000.
    MAX_SCORES = {
        "basic_conditions": 100,
        "internal_governance": 380,
        "performance": 370,
        "social_evaluation": 150,
    }

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("organization")
    )
    year = models.PositiveIntegerField(_("evaluation year"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    basic_conditions = models.DecimalField(
        _("basic conditions"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    internal_governance = models.DecimalField(
        _("internal governance"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    # 工作绩效; for 民办非企业单位 业务活动和诚信建设
    performance = models.DecimalField(
        _("work performance"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    social_evaluation = models.DecimalField(
        _("social evaluation"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=2, choices=Organization.Grade.choices, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("scored by"),
    )
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grading evaluation")
        verbose_name_plural = _("grading evaluations")
        ordering = ["-year", "-applied_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="one_evaluation_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"


class ImportBatch(models.Model):
    """One upload of the civil-affairs bureau's list: preview first, then import the good rows."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        RUNNING = "running", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    file_name = models.CharField(_("file"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    good_rows = models.JSONField(_("rows to import"), default=list, blank=True)
    bad_rows = models.JSONField(_("rejected rows"), default=list, blank=True)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    imported = models.PositiveIntegerField(_("rows imported"), default=0)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"
