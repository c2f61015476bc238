"""Beat entries of consultations (plain data, no model imports)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "consultations-offers-expire": {
        "task": "consultations.tasks.offers_expire",
        "schedule": crontab(minute="*/10"),
    },
    "consultations-phases": {
        "task": "consultations.tasks.consultation_phases",
        "schedule": crontab(minute="*/15"),
    },
    "consultations-event-reminders": {
        "task": "consultations.tasks.event_reminders",
        "schedule": crontab(minute=0, hour="8,16"),
    },
    "consultations-forward-deadlines": {
        "task": "consultations.tasks.forward_deadlines",
        "schedule": crontab(minute=30, hour=8),
    },
    "consultations-milestone-reminders": {
        "task": "consultations.tasks.milestone_reminders",
        "schedule": crontab(minute=45, hour=8),
    },
}
