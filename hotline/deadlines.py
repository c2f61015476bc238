"""Working-day deadlines of a ticket, on the center's calendar."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from center.calendar import add_working_days, end_of_day, is_working_day
from hotline.models import DeadlinePolicy

SIGN_FOR_WORKING_DAYS = 1


def answer_working_days(*, ticket_type: str, urgency: str) -> int:
    key = DeadlinePolicy.URGENT if urgency == "urgent" else ticket_type
    row = DeadlinePolicy.objects.filter(key=key).values_list("working_days", flat=True).first()
    return DeadlinePolicy.DEFAULTS.get(key, 5) if row is None else row


def due_after(start: datetime, working_days: int) -> datetime:
    """End of the `working_days`-th working day after `start` (0 = the same working day).

    Started on a day off, "the same day" is the next working day.
    """
    day = timezone.localtime(start).date()
    if working_days == 0 and not is_working_day(day):
        return end_of_day(add_working_days(day, 1))
    return end_of_day(add_working_days(day, working_days))


def answer_due(*, start: datetime, ticket_type: str, urgency: str) -> datetime:
    return due_after(start, answer_working_days(ticket_type=ticket_type, urgency=urgency))


def sign_due(start: datetime) -> datetime:
    return due_after(start, SIGN_FOR_WORKING_DAYS)
