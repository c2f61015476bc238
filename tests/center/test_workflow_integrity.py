"""Decisions taken on the locked row, not a stale copy; double submits change nothing twice.
Each test fails on the code before the workflow kernel was tightened."""

from decimal import Decimal

import pytest

from center.errors import DomainError, PermissionDeniedError
from center.models import Notification
from hotline import services as hotline
from hotline.models import Ticket
from organizations import services as orgs
from organizations.models import GradingEvaluation, GradingThreshold, Membership
from tests.concurrency import requires_postgresql, run_concurrently
from tests.hotline.factories import aware, file_ticket
from tests.organizations.factories import make_org
from ventures import services as ventures

# --- hotline: on-time computed from the locked row -----------------------------------------


@pytest.mark.django_db
def test_answer_on_a_stale_copy_uses_the_extended_deadline(network, make_user, time_machine):
    dispatcher = make_user("kern_disp", role="staff", department="info", is_staff=True)
    street = make_user("kern_street", role="handler", network_unit=network.nanmen)
    time_machine.move_to(aware(2026, 3, 2, 9), tick=False)
    ticket = file_ticket(ticket_type="consultation")
    hotline.ticket_dispatch(ticket=ticket, unit=network.nanmen, actor=dispatcher)
    hotline.ticket_sign_for(ticket=ticket, actor=street)
    stale = Ticket.objects.get(pk=ticket.pk)  # the handler's page, loaded before the extension
    ext = hotline.extension_request(ticket=ticket, actor=street, reason="需协调多部门", working_days=3)
    hotline.extension_decide(extension=ext, actor=dispatcher, approve=True)  # Mar 5 -> Mar 10
    time_machine.move_to(aware(2026, 3, 9, 9), tick=False)  # after the old deadline, before the new
    hotline.ticket_answer(ticket=stale, actor=street, text="按延期后的期限答复")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.answered_on_time is True
    assert stored.updated_at == aware(2026, 3, 9, 9)


# --- organizations: two owners removing each other ----------------------------------------


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_owners_removing_each_other_at_once_leave_one_owner(make_user):
    a = make_user("kern_owner_a", role="organization")
    b = make_user("kern_owner_b", role="organization")
    org = make_org(owner=a)
    Membership.objects.create(organization=org, user=b, role=Membership.Role.OWNER)
    ma, mb = Membership.objects.get(user=a), Membership.objects.get(user=b)
    outcomes = run_concurrently(
        lambda: orgs.membership_remove(membership=mb, by=a),
        lambda: orgs.membership_remove(membership=ma, by=b),
    )
    assert sorted(o.ok for o in outcomes) == [False, True]
    refused = next(o.error for o in outcomes if not o.ok)
    assert isinstance(refused, DomainError | PermissionDeniedError)
    assert Membership.objects.filter(organization=org, role=Membership.Role.OWNER).count() == 1


@pytest.mark.django_db
def test_an_owner_removed_meanwhile_can_no_longer_remove(make_user):
    a = make_user("kern_owner_c", role="organization")
    b = make_user("kern_owner_d", role="organization")
    org = make_org(owner=a)
    Membership.objects.create(organization=org, user=b, role=Membership.Role.OWNER)
    ma, mb = Membership.objects.get(user=a), Membership.objects.get(user=b)
    orgs.membership_remove(membership=mb, by=a)
    with pytest.raises((DomainError, PermissionDeniedError)):
        orgs.membership_remove(membership=ma, by=b)
    assert Membership.objects.filter(organization=org, role=Membership.Role.OWNER).count() == 1


# --- organizations: a double submit of grading scores notifies once ------------------------


@pytest.mark.django_db
def test_grading_scored_twice_on_a_stale_copy_notifies_once(staff, make_user):
    owner = make_user("kern_grading_owner", role="organization")
    org = make_org(owner=owner)
    for grade, low in (("5A", 900), ("4A", 800), ("3A", 700)):
        GradingThreshold.objects.create(year=2026, grade=grade, min_score=Decimal(low))
    evaluation = GradingEvaluation.objects.create(organization=org, year=2026)
    stale = GradingEvaluation.objects.get(pk=evaluation.pk)
    scores = {key: top for key, top in GradingEvaluation.MAX_SCORES.items()}
    orgs.grading_score(evaluation=evaluation, by=staff, scores=scores)
    before = Notification.objects.filter(user=owner).count()
    orgs.grading_score(evaluation=stale, by=staff, scores=scores)  # the second click
    assert Notification.objects.filter(user=owner).count() == before
    assert GradingEvaluation.objects.get(pk=evaluation.pk).status == GradingEvaluation.Status.GRADED


# --- ventures: the acting person is required ----------------------------------------------


@pytest.mark.django_db
def test_staff_services_refuse_a_missing_actor():
    with pytest.raises(PermissionDeniedError):
        ventures.fund_create(by=None, name="x", source="social_work", year=2031, budget=Decimal("1"))
    with pytest.raises(PermissionDeniedError):
        ventures.award_suggest_apply(round=None, by=None)
