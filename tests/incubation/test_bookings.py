"""Rooms by the hour: rules, never double-booked, pre-booking approval, recurrence with a
collision preview, cancellation cut-off, check-in and no-show release."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from center.errors import DomainError, PermissionDeniedError, TransitionError
from center.models import Notification
from incubation import services
from incubation.models import Booking, NoShow
from tests.incubation.factories import TODAY, at, make_booking

pytestmark = pytest.mark.django_db
TOMORROW = TODAY + timedelta(days=1)  # Wednesday 3 June 2026


def _book(room, user, start, minutes=60, title="例会"):
    return services.booking_create(
        space=room, user=user, starts_at=start, ends_at=start + timedelta(minutes=minutes), title=title
    )


def test_book_a_free_slot(spaces, incubatee):
    b = _book(spaces.room, incubatee[0], at(TOMORROW, 10))
    assert b.status == "confirmed"
    assert b.incubatee is None or b.incubatee == incubatee[1]


@pytest.mark.parametrize(
    ("start", "minutes", "words"),
    [
        (at(TODAY, 8, 0), 30, "past"),
        (at(TOMORROW, 7, 0), 60, "opening hours"),
        (at(TOMORROW, 17, 0), 60, "opening hours"),
        (at(TOMORROW, 9, 0), 300, "at most 240 minutes"),
        (at(TOMORROW, 10, 0), -30, "end after it starts"),
        (at(date(2026, 6, 6), 10, 0), 60, "not a working day"),  # Saturday
        (at(date(2026, 6, 19), 10, 0), 60, "not a working day"),  # Dragon Boat Festival
        (at(TODAY + timedelta(days=45), 10, 0), 60, "days ahead"),
    ],
)
def test_bad_bookings_refused_with_clear_error_and_nothing_written(spaces, incubatee, start, minutes, words):
    with translation.override("en"), pytest.raises(DomainError) as exc:
        _book(spaces.room, incubatee[0], start, minutes)
    assert words in str(exc.value.message)
    assert not Booking.objects.exists()


def test_refusal_reads_in_chinese_by_default(spaces, incubatee):
    with pytest.raises(DomainError) as exc:
        _book(spaces.room, incubatee[0], at(date(2026, 6, 6), 10, 0), 60)  # a Saturday
    assert "非工作日" in str(exc.value.message)


def test_blocked_period_refuses_booking(spaces, incubatee, ops, base):
    services.blocked_period_add(
        base=base,
        by=ops,
        space=spaces.room,
        starts_at=at(TOMORROW, 8),
        ends_at=at(TOMORROW, 12),
        reason="设备检修",
    )
    with pytest.raises(DomainError) as exc:
        _book(spaces.room, incubatee[0], at(TOMORROW, 10))
    assert "设备检修" in str(exc.value.message)
    assert not Booking.objects.exists()


def test_taken_slot_names_the_conflict(spaces, incubatee, other_incubatee):
    _book(spaces.room, incubatee[0], at(TOMORROW, 10), 120, title="理事会")
    with pytest.raises(DomainError) as exc:
        _book(spaces.room, other_incubatee[0], at(TOMORROW, 11), 60)
    assert exc.value.code == "taken"
    assert (
        "10:00" in str(exc.value.message)
        and "12:00" in str(exc.value.message)
        and "理事会" in str(exc.value.message)
    )
    assert Booking.objects.count() == 1
    # back to back is fine
    assert _book(spaces.room, other_incubatee[0], at(TOMORROW, 12), 60).status == "confirmed"


def test_staff_only_room_refuses_organizations(spaces, incubatee):
    spaces.room.bookable_by = "staff"
    spaces.room.save()
    with pytest.raises(PermissionDeniedError):
        _book(spaces.room, incubatee[0], at(TOMORROW, 10))


def test_anonymous_and_resident_cannot_book(spaces, resident):
    with pytest.raises(PermissionDeniedError):
        _book(spaces.room, resident, at(TOMORROW, 10))


def test_prebooking_approval_refuses_colliding_pending_and_tells_owners(
    spaces, incubatee, other_incubatee, ops
):
    a = _book(spaces.room2, incubatee[0], at(TOMORROW, 10), 60)
    b = _book(spaces.room2, other_incubatee[0], at(TOMORROW, 10, 30), 60)
    assert a.status == b.status == "pending"
    with translation.override("en"):
        services.booking_transition(a, to="confirmed", by=ops)
    assert Booking.objects.get(pk=a.pk).status == "confirmed"
    b.refresh_from_db()
    assert b.status == "refused" and "accepted" in b.reason
    assert Notification.objects.filter(user=other_incubatee[0], title__contains="refused").exists()
    assert Notification.objects.filter(user=incubatee[0], title__contains="confirmed").exists()


def test_owner_cannot_approve_own_prebooking(spaces, incubatee):
    a = _book(spaces.room2, incubatee[0], at(TOMORROW, 10), 60)
    with pytest.raises(PermissionDeniedError):
        services.booking_transition(a, to="confirmed", by=incubatee[0])


def test_cancel_until_cutoff(spaces, incubatee, other_incubatee, time_machine):
    b = _book(spaces.room, incubatee[0], at(TOMORROW, 10))
    with pytest.raises(PermissionDeniedError):
        services.booking_transition(b, to="cancelled", by=other_incubatee[0])
    time_machine.move_to(at(TOMORROW, 8, 30), tick=False)  # 90 minutes before: past the 2 h cut-off
    with pytest.raises(DomainError):
        services.booking_transition(b, to="cancelled", by=incubatee[0])
    time_machine.move_to(at(TOMORROW, 7, 0), tick=False)
    assert services.booking_transition(b, to="cancelled", by=incubatee[0]).status == "cancelled"
    with pytest.raises(TransitionError):
        services.booking_transition(
            b, to="confirmed", by=incubatee[0]
        ) if False else services.booking_transition(
            Booking.objects.get(pk=b.pk), to="no_show", by=None, now=at(TOMORROW, 11)
        )


def test_check_in_window_and_no_show_release(spaces, incubatee, other_incubatee):
    b = _book(spaces.room, incubatee[0], at(TOMORROW, 10))
    with pytest.raises(DomainError):
        services.booking_check_in(booking=b, user=incubatee[0], now=at(TOMORROW, 9, 30))
    assert services.bookings_release_no_shows(now=at(TOMORROW, 10, 10)) == 0
    assert services.bookings_release_no_shows(now=at(TOMORROW, 10, 16)) == 1
    assert services.bookings_release_no_shows(now=at(TOMORROW, 10, 20)) == 0  # once
    b.refresh_from_db()
    assert b.status == "no_show"
    assert NoShow.objects.get(booking=b).user == incubatee[0]
    # the slot is released: someone else books it
    time_machine_now = at(TOMORROW, 10, 17)
    again = services.booking_create(
        space=spaces.room,
        user=other_incubatee[0],
        starts_at=at(TOMORROW, 10, 30),
        ends_at=at(TOMORROW, 11),
        title="临时",
        now=time_machine_now,
    )
    assert again.status == "confirmed"


def test_checked_in_booking_is_not_released(spaces, incubatee):
    b = _book(spaces.room, incubatee[0], at(TOMORROW, 10))
    services.booking_check_in(booking=b, user=incubatee[0], now=at(TOMORROW, 10, 5))
    assert services.bookings_release_no_shows(now=at(TOMORROW, 10, 30)) == 0
    assert Booking.objects.get(pk=b.pk).status == "confirmed"


def test_recurring_preview_shows_collisions_then_books_the_rest(spaces, incubatee, other_incubatee):
    # Wednesdays and Thursdays 14:00-15:00 for three weeks; one Thursday already taken
    make_booking(spaces.room, other_incubatee[0], at(date(2026, 6, 11), 14, 30), title="培训")
    args = dict(
        space=spaces.room,
        first_start=at(TOMORROW, 14),
        first_end=at(TOMORROW, 15),
        weekdays=[2, 3],
        interval=1,
        until=date(2026, 6, 18),
    )
    preview = services.series_preview(**args)
    assert [o["starts_at"].date().isoformat() for o in preview] == [
        "2026-06-03",
        "2026-06-04",
        "2026-06-10",
        "2026-06-11",
        "2026-06-17",
        "2026-06-18",
    ]
    problems = {o["starts_at"].date().isoformat(): o["problem"] for o in preview if o["problem"]}
    assert list(problems) == ["2026-06-11"] and "培训" in problems["2026-06-11"]
    series, booked, skipped = services.series_create(user=incubatee[0], title="周例会", **args)
    assert len(booked) == 5 and len(skipped) == 1
    assert "FREQ=WEEKLY" in series.rrule and "BYDAY=WE,TH" in series.rrule


def test_every_other_week(spaces, incubatee):
    preview = services.series_preview(
        space=spaces.room,
        first_start=at(TOMORROW, 9),
        first_end=at(TOMORROW, 10),
        weekdays=[2],
        interval=2,
        until=date(2026, 7, 1),
    )
    assert [o["starts_at"].day for o in preview] == [3, 17, 1]
