"""Public pages, iCalendar feeds, the API, refusals from the refused side, query counts and
reminders."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from consultations import services
from consultations.models import Registration
from tests.consultations.factories import NOW, make_consultation, make_event
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def reg(event, user):
    return services.registration_create(event=event, by=user, kind="resident", name=str(user), now=NOW)


def test_event_page_has_agenda_seats_left_and_json_ld(client, pinned):
    event = make_event(capacity=5)
    event.agenda.create(starts_at="09:30", title="政策解读", speaker="民政局")
    page = client.get(reverse("consultations:event_detail", args=[event.pk])).content.decode()
    assert "政策解读" in page and '"@type": "Event"' in page and '"remainingAttendeeCapacity": 5' in page


def test_filters_upcoming_past_and_month_calendar(client, pinned):
    soon = make_event(title="下周培训")
    make_event(title="去年沙龙", starts_at=NOW - timedelta(days=300), registration_closes_at=None)
    upcoming = client.get(reverse("consultations:event_list")).content.decode()
    assert "下周培训" in upcoming and "去年沙龙" not in upcoming
    past = client.get(reverse("consultations:event_list") + "?when=past").content.decode()
    assert "去年沙龙" in past
    assert (
        "下周培训"
        not in client.get(
            reverse("consultations:event_list") + "?audience=residents&kind=salon"
        ).content.decode()
    )
    cal = client.get(reverse("consultations:event_calendar") + "?month=2026-05").content.decode()
    assert "下周培训" in cal and str(soon.pk) in cal


def _urls_in(ics: bytes) -> list[str]:
    cal = Calendar.from_ical(ics)
    return [str(c.get("url")) for c in cal.walk("VEVENT")]


def test_ics_per_event_public_feed_and_personal_feed_parse_back(client, people, pinned):
    event = make_event(title="年报辅导", description="咨询电话 13912345678")
    other = make_event(title="别人的活动")
    r = client.get(reverse("consultations:event_ics", args=[event.pk]))
    assert r["Content-Type"].startswith("text/calendar")
    assert _urls_in(r.content) == [f"http://testserver/consultations/events/{event.pk}/"]
    assert b"13912345678" not in r.content
    feed = _urls_in(client.get(reverse("consultations:events_feed")).content)
    assert f"http://testserver/consultations/events/{other.pk}/" in feed
    reg(event, people.alice)
    token = services.feed_token_for(people.alice).token
    mine = _urls_in(client.get(reverse("consultations:personal_feed", args=[token])).content)
    assert mine == [f"http://testserver/consultations/events/{event.pk}/"]
    assert client.get(reverse("consultations:personal_feed", args=["guess"])).status_code == 404


def test_registration_page_only_for_its_owner(client, people, pinned):
    r = reg(make_event(), people.alice)
    url = reverse("consultations:registration_detail", args=[r.code])
    client.force_login(people.alice)
    page = client.get(url).content.decode()
    assert r.code in page and "<svg" in page
    client.force_login(people.bob)
    assert client.get(url).status_code == 404
    assert (
        client.post(reverse("consultations:registration_action", args=[r.code, "cancel"])).status_code == 404
    )
    client.logout()
    assert client.get(url).status_code == 404
    r.refresh_from_db()
    assert r.status == "confirmed"


def test_register_page_flow_and_waitlist_message(client, people, pinned):
    event = make_event(capacity=1)
    client.force_login(people.alice)
    client.post(reverse("consultations:event_register", args=[event.pk]), {"name": "爱丽丝"})
    client.force_login(people.bob)
    response = client.post(
        reverse("consultations:event_register", args=[event.pk]), {"name": "鲍勃"}, follow=True
    )
    assert "waitlist" in response.content.decode().lower() or "候补" in response.content.decode()
    assert list(Registration.objects.order_by("pk").values_list("status", flat=True)) == [
        "confirmed",
        "waitlisted",
    ]


def test_staff_pages_refuse_other_roles(client, people, pinned):
    event = make_event()
    c = make_consultation()
    urls = [
        reverse("consultations:event_manage_list"),
        reverse("consultations:event_manage", args=[event.pk]),
        reverse("consultations:consultation_manage", args=[c.pk]),
        reverse("consultations:research_manage"),
        reverse("consultations:event_export", args=[event.pk, "registrations"]),
    ]
    client.force_login(people.alice)
    assert {client.get(u).status_code for u in urls} == {403}
    client.force_login(people.manager)
    assert {client.get(u).status_code for u in urls} == {200}


def test_api_events_public_and_registrations_own(client, people, pinned):
    event = make_event(capacity=1)
    data = client.get("/api/v1/consultations/events/").json()
    assert data["results"][0]["seats_left"] == 1
    assert client.post(
        "/api/v1/consultations/registrations/", {"event": event.pk, "name": "x"}
    ).status_code in (401, 403)
    client.force_login(people.alice)
    created = client.post(
        "/api/v1/consultations/registrations/",
        {"event": event.pk, "name": "爱丽丝"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["status"] == "confirmed"
    again = client.post(
        "/api/v1/consultations/registrations/",
        {"event": event.pk, "name": "爱丽丝"},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["error"]["code"] == "duplicate"
    client.force_login(people.bob)
    waiting = client.post(
        "/api/v1/consultations/registrations/",
        {"event": event.pk, "name": "鲍勃"},
        content_type="application/json",
    ).json()
    assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == 1
    alice_code = created.json()["code"]
    assert client.get(f"/api/v1/consultations/registrations/{alice_code}/").status_code == 404
    assert client.post(f"/api/v1/consultations/registrations/{alice_code}/cancel/").status_code == 404
    assert [r["code"] for r in client.get("/api/v1/consultations/registrations/").json()["results"]] == [
        waiting["code"]
    ]
    left = client.post(f"/api/v1/consultations/registrations/{waiting['code']}/cancel/").json()
    assert left["status"] == "cancelled"


def test_api_checkin_for_staff_only(client, people, pinned):
    event = make_event()
    r = reg(event, people.alice)
    url = f"/api/v1/consultations/events/{event.pk}/checkins/"
    client.force_login(people.alice)
    assert client.post(url, {"code": r.code}, content_type="application/json").status_code == 403
    client.force_login(people.manager)
    ok = client.post(url, {"code": r.code}, content_type="application/json").json()
    assert ok["already"] is False
    other = reg(make_event(), people.bob)
    bad = client.post(url, {"code": other.code}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "other_event"


def test_api_opinions_create_and_public_answers_without_contacts(client, people, pinned):
    c = make_consultation()
    url = f"/api/v1/consultations/drafts/{c.pk}/opinions/"
    made = client.post(
        url,
        {"paragraph": 1, "body": "建议", "name": "王", "phone": "13912345678"},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert client.post(url, {"body": "", "name": "王"}, content_type="application/json").status_code == 400
    listing = client.get(url).json()
    assert listing["results"][0]["paragraph"] == 1 and "phone" not in listing["results"][0]
    assert "13912345678" not in client.get(url).content.decode()
    closed = make_consultation(status="closed")
    refused = client.post(
        f"/api/v1/consultations/drafts/{closed.pk}/opinions/",
        {"body": "x", "name": "王"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "not_open"


def test_constant_queries_public_lists_calendar_and_feed(client, people, pinned):
    from organizations.models import ServiceArea

    area = ServiceArea.objects.first()
    c = make_consultation()

    def grow():
        for i in range(4):
            e = make_event(starts_at=NOW + timedelta(days=2 + i))
            if area:
                e.service_areas.add(area)
            services.opinion_create(consultation=c, body=f"意见{i}", name="王", now=NOW)

    grow()
    for url in [
        reverse("consultations:event_list"),
        reverse("consultations:event_calendar") + "?month=2026-05",
        reverse("consultations:events_feed"),
        reverse("consultations:consultation_detail", args=[c.pk]),
        "/api/v1/consultations/events/",
        f"/api/v1/consultations/drafts/{c.pk}/opinions/",
    ]:
        assert_constant_queries(lambda url=url: client.get(url), grow)


def test_constant_queries_staff_lists(client, people, pinned):
    event = make_event(capacity=100)
    c = make_consultation()
    client.force_login(people.manager)
    users = iter(range(1000))

    def grow():
        for _ in range(3):
            n = next(users)
            services.registration_create(
                event=event, by=people.manager, kind="phone", name=f"王{n}", phone=f"1391234{n:04d}", now=NOW
            )
            services.opinion_create(consultation=c, body="意见", name="王", now=NOW)
            make_event()

    grow()
    for url in [
        reverse("consultations:event_manage_list") + "?month=2026-05",
        reverse("consultations:event_manage", args=[event.pk]),
        reverse("consultations:consultation_manage", args=[c.pk]),
        reverse("consultations:consultation_manage_list"),
    ]:
        assert_constant_queries(lambda url=url: client.get(url), grow)


def test_reminders_once_one_working_day_before_and_list_to_organizer(people):
    from center.models import Notification

    # Friday 2026-05-15 is one working day before Monday 2026-05-18
    event = make_event(starts_at=NOW.replace(day=18, hour=9), organizer=people.manager)
    reg(event, people.alice)
    thursday = NOW.replace(day=14)
    assert services.event_reminders(now=thursday) == {"registered": 0, "organizer": 0}
    friday = NOW.replace(day=15)
    assert services.event_reminders(now=friday)["registered"] == 1
    assert services.event_reminders(now=friday)["registered"] == 0
    sunday = NOW.replace(day=17)
    assert services.event_reminders(now=sunday)["organizer"] == 1
    assert services.event_reminders(now=sunday)["organizer"] == 0
    assert Notification.objects.filter(user=people.alice).count() == 1


def test_forward_reminder_before_and_escalation_after_once(people):
    from tests.consultations.factories import make_department

    c = make_consultation()
    dept = make_department(contact_user=people.civil_contact)
    o = services.opinion_create(consultation=c, body="意见", name="王", now=NOW)
    f = services.forward_create(
        consultation=c, department=dept, opinion_ids=[o.pk], by=people.manager, now=NOW
    )
    due = f.due_at
    assert services.forward_deadlines_sweep(now=due - timedelta(days=20)) == {"reminded": 0, "escalated": 0}
    assert services.forward_deadlines_sweep(now=due - timedelta(days=2))["reminded"] == 1
    assert services.forward_deadlines_sweep(now=due - timedelta(days=2))["reminded"] == 0
    later = due + timedelta(days=3)
    assert services.forward_deadlines_sweep(now=later)["escalated"] == 1
    assert services.forward_deadlines_sweep(now=later)["escalated"] == 0
    f.refresh_from_db()
    assert f.escalated_at == later
