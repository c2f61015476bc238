"""Hotline test helpers: users of every hotline role, and tickets in any state."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from hotline import services
from hotline.models import ServiceCategory, Ticket


def category(code: str = "elderly") -> ServiceCategory:
    return ServiceCategory.objects.get(code=code)


def file_ticket(**kw) -> Ticket:
    data = {
        "channel": Ticket.Channel.WEB,
        "ticket_type": Ticket.Type.HELP,
        "category": category(),
        "title": "老人助餐",
        "description": "家中老人行动不便，希望社区提供助餐服务。",
        "phone": "13812341234",
        "resident_name": "张三",
        "address": "海曙区某路1号",
    }
    data.update(kw)
    return services.ticket_file(**data)


def aware(y, m, d, h=10, mi=0) -> datetime:
    return timezone.make_aware(datetime(y, m, d, h, mi))
