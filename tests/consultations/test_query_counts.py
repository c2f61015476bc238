"""Every list keeps its query count as it grows from 2 to 20 rows: the public event list, the
month calendar, the opinions lists (public, feedback report, staff) and the staff desk."""

from datetime import date, timedelta
from itertools import count

import pytest
import time_machine
from django.urls import reverse

from consultations import services
from consultations.models import Consultation, Milestone, Opinion, ResearchTopic
from organizations.models import ServiceArea
from tests.consultations.factories import NOW, make_consultation, make_department, make_event
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def check_2_to_20(client, url: str, add_one) -> None:
    """Two rows, count the page's queries; eighteen more, count again: the same."""
    for _ in range(2):
        add_one()
    assert_constant_queries(lambda: client.get(url), lambda: [add_one() for _ in range(18)])


# --- public events -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("consultations:event_list"),
        reverse("consultations:event_list") + "?month=2026-05&audience=residents",
        reverse("consultations:event_list") + "?when=past",
        reverse("consultations:event_calendar") + "?month=2026-05",
    ],
    ids=["upcoming", "filtered", "past", "calendar"],
)
def test_public_event_list_and_month_calendar(client, people, url):
    areas = list(ServiceArea.objects.order_by("pk")[:2])
    seq = count()

    def add_event():
        n = next(seq)
        past = "past" in url
        starts = NOW + timedelta(days=-20 + n % 10) if past else NOW + timedelta(days=1 + n % 17, hours=n % 5)
        event = make_event(starts_at=starts, capacity=5)
        event.service_areas.set(areas)
        event.agenda.create(starts_at="09:00", title="开场")
        if not past:
            services.registration_create(
                event=event, by=people.alice, kind="resident", name="爱丽丝", now=NOW
            )

    check_2_to_20(client, url, add_event)


# --- opinions --------------------------------------------------------------------------------


@pytest.fixture
def opinions(people):
    """A consultation whose opinions are given, forwarded to two departments, answered and
    published in the feedback report; `add()` adds one more such opinion."""
    c = make_consultation()
    departments = [make_department("civil", "区民政局"), make_department("finance", "区财政局")]
    paragraphs = list(c.paragraphs.all())
    Consultation.objects.filter(pk=c.pk).update(feedback_published=True)
    seq = count()

    def add():
        n = next(seq)
        opinion = services.opinion_create(
            consultation=c,
            body=f"意见{n}",
            name=f"居民{n}",
            name_public=n % 2 == 0,
            paragraph=paragraphs[n % len(paragraphs)] if n % 3 else None,
            now=NOW,
        )
        services.forward_create(
            consultation=c,
            department=departments[n % 2],
            opinion_ids=[opinion.pk],
            by=people.manager,
            now=NOW,
        )
        services.opinion_answer(
            opinion=opinion,
            by=people.manager,
            result="adopted" if n % 2 else "partly",
            answer="采纳",
            now=NOW,
        )
        Opinion.objects.filter(pk=opinion.pk).update(status=Opinion.Status.PUBLISHED)

    add.consultation = c
    return add


@pytest.mark.parametrize("page", ["consultation_detail", "consultation_feedback"])
def test_public_opinions_lists(client, opinions, page):
    check_2_to_20(client, reverse(f"consultations:{page}", args=[opinions.consultation.pk]), opinions)


@pytest.mark.parametrize("page", ["consultation_manage", "forward_list"])
def test_staff_opinions_lists(client, people, opinions, page):
    client.force_login(people.manager)
    args = [opinions.consultation.pk] if page == "consultation_manage" else []
    check_2_to_20(client, reverse(f"consultations:{page}", args=args), opinions)


def test_consultations_list_public_and_staff(client, people):
    def add():
        c = make_consultation()
        services.opinion_create(consultation=c, body="意见", name="王", now=NOW)

    check_2_to_20(client, reverse("consultations:consultation_list"), add)
    client.force_login(people.manager)
    check_2_to_20(client, reverse("consultations:consultation_manage_list"), add)


# --- the staff desk --------------------------------------------------------------------------


def test_staff_desk_month_list(client, people):
    client.force_login(people.manager)
    phones = count()

    def add():
        n = next(phones)
        event = make_event(starts_at=NOW + timedelta(days=1 + n % 15))
        reg = services.registration_create(
            event=event, by=people.manager, kind="phone", name=f"王{n}", phone=f"1391234{n:04d}", now=NOW
        )
        services.checkin(event=event, code=reg.code, by=people.manager, now=NOW)

    check_2_to_20(client, reverse("consultations:event_manage_list") + "?month=2026-05", add)


def test_staff_event_page_registrations_waitlist_checkins(client, people):
    client.force_login(people.manager)
    event = make_event(capacity=12, gives_certificate=True)
    phones = count()

    def add():
        n = next(phones)
        reg = services.registration_create(
            event=event, by=people.manager, kind="phone", name=f"王{n}", phone=f"1391234{n:04d}", now=NOW
        )
        if reg.status == "confirmed":
            services.checkin(event=event, code=reg.code, by=people.manager, now=NOW)

    check_2_to_20(client, reverse("consultations:event_manage", args=[event.pk]), add)


def test_staff_research_list(client, people):
    client.force_login(people.manager)
    dept = make_department("civil", "区民政局")
    seq = count()

    def add():
        n = next(seq)
        topic = ResearchTopic.objects.create(
            year=2026,
            title=f"课题{n}",
            team="专家组",
            lead=people.carol,
            report_summary="摘要",
            status="assigned",
        )
        Milestone.objects.create(topic=topic, kind="plan", due_date=date(2026, 5, 20))
        services.report_submit(topic=topic, departments=[dept], by=people.manager, now=NOW)

    check_2_to_20(client, reverse("consultations:research_manage"), add)
