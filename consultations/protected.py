"""What of an event registration only some people may reach (the permission matrix)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.urls import reverse
from django.utils import timezone

from center import registry
from center.registry import STAFF_ROLES, ProtectedObject, ProtectedView, roles

OWN_AND_MANAGERS = roles("resident", "staff_resource", "admin")


def make_registration(cast):
    """A published training next week, with `cast.resident` registered for it."""
    from consultations import services
    from consultations.models import Event, EventKind, Registration

    kind, _ = EventKind.objects.get_or_create(code="training", defaults={"name": "培训"})
    starts = timezone.now() + timedelta(days=7)
    event = Event.objects.create(
        title="矩阵测试培训",
        kind=kind,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=20,
        venue="服务中心三楼",
        status=Event.Status.PUBLISHED,
    )
    registration = services.registration_create(
        event=event, by=cast.resident, kind=Registration.Kind.RESIDENT, name="张三", phone="13812345678"
    )
    return SimpleNamespace(event=event, registration=registration)


def registration_views(made) -> list[ProtectedView]:
    code, event = made.registration.code, made.event.pk
    return [
        ProtectedView("page", reverse("consultations:registration_detail", args=[code]), OWN_AND_MANAGERS),
        ProtectedView("api", f"/api/v1/consultations/registrations/{code}/", OWN_AND_MANAGERS),
        ProtectedView("page", reverse("consultations:event_manage", args=[event]), roles(*STAFF_ROLES)),
    ] + [
        ProtectedView(
            "export", reverse("consultations:event_export", args=[event, what]), roles(*STAFF_ROLES)
        )
        for what in ("registrations", "attendance", "certificates")
    ]


registry.register_protected(
    ProtectedObject("consultations.registration", make_registration, registration_views)
)
