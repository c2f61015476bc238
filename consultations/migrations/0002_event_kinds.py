"""The configurable list of event kinds starts with the center's six."""

from django.db import migrations

KINDS = [
    ("policy_session", "政策咨询会", False),
    ("hearing", "听证会", False),
    ("training", "培训", True),
    ("support", "专业支持活动", True),
    ("salon", "沙龙", False),
    ("lecture", "讲座", False),
]


def seed_kinds(apps, schema_editor):
    EventKind = apps.get_model("consultations", "EventKind")
    for i, (code, name, training) in enumerate(KINDS):
        EventKind.objects.get_or_create(
            code=code, defaults={"name": name, "counts_as_training": training, "sort_order": i}
        )


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]

    operations = [migrations.RunPython(seed_kinds, migrations.RunPython.noop)]
