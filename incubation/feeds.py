"""iCalendar feeds (RFC 5545, the `icalendar` package): one per room, one per incubatee's
bookings; subscribed by URL with a secret token."""

from __future__ import annotations

from collections.abc import Callable

from icalendar import Calendar, Event

PRODID = "-//Haishu Social Organization Service Center//Incubation bookings//ZH"


def calendar_bytes(
    *, name: str, bookings, host: str = "portal", url_for: Callable[[object], str] | None = None
) -> bytes:
    """A VCALENDAR with one VEVENT per booking (each date of a recurring booking is its own
    booking, so its own event); `url_for(booking)` gives the event's URL (its page)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for b in bookings:
        ev = Event()
        ev.add("uid", f"incubation-booking-{b.pk}@{host}")
        ev.add("summary", b.title)
        ev.add("dtstart", b.starts_at)
        ev.add("dtend", b.ends_at)
        ev.add("dtstamp", b.updated_at or b.created_at)
        ev.add("location", str(b.space))
        ev.add("status", "CONFIRMED" if b.status == "confirmed" else "TENTATIVE")
        if url_for is not None:
            ev.add("url", url_for(b))
        cal.add_component(ev)
    return cal.to_ical()
