"""The actions a ticket page offers are read off the workflow (PIPELINE) and who holds the
ticket, never spelled out per status in the template; what is offered works, what is not
offered is refused by the services."""

import pytest
from django.urls import reverse

from center.errors import PermissionDeniedError, TransitionError
from hotline import services
from hotline.models import Ticket

pytestmark = pytest.mark.django_db
S = Ticket.Status

EXPECTED = {
    # status: (dispatcher, handler of the assigned street, handler of another street, other staff)
    S.RECEIVED: ({"dispatch", "answer"}, set(), set(), set()),
    S.DISPATCHED: (set(), {"sign", "return", "extension"}, set(), set()),
    S.SIGNED_FOR: (set(), {"start", "redispatch", "return", "extension", "answer"}, set(), set()),
    S.IN_PROGRESS: (set(), {"redispatch", "return", "extension", "answer"}, set(), set()),
    S.RETURNED: ({"dispatch", "answer"}, set(), set(), set()),
    S.ANSWERED: ({"callback"}, set(), set(), {"callback"}),
    S.REOPENED: (set(), {"start", "return", "extension", "answer"}, set(), set()),
    S.CLOSED: (set(), set(), set(), set()),
}


@pytest.mark.parametrize("status", list(EXPECTED), ids=str)
def test_actions_by_status_and_person(people, ticket, status):
    Ticket.objects.filter(pk=ticket.pk).update(status=status, assigned_unit=people.net.nanmen)
    ticket.refresh_from_db()
    who = (people.dispatcher, people.street, people.yuehu, people.other_staff)
    got = tuple(set(services.ticket_actions(ticket, user)) for user in who)
    assert got == EXPECTED[status]


def test_every_status_has_its_row():
    assert set(EXPECTED) == set(S.values)


def test_offered_action_works_and_unoffered_one_is_refused(people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    ticket.refresh_from_db()
    assert "sign" not in services.ticket_actions(ticket, people.yuehu)
    with pytest.raises(PermissionDeniedError):
        services.ticket_sign_for(ticket=ticket, actor=people.yuehu)
    assert "answer" not in services.ticket_actions(ticket, people.street)
    with pytest.raises(TransitionError):
        services.ticket_answer(ticket=ticket, actor=people.street, text="已处理")
    assert "sign" in services.ticket_actions(ticket, people.street)
    services.ticket_sign_for(ticket=ticket, actor=people.street)
    assert Ticket.objects.get(pk=ticket.pk).status == S.SIGNED_FOR


def test_page_shows_the_offered_forms_only(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    url = reverse("hotline:ticket_detail", args=[ticket.tracking_number])
    action = lambda name: reverse("hotline:ticket_action", args=[ticket.tracking_number, name])  # noqa: E731
    client.force_login(people.street)
    page = client.get(url).content.decode()
    assert action("sign") in page and action("answer") not in page and action("dispatch") not in page
    client.force_login(people.dispatcher)
    page = client.get(url).content.decode()
    assert action("sign") not in page and action("dispatch") not in page
