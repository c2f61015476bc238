"""One definition of overdue and of on-time: the sweep's flag, the dispatcher queue, the
handler counts and the statistics agree; on-time is the value stored when answering."""

import pytest

from hotline import selectors, services
from hotline.models import Ticket
from tests.hotline.factories import aware, file_ticket

pytestmark = pytest.mark.django_db


def _signed(people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_sign_for(ticket=ticket, actor=people.street)
    return ticket


def test_overdue_is_counted_the_same_everywhere(people, clock):
    clock.set(aware(2026, 3, 2, 9))
    late = _signed(people, file_ticket(ticket_type="consultation"))
    returned = _signed(people, file_ticket(ticket_type="consultation"))
    services.ticket_return(ticket=returned, actor=people.street, reason="不属于本街道")  # keeps answer_due
    _signed(people, file_ticket(ticket_type="help"))  # a longer deadline: not late yet
    now = aware(2026, 3, 9, 9)
    clock.set(now)
    services.deadlines_sweep(now=now)

    flagged = set(Ticket.objects.filter(is_overdue=True).values_list("pk", flat=True))
    queue = set(selectors.dispatcher_queue(queue="overdue", now=now).values_list("pk", flat=True))
    assert flagged == queue == {late.pk}
    assert selectors.dispatcher_queue_counts(now=now)["overdue"] == 1
    assert selectors.handler_counts(user=people.street, now=now)["overdue"] == 1
    # the statistics used to count the returned ticket (past its deadline, at the center) too
    assert selectors.hotline_figures(now=now)["overdue_open"] == 1


def test_on_time_rate_reads_the_stored_flag(people, clock):
    clock.set(aware(2026, 3, 2, 9))
    ticket = _signed(people, file_ticket(ticket_type="consultation"))
    services.ticket_answer(ticket=ticket, actor=people.street, text="按期答复")
    assert Ticket.objects.get(pk=ticket.pk).answered_on_time is True
    # The stored verdict is what counts, even if the deadline is edited afterwards.
    Ticket.objects.filter(pk=ticket.pk).update(answer_due=aware(2026, 3, 1, 9))
    assert selectors.hotline_figures(now=aware(2026, 3, 3, 9))["on_time"] == 1


def test_extension_decisions_and_withdrawals_leave_history_rows(people, clock):
    from hotline.models import ExtensionRequestStatusChange

    clock.set(aware(2026, 3, 2, 9))
    first = _signed(people, file_ticket(ticket_type="consultation"))
    ext = services.extension_request(ticket=first, actor=people.street, reason="需协调", working_days=2)
    services.extension_decide(extension=ext, actor=people.dispatcher, approve=True, comment="同意")
    second = _signed(people, file_ticket(ticket_type="consultation"))
    moot = services.extension_request(ticket=second, actor=people.street, reason="需协调", working_days=2)
    services.ticket_answer(ticket=second, actor=people.street, text="已答复")  # withdraws the request
    rows = {
        r.extension_id: (r.from_status, r.to_status, r.by, r.reason)
        for r in ExtensionRequestStatusChange.objects.all()
    }
    assert rows[ext.pk] == ("pending", "approved", people.dispatcher, "同意")
    assert rows[moot.pk][:3] == ("pending", "refused", people.street)
