"""Table-driven: every edge of the ticket PIPELINE through the service a person uses, and a
refused transition out of every status (nothing written when refused)."""

import pytest

from center.errors import TransitionError
from hotline import services
from hotline.models import Ticket, TicketEvent
from tests.hotline.factories import reach

S = Ticket.Status
pytestmark = pytest.mark.django_db


EDGES = {
    (S.RECEIVED, S.DISPATCHED): lambda p, t: services.ticket_dispatch(
        ticket=t, unit=p.net.yuehu, actor=p.dispatcher
    ),
    (S.RECEIVED, S.ANSWERED): lambda p, t: services.ticket_answer(
        ticket=t, actor=p.dispatcher, text="政策已电话答复"
    ),
    (S.DISPATCHED, S.SIGNED_FOR): lambda p, t: services.ticket_sign_for(ticket=t, actor=p.street),
    (S.DISPATCHED, S.RETURNED): lambda p, t: services.ticket_return(
        ticket=t, actor=p.street, reason="不属于本街道"
    ),
    (S.SIGNED_FOR, S.IN_PROGRESS): lambda p, t: services.ticket_start(ticket=t, actor=p.street),
    (S.SIGNED_FOR, S.DISPATCHED): lambda p, t: services.ticket_redispatch(
        ticket=t, unit=p.net.nanmen_c1, actor=p.street
    ),
    (S.SIGNED_FOR, S.RETURNED): lambda p, t: services.ticket_return(
        ticket=t, actor=p.street, reason="不属于本街道"
    ),
    (S.SIGNED_FOR, S.ANSWERED): lambda p, t: services.ticket_answer(ticket=t, actor=p.street, text="已答复"),
    (S.IN_PROGRESS, S.DISPATCHED): lambda p, t: services.ticket_redispatch(
        ticket=t, unit=p.net.nanmen_c2, actor=p.street
    ),
    (S.IN_PROGRESS, S.RETURNED): lambda p, t: services.ticket_return(
        ticket=t, actor=p.street, reason="需区级部门办理"
    ),
    (S.IN_PROGRESS, S.ANSWERED): lambda p, t: services.ticket_answer(ticket=t, actor=p.street, text="已答复"),
    (S.RETURNED, S.DISPATCHED): lambda p, t: services.ticket_dispatch(
        ticket=t, unit=p.net.yuehu, actor=p.dispatcher
    ),
    (S.RETURNED, S.ANSWERED): lambda p, t: services.ticket_answer(
        ticket=t, actor=p.dispatcher, text="中心直接答复"
    ),
    (S.ANSWERED, S.CLOSED): lambda p, t: services.callback_record(
        ticket=t, actor=p.dispatcher, result="basic"
    ),
    (S.ANSWERED, S.REOPENED): lambda p, t: services.callback_record(
        ticket=t, actor=p.dispatcher, result="dissatisfied"
    ),
    (S.REOPENED, S.IN_PROGRESS): lambda p, t: services.ticket_start(ticket=t, actor=p.street),
    (S.REOPENED, S.ANSWERED): lambda p, t: services.ticket_answer(ticket=t, actor=p.street, text="再次答复"),
    (S.REOPENED, S.RETURNED): lambda p, t: services.ticket_return(ticket=t, actor=p.street, reason="需改派"),
}


def test_the_table_covers_every_edge_of_the_pipeline():
    assert set(EDGES) == {(a, b) for a, nexts in services.PIPELINE.items() for b in nexts}


@pytest.mark.parametrize("edge", list(EDGES), ids=lambda e: f"{e[0]}->{e[1]}")
def test_every_transition(people, edge):
    source, target = edge
    t = reach(people, source)
    assert Ticket.objects.get(pk=t.pk).status == source
    history_before = t.history.count()
    EDGES[edge](people, t)
    t.refresh_from_db()
    assert t.status == target
    assert TicketEvent.objects.filter(ticket=t, from_status=source, to_status=target).count() == 1
    assert t.history.count() > history_before  # an audit row for the change


REFUSED = {
    S.RECEIVED: lambda p, t: services.callback_record(ticket=t, actor=p.dispatcher, result="satisfied"),
    S.DISPATCHED: lambda p, t: services.ticket_answer(ticket=t, actor=p.street, text="未签收就答复"),
    S.SIGNED_FOR: lambda p, t: services.callback_record(ticket=t, actor=p.dispatcher, result="satisfied"),
    S.IN_PROGRESS: lambda p, t: services.ticket_dispatch(ticket=t, unit=p.net.yuehu, actor=p.dispatcher),
    S.RETURNED: lambda p, t: services.ticket_rate_online(ticket=t, result="satisfied"),
    S.ANSWERED: lambda p, t: services.ticket_return(ticket=t, actor=p.street, reason="已答复后退单"),
    S.REOPENED: lambda p, t: services.ticket_redispatch(ticket=t, unit=p.net.nanmen_c1, actor=p.street),
    S.CLOSED: lambda p, t: services.ticket_rate_online(ticket=t, result="dissatisfied"),
}


@pytest.mark.parametrize("status", list(REFUSED), ids=str)
def test_a_refused_transition_from_every_status(people, status):
    t = reach(people, status)
    events, history = TicketEvent.objects.filter(ticket=t).count(), t.history.count()
    with pytest.raises(TransitionError) as err:
        REFUSED[status](people, t)
    assert err.value.status == 409 and str(err.value.message)
    t.refresh_from_db()
    assert t.status == status
    assert TicketEvent.objects.filter(ticket=t).count() == events and t.history.count() == history
