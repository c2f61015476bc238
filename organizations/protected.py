"""What of an organization only some people may reach (the permission matrix, center.registry)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.urls import reverse

from center import registry
from center.registry import STAFF_ROLES, ProtectedObject, ProtectedView, roles

PRIVATE = roles("owner", *STAFF_ROLES)


def make_organization(cast):
    """An organization of 南门街道 owned by `cast.owner`, with a certificate scan and an annual
    report with an attachment."""
    from organizations.credit_codes import make_credit_code
    from organizations.models import AnnualReport, InspectionCampaign, Membership, Organization

    org = Organization.objects.create(
        name="矩阵测试协会",
        org_type=Organization.Type.SOCIAL_GROUP,
        credit_code=make_credit_code("social_group", "330203MJ9000001"),
        status=Organization.Status.VERIFIED,
        street=cast.network.nanmen,
    )
    Membership.objects.create(organization=org, user=cast.owner, role=Membership.Role.OWNER)
    org.certificate.save("certificate.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    campaign, _ = InspectionCampaign.objects.get_or_create(
        year=2025, defaults={"opens_on": date(2026, 3, 1), "deadline": date(2026, 5, 31)}
    )
    report = AnnualReport.objects.create(organization=org, campaign=campaign)
    report.audit_report.save("audit.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return SimpleNamespace(org=org, report=report)


def organization_views(made) -> list[ProtectedView]:
    org, report = made.org.pk, made.report.pk
    return [
        ProtectedView("page", reverse("organizations:manage", args=[org]), PRIVATE),
        ProtectedView("page", reverse("organizations:members", args=[org]), PRIVATE),
        ProtectedView("page", reverse("organizations:certificate_file", args=[org]), PRIVATE),
        ProtectedView("page", reverse("organizations:report", args=[report]), PRIVATE),
        ProtectedView("page", reverse("organizations:report_file", args=[report, "audit_report"]), PRIVATE),
        ProtectedView("api", f"/api/v1/organizations/{org}/members/", PRIVATE),
        ProtectedView("api", f"/api/v1/organizations/{org}/annual-reports/", PRIVATE),
        ProtectedView("api", f"/api/v1/annual-reports/{report}/", PRIVATE),
        ProtectedView(
            "export",
            reverse("organizations:campaign_export", args=[made.report.campaign_id]),
            roles(*STAFF_ROLES),
        ),
    ]


registry.register_protected(
    ProtectedObject("organizations.organization", make_organization, organization_views)
)
