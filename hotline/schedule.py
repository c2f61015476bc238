"""Beat entries of the hotline (plain data, no model imports)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "hotline-deadlines-sweep": {
        "task": "hotline.tasks.deadlines_sweep",
        "schedule": crontab(minute="*/15"),
    },
}
