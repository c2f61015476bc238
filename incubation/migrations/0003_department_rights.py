from django.db import migrations

from center.staff_access import grant_rights


class Migration(migrations.Migration):
    dependencies = [
        ("center", "0002_department_rights"),
        ("incubation", "0002_no_overlaps_postgresql"),
    ]

    operations = [
        grant_rights(
            {
                "center-admins": {"incubation.*": ("view", "add", "change")},
                # The incubation base is the operations department's work; workflow, money and
                # assignment fields stay read-only in the admin whatever the group allows.
                "dept-operations": {"incubation.*": ("view", "add", "change")},
            }
        )
    ]
