"""Admin rights of each department over consultations (see center/staff_access.py)."""

from django.db import migrations

from center.staff_access import grant_rights


class Migration(migrations.Migration):
    dependencies = [
        ("center", "0002_department_rights"),
        ("consultations", "0003_status_history"),
    ]

    operations = [
        grant_rights(
            {
                "center-admins": {"consultations.*": ("view", "add", "change")},
                # Trainings, hearings, relations with government departments and research are
                # the resource development department's work.
                "dept-resource": {"consultations.*": ("view", "add", "change")},
                # Everyone else sees the events (for their own organizations and projects).
                "dept-projects": {"consultations.event": ("view",), "consultations.registration": ("view",)},
                "dept-info": {"consultations.event": ("view",), "consultations.registration": ("view",)},
                "dept-operations": {"consultations.event": ("view",), "consultations.registration": ("view",)},
            }
        ),
    ]
