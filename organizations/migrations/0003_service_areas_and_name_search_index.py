"""Seed the service areas, and on PostgreSQL a trigram index for Chinese-substring name search.

The index is created only on PostgreSQL (pg_trgm), so SQLite still migrates. Two indexes:
one on `name` (used by `name__contains`), one on `UPPER(name::text)`, the expression Django
emits for `name__icontains`.
"""

from django.db import migrations

SERVICE_AREAS = [
    ("elderly", "扶老"), ("disabled", "助残"), ("orphans", "救孤"), ("poverty", "济困"),
    ("community", "社区服务"), ("culture", "文化体育"), ("education", "教育培训"), ("health", "卫生健康"),
    ("environment", "环境保护"), ("volunteering", "志愿服务"), ("mediation", "矛盾调解"),
    ("social_work", "社会工作"), ("children", "儿童青少年"), ("charity", "慈善救助"),
]

TRGM_INDEXES = [
    ("org_name_trgm", "name"),
    ("org_name_upper_trgm", "UPPER(name::text)"),
]


def seed_areas(apps, schema_editor):
    ServiceArea = apps.get_model("organizations", "ServiceArea")
    for i, (code, name) in enumerate(SERVICE_AREAS):
        ServiceArea.objects.get_or_create(code=code, defaults={"name": name, "sort_order": i})


def create_trgm(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expr in TRGM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON organizations_organization USING gin (({expr}) gin_trgm_ops)"
        )


def drop_trgm(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _expr in TRGM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("organizations", "0002_servicearea_historicalorganization_abnormal_reason_and_more")]

    operations = [
        migrations.RunPython(seed_areas, migrations.RunPython.noop),
        migrations.RunPython(create_trgm, drop_trgm),
    ]
