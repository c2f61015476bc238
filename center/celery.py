"""The Celery application. Tasks live in each app's tasks.py; beat entries in schedule.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "center.settings.local")

app = Celery("center")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
