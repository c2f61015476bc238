"""Incubation test data: a base with offices, desks and rooms, a call with its sheet,
incubatees with agreements, bookings at fixed times (never the wall clock)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from incubation.models import (
    Agreement,
    Base,
    Booking,
    EntryCall,
    Incubatee,
    Indicator,
    IndicatorSheet,
    Space,
)
from tests.factories import UserFactory
from tests.ventures.factories import make_org_user

TZ = ZoneInfo("Asia/Shanghai")
# A Tuesday, an ordinary working day
TODAY = date(2026, 6, 2)
NOW = datetime(2026, 6, 2, 9, 0, tzinfo=TZ)
_seq = itertools.count(1)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=TZ)


def make_base(*, street=None, name=None) -> Base:
    return Base.objects.create(
        name=name or f"孵化基地{next(_seq)}", address="海曙区", area_m2=Decimal("3500"), street=street
    )


def make_space(base, code=None, *, kind="office", floor=1, x=0, y=0, **fields) -> Space:
    return Space.objects.create(
        base=base,
        code=code or f"S{next(_seq)}",
        kind=kind,
        floor=floor,
        grid_x=x,
        grid_y=y,
        monthly_rent=fields.pop("monthly_rent", Decimal("2000")),
        **fields,
    )


def make_room(base, code=None, **fields) -> Space:
    return make_space(base, code, kind="meeting_room", capacity=12, **fields)


def make_sheet(kind="entry") -> IndicatorSheet:
    sheet = IndicatorSheet.objects.create(name=f"sheet {kind} {next(_seq)}", kind=kind)
    Indicator.objects.create(sheet=sheet, name="mission", weight=40, order=1)
    Indicator.objects.create(sheet=sheet, name="team", weight=60, order=2)
    return sheet


def make_call(base, *, sheet=None) -> EntryCall:
    return EntryCall.objects.create(
        base=base,
        title=f"2026 入驻 {next(_seq)}",
        places=5,
        opens_at=NOW - timedelta(days=10),
        closes_at=NOW + timedelta(days=20),
        sheet=sheet or make_sheet(),
    )


def make_incubatee(username=None, *, grassroots=False) -> tuple:
    """(user, incubatee) — an organization account and its organization, or a group."""
    username = username or f"inc_{next(_seq)}"
    if grassroots:
        user = UserFactory.make(username, role="resident")
        return user, Incubatee.objects.create(name=f"草根小组{next(_seq)}", contact=user)
    user, org = make_org_user(username)
    return user, Incubatee.objects.create(name=org.name, organization=org, contact=user)


def make_agreement(incubatee, space, *, starts_on=None, ends_on=None, status="active") -> Agreement:
    starts_on = starts_on or TODAY - timedelta(days=30)
    ends_on = ends_on or starts_on + timedelta(days=364)
    inc = Incubatee.objects.filter(pk=incubatee.pk)
    inc.update(status="incubating")
    return Agreement.objects.create(
        number=f"T{next(_seq):06d}",
        incubatee=incubatee,
        space=space,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )


def make_booking(room, user, start: datetime, minutes=60, status="confirmed", title="meeting") -> Booking:
    return Booking.objects.create(
        space=room,
        booked_by=user,
        title=title,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        status=status,
    )
