from celery.schedules import crontab

BEAT_SCHEDULE = {
    "ventures-review-reminders": {
        "task": "ventures.tasks.review_reminders",
        "schedule": crontab(hour=8, minute=10),
    },
    "ventures-report-reminders": {
        "task": "ventures.tasks.report_reminders",
        "schedule": crontab(hour=8, minute=20),
    },
    "ventures-close-notices": {
        "task": "ventures.tasks.close_notices",
        "schedule": crontab(hour=0, minute=30),
    },
}
