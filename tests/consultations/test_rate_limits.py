"""The public forms are rate limited: the post after the limit is refused with a clear message
and writes nothing; another network (opinions) or another account (registrations) still gets
through."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from consultations.models import Opinion, Registration
from consultations.views import FORM_RATE
from tests.consultations.factories import NOW, make_consultation, make_event

pytestmark = pytest.mark.django_db
LIMIT = int(FORM_RATE.split("/")[0])  # posts per hour


@pytest.fixture
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def opinion(n: int) -> dict:
    return {
        "paragraph": "",
        "body": f"第{n}条意见：建议简化备案材料。",
        "name": f"居民{n}",
        "phone": "",
        "email": "",
    }


def test_opinion_form_refuses_the_post_after_the_limit_from_one_network(client, pinned):
    c = make_consultation()
    url = reverse("consultations:opinion_create", args=[c.pk])
    for n in range(LIMIT):
        r = client.post(url, opinion(n), REMOTE_ADDR="10.8.0.1")
        assert r.status_code == 302, n
    assert Opinion.objects.count() == LIMIT

    r = client.post(url, opinion(99), REMOTE_ADDR="10.8.0.1", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Too many opinions from your network. Please try again later." in r.text
    assert Opinion.objects.count() == LIMIT and not Opinion.objects.filter(name="居民99").exists()
    # in Chinese by default
    r = client.post(url, opinion(98), REMOTE_ADDR="10.8.0.1", follow=True)
    assert "您所在网络提交的意见过多，请稍后再试。" in r.text
    assert Opinion.objects.count() == LIMIT

    # another network is not affected
    assert client.post(url, opinion(100), REMOTE_ADDR="10.9.9.9").status_code == 302
    assert Opinion.objects.count() == LIMIT + 1


def test_the_window_ends_and_opinions_are_taken_again(client):
    c = make_consultation()
    url = reverse("consultations:opinion_create", args=[c.pk])
    with time_machine.travel(NOW, tick=False):
        for n in range(LIMIT + 1):
            client.post(url, opinion(n), REMOTE_ADDR="10.8.0.2")
    assert Opinion.objects.count() == LIMIT
    with time_machine.travel(NOW + timedelta(hours=1, minutes=1), tick=False):
        assert client.post(url, opinion(200), REMOTE_ADDR="10.8.0.2").status_code == 302
    assert Opinion.objects.count() == LIMIT + 1


def test_registration_form_refuses_the_post_after_the_limit_for_one_account(client, people, pinned):
    events = [make_event(capacity=5) for _ in range(LIMIT + 2)]
    client.force_login(people.alice)
    for event in events[:LIMIT]:
        r = client.post(
            reverse("consultations:event_register", args=[event.pk]),
            {"name": "爱丽丝", "phone": "", "email": ""},
        )
        assert r.status_code == 302 and "/registrations/" in r["Location"]
    assert Registration.objects.filter(user=people.alice).count() == LIMIT

    last = events[LIMIT]
    r = client.post(
        reverse("consultations:event_register", args=[last.pk]),
        {"name": "爱丽丝", "phone": "", "email": ""},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "Too many attempts. Please try again later." in r.text
    assert not Registration.objects.filter(event=last).exists()
    last.refresh_from_db()
    assert last.seats_taken == 0

    # another account registers for that event
    client.force_login(people.bob)
    r = client.post(reverse("consultations:event_register", args=[last.pk]), {"name": "鲍勃"})
    assert r.status_code == 302 and Registration.objects.filter(event=last, user=people.bob).exists()
