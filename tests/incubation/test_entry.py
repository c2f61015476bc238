"""Entry workflow: draft → submitted → returned/screened → assessed → admitted/waitlisted/
refused, each with reasons and notices; grassroots groups; admission creates the agreement;
the waitlist is offered the next free place with a deadline."""

from datetime import timedelta

import pytest

from center.errors import DomainError, PermissionDeniedError, TransitionError
from center.models import Notification
from incubation import services
from incubation.models import Agreement, Application, ApplicationStatusChange, Incubatee
from tests.incubation.factories import TODAY, make_agreement

pytestmark = pytest.mark.django_db


def _draft(call, user, **kw):
    org_id = kw.pop("organization_id", None)
    return services.application_create(
        call=call,
        user=user,
        organization_id=org_id,
        group_name=kw.pop("group_name", ""),
        service_area="助老",
        team="三名社工",
        plan="社区陪伴",
        space_need=kw.pop("space_need", "office"),
        **kw,
    )


def _submitted(call, incubatee):
    user, inc = incubatee
    app = _draft(call, user, organization_id=inc.organization_id)
    return services.application_transition(app, to="submitted", by=user)


def _scored(call, incubatee, ops):
    app = _submitted(call, incubatee)
    app = services.application_transition(app, to="screened", by=ops)
    ind = list(call.sheet.indicators.all())
    services.panel_scores_save(application=app, scorer=ops, scores={ind[0].pk: 80, ind[1].pk: 70})
    return services.application_transition(app, to="assessed", by=ops)


def test_submit_sets_answer_deadline_five_working_days(call, incubatee):
    app = _submitted(call, incubatee)
    assert app.status == "submitted"
    # Tuesday 2 June 2026 + 5 working days = Tuesday 9 June
    assert str(app.answer_due) == "2026-06-09"
    assert ApplicationStatusChange.objects.filter(application=app, to_status="submitted").count() == 1


def test_return_then_resubmit_with_reason_and_notice(call, incubatee, ops):
    user, _inc = incubatee
    app = _submitted(call, incubatee)
    app = services.application_transition(app, to="returned", by=ops, reason="请补充团队成员简历")
    assert app.status == "returned" and app.reason == "请补充团队成员简历"
    assert Notification.objects.filter(user=user, body="请补充团队成员简历").exists()
    services.application_update(application=app, user=user, team="三名社工，两名志愿者")
    app = services.application_transition(app, to="submitted", by=user)
    assert app.status == "submitted"


def test_screen_assess_admit_creates_agreement(call, incubatee, ops, spaces):
    app = _scored(call, incubatee, ops)
    assert app.score == 74  # 0.4*80 + 0.6*70
    agreement = services.application_admit(
        application=app,
        by=ops,
        reason="符合条件",
        space=spaces.office1,
        starts_on=TODAY,
        deposit=2000,
        waivers=[
            {
                "item": "rent",
                "percent": 100,
                "monthly_value": 2000,
                "starts_on": TODAY,
                "ends_on": TODAY + timedelta(days=364),
            }
        ],
    )
    assert agreement.space == spaces.office1
    assert str(agreement.ends_on) == "2027-06-01"  # one year
    assert agreement.waivers.count() == 1
    assert Application.objects.get(pk=app.pk).status == "admitted"
    assert Incubatee.objects.get(pk=app.incubatee_id).status == "incubating"
    assert agreement.reports.count() >= 4  # one per quarter


def test_waitlist_and_refuse_need_reason(call, incubatee, ops):
    app = _scored(call, incubatee, ops)
    with pytest.raises(DomainError):
        services.application_transition(app, to="waitlisted", by=ops, reason=" ")
    app = services.application_transition(app, to="waitlisted", by=ops, reason="名额已满")
    assert app.status == "waitlisted"
    app = services.application_transition(app, to="refused", by=ops, reason="放弃")
    assert app.status == "refused"


def test_refused_transition_draft_to_admitted(call, incubatee, ops):
    user, inc = incubatee
    app = _draft(call, user, organization_id=inc.organization_id)
    with pytest.raises(TransitionError):
        services.application_transition(app, to="admitted", by=ops, reason="x")
    assert Application.objects.get(pk=app.pk).status == "draft"


def test_applicant_cannot_screen_and_staff_cannot_submit(call, incubatee, other_incubatee, ops):
    app = _submitted(call, incubatee)
    with pytest.raises(PermissionDeniedError):
        services.application_transition(app, to="screened", by=incubatee[0])
    other_user, _o = other_incubatee
    draft = _draft(call, other_user, organization_id=_o.organization_id)
    with pytest.raises(PermissionDeniedError):
        services.application_transition(draft, to="submitted", by=incubatee[0])


def test_assess_needs_panel_scores(call, incubatee, ops):
    app = services.application_transition(_submitted(call, incubatee), to="screened", by=ops)
    with pytest.raises(DomainError):
        services.application_transition(app, to="assessed", by=ops)


def test_grassroots_group_applies_and_later_links_organization(call, ops, make_user):
    contact = make_user("grassroots_t", role="resident")
    app = _draft(call, contact, group_name="星星的孩子家长互助小组", space_need="virtual")
    assert app.incubatee.is_grassroots and app.incubatee.contact == contact
    services.application_transition(app, to="submitted", by=contact)
    from tests.ventures.factories import make_org

    org = make_org("星星的孩子家长互助论坛")
    inc = services.incubatee_link_organization(incubatee=app.incubatee, organization_id=org.pk, by=ops)
    assert inc.organization_id == org.pk
    assert not Incubatee.objects.get(pk=inc.pk).is_grassroots


def test_apply_for_someone_elses_organization_refused(call, incubatee, other_incubatee):
    with pytest.raises(PermissionDeniedError):
        _draft(call, incubatee[0], organization_id=other_incubatee[1].organization_id)
    assert not Application.objects.exists()


def test_waitlist_offer_next_place_then_accept(call, incubatee, other_incubatee, ops, spaces):
    app = _scored(call, incubatee, ops)
    app = services.application_transition(app, to="waitlisted", by=ops, reason="暂无空位")
    offered = services.waitlist_offer_next(space=spaces.office2, today=TODAY)
    assert offered.pk == app.pk and offered.offer_space == spaces.office2
    assert offered.offer_deadline == TODAY + timedelta(days=7)  # 5 working days
    agreement = services.waitlist_accept(application=app, user=incubatee[0], today=TODAY)
    assert agreement.space == spaces.office2
    assert Application.objects.get(pk=app.pk).status == "admitted"


def test_waitlist_offer_expires_and_moves_on(call, incubatee, other_incubatee, ops, spaces):
    first = services.application_transition(
        _scored(call, incubatee, ops), to="waitlisted", by=ops, reason="r"
    )
    second = services.application_transition(
        _scored(call, other_incubatee, ops), to="waitlisted", by=ops, reason="r"
    )
    services.waitlist_offer_next(space=spaces.office2, today=TODAY)
    later = TODAY + timedelta(days=10)
    with pytest.raises(DomainError):
        services.waitlist_accept(application=first, user=incubatee[0], today=later)
    assert services.waitlist_expire_offers(today=later) == 1
    assert Application.objects.get(pk=second.pk).offer_space == spaces.office2
    assert Application.objects.get(pk=first.pk).offer_space is None


def test_admission_over_occupied_space_refused_nothing_written(call, incubatee, other_incubatee, ops, spaces):
    make_agreement(other_incubatee[1], spaces.office1, starts_on=TODAY - timedelta(days=10))
    app = _scored(call, incubatee, ops)
    with pytest.raises(DomainError) as exc:
        services.application_admit(
            application=app, by=ops, reason="ok", space=spaces.office1, starts_on=TODAY
        )
    assert exc.value.code == "space_taken"
    assert Agreement.objects.filter(incubatee=incubatee[1]).count() == 0
    assert Application.objects.get(pk=app.pk).status == "assessed"  # rolled back with it
