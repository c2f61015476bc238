"""Center's periodic jobs (plain data, merged into the beat schedule by the settings)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "center-outbox-flush": {
        "task": "center.tasks.outbox_flush",
        "schedule": crontab(minute="*"),
    },
}
