"""The public event list, month calendar and iCalendar feed are rendered once per data version
and shared (center.caching): served again without reading the events, and a change to an event
shows on the next request."""

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from tests.consultations.factories import NOW, make_event
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    "url",
    [
        reverse("consultations:event_list"),
        reverse("consultations:event_calendar") + "?month=2026-05",
        reverse("consultations:events_feed"),
    ],
    ids=["list", "calendar", "feed"],
)
def test_a_public_event_view_is_served_from_the_cache_and_follows_a_change(client, pinned, url):
    event = make_event(title="社区议事培训", starts_at=NOW.replace(day=20))
    first = client.get(url)
    assert "社区议事培训" in first.content.decode()

    _n, sql = count_queries(lambda: client.get(url))
    assert not any('"consultations_event"' in q for q in sql), sql

    event.title = "社区议事能力培训（改期）"
    event.save()
    again = client.get(url).content.decode()
    assert "社区议事能力培训（改期）" in again


def test_the_cached_feed_parses_back_and_differs_per_address(client, pinned, settings):
    settings.ALLOWED_HOSTS = ["testserver", "portal.example.cn"]
    event = make_event(title="政策宣讲会")
    a = client.get(reverse("consultations:events_feed"))
    b = client.get(reverse("consultations:events_feed"), HTTP_HOST="portal.example.cn")
    assert a["Content-Type"].startswith("text/calendar")
    urls_a = [str(c.get("url")) for c in Calendar.from_ical(a.content).walk("VEVENT")]
    urls_b = [str(c.get("url")) for c in Calendar.from_ical(b.content).walk("VEVENT")]
    assert urls_a == [f"http://testserver/consultations/events/{event.pk}/"]
    assert urls_b == [f"http://portal.example.cn/consultations/events/{event.pk}/"]


def test_the_opinions_and_their_summary_are_shared_and_follow_a_new_opinion(client, pinned):
    from consultations import services
    from tests.consultations.factories import make_consultation

    consultation = make_consultation()
    url = reverse("consultations:consultation_detail", args=[consultation.pk])
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No opinions yet." in first and "0 opinions, 0 on the whole draft." in first
    _n, sql = count_queries(lambda: client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert not any('"consultations_opinion"' in q for q in sql)  # summary and list from the cache

    services.opinion_create(consultation=consultation, body="建议增加夜间服务时段", name="王阿姨", now=NOW)
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "建议增加夜间服务时段" in again and "1 opinions, 1 on the whole draft." in again
    assert "No opinions yet." not in again


def test_a_visitor_posts_an_opinion_from_the_cached_form_with_their_own_token(pinned):
    import re

    from django.test import Client

    from consultations.models import Opinion
    from tests.consultations.factories import make_consultation

    consultation = make_consultation()
    url = reverse("consultations:consultation_detail", args=[consultation.pk])
    Client().get(url)  # someone else fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url).content.decode()
    assert "@@csrf-token@@" not in page
    form = page[page.index('id="opinion-form"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    r = visitor.post(
        reverse("consultations:opinion_create", args=[consultation.pk]),
        {"csrfmiddlewaretoken": token, "body": "希望增加无障碍通道", "name": "李先生", "paragraph": ""},
    )
    assert r.status_code == 302
    assert Opinion.objects.filter(consultation=consultation, body="希望增加无障碍通道").exists()
