"""Never double-booked, never double-assigned, under real concurrency (PostgreSQL)."""

from datetime import date, timedelta

import pytest

from center.errors import DomainError
from incubation import services
from incubation.models import Agreement, Booking
from tests.concurrency import requires_postgresql, run_concurrently
from tests.incubation.factories import TODAY, at, make_incubatee

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgresql]


def test_concurrent_bookings_of_one_slot_exactly_one_wins(spaces):
    users = [make_incubatee(f"race_{i}")[0] for i in range(4)]
    start = at(TODAY + timedelta(days=1), 10)

    def book(user):
        return lambda: services.booking_create(
            space=spaces.room,
            user=user,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            title=user.username,
        )

    outcomes = run_concurrently(*[book(u) for u in users])
    assert sum(o.ok for o in outcomes) == 1
    for o in outcomes:
        if not o.ok:
            assert isinstance(o.error, DomainError) and o.error.code == "taken"
            assert "10:00" in str(o.error.message)
    assert Booking.objects.filter(space=spaces.room, status="confirmed").count() == 1


def test_database_refuses_overlapping_confirmed_bookings(spaces, incubatee):
    """The exclusion constraint holds even when the service's check is bypassed."""
    from django.db import IntegrityError, transaction

    start = at(TODAY + timedelta(days=1), 10)
    Booking.objects.create(
        space=spaces.room,
        booked_by=incubatee[0],
        title="a",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status="confirmed",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            space=spaces.room,
            booked_by=incubatee[0],
            title="b",
            starts_at=start + timedelta(minutes=30),
            ends_at=start + timedelta(hours=2),
            status="confirmed",
        )
    # pending and cancelled rows may overlap
    Booking.objects.create(
        space=spaces.room,
        booked_by=incubatee[0],
        title="c",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status="pending",
    )


def test_concurrent_agreements_over_one_space_exactly_one_wins(spaces, ops):
    incs = [make_incubatee(f"agr_{i}")[1] for i in range(3)]

    def assign(inc):
        return lambda: services.agreement_create(
            incubatee=inc, space=spaces.office1, starts_on=date(2026, 7, 1), ends_on=date(2027, 6, 30), by=ops
        )

    outcomes = run_concurrently(*[assign(i) for i in incs])
    assert sum(o.ok for o in outcomes) == 1
    assert all(o.error.code == "space_taken" for o in outcomes if not o.ok)
    assert Agreement.objects.filter(space=spaces.office1).count() == 1


def test_database_refuses_overlapping_agreements(spaces, incubatee, other_incubatee):
    from django.db import IntegrityError, transaction

    Agreement.objects.create(
        number="X1",
        incubatee=incubatee[1],
        space=spaces.office1,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(
            number="X2",
            incubatee=other_incubatee[1],
            space=spaces.office1,
            starts_on=date(2026, 12, 31),
            ends_on=date(2027, 12, 31),
        )
