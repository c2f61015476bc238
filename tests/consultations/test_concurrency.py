"""Two cancellations at the same moment: the event row is locked, so the two freed seats go
to the first two people waiting, one each, and none is lost."""

from datetime import timedelta

import pytest

from consultations import services
from consultations.models import Event, Registration
from tests.concurrency import requires_postgresql, run_concurrently
from tests.consultations.factories import NOW, make_event

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgresql]


def test_two_cancellations_at_once_offer_two_seats_to_two_people(people):
    event = make_event(capacity=2)
    holders = [
        services.registration_create(event=event, by=u, kind="resident", name=str(u), now=NOW)
        for u in (people.alice, people.bob)
    ]
    waiting = [
        services.registration_create(
            event=event, by=u, kind="resident", name=str(u), now=NOW + timedelta(minutes=i + 1)
        )
        for i, u in enumerate((people.carol, people.owner))
    ]
    outcomes = run_concurrently(
        lambda: services.registration_cancel(registration=holders[0], by=people.alice, now=NOW),
        lambda: services.registration_cancel(registration=holders[1], by=people.bob, now=NOW),
    )
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    statuses = sorted(
        Registration.objects.filter(pk__in=[w.pk for w in waiting]).values_list("status", flat=True)
    )
    assert statuses == ["offered", "offered"]
    assert Event.objects.get(pk=event.pk).seats_taken == 2


def test_two_registrations_for_the_last_seat_give_it_once(people):
    event = make_event(capacity=1)
    outcomes = run_concurrently(
        lambda: services.registration_create(
            event=event, by=people.alice, kind="resident", name="a", now=NOW
        ),
        lambda: services.registration_create(event=event, by=people.bob, kind="resident", name="b", now=NOW),
    )
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert sorted(o.value.status for o in outcomes) == ["confirmed", "waitlisted"]
    assert Event.objects.get(pk=event.pk).seats_taken == 1
