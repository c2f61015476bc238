"""What of a venture application only some people may reach (the permission matrix)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from center import registry
from center.calendar import add_working_days
from center.registry import ProtectedObject, ProtectedView, roles

APPLICANT_AND_PROJECTS = roles("owner", "staff_projects", "admin")
PROJECTS = roles("staff_projects", "admin")


def make_application(cast):
    """A draft application of an organization owned by `cast.owner`, with an attachment."""
    from organizations.protected import make_organization
    from ventures import services
    from ventures.models import Fund

    org = make_organization(cast).org
    fund, _ = Fund.objects.get_or_create(
        source=Fund.Source.WELFARE_LOTTERY,
        year=timezone.localdate().year,
        defaults={"name": "福彩公益金", "budget": Decimal("1000000")},
    )
    now = timezone.now()
    rnd = services.round_create(
        fund=fund,
        year=now.year,
        title="矩阵测试创投",
        budget=Decimal("200000"),
        call_opens=now - timedelta(days=10),
        call_closes=now + timedelta(days=10),
        review_deadline=add_working_days(timezone.localdate(), 15),
        by=cast.admin,
    )
    app = services.application_create(
        round=rnd,
        organization=org,
        user=cast.owner,
        data={
            "category": "elderly",
            "title": "矩阵测试项目",
            "summary": "s",
            "duration_months": 12,
            "requested_amount": Decimal("40000"),
            "expected_direct": 100,
            "expected_indirect": 400,
        },
        budget_lines=[("activities", Decimal("30000")), ("staff", Decimal("10000"))],
        milestones=[(3, "start"), (12, "end")],
    )
    attachment = services.attachment_add(
        application=app,
        user=cast.owner,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n", content_type="application/pdf"),
    )
    return SimpleNamespace(app=app, attachment=attachment)


def application_views(made) -> list[ProtectedView]:
    pk = made.app.pk
    return [
        ProtectedView("page", reverse("ventures:application_detail", args=[pk]), APPLICANT_AND_PROJECTS),
        ProtectedView(
            "page",
            reverse("ventures:attachment_download", args=[pk, made.attachment.pk]),
            APPLICANT_AND_PROJECTS,
        ),
        ProtectedView("api", f"/api/v1/ventures/applications/{pk}/", APPLICANT_AND_PROJECTS),
    ] + [
        ProtectedView("export", reverse(f"ventures:{name}", args=[made.app.round_id]), PROJECTS)
        for name in ("export_applications", "export_reviews", "export_awards")
    ]


registry.register_protected(ProtectedObject("ventures.application", make_application, application_views))
