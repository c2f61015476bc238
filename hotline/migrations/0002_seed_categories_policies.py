"""Default service categories and answer deadlines; staff may change both in the admin."""

from django.db import migrations

CATEGORIES = [
    ("elderly", "养老服务", "Elderly care", "老人,养老,助餐,居家养老", "民生服务"),
    ("disability", "助残服务", "Disability support", "残疾,助残,康复", "民生服务"),
    ("children", "儿童关爱", "Children", "儿童,未成年人,留守,孤儿", "民生服务"),
    ("hardship", "困难救助", "Hardship relief", "困难,救助,低保,济困", "民生服务"),
    ("community", "社区事务", "Community affairs", "社区,物业,邻里,环境", "社区治理"),
    ("social-org", "社会组织", "Social organizations", "社会组织,登记,年检,公益", "社会组织"),
    ("other", "其他", "Other", "", "其他"),
]
POLICIES = {"urgent": 0, "consultation": 3, "help": 5, "complaint": 13, "suggestion": 13}


def seed(apps, schema_editor):
    ServiceCategory = apps.get_model("hotline", "ServiceCategory")
    DeadlinePolicy = apps.get_model("hotline", "DeadlinePolicy")
    for i, (code, name, english, keywords, group) in enumerate(CATEGORIES):
        ServiceCategory.objects.get_or_create(
            code=code,
            defaults={"name": name, "description": f"{name}（{english}）", "keywords": keywords, "group": group, "sort_order": i},
        )
    for key, days in POLICIES.items():
        DeadlinePolicy.objects.get_or_create(key=key, defaults={"working_days": days})


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
