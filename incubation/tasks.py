"""Periodic incubation jobs. Each is idempotent: reminders are keyed by subject + occasion
(center.services.reminder_send_once); status changes check the row's status first."""

from __future__ import annotations

from datetime import date, datetime

from celery import shared_task
from django.utils import timezone


def _day(today: str | None) -> date:
    return date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="incubation.tasks.application_deadlines")
def application_deadlines(today: str | None = None) -> int:
    """Answer-deadline reminders (1 working day before) and escalation (overdue)."""
    from incubation.reminders import send_application_deadlines

    return send_application_deadlines(today=_day(today))


@shared_task(name="incubation.tasks.report_reminders")
def report_reminders(today: str | None = None) -> int:
    from incubation.reminders import send_report_reminders

    return send_report_reminders(today=_day(today))


@shared_task(name="incubation.tasks.agreement_expiry")
def agreement_expiry(today: str | None = None) -> int:
    """Expiry reminders at 60 and 30 days, then expired agreements closed."""
    from incubation.reminders import expire_agreements, send_expiry_reminders

    day = _day(today)
    return send_expiry_reminders(today=day) + expire_agreements(today=day)


@shared_task(name="incubation.tasks.handover_reminders")
def handover_reminders(today: str | None = None) -> int:
    from incubation.reminders import send_handover_reminders

    return send_handover_reminders(today=_day(today))


@shared_task(name="incubation.tasks.follow_ups")
def follow_ups(today: str | None = None) -> int:
    from incubation.reminders import send_follow_ups

    return send_follow_ups(today=_day(today))


@shared_task(name="incubation.tasks.waitlist_offers")
def waitlist_offers(today: str | None = None) -> int:
    """Offers past their deadline are withdrawn and the space is offered to the next in line."""
    from incubation.services import waitlist_expire_offers

    return waitlist_expire_offers(today=_day(today))


@shared_task(name="incubation.tasks.release_no_shows")
def release_no_shows(now: str | None = None) -> int:
    from incubation.services import bookings_release_no_shows

    return bookings_release_no_shows(now=datetime.fromisoformat(now) if now else timezone.now())
