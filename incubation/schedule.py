from celery.schedules import crontab

BEAT_SCHEDULE = {
    "incubation-application-deadlines": {
        "task": "incubation.tasks.application_deadlines",
        "schedule": crontab(hour=8, minute=30),
    },
    "incubation-report-reminders": {
        "task": "incubation.tasks.report_reminders",
        "schedule": crontab(hour=8, minute=40),
    },
    "incubation-agreement-expiry": {
        "task": "incubation.tasks.agreement_expiry",
        "schedule": crontab(hour=0, minute=40),
    },
    "incubation-handover-reminders": {
        "task": "incubation.tasks.handover_reminders",
        "schedule": crontab(hour=8, minute=50),
    },
    "incubation-follow-ups": {
        "task": "incubation.tasks.follow_ups",
        "schedule": crontab(hour=9, minute=0),
    },
    "incubation-waitlist-offers": {
        "task": "incubation.tasks.waitlist_offers",
        "schedule": crontab(hour=0, minute=50),
    },
    "incubation-no-shows": {
        "task": "incubation.tasks.release_no_shows",
        "schedule": crontab(minute="*/5"),
    },
}
