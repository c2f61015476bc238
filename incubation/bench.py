"""Benchmark data for `make bench`: seed(scale) creates a base of 200 spaces (160 offices and
desks, 40 bookable rooms) and 500,000 × scale confirmed bookings over five years (ten a
working day per room, time-ordered, never overlapping), with bulk_create."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from center.models import User
from incubation.models import Base, Booking, Space

BENCH_BASE = "bench: incubation base"
N_ROOMS = 40
N_WORKSPACES = 160
PER_DAY = 10  # bookings per room per day: 50 minutes each from 08:30
DAYS_AT_SCALE_1 = 1250  # 500,000 / (40 rooms × 10 a day)
FIRST_DAY = date(2021, 7, 5)  # a Monday; five years of weekdays end in mid-2026


def bench_base() -> Base:
    return Base.objects.get(name=BENCH_BASE)


def bench_room() -> Space:
    return Space.objects.filter(base__name=BENCH_BASE, kind="meeting_room").order_by("code").first()


def _weekdays(n: int):
    day = FIRST_DAY
    while n > 0:
        if day.weekday() < 5:
            yield day
            n -= 1
        day += timedelta(days=1)


@transaction.atomic
def seed(scale: float = 1) -> None:
    if Base.objects.filter(name=BENCH_BASE).exists():
        return
    user, created = User.objects.get_or_create(
        username="bench_incubation_staff",
        defaults={"role": User.Role.STAFF, "department": User.Department.OPERATIONS, "is_staff": True},
    )
    if created:
        user.set_password("bench12345")
        user.save(update_fields=["password"])
    base = Base.objects.create(name=BENCH_BASE, area_m2=Decimal("20000"))
    spaces = [
        Space(
            base=base,
            code=f"R{i:03d}",
            kind="meeting_room",
            floor=1 + i // 10,
            grid_x=i % 10,
            grid_y=0,
            opens_at=time(8, 30),
            closes_at=time(17, 30),
            max_days_ahead=365 * 10,
        )
        for i in range(N_ROOMS)
    ] + [
        Space(
            base=base,
            code=f"W{i:03d}",
            kind="office" if i % 2 else "desk",
            floor=1 + i // 40,
            grid_x=i % 10,
            grid_y=1 + (i % 40) // 10,
        )
        for i in range(N_WORKSPACES)
    ]
    Space.objects.bulk_create(spaces, batch_size=1000)
    rooms = list(Space.objects.filter(base=base, kind="meeting_room").order_by("code"))
    days = max(5, int(DAYS_AT_SCALE_1 * scale))
    tz = timezone.get_current_timezone()
    batch = []
    for day in _weekdays(days):
        start0 = datetime.combine(day, time(8, 30), tzinfo=tz)
        for room in rooms:
            for k in range(PER_DAY):
                s = start0 + timedelta(minutes=50 * k)
                batch.append(
                    Booking(
                        space=room,
                        booked_by=user,
                        title=f"bench {k}",
                        starts_at=s,
                        ends_at=s + timedelta(minutes=50),
                        status="confirmed",
                    )
                )
        if len(batch) >= 20000:
            Booking.objects.bulk_create(batch, batch_size=5000)
            batch = []
    if batch:
        Booking.objects.bulk_create(batch, batch_size=5000)
