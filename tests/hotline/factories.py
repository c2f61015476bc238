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


def reach(p, status):
    """A ticket in `status`, got there the way people get it there."""
    t = file_ticket()
    if status == Ticket.Status.RECEIVED:
        return t
    services.ticket_dispatch(ticket=t, unit=p.net.nanmen, actor=p.dispatcher)
    if status == Ticket.Status.DISPATCHED:
        return t
    if status == Ticket.Status.RETURNED:
        services.ticket_return(ticket=t, actor=p.street, reason="非本辖区")
        return t
    services.ticket_sign_for(ticket=t, actor=p.street)
    if status == Ticket.Status.SIGNED_FOR:
        return t
    if status == Ticket.Status.IN_PROGRESS:
        services.ticket_start(ticket=t, actor=p.street)
        return t
    services.ticket_answer(ticket=t, actor=p.street, text="答复内容")
    if status == Ticket.Status.ANSWERED:
        return t
    result = "dissatisfied" if status == Ticket.Status.REOPENED else "satisfied"
    services.callback_record(ticket=t, actor=p.dispatcher, result=result, comment="回访")
    return t
