"""Every transition of a ticket, and the refused ones."""

import pytest

from center.errors import DomainError, PermissionDeniedError, TransitionError
from hotline import services
from hotline.models import Callback, ExtensionRequest, Ticket, TicketEvent
from tests.factories import WEDNESDAY
from tests.hotline.factories import aware, file_ticket

S = Ticket.Status
pytestmark = pytest.mark.django_db


def _signed(people, ticket, unit=None, handler=None):
    services.ticket_dispatch(ticket=ticket, unit=unit or people.net.nanmen, actor=people.dispatcher)
    services.ticket_sign_for(ticket=ticket, actor=handler or people.street)
    return ticket


def test_file_allocates_tracking_number_and_normalizes_phone():
    a = file_ticket(phone="+86 138-1234-1234")
    b = file_ticket()
    import re

    assert re.fullmatch(rf"HS{WEDNESDAY.year}\d{{6}}", a.tracking_number)
    assert int(b.tracking_number[6:]) == int(a.tracking_number[6:]) + 1
    assert a.phone == "13812341234"
    assert a.status == S.RECEIVED and a.access_key and len(a.access_key) >= 30
    assert a.events.get().kind == "filed"


def test_file_refuses_bad_phone_and_writes_nothing():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        file_ticket(phone="12345")
    assert not Ticket.objects.exists()


def test_full_happy_path(people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    assert ticket.status == S.DISPATCHED and ticket.answer_due and ticket.sign_due
    services.ticket_sign_for(ticket=ticket, actor=people.street)
    assert ticket.status == S.SIGNED_FOR and ticket.assigned_handler == people.street
    services.ticket_start(ticket=ticket, actor=people.street)
    assert ticket.status == S.IN_PROGRESS
    services.ticket_reply(ticket=ticket, actor=people.street, text="已联系社区助餐点")
    services.ticket_answer(ticket=ticket, actor=people.street, text="已安排每日送餐上门。")
    assert ticket.status == S.ANSWERED and ticket.answered_on_time is True
    services.callback_record(ticket=ticket, actor=people.dispatcher, result="satisfied", comment="很好")
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED and ticket.closed_at and ticket.satisfaction == "satisfied"
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds[:2] == ["filed", "dispatched"] and kinds[-1] == "closed"
    assert ticket.history.count() >= 6  # a history row per status change


def test_answer_refused_before_sign_for(people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    with pytest.raises(TransitionError):
        services.ticket_answer(ticket=ticket, actor=people.street, text="答复")
    ticket.refresh_from_db()
    assert ticket.status == S.DISPATCHED


def test_closed_ticket_refuses_everything(people, ticket):
    _signed(people, ticket)
    services.ticket_answer(ticket=ticket, actor=people.street, text="答复内容")
    services.callback_record(ticket=ticket, actor=people.dispatcher, result="basic")
    with pytest.raises(TransitionError):
        services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    with pytest.raises(TransitionError):
        services.callback_record(ticket=ticket, actor=people.dispatcher, result="satisfied")


def test_only_dispatchers_dispatch(people, ticket):
    for who in (people.other_staff, people.street):
        with pytest.raises(PermissionDeniedError):
            services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=who)
    with pytest.raises(DomainError):
        services.ticket_dispatch(ticket=ticket, unit=people.net.district, actor=people.dispatcher)
    ticket.refresh_from_db()
    assert ticket.status == S.RECEIVED


def test_bulk_dispatch_reports_what_failed(people):
    a, b, c = file_ticket(), file_ticket(), file_ticket()
    services.ticket_dispatch(ticket=c, unit=people.net.yuehu, actor=people.dispatcher)
    done, failed = services.ticket_dispatch_bulk(
        ticket_ids=[a.pk, b.pk, c.pk], unit=people.net.nanmen, actor=people.dispatcher
    )
    assert done == 2 and list(failed) == [c.tracking_number]
    assert Ticket.objects.filter(assigned_unit=people.net.nanmen, status=S.DISPATCHED).count() == 2


def test_redispatch_down_to_own_community(people, ticket):
    _signed(people, ticket)
    due = ticket.answer_due
    services.ticket_redispatch(ticket=ticket, unit=people.net.nanmen_c1, actor=people.street)
    assert ticket.status == S.DISPATCHED and ticket.assigned_unit == people.net.nanmen_c1
    assert ticket.answer_due == due
    services.ticket_sign_for(ticket=ticket, actor=people.c1)
    assert ticket.assigned_handler == people.c1


def test_redispatch_refused_to_another_streets_community(people, ticket):
    _signed(people, ticket)
    with pytest.raises(DomainError):
        services.ticket_redispatch(ticket=ticket, unit=people.net.yuehu_c1, actor=people.street)
    ticket.refresh_from_db()
    assert ticket.assigned_unit == people.net.nanmen


def test_community_handler_refused_on_sibling_communitys_ticket(people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen_c2, actor=people.dispatcher)
    with pytest.raises(PermissionDeniedError):
        services.ticket_sign_for(ticket=ticket, actor=people.c1)
    with pytest.raises(PermissionDeniedError):
        services.ticket_note_add(ticket=ticket, actor=people.c1, text="看看")
    # the street above may act for its community
    services.ticket_sign_for(ticket=ticket, actor=people.street)
    assert ticket.status == S.SIGNED_FOR


def test_return_goes_back_to_dispatcher_with_reason(people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_return(ticket=ticket, actor=people.street, reason="不属于本街道辖区")
    assert ticket.status == S.RETURNED and ticket.assigned_unit is None
    assert ticket.return_reason == "不属于本街道辖区"
    ev = ticket.events.get(kind="returned")
    assert not ev.public and ev.text == "不属于本街道辖区"


def test_return_refused_without_reason_or_when_not_held(people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    with pytest.raises(DomainError):
        services.ticket_return(ticket=ticket, actor=people.street, reason=" ")
    with pytest.raises(PermissionDeniedError):
        services.ticket_return(ticket=ticket, actor=people.yuehu, reason="不是我们的")
    ticket.refresh_from_db()
    assert ticket.status == S.DISPATCHED


def test_return_does_not_restart_the_clock(people, clock):
    clock.set(aware(2026, 3, 2, 9))  # Monday
    ticket = file_ticket(ticket_type="help")
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    first_due = ticket.answer_due
    clock.set(aware(2026, 3, 5, 16))
    services.ticket_return(ticket=ticket, actor=people.street, reason="不属于本街道")
    clock.set(aware(2026, 3, 6, 9))
    services.ticket_dispatch(ticket=ticket, unit=people.net.yuehu, actor=people.dispatcher)
    ticket.refresh_from_db()
    assert ticket.answer_due == first_due  # 5 working days from Mar 2 = Mar 9, not Mar 13
    from django.utils import timezone as tz

    assert tz.localtime(first_due).date().isoformat() == "2026-03-09"
    assert ticket.first_dispatched_at == aware(2026, 3, 2, 9)
    assert ticket.dispatched_at == aware(2026, 3, 6, 9)  # the sign-for clock is the new unit's own


def test_dissatisfied_callback_reopens_to_same_unit(people, ticket):
    _signed(people, ticket)
    services.ticket_answer(ticket=ticket, actor=people.street, text="答复内容")
    services.callback_record(
        ticket=ticket, actor=people.dispatcher, result="dissatisfied", comment="没有解决"
    )
    ticket.refresh_from_db()
    assert ticket.status == S.REOPENED and ticket.assigned_unit == people.net.nanmen
    assert ticket.assigned_handler == people.street
    services.ticket_start(ticket=ticket, actor=people.street)
    services.ticket_answer(ticket=ticket, actor=people.street, text="再次答复")
    services.callback_record(ticket=ticket, actor=people.dispatcher, result="satisfied")
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED and Callback.objects.filter(ticket=ticket).count() == 2


def test_dissatisfied_with_objective_reason_closes(people, ticket):
    _signed(people, ticket)
    services.ticket_answer(ticket=ticket, actor=people.street, text="答复内容")
    services.callback_record(
        ticket=ticket,
        actor=people.dispatcher,
        result="dissatisfied",
        comment="政策不允许",
        objective_reason=True,
    )
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED and ticket.satisfaction == "dissatisfied"


def test_callback_refused_before_answer_and_for_handlers(people, ticket):
    _signed(people, ticket)
    with pytest.raises(TransitionError):
        services.callback_record(ticket=ticket, actor=people.dispatcher, result="satisfied")
    services.ticket_answer(ticket=ticket, actor=people.street, text="答复内容")
    with pytest.raises(PermissionDeniedError):
        services.callback_record(ticket=ticket, actor=people.street, result="satisfied")
    assert not Callback.objects.exists()


def test_online_rating_by_resident(people, ticket):
    _signed(people, ticket)
    services.ticket_answer(ticket=ticket, actor=people.street, text="答复内容")
    services.ticket_rate_online(ticket=ticket, result="dissatisfied", comment="还是不行")
    ticket.refresh_from_db()
    assert ticket.status == S.REOPENED  # a resident cannot mark an objective reason


def test_dispatcher_answers_directly(people, ticket):
    services.ticket_answer(ticket=ticket, actor=people.dispatcher, text="政策咨询已电话答复")
    assert ticket.status == S.ANSWERED
    with pytest.raises(PermissionDeniedError):
        services.ticket_answer(ticket=file_ticket(), actor=people.other_staff, text="答复")


def test_notes_are_internal_replies_public(people, ticket):
    _signed(people, ticket)
    services.ticket_note_add(ticket=ticket, actor=people.street, text="内部备注")
    services.ticket_reply(ticket=ticket, actor=people.street, text="正在处理")
    assert ticket.status == S.IN_PROGRESS
    assert TicketEvent.objects.get(kind="note").public is False
    assert TicketEvent.objects.get(kind="reply").public is True


def test_extension_approved_records_new_deadline(people, clock):
    clock.set(aware(2026, 3, 2, 9))
    ticket = file_ticket(ticket_type="consultation")
    _signed(people, ticket)
    old = ticket.answer_due  # Mar 5
    ext = services.extension_request(
        ticket=ticket, actor=people.street, reason="需协调多部门", working_days=3
    )
    with pytest.raises(DomainError):  # one pending at a time
        services.extension_request(ticket=ticket, actor=people.street, reason="再延期", working_days=2)
    services.extension_decide(extension=ext, actor=people.dispatcher, approve=True)
    ext.refresh_from_db()
    ticket.refresh_from_db()
    from django.utils import timezone as tz

    assert tz.localtime(old).date().isoformat() == "2026-03-05"
    assert tz.localtime(ticket.answer_due).date().isoformat() == "2026-03-10"
    assert ext.status == "approved" and ext.new_due == ticket.answer_due and ticket.extended
    with pytest.raises(TransitionError):
        services.extension_decide(extension=ext, actor=people.dispatcher, approve=False)


def test_extension_refused_keeps_deadline(people, ticket):
    _signed(people, ticket)
    due = ticket.answer_due
    ext = services.extension_request(
        ticket=ticket, actor=people.street, reason="需要更多时间", working_days=2
    )
    with pytest.raises(PermissionDeniedError):
        services.extension_decide(extension=ext, actor=people.street, approve=True)
    services.extension_decide(extension=ext, actor=people.dispatcher, approve=False, comment="请按期办结")
    ticket.refresh_from_db()
    assert ticket.answer_due == due and not ticket.extended
    assert ExtensionRequest.objects.get().status == "refused"


def test_extension_refused_after_deadline(people, clock):
    clock.set(aware(2026, 3, 2, 9))
    ticket = file_ticket(ticket_type="consultation")
    _signed(people, ticket)
    clock.set(aware(2026, 3, 6, 9))  # deadline was Mar 5
    with pytest.raises(DomainError) as err:
        services.extension_request(ticket=ticket, actor=people.street, reason="来不及了", working_days=2)
    assert err.value.code == "deadline_passed"
    assert not ExtensionRequest.objects.exists()


def test_answer_after_deadline_is_not_on_time(people, clock):
    clock.set(aware(2026, 3, 2, 9))
    ticket = file_ticket(ticket_type="consultation")
    _signed(people, ticket)
    clock.set(aware(2026, 3, 9, 9))
    services.ticket_answer(ticket=ticket, actor=people.street, text="迟到的答复")
    assert ticket.answered_on_time is False and ticket.handling_working_days == 5


def test_phone_reveal_is_logged_and_refused_to_outsiders(people, ticket):
    from hotline.models import PhoneReveal

    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen_c1, actor=people.dispatcher)
    assert services.phone_reveal(ticket=ticket, user=people.street, ip="10.0.0.1") == "13812341234"
    with pytest.raises(PermissionDeniedError):
        services.phone_reveal(ticket=ticket, user=people.c2)
    assert PhoneReveal.objects.filter(ticket=ticket).count() == 1


def test_answering_withdraws_a_pending_extension_and_a_reopened_ticket_may_ask_again(client, people, ticket):
    _signed(people, ticket)
    first = services.extension_request(ticket=ticket, actor=people.street, reason="需协调", working_days=2)
    services.ticket_answer(ticket=ticket, actor=people.street, text="已答复")
    first.refresh_from_db()
    assert first.status == "refused" and first.decided_by is None and first.decision_comment
    with pytest.raises(TransitionError):  # nothing left to extend
        services.extension_decide(extension=first, actor=people.dispatcher, approve=True)
    from hotline.selectors import dispatcher_queue_counts

    assert dispatcher_queue_counts()["extensions"] == 0
    services.callback_record(ticket=ticket, actor=people.dispatcher, result="dissatisfied")
    again = services.extension_request(ticket=ticket, actor=people.street, reason="仍需协调", working_days=2)
    assert again.status == "pending"


def test_returning_withdraws_a_pending_extension(people, ticket):
    _signed(people, ticket)
    ext = services.extension_request(ticket=ticket, actor=people.street, reason="需协调", working_days=2)
    services.ticket_return(ticket=ticket, actor=people.street, reason="不属于本街道")
    ext.refresh_from_db()
    assert ext.status == "refused"
    with pytest.raises(TransitionError):
        services.extension_decide(extension=ext, actor=people.dispatcher, approve=True)


@pytest.fixture(autouse=True)
def _pinned_now(pinned_wednesday):
    """These tests read "now": an ordinary working Wednesday (tests/factories.WEDNESDAY)."""
