"""Joins the department-rights migration and the workflow status histories (written in parallel)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ventures", "0004_department_rights"),
        ("ventures", "0005_workflow_status_history"),
    ]

    operations = []
