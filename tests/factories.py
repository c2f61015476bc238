"""Shared factories: people, the network, and organizations (one `make_org`, one credit-code
scheme, one counter, so codes never collide between apps' tests). Each app keeps its own
workflow factories in tests/<app>/factories.py.

Plain functions rather than factory_boy classes: every object here goes through one
constructor call, and the apps' factories call services (so test data passes the same checks
as real data), which factory_boy would only wrap."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from center.models import NetworkUnit, User

PASSWORD = "pw-for-tests-123"
# An ordinary working Wednesday morning in Shanghai: "now" for the tests that need one.
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class UserFactory:
    @staticmethod
    def make(username: str, *, role: str = "resident", password: str = PASSWORD, **fields) -> User:
        user = User(
            username=username, role=role, email=fields.pop("email", f"{username}@example.cn"), **fields
        )
        user.set_password(password)
        user.save()
        return user


class NetworkFactory:
    @staticmethod
    def unit(name: str, code: str, level: str, parent: NetworkUnit | None = None) -> NetworkUnit:
        return NetworkUnit.objects.create(name=name, code=code, level=level, parent=parent)

    @classmethod
    def build_tree(cls) -> SimpleNamespace:
        district = cls.unit("海曙区社会组织服务中心", "haishu", "district")
        nanmen = cls.unit("南门街道", "nanmen", "street", district)
        yuehu = cls.unit("月湖街道", "yuehu", "street", district)
        return SimpleNamespace(
            district=district,
            nanmen=nanmen,
            yuehu=yuehu,
            nanmen_c1=cls.unit("南门东社区", "nanmen-c1", "community", nanmen),
            nanmen_c2=cls.unit("南门西社区", "nanmen-c2", "community", nanmen),
            yuehu_c1=cls.unit("月湖东社区", "yuehu-c1", "community", yuehu),
        )


_org_seq = itertools.count(1)


def credit_code(org_type: str = "social_group", n: int | None = None) -> str:
    """A valid unified social credit code for `org_type` (check character included)."""
    from organizations.credit_codes import make_credit_code

    n = next(_org_seq) if n is None else n
    return make_credit_code(org_type, f"330203MJ{n:07d}")


def make_org(
    name: str | None = None,
    *,
    org_type: str = "social_group",
    status: str = "verified",
    owner=None,
    street=None,
    registration_date: date | None = date(2020, 3, 1),
    **fields,
):
    """An organization (verified by default), with `owner` as its owner when given."""
    from organizations.models import Membership, Organization

    n = next(_org_seq)
    code = fields.pop("credit_code", credit_code(org_type, n) if org_type != "community" else None)
    org = Organization.objects.create(
        name=name or f"测试组织{n}",
        org_type=org_type,
        credit_code=code,
        status=status,
        street=street,
        registration_date=registration_date,
        **fields,
    )
    if owner is not None:
        Membership.objects.create(organization=org, user=owner, role=Membership.Role.OWNER)
    return org
