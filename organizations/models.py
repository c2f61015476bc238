"""The registry of social organizations (core shape; the organizations module extends it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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

    class Grade(models.TextChoices):
        A1 = "1A", "1A"
        A2 = "2A", "2A"
        A3 = "3A", "3A"
        A4 = "4A", "4A"
        A5 = "5A", "5A"

    name = models.CharField(_("name"), max_length=200, db_index=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    org_type = models.CharField(_("type"), max_length=32, choices=Type.choices, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    street = models.ForeignKey(
        "center.NetworkUnit", verbose_name=_("street / town"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "center.NetworkUnit", verbose_name=_("community"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices, blank=True)
    grade_valid_until = models.DateField(_("grade valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organizations")
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("social organization")
        verbose_name_plural = _("social organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
