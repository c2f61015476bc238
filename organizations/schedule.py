"""Daily beat entries (plain data)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "organizations-annual-reminders": {
        "task": "organizations.tasks.annual_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
    "organizations-abnormal-list": {
        "task": "organizations.tasks.abnormal_list",
        "schedule": crontab(hour=1, minute=15),
    },
    "organizations-import-requeue": {
        "task": "organizations.tasks.import_batches_requeue",
        "schedule": crontab(minute="*/10"),
    },
    "organizations-grade-expiry-reminders": {
        "task": "organizations.tasks.grade_expiry_reminders",
        "schedule": crontab(hour=8, minute=45),
    },
}
