"""Every transition of the application workflow, and refused ones."""

from datetime import timedelta
from decimal import Decimal

import pytest

from center.errors import DomainError, PermissionDeniedError, TransitionError
from tests.ventures.factories import make_awarded, make_draft, make_reviewed, make_submitted, score_all
from ventures import selectors, services
from ventures.models import Application, ApplicationStatusChange, Installment

S = Application.Status
pytestmark = pytest.mark.django_db


def _history(app):
    return list(
        ApplicationStatusChange.objects.filter(application=app).values_list("from_status", "to_status")
    )


def test_full_pipeline_writes_history_for_every_step(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_draft(rnd, org, user)
    assert app.status == S.DRAFT
    app = services.application_submit(application=app, user=user)
    app = services.screening_request_info(
        application=app, by=projects_staff, request_text="Send the team CVs"
    )
    assert app.status == S.INFO_REQUESTED
    app = services.application_answer_info(application=app, user=user, answer="CVs attached")
    assert app.status == S.SUBMITTED
    app = services.screening_decide(
        application=app, by=projects_staff, eligible=True, reason="all checks pass"
    )
    services.reviewers_assign(application=app, by=projects_staff)
    app = score_all(Application.objects.get(pk=app.pk), [70, 80, 90])
    assert app.status == S.REVIEWED
    app = services.award_approve(application=app, amount=Decimal("35000"), by=projects_staff)
    assert app.status == S.RECOMMENDED and app.award_amount == Decimal("35000")
    services.notice_publish(round=rnd, by=projects_staff)
    rnd.refresh_from_db()
    app.refresh_from_db()
    assert app.status == S.ON_NOTICE
    assert services.notice_close(round=rnd, today=rnd.notice_ends) == 0  # not over yet
    assert services.notice_close(round=rnd, today=rnd.notice_ends + timedelta(days=1)) == 1
    assert services.notice_close(round=rnd, today=rnd.notice_ends + timedelta(days=2)) == 0  # idempotent
    app.refresh_from_db()
    assert app.status == S.AWARDED
    assert list(app.installments.values_list("planned_amount", flat=True)) == [
        Decimal("17500"),
        Decimal("10500"),
        Decimal("7000"),
    ]
    services.agreement_accept(application=app, user=user)
    first = app.installments.get(order=0)
    services.installment_pay(installment=first, by=projects_staff)
    app.refresh_from_db()
    assert app.status == S.IN_PROGRESS
    mid = app.reports.get(kind="midterm")
    lines = {b.pk: b.amount for b in app.budget_lines.all()}
    services.report_submit(
        report=mid,
        user=user,
        activities="done",
        actual_direct=50,
        actual_indirect=200,
        spending={k: v / 2 for k, v in lines.items()},
    )
    services.report_evaluate(report=mid, by=projects_staff, score=85, result="pass")
    app.refresh_from_db()
    assert app.status == S.MIDTERM_EVALUATED
    services.installment_pay(installment=app.installments.get(order=1), by=projects_staff)
    final = app.reports.get(kind="final")
    services.report_submit(
        report=final, user=user, activities="all", actual_direct=120, actual_indirect=500, spending=lines
    )
    services.report_evaluate(report=final, by=projects_staff, score=90, result="pass")
    app.refresh_from_db()
    assert app.status == S.COMPLETED
    services.installment_pay(installment=app.installments.get(order=2), by=projects_staff)
    assert selectors.application_paid(app.pk) == Decimal("35000")
    assert _history(app) == [
        ("draft", "submitted"),
        ("submitted", "info_requested"),
        ("info_requested", "submitted"),
        ("submitted", "eligible"),
        ("eligible", "in_review"),
        ("in_review", "reviewed"),
        ("reviewed", "recommended"),
        ("recommended", "on_notice"),
        ("on_notice", "awarded"),
        ("awarded", "agreement_signed"),
        ("agreement_signed", "in_progress"),
        ("in_progress", "midterm_evaluated"),
        ("midterm_evaluated", "completed"),
    ]


def test_refused_transition_changes_nothing(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_draft(rnd, org, user)
    with pytest.raises(TransitionError):
        services.screening_decide(application=app, by=projects_staff, eligible=True, reason="x")
    app.refresh_from_db()
    assert app.status == S.DRAFT
    assert not ApplicationStatusChange.objects.filter(application=app).exists()


def test_ineligible_and_not_recommended_and_rejected(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_submitted(rnd, org, user)
    app = services.screening_decide(
        application=app, by=projects_staff, eligible=False, reason="not registered"
    )
    assert app.status == S.INELIGIBLE and app.screening_reason == "not registered"
    with pytest.raises(TransitionError):
        services.application_transition(app, to=S.IN_REVIEW, by=projects_staff)
    app2 = make_reviewed(rnd, org, user, projects_staff)
    app2 = services.application_not_recommend(application=app2, by=projects_staff)
    assert app2.status == S.NOT_RECOMMENDED
    app3 = make_reviewed(rnd, org, user, projects_staff)
    services.award_approve(application=app3, amount=app3.requested_amount, by=projects_staff)
    services.notice_publish(round=rnd, by=projects_staff)
    app3.refresh_from_db()
    objection = services.objection_file(
        application=app3, name="张三", contact="13800000000", reason="same project funded"
    )
    rnd.refresh_from_db()
    assert (
        services.notice_close(round=rnd, today=rnd.notice_ends + timedelta(days=1)) == 0
    )  # open objection holds it
    services.objection_resolve(objection=objection, by=projects_staff, uphold=True, resolution="confirmed")
    app3.refresh_from_db()
    assert app3.status == S.REJECTED


def test_screening_requires_projects_staff_and_reason(rnd, applicant, make_user, projects_staff):
    user, org = applicant
    app = make_submitted(rnd, org, user)
    other_staff = make_user("staff_info_t", role="staff", department="info")
    with pytest.raises(PermissionDeniedError):
        services.screening_decide(application=app, by=other_staff, eligible=True, reason="x")
    with pytest.raises(DomainError):
        services.screening_decide(application=app, by=projects_staff, eligible=True, reason=" ")
    app.refresh_from_db()
    assert app.status == S.SUBMITTED


def test_failed_midterm_stops_payments_and_termination_returns_money(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff, amount=Decimal("40000"))
    fund = rnd.fund
    before = selectors.fund_balance(fund)
    services.agreement_accept(application=app, user=user)
    services.installment_pay(installment=app.installments.get(order=0), by=projects_staff)
    mid = app.reports.get(kind="midterm")
    services.report_submit(
        report=mid, user=user, activities="little", actual_direct=1, actual_indirect=1, spending={}
    )
    services.report_evaluate(report=mid, by=projects_staff, score=40, result="fail")
    second = app.installments.get(order=1)
    assert second.status == Installment.Status.STOPPED
    with pytest.raises(DomainError):
        services.installment_pay(installment=second, by=projects_staff)
    services.application_terminate(application=app, by=projects_staff, reason="failed mid-term")
    app.refresh_from_db()
    assert app.status == S.TERMINATED
    # 20,000 paid; the 20,000 not paid returns to the fund
    assert selectors.fund_balance(fund) == before + Decimal("20000")
    assert selectors.round_committed(rnd.pk) == Decimal("20000")


def test_installments_never_exceed_award(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff, amount=Decimal("30000"))
    services.agreement_accept(application=app, user=user)
    first = app.installments.get(order=0)
    # someone edits the schedule by hand to pay more than the award in one go
    Installment.objects.filter(pk=first.pk).update(planned_amount=Decimal("30000.01"))
    with pytest.raises(DomainError) as err:
        services.installment_pay(installment=first, by=projects_staff)
    assert err.value.code == "over_award"
    assert selectors.application_paid(app.pk) == 0
    Installment.objects.filter(pk=first.pk).update(planned_amount=Decimal("15000"))
    services.installment_pay(installment=first, by=projects_staff)
    with pytest.raises(DomainError):
        services.installment_pay(installment=first, by=projects_staff)  # paid twice refused
    assert selectors.application_paid(app.pk) == Decimal("15000")


def test_installment_not_due_before_trigger(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff)
    with pytest.raises(DomainError) as err:
        services.installment_pay(installment=app.installments.get(order=0), by=projects_staff)
    assert err.value.code == "not_due"  # agreement not signed yet


EDGES = [(a, b) for a, nexts in services.PIPELINE.items() for b in sorted(nexts)]


@pytest.mark.parametrize(("old", "new"), EDGES, ids=[f"{a}->{b}" for a, b in EDGES])
def test_every_pipeline_edge_is_allowed_and_recorded(old, new, rnd, applicant, projects_staff):
    user, org = applicant
    app = make_draft(rnd, org, user)
    Application.objects.filter(pk=app.pk).update(status=old)
    services.application_transition(app, to=new, by=projects_staff, reason="edge")
    assert Application.objects.get(pk=app.pk).status == new
    assert _history(app) == [(old, new)]


@pytest.mark.parametrize("old", list(services.PIPELINE), ids=list(services.PIPELINE))
def test_transitions_outside_the_pipeline_refused(old, rnd, applicant):
    user, org = applicant
    app = make_draft(rnd, org, user)
    Application.objects.filter(pk=app.pk).update(status=old)
    refused = [s for s in S.values if s != old and s not in services.PIPELINE[old]]
    for to in refused:
        with pytest.raises(TransitionError):
            services.application_transition(app, to=to, by=None)
    assert Application.objects.get(pk=app.pk).status == old
    assert _history(app) == []


def test_withdraw_recommendation_frees_budget(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_reviewed(rnd, org, user, projects_staff)
    services.award_approve(application=app, amount=Decimal("30000"), by=projects_staff)
    assert selectors.round_committed(rnd.pk) == Decimal("30000")
    app = services.award_withdraw(application=app, by=projects_staff, reason="rethink")
    assert app.status == S.REVIEWED and app.award_amount is None
    assert selectors.round_committed(rnd.pk) == 0
    services.application_not_recommend(application=app, by=projects_staff)
    app = services.award_approve(application=app, amount=Decimal("20000"), by=projects_staff)
    assert app.status == S.RECOMMENDED


def test_terminate_before_any_payment_returns_everything(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff, amount=Decimal("40000"))
    with pytest.raises(DomainError):
        services.application_terminate(application=app, by=projects_staff, reason=" ")
    services.application_terminate(application=app, by=projects_staff, reason="organization dissolved")
    assert selectors.round_committed(rnd.pk) == 0
    assert not app.installments.filter(status=Installment.Status.PLANNED).exists()
