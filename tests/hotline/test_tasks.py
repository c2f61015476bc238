"""Reminders (催办) and escalation: once each, however often beat fires."""

import pytest

from center.models import Notification, Reminder
from hotline import services, tasks
from hotline.models import Ticket
from tests.hotline.factories import aware, file_ticket

pytestmark = pytest.mark.django_db


def _dispatched(people, clock, when, unit=None, ticket_type="consultation"):
    clock.set(when)
    ticket = file_ticket(ticket_type=ticket_type)
    services.ticket_dispatch(ticket=ticket, unit=unit or people.net.nanmen_c1, actor=people.dispatcher)
    return ticket


def test_reminder_one_working_day_before_deadline_sent_once(people, clock):
    ticket = _dispatched(people, clock, aware(2026, 3, 2, 9))  # due Thu Mar 5
    services.ticket_sign_for(ticket=ticket, actor=people.c1)
    clock.set(aware(2026, 3, 3, 9))  # two working days before: nothing yet
    assert tasks.deadlines_sweep()["reminded"] == 0
    clock.set(aware(2026, 3, 4, 9))
    before = Notification.objects.filter(user=people.c1).count()
    assert tasks.deadlines_sweep()["reminded"] == 1
    assert tasks.deadlines_sweep()["reminded"] == 0  # run twice -> one
    assert Notification.objects.filter(user=people.c1).count() == before + 1
    assert Reminder.objects.filter(key__contains=f"{ticket.pk}:due-soon").count() == 1


def test_overdue_marks_and_escalates_once(people, clock):
    ticket = _dispatched(people, clock, aware(2026, 3, 2, 9))
    services.ticket_sign_for(ticket=ticket, actor=people.c1)
    clock.set(aware(2026, 3, 6, 9))
    before = {
        u.pk: Notification.objects.filter(user=u).count()
        for u in (people.street, people.dispatcher, people.c2)
    }
    first = tasks.deadlines_sweep()
    second = tasks.deadlines_sweep()
    assert first["overdue"] == 1 and second["overdue"] == 0
    ticket.refresh_from_db()
    assert ticket.is_overdue
    # the mark leaves a history row (once) and moves the ticket's updated_at
    assert ticket.events.filter(kind="overdue").count() == 1
    assert ticket.updated_at == aware(2026, 3, 6, 9)
    # the unit above (the street's handlers) and the dispatchers hear of it, once
    for user in (people.street, people.dispatcher):
        assert Notification.objects.filter(user=user).count() == before[user.pk] + 1
    assert Notification.objects.filter(user=people.c2).count() == before[people.c2.pk]
    assert Reminder.objects.filter(key__contains=f"{ticket.pk}:overdue").count() == 1


def test_sign_for_overdue_once(people, clock):
    ticket = _dispatched(people, clock, aware(2026, 3, 2, 9))
    clock.set(aware(2026, 3, 4, 9))  # signing was due by the end of Mar 3
    assert tasks.deadlines_sweep()["sign_overdue"] == 1
    assert tasks.deadlines_sweep()["sign_overdue"] == 0
    ticket.refresh_from_db()
    assert ticket.sign_overdue
    assert ticket.events.filter(kind="sign_overdue").count() == 1
    assert Reminder.objects.filter(key__contains="sign-overdue").count() == 1


def test_extension_gives_a_new_reminder(people, clock):
    ticket = _dispatched(people, clock, aware(2026, 3, 2, 9))
    services.ticket_sign_for(ticket=ticket, actor=people.c1)
    clock.set(aware(2026, 3, 4, 9))
    tasks.deadlines_sweep()
    ext = services.extension_request(ticket=ticket, actor=people.c1, reason="需协调", working_days=2)
    services.extension_decide(extension=ext, actor=people.dispatcher, approve=True)
    clock.set(aware(2026, 3, 6, 9))  # new deadline Mar 9: reminded again, not overdue
    counts = tasks.deadlines_sweep()
    assert counts["reminded"] == 1 and counts["overdue"] == 0


def test_closed_tickets_are_left_alone(people, clock):
    ticket = _dispatched(people, clock, aware(2026, 3, 2, 9))
    services.ticket_sign_for(ticket=ticket, actor=people.c1)
    services.ticket_answer(ticket=ticket, actor=people.c1, text="答复")
    clock.set(aware(2026, 3, 20, 9))
    assert tasks.deadlines_sweep() == {"reminded": 0, "overdue": 0, "sign_overdue": 0}


def test_two_sweeps_racing_send_one_notice(people, clock):
    """Two workers that both saw the ticket unmarked: the Reminder key still lets one through."""
    ticket = _dispatched(people, clock, aware(2026, 3, 2, 9))
    services.ticket_sign_for(ticket=ticket, actor=people.c1)
    clock.set(aware(2026, 3, 6, 9))
    assert tasks.deadlines_sweep()["overdue"] == 1
    Ticket.objects.filter(pk=ticket.pk).update(is_overdue=False)  # as seen by a second worker
    assert tasks.deadlines_sweep()["overdue"] == 0
    assert Reminder.objects.filter(key__contains=f"{ticket.pk}:overdue").count() == 1
