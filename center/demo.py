"""Demo data owned by `center`: the network, and one account of every kind.

Every login uses the password DEMO_PASSWORD. Idempotent: re-running changes nothing.
"""

from __future__ import annotations

from django.db import transaction

from center.models import Announcement, NetworkUnit, User

DEMO_PASSWORD = "demo12345"

# Haishu District's streets and towns (街道, 镇, 乡), with a code for logins and URLs.
STREETS = [
    ("nanmen", "南门街道"),
    ("jiangxia", "江厦街道"),
    ("ximen", "西门街道"),
    ("yuehu", "月湖街道"),
    ("gulou", "鼓楼街道"),
    ("baiyun", "白云街道"),
    ("duantang", "段塘街道"),
    ("wangchun", "望春街道"),
    ("shiqi", "石碶街道"),
    ("gaoqiao", "高桥镇"),
    ("hengjie", "横街镇"),
    ("jishigang", "集士港镇"),
    ("gulin", "古林镇"),
    ("dongqiao", "洞桥镇"),
    ("yinjiang", "鄞江镇"),
    ("zhangshui", "章水镇"),
    ("longguan", "龙观乡"),
]
# Demo community names; real ones differ street by street.
COMMUNITY_SUFFIXES = [("c1", "东社区"), ("c2", "西社区"), ("c3", "中心社区")]

STAFF = [
    ("admin", User.Department.ADMIN, "中心管理员"),
    ("staff_resource", User.Department.RESOURCE, "资源开发部 王老师"),
    ("staff_projects", User.Department.PROJECTS, "项目管理部 李老师"),
    ("staff_info", User.Department.INFO, "信息服务部 陈老师"),
    ("staff_operations", User.Department.OPERATIONS, "项目运作部 张老师"),
]


def _user(username: str, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_center_demo(stdout=None) -> None:
    district, _ = NetworkUnit.objects.get_or_create(
        code="haishu", defaults={"name": "海曙区社会组织服务中心", "level": NetworkUnit.Level.DISTRICT}
    )
    for i, (code, name) in enumerate(STREETS):
        street, _ = NetworkUnit.objects.get_or_create(
            code=code,
            defaults={"name": name, "level": NetworkUnit.Level.STREET, "parent": district, "sort_order": i},
        )
        for j, (suffix, cname) in enumerate(COMMUNITY_SUFFIXES):
            NetworkUnit.objects.get_or_create(
                code=f"{code}-{suffix}",
                defaults={
                    "name": f"{name[:2]}{cname}",
                    "level": NetworkUnit.Level.COMMUNITY,
                    "parent": street,
                    "sort_order": j,
                },
            )
        _user(
            f"handler_{code}",
            role=User.Role.HANDLER,
            network_unit=street,
            display_name=f"{name}社会组织联合会",
            email=f"handler_{code}@example.cn",
        )
    for code in ("nanmen", "yuehu", "baiyun", "gaoqiao"):
        community = NetworkUnit.objects.get(code=f"{code}-c1")
        _user(
            f"handler_{code}_c1",
            role=User.Role.HANDLER,
            network_unit=community,
            display_name=f"{community.name}居委会",
            email=f"handler_{code}_c1@example.cn",
        )

    for username, dept, name in STAFF:
        user = _user(
            username,
            role=User.Role.STAFF,
            department=dept,
            display_name=name,
            is_staff=True,
            email=f"{username}@example.cn",
        )
        if username == "admin" and not user.is_superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])

    for i in range(1, 13):
        _user(
            f"reviewer{i}",
            role=User.Role.REVIEWER,
            display_name=f"评审专家{i}",
            email=f"reviewer{i}@example.cn",
        )
    for i in range(1, 4):
        _user(
            f"resident{i}",
            role=User.Role.RESIDENT,
            display_name=f"居民{i}",
            phone=f"1380000000{i}",
            email=f"resident{i}@example.cn",
        )
    _user(
        "org_stars",
        role=User.Role.ORGANIZATION,
        display_name="星星的孩子家长互助论坛",
        email="stars@example.cn",
    )
    for i in range(1, 6):
        _user(
            f"org{i}",
            role=User.Role.ORGANIZATION,
            display_name=f"社会组织账户{i}",
            email=f"org{i}@example.cn",
        )

    if not Announcement.objects.exists():
        Announcement.objects.create(
            title="关于开展2026年度社会组织年检工作的通知",
            body="各社会组织：根据《社会团体登记管理条例》等规定，请于5月31日前通过本平台提交年度工作报告。",
        )
        Announcement.objects.create(
            title="2027年度海曙区公益创投项目征集公告",
            body="区福彩公益金资助的公益创投项目现开始征集，重点支持扶老、助残、救孤、济困类项目。",
        )
    if stdout:
        stdout.write(f"center: {NetworkUnit.objects.count()} network units, {User.objects.count()} users")
