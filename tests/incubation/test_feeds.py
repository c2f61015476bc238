"""iCalendar feeds (RFC 5545) parse back with the `icalendar` package: one per room, one per
organization's bookings behind a secret token (a wrong token is refused); each event carries
the booking's page, title and times; a recurring booking appears as its dates."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from incubation import services
from incubation.models import Booking
from tests.incubation.factories import TODAY, at, make_agreement, make_booking

pytestmark = pytest.mark.django_db
TOMORROW = TODAY + timedelta(days=1)


def _events(response) -> dict[str, dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert str(cal["version"]) == "2.0" and cal["prodid"]
    return {
        str(ev["url"]): {
            "summary": str(ev["summary"]),
            "start": ev.decoded("dtstart"),
            "end": ev.decoded("dtend"),
            "status": str(ev["status"]),
            "uid": str(ev["uid"]),
        }
        for ev in cal.walk("VEVENT")
    }


def _url(booking) -> str:
    return "http://testserver" + reverse("incubation:booking_detail", args=[booking.pk])


@pytest.fixture
def booked(spaces, incubatee, other_incubatee):
    """Incubatee A holds an agreement, books a room once and every Wednesday for three weeks;
    B books once; A's cancelled booking and B's are not A's feed."""
    user, inc = incubatee
    make_agreement(inc, spaces.office1)
    make_agreement(other_incubatee[1], spaces.office2)
    once = services.booking_create(
        space=spaces.room, user=user, starts_at=at(TOMORROW, 10), ends_at=at(TOMORROW, 11, 30), title="理事会"
    )
    series, weekly, _skipped = services.series_create(
        space=spaces.room,
        user=user,
        title="周例会",
        first_start=at(TOMORROW, 14),
        first_end=at(TOMORROW, 15),
        weekdays=[2],
        interval=1,
        until=date(2026, 6, 17),
    )
    cancelled = services.booking_create(
        space=spaces.room2, user=user, starts_at=at(TOMORROW, 9), ends_at=at(TOMORROW, 10), title="取消的会"
    )
    Booking.objects.filter(pk=cancelled.pk).update(status="cancelled")
    theirs = services.booking_create(
        space=spaces.room,
        user=other_incubatee[0],
        starts_at=at(TOMORROW, 16),
        ends_at=at(TOMORROW, 17),
        title="别人的会",
    )
    return once, weekly, cancelled, theirs


def test_room_feed_has_every_booking_with_its_page_title_and_times(client, spaces, booked):
    once, weekly, cancelled, theirs = booked
    events = _events(client.get(reverse("incubation:room_feed", args=[spaces.room.ical_token])))
    assert set(events) == {_url(b) for b in [once, *weekly, theirs]}
    ev = events[_url(once)]
    assert ev["summary"] == "理事会" and ev["status"] == "CONFIRMED"
    assert ev["start"] == at(TOMORROW, 10) and ev["end"] == at(TOMORROW, 11, 30)
    assert ev["uid"] == f"incubation-booking-{once.pk}@testserver"
    # the recurring booking appears as its dates: Wednesdays 3, 10 and 17 June, 14:00-15:00
    dates = sorted(events[_url(b)]["start"] for b in weekly)
    assert dates == [at(date(2026, 6, d), 14) for d in (3, 10, 17)]
    assert all(events[_url(b)]["summary"] == "周例会" for b in weekly)


def test_organization_feed_by_secret_token_has_only_its_bookings(client, incubatee, booked):
    once, weekly, cancelled, theirs = booked
    _user, inc = incubatee
    events = _events(client.get(reverse("incubation:incubatee_feed", args=[inc.ical_token])))
    assert set(events) == {_url(b) for b in [once, *weekly]}
    assert _url(cancelled) not in events and _url(theirs) not in events
    assert events[_url(weekly[1])]["start"] == at(date(2026, 6, 10), 14)


def test_a_pending_prebooking_is_tentative(client, spaces, incubatee):
    user, inc = incubatee
    make_agreement(inc, spaces.office1)
    pending = services.booking_create(
        space=spaces.room2, user=user, starts_at=at(TOMORROW, 10), ends_at=at(TOMORROW, 11), title="待批"
    )
    events = _events(client.get(reverse("incubation:incubatee_feed", args=[inc.ical_token])))
    assert events[_url(pending)]["status"] == "TENTATIVE"


@pytest.mark.parametrize("feed", ["room_feed", "incubatee_feed"])
def test_a_wrong_token_is_refused_and_shows_nothing(client, spaces, booked, feed):
    for token in ("guess", spaces.room.ical_token[:-1], spaces.room.ical_token + "x"):
        r = client.get(reverse(f"incubation:{feed}", args=[token]))
        assert r.status_code == 404
        assert b"BEGIN:VCALENDAR" not in r.content and "理事会" not in r.content.decode()


def test_feed_addresses_are_shown_to_the_owner_and_the_rooms_managers_only(
    client, spaces, incubatee, other_incubatee, booked, ops
):
    _user, inc = incubatee
    room_feed = reverse("incubation:room_feed", args=[spaces.room.ical_token])
    space_page = reverse("incubation:space_detail", args=[spaces.room.pk])
    assert room_feed not in client.get(space_page).content.decode()
    client.force_login(other_incubatee[0])
    assert room_feed not in client.get(space_page).content.decode()
    assert inc.ical_token not in client.get(reverse("incubation:mine")).content.decode()
    client.force_login(incubatee[0])
    assert inc.ical_token in client.get(reverse("incubation:mine")).content.decode()
    client.force_login(ops)
    assert room_feed in client.get(space_page).content.decode()


def test_feed_leaves_out_old_bookings(client, spaces, incubatee):
    user, _inc = incubatee
    old = make_booking(spaces.room, user, at(TODAY - timedelta(days=40), 10), title="很久以前")
    events = _events(client.get(reverse("incubation:room_feed", args=[spaces.room.ical_token])))
    assert _url(old) not in events
