"""Hotline background jobs. Safe to run twice: every message is recorded once."""

from celery import shared_task


@shared_task(name="hotline.tasks.deadlines_sweep")
def deadlines_sweep() -> dict:
    """Reminders (催办) one working day before the deadline; overdue and sign-for-overdue
    marks with notices to the unit above and to the dispatchers."""
    from hotline.services import deadlines_sweep as sweep

    return sweep()
