"""iCalendar (RFC 5545) output with the `icalendar` package."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from center.validators import scrub_phones


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Haishu Social Organization Service Center//consultations//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    return cal


def _vevent(event, *, base_url: str) -> VEvent:
    url = base_url + reverse("consultations:event_detail", args=[event.pk])
    item = VEvent()
    item.add("uid", f"consultations-event-{event.pk}@haishu-portal")
    item.add("dtstamp", event.updated_at or timezone.now())
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title)
    item.add("description", scrub_phones(f"{event.description}\n\n{url}".strip()))
    if event.venue:
        item.add("location", event.venue)
    item.add("url", url)
    item.add("categories", [event.kind.name])
    item.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    return item


def ics_bytes(name: str, events: Iterable, *, base_url: str) -> bytes:
    cal = _calendar(name)
    for event in events:
        cal.add_component(_vevent(event, base_url=base_url))
    return cal.to_ical()


def ics_file_response(body: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def ics_response(name: str, events: Iterable, *, base_url: str, filename: str) -> HttpResponse:
    return ics_file_response(ics_bytes(name, events, base_url=base_url), filename=filename)
