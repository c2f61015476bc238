"""What of a resident's help request only some people may reach (the permission matrix)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from center import registry
from center.registry import STAFF_ROLES, ProtectedObject, ProtectedView, roles

# Every department of the center sees the hotline; of the network, the unit it is with.
SEES_TICKET = roles("street_handler", *STAFF_ROLES)


def make_ticket(cast):
    """A request filed by `cast.resident`, dispatched to 南门街道, with a photo."""
    from hotline import services
    from hotline.models import ServiceCategory, TicketImage

    ticket = services.ticket_file(
        channel="web",
        ticket_type="help",
        category=ServiceCategory.objects.get(code="elderly"),
        title="矩阵测试诉求",
        description="家中老人需要助餐服务。",
        phone="13812345678",
        resident_name="张三",
        address="南门街道某小区",
        resident=cast.resident,
    )
    services.ticket_dispatch(ticket=ticket, unit=cast.network.nanmen, actor=cast.staff_info)
    TicketImage.objects.create(
        ticket=ticket, file=SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    )
    return ticket


def ticket_views(ticket) -> list[ProtectedView]:
    number = ticket.tracking_number
    image = ticket.images.get()
    return [
        ProtectedView("page", reverse("hotline:ticket_detail", args=[number]), SEES_TICKET),
        ProtectedView("page", reverse("hotline:ticket_image", args=[number, image.pk]), SEES_TICKET),
        ProtectedView("api", f"/api/v1/hotline/tickets/{number}/", SEES_TICKET),
    ]


registry.register_protected(ProtectedObject("hotline.ticket", make_ticket, ticket_views))
