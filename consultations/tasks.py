"""Consultations background jobs. Safe to run twice: every message is recorded once."""

from celery import shared_task


@shared_task(name="consultations.tasks.event_reminders")
def event_reminders() -> dict:
    """One working day before an event to the registered; the attendance list to the organizer."""
    from consultations.services import event_reminders as run

    return run()


@shared_task(name="consultations.tasks.offers_expire")
def offers_expire() -> int:
    """Offers from the waitlist not taken in time pass to the next in line."""
    from consultations.services import offers_expire as run

    return run()


@shared_task(name="consultations.tasks.forward_deadlines")
def forward_deadlines() -> dict:
    """Department reply reminders before the deadline and escalation after it."""
    from consultations.services import forward_deadlines_sweep

    return forward_deadlines_sweep()


@shared_task(name="consultations.tasks.consultation_phases")
def consultation_phases() -> int:
    """Open and close consultations on their dates."""
    from consultations.services import consultation_phases_sweep

    return consultation_phases_sweep()


@shared_task(name="consultations.tasks.milestone_reminders")
def milestone_reminders() -> int:
    """Research milestone reminders, each once."""
    from consultations.services import milestone_reminders as run

    return run()
