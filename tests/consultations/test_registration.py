"""Registration, waitlist, offers and cancellation: the rules a person meets."""

from datetime import timedelta

import pytest

from center.errors import DomainError, PermissionDeniedError, TransitionError
from consultations import services
from consultations.models import Event, Registration, RegistrationStatusChange
from tests.consultations.factories import NOW, make_event

S = Registration.Status
pytestmark = pytest.mark.django_db


def resident_registers(event, user, now=NOW):
    return services.registration_create(event=event, by=user, kind="resident", name=str(user), now=now)


def org_registers(event, people, attendees=3, org=None, owner=None, now=NOW):
    return services.registration_create(
        event=event,
        by=owner or people.owner,
        kind="organization",
        name="联系人",
        attendees=attendees,
        organization=org or people.org,
        now=now,
    )


def seats(event):
    event.refresh_from_db()
    return event.seats_taken


def test_resident_gets_a_seat_with_an_unguessable_code_and_history(people):
    event = make_event(capacity=5)
    reg = resident_registers(event, people.alice)
    assert reg.status == S.CONFIRMED
    assert len(reg.code) >= 12
    assert seats(event) == 1
    assert RegistrationStatusChange.objects.filter(registration=reg, to_status=S.CONFIRMED).count() == 1


def test_confirmation_email_carries_the_code_and_a_qr_code(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event()
    with django_capture_on_commit_callbacks(execute=True):
        reg = resident_registers(event, people.alice)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert reg.code in mail.body
    assert mail.attachments[0][2] == "image/png"


def test_organization_registers_several_attendees_within_its_cap(people):
    event = make_event(capacity=10, max_per_organization=3)
    reg = org_registers(event, people, attendees=3)
    assert reg.status == S.CONFIRMED and reg.organization == people.org
    assert seats(event) == 3


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (dict(max_per_organization=3), "over_cap"),
        (dict(registration_closes_at=NOW - timedelta(hours=1)), "registration_closed"),
        (dict(registration_opens_at=NOW + timedelta(days=1)), "registration_not_open"),
        (dict(starts_at=NOW - timedelta(days=1), registration_closes_at=None), "event_past"),
        (dict(audience="residents"), "audience"),
        (dict(status="draft"), "event_not_published"),
    ],
)
def test_bad_registrations_are_refused_and_nothing_is_written(people, setup, code):
    event = make_event(capacity=10, **setup)
    with pytest.raises(DomainError) as exc:
        org_registers(event, people, attendees=4 if code == "over_cap" else 2)
    assert exc.value.code == code
    assert str(exc.value.message)
    assert Registration.objects.count() == 0
    assert seats(event) == 0


def test_registering_twice_is_refused(people):
    event = make_event()
    resident_registers(event, people.alice)
    with pytest.raises(DomainError) as exc:
        resident_registers(event, people.alice)
    assert exc.value.code == "duplicate"
    org_registers(event, people, attendees=1)
    with pytest.raises(DomainError):
        org_registers(event, people, attendees=1)
    assert Registration.objects.count() == 2


def test_only_staff_register_someone_by_phone(people):
    event = make_event()
    with pytest.raises(PermissionDeniedError):
        services.registration_create(
            event=event, by=people.alice, kind="phone", name="王阿姨", phone="13912345678", now=NOW
        )
    reg = services.registration_create(
        event=event, by=people.manager, kind="phone", name="王阿姨", phone="139 1234 5678", now=NOW
    )
    assert reg.phone == "13912345678" and reg.user is None
    with pytest.raises(DomainError):
        services.registration_create(
            event=event, by=people.manager, kind="phone", name="王", phone="123", now=NOW
        )


def test_full_event_puts_people_on_the_waitlist_in_order_and_they_may_leave(people):
    event = make_event(capacity=1)
    resident_registers(event, people.alice)
    bob = resident_registers(event, people.bob, now=NOW + timedelta(minutes=1))
    carol = resident_registers(event, people.carol, now=NOW + timedelta(minutes=2))
    assert bob.status == carol.status == S.WAITLISTED
    assert services.waitlist_position(bob) == 1
    assert services.waitlist_position(carol) == 2
    services.registration_cancel(registration=bob, by=people.bob, now=NOW)
    carol.refresh_from_db()
    assert services.waitlist_position(carol) == 1
    assert seats(event) == 1


def test_a_cancellation_offers_the_seat_to_the_first_in_line_with_a_deadline(people):
    event = make_event(capacity=1, offer_hours=24)
    alice = resident_registers(event, people.alice)
    bob = resident_registers(event, people.bob, now=NOW + timedelta(minutes=1))
    resident_registers(event, people.carol, now=NOW + timedelta(minutes=2))
    services.registration_cancel(registration=alice, by=people.alice, now=NOW + timedelta(hours=1))
    bob.refresh_from_db()
    assert bob.status == S.OFFERED
    assert bob.offer_expires_at == NOW + timedelta(hours=25)
    assert seats(event) == 1
    services.offer_accept(registration=bob, by=people.bob, now=NOW + timedelta(hours=2))
    bob.refresh_from_db()
    assert bob.status == S.CONFIRMED


def test_an_offer_not_taken_passes_to_the_next(people):
    event = make_event(capacity=1, offer_hours=12)
    alice = resident_registers(event, people.alice)
    bob = resident_registers(event, people.bob, now=NOW + timedelta(minutes=1))
    carol = resident_registers(event, people.carol, now=NOW + timedelta(minutes=2))
    services.registration_cancel(registration=alice, by=people.alice, now=NOW)
    assert services.offers_expire(now=NOW + timedelta(hours=11)) == 0
    assert services.offers_expire(now=NOW + timedelta(hours=12)) == 1
    bob.refresh_from_db()
    carol.refresh_from_db()
    assert bob.status == S.EXPIRED
    assert carol.status == S.OFFERED
    assert seats(event) == 1
    with pytest.raises(DomainError) as exc:
        services.offer_accept(registration=bob, by=people.bob, now=NOW + timedelta(hours=13))
    assert exc.value.code == "no_offer"
    with pytest.raises(DomainError) as exc:
        services.offer_accept(registration=carol, by=people.carol, now=NOW + timedelta(hours=40))
    assert exc.value.code == "offer_expired"


def test_less_than_a_day_before_the_start_the_seat_is_given_at_once(people):
    event = make_event(capacity=1, starts_at=NOW + timedelta(hours=20), cancellation_cutoff_hours=2)
    alice = resident_registers(event, people.alice)
    bob = resident_registers(event, people.bob)
    services.registration_cancel(registration=alice, by=people.alice, now=NOW)
    bob.refresh_from_db()
    assert bob.status == S.CONFIRMED


def test_a_group_waits_together_and_nobody_jumps_the_queue(people):
    event = make_event(capacity=3, max_per_organization=3)
    alice = resident_registers(event, people.alice)
    org_registers(event, people, attendees=2, org=people.other_org, owner=people.other_owner)
    group = org_registers(event, people, attendees=3, now=NOW + timedelta(minutes=1))
    bob = resident_registers(event, people.bob, now=NOW + timedelta(minutes=2))
    assert group.status == bob.status == S.WAITLISTED
    services.registration_cancel(registration=alice, by=people.alice, now=NOW)
    group.refresh_from_db()
    bob.refresh_from_db()
    assert group.status == S.WAITLISTED and bob.status == S.WAITLISTED
    assert seats(event) == 2


def test_raising_the_capacity_offers_the_new_seats(people):
    event = make_event(capacity=1)
    resident_registers(event, people.alice)
    bob = resident_registers(event, people.bob)
    services.event_capacity_set(event=event, capacity=2, by=people.manager, now=NOW)
    bob.refresh_from_db()
    assert bob.status == S.OFFERED
    with pytest.raises(DomainError):
        services.event_capacity_set(event=event, capacity=1, by=people.manager, now=NOW)


def test_cancellation_cutoff_for_the_registrant_but_not_for_staff(people):
    event = make_event(starts_at=NOW + timedelta(hours=30), cancellation_cutoff_hours=48)
    reg = resident_registers(event, people.alice)
    with pytest.raises(DomainError) as exc:
        services.registration_cancel(registration=reg, by=people.alice, now=NOW)
    assert exc.value.code == "cutoff"
    reg.refresh_from_db()
    assert reg.status == S.CONFIRMED
    services.registration_cancel(registration=reg, by=people.manager, now=NOW)
    reg.refresh_from_db()
    assert reg.status == S.CANCELLED


def test_nobody_cancels_someone_elses_registration(people):
    reg = resident_registers(make_event(), people.alice)
    with pytest.raises(PermissionDeniedError):
        services.registration_cancel(registration=reg, by=people.bob, now=NOW)
    with pytest.raises(PermissionDeniedError):
        services.registration_cancel(registration=reg, by=people.info, now=NOW)


def test_approval_workflow_approve_reject_with_reason(people):
    event = make_event(capacity=1, requires_approval=True)
    alice = resident_registers(event, people.alice)
    bob = resident_registers(event, people.bob)
    assert alice.status == S.PENDING and bob.status == S.WAITLISTED
    with pytest.raises(DomainError):
        services.registration_decide(registration=alice, by=people.manager, approve=False, reason="", now=NOW)
    services.registration_decide(
        registration=alice, by=people.manager, approve=False, reason="不符合对象", now=NOW
    )
    bob.refresh_from_db()
    assert bob.status == S.OFFERED
    services.offer_accept(registration=bob, by=people.bob, now=NOW)
    carol = resident_registers(make_event(requires_approval=True), people.carol)
    services.registration_decide(registration=carol, by=people.manager, approve=True, now=NOW)
    carol.refresh_from_db()
    assert carol.status == S.CONFIRMED
    with pytest.raises(PermissionDeniedError):
        services.registration_decide(registration=carol, by=people.alice, approve=True, now=NOW)


def test_every_registration_transition_allowed_and_a_refused_one(people):
    allowed = services.REGISTRATION_PIPELINE
    for old, targets in allowed.items():
        for to in targets:
            reg = Registration.objects.create(event=make_event(), name="x", status=old)
            result = services._registration_move(reg, to=to, by=people.manager)
            assert result.changed and result.obj.status == to
    reg = Registration.objects.create(event=make_event(), name="x", status=S.CANCELLED)
    with pytest.raises(TransitionError):
        services._registration_move(reg, to=S.CONFIRMED, by=people.manager)


def test_seat_counter_never_exceeds_capacity(people):
    event = make_event(capacity=2)
    for user in (people.alice, people.bob, people.carol):
        resident_registers(event, user)
    assert Event.objects.get(pk=event.pk).seats_taken == 2
