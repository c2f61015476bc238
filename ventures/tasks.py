"""Periodic ventures jobs. Each is idempotent: reminders are keyed by subject + occasion
(center.services.reminder_send_once), and status changes check the row's status first."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="ventures.tasks.review_reminders")
def review_reminders(today: str | None = None) -> int:
    """Remind reviewers 3 and 1 working days before the review deadline; escalate overdue
    reviews to projects staff. Returns how many reminders were sent now."""
    from datetime import date

    from ventures.reminders import send_review_reminders

    return send_review_reminders(today=date.fromisoformat(today) if today else timezone.localdate())


@shared_task(name="ventures.tasks.report_reminders")
def report_reminders(today: str | None = None) -> int:
    from datetime import date

    from ventures.reminders import send_report_reminders

    return send_report_reminders(today=date.fromisoformat(today) if today else timezone.localdate())


@shared_task(name="ventures.tasks.close_notices")
def close_notices(today: str | None = None) -> int:
    """Confirm the awards of every round whose public notice has ended (no open objection)."""
    from datetime import date

    from ventures.models import Application, Round
    from ventures.services import notice_close

    day = date.fromisoformat(today) if today else timezone.localdate()
    n = 0
    rounds = Round.objects.filter(
        notice_ends__lt=day, applications__status=Application.Status.ON_NOTICE
    ).distinct()
    for rnd in rounds:
        n += notice_close(round=rnd, today=day)
    return n
