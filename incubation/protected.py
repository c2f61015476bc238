"""What of an incubatee only some people may reach (the permission matrix, center.registry)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from center import registry
from center.registry import ProtectedObject, ProtectedView, roles

# A 南门街道 sub-base: its street's handlers manage it, with the operations department.
MANAGERS = ("staff_operations", "admin", "street_handler")
APPLICANT_AND_MANAGERS = roles("owner", *MANAGERS)


def make_incubatee(cast):
    """The incubatee of `cast.owner`'s organization at a 南门街道 sub-base: an entry application
    with an attachment, and an agreement over an office."""
    from incubation.models import Agreement, Application, Base, EntryCall, Incubatee, Space
    from organizations.protected import make_organization

    org = make_organization(cast).org
    base = Base.objects.create(
        name="南门街道孵化分基地", address="南门街道", area_m2=Decimal("400"), street=cast.network.nanmen
    )
    office = Space.objects.create(
        base=base, code="N101", kind=Space.Kind.OFFICE, monthly_rent=Decimal("1500")
    )
    now = timezone.now()
    call = EntryCall.objects.create(
        base=base,
        title="矩阵测试入驻",
        places=3,
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=20),
    )
    incubatee = Incubatee.objects.create(name=org.name, organization=org, contact=cast.owner)
    application = Application.objects.create(
        call=call,
        incubatee=incubatee,
        created_by=cast.owner,
        service_area="扶老",
        team="三名专职",
        plan="一年内完成登记",
        space_need=Application.SpaceNeed.OFFICE,
    )
    application.attachment.save("plan.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    today = timezone.localdate()
    agreement = Agreement.objects.create(
        number="MATRIX-0001",
        incubatee=incubatee,
        space=office,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=335),
        status=Agreement.Status.ACTIVE,
    )
    return SimpleNamespace(application=application, agreement=agreement)


def incubatee_views(made) -> list[ProtectedView]:
    app, agreement = made.application.pk, made.agreement.pk
    return [
        ProtectedView("page", reverse("incubation:application_detail", args=[app]), APPLICANT_AND_MANAGERS),
        ProtectedView(
            "page", reverse("incubation:application_attachment", args=[app]), APPLICANT_AND_MANAGERS
        ),
        ProtectedView(
            "page", reverse("incubation:agreement_detail", args=[agreement]), APPLICANT_AND_MANAGERS
        ),
        # the API gives an incubatee its own agreements; managers work in the pages
        ProtectedView("api", f"/api/v1/incubation/agreements/{agreement}/", roles("owner")),
    ]


registry.register_protected(ProtectedObject("incubation.incubatee", make_incubatee, incubatee_views))
