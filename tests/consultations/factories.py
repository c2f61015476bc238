"""Factories for the consultations tests. Times are passed in; nothing reads the clock."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from consultations.models import (
    Consultation,
    DepartmentContact,
    Event,
    EventKind,
    GovernmentDepartment,
    Paragraph,
)

TZ = ZoneInfo("Asia/Shanghai")
# A Wednesday in term time: the tests' "now".
NOW = datetime(2026, 5, 13, 10, 0, tzinfo=TZ)
_seq = itertools.count(1)


def kind(code: str = "training", name: str = "培训", training: bool = True) -> EventKind:
    return EventKind.objects.get_or_create(
        code=code, defaults={"name": name, "counts_as_training": training}
    )[0]


def make_event(*, starts_at: datetime | None = None, capacity: int = 10, **fields) -> Event:
    n = next(_seq)
    starts_at = starts_at or NOW + timedelta(days=7)
    defaults = {
        "title": f"测试活动{n}",
        "kind": fields.pop("kind", None) or kind(),
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "registration_opens_at": NOW - timedelta(days=10),
        "registration_closes_at": starts_at - timedelta(hours=1),
        "capacity": capacity,
        "venue": "海曙区社会组织服务中心 3楼会议室",
        "created_at": NOW - timedelta(days=10),
    }
    defaults.update(fields)
    return Event.objects.create(**defaults)


def make_consultation(
    *, status: str = Consultation.Status.OPEN, paragraphs: int = 3, **fields
) -> Consultation:
    n = next(_seq)
    c = Consultation.objects.create(
        title=fields.pop("title", f"征求意见稿{n}"),
        status=status,
        published_at=NOW - timedelta(days=5),
        opens_at=NOW - timedelta(days=3),
        closes_at=fields.pop("closes_at", NOW + timedelta(days=10)),
        **fields,
    )
    for i in range(1, paragraphs + 1):
        Paragraph.objects.create(consultation=c, number=i, heading=f"第{i}条", text=f"条文内容{i}")
    return c


def make_department(code: str = "civil", name: str = "区民政局", contact_user=None) -> GovernmentDepartment:
    dept = GovernmentDepartment.objects.get_or_create(code=code, defaults={"name": name})[0]
    if contact_user is not None:
        DepartmentContact.objects.create(
            department=dept, user=contact_user, name=str(contact_user), phone="13800000000"
        )
    return dept
