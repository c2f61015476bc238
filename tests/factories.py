"""Factories for center's models; each app keeps its own in tests/<app>/factories.py."""

from __future__ import annotations

from types import SimpleNamespace

from center.models import NetworkUnit, User

PASSWORD = "pw-for-tests-123"


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
