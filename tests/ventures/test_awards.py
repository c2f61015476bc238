"""Awards within budget (also under concurrent approvals on PostgreSQL), suggestions,
public notice and objections, the notice-closing job."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from center.errors import DomainError
from tests.concurrency import run_concurrently
from tests.ventures.factories import make_fund, make_org_user, make_reviewed, make_reviewers, make_round
from ventures import selectors, services, tasks
from ventures.models import Application, Objection

pytestmark = pytest.mark.django_db
S = Application.Status


def test_award_never_exceeds_request_cap_or_budget(projects_staff, applicant, reviewers):
    user, org = applicant
    rnd = make_round(projects_staff, budget=Decimal("70000"), reviewers_per_application=2)
    a = make_reviewed(rnd, org, user, projects_staff, scores=(90, 90), amount=Decimal("40000"))
    b = make_reviewed(rnd, org, user, projects_staff, scores=(80, 80), amount=Decimal("40000"))
    with pytest.raises(DomainError) as err:
        services.award_approve(application=a, amount=Decimal("40000.01"), by=projects_staff)
    assert err.value.code == "over_request"
    services.award_approve(application=a, amount=Decimal("40000"), by=projects_staff)
    with pytest.raises(DomainError) as err:
        services.award_approve(application=b, amount=Decimal("30000.01"), by=projects_staff)
    assert err.value.code == "over_budget"
    b.refresh_from_db()
    assert b.status == S.REVIEWED and b.award_amount is None
    services.award_approve(application=b, amount=Decimal("30000"), by=projects_staff)
    assert selectors.round_committed(rnd.pk) == Decimal("70000")
    # lowering one award frees money for the other (adjusting a recommended amount)
    services.award_approve(application=a, amount=Decimal("35000"), by=projects_staff)
    assert selectors.round_committed(rnd.pk) == Decimal("65000")


def test_fund_balance_is_budget_minus_awarded(projects_staff, applicant, reviewers):
    user, org = applicant
    fund = make_fund(year=2030, budget=Decimal("50000"))
    rnd = make_round(projects_staff, budget=Decimal("100000"), fund=fund, reviewers_per_application=2)
    a = make_reviewed(rnd, org, user, projects_staff, amount=Decimal("40000"))
    b = make_reviewed(rnd, org, user, projects_staff, amount=Decimal("40000"))
    services.award_approve(application=a, amount=Decimal("40000"), by=projects_staff)
    assert selectors.fund_balance(fund) == Decimal("10000")
    assert selectors.fund_list().get(pk=fund.pk).balance == Decimal("10000")
    with pytest.raises(DomainError) as err:
        services.award_approve(application=b, amount=Decimal("20000"), by=projects_staff)
    assert err.value.code == "over_fund"


def test_suggest_awards_fills_by_rank_until_budget(projects_staff, applicant, reviewers):
    user, org = applicant
    rnd = make_round(projects_staff, budget=Decimal("100000"), reviewers_per_application=2)
    apps = [
        make_reviewed(rnd, org, user, projects_staff, scores=(s, s), amount=Decimal("40000"))
        for s in (95, 85, 75)
    ]
    suggestions = services.award_suggestions(rnd)
    assert [(a.pk, amt) for a, amt in suggestions] == [
        (apps[0].pk, Decimal("40000")),
        (apps[1].pk, Decimal("40000")),
    ]
    assert services.award_suggest_apply(round=rnd, by=projects_staff) == 2
    assert selectors.round_committed(rnd.pk) == Decimal("80000")
    assert services.award_suggestions(rnd) == []  # the third does not fit in the 20,000 left


def test_ranking_page_award_form_refuses_over_budget(client, projects_staff, applicant, reviewers):
    user, org = applicant
    rnd = make_round(projects_staff, budget=Decimal("30000"), reviewers_per_application=2)
    a = make_reviewed(rnd, org, user, projects_staff, amount=Decimal("40000"))
    client.force_login(projects_staff)
    r = client.post(reverse("ventures:award", args=[a.pk]), {"amount": "40000"}, follow=True)
    a.refresh_from_db()
    assert a.status == S.REVIEWED
    assert any("budget" in str(m) or "预算" in str(m) for m in r.context["messages"])
    page = client.get(reverse("ventures:ranking", args=[rnd.pk]) + "?suggest=1")
    assert page.status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent row locks need PostgreSQL (SQLite locks the whole file, no select_for_update)",
)
def test_concurrent_approvals_never_exceed_budget(make_user):
    from tests.factories import UserFactory

    staff = UserFactory.make("conc_staff", role="staff", department="projects")
    make_reviewers(3, prefix="conc")
    user, org = make_org_user("conc_org")
    rnd = make_round(staff, budget=Decimal("100000"), reviewers_per_application=2)
    apps = [make_reviewed(rnd, org, user, staff, amount=Decimal("40000")) for _ in range(6)]

    def approve(app):
        def run():
            try:
                services.award_approve(application=app, amount=Decimal("40000"), by=staff)
            except DomainError as exc:
                return exc.code
            return "ok"

        return run

    results = [o.value for o in run_concurrently(*[approve(a) for a in apps])]
    assert results.count("ok") == 2 and results.count("over_budget") == 4
    assert selectors.round_committed(rnd.pk) == Decimal("80000")
    assert Application.objects.filter(round=rnd, status=S.RECOMMENDED).count() == 2


def _on_notice(projects_staff, applicant, reviewers):
    user, org = applicant
    rnd = make_round(projects_staff, reviewers_per_application=2)
    a = make_reviewed(rnd, org, user, projects_staff, scores=(90, 90), title="公示项目甲")
    b = make_reviewed(rnd, org, user, projects_staff, scores=(85, 85), title="公示项目乙")
    for app in (a, b):
        services.award_approve(application=app, amount=app.requested_amount, by=projects_staff)
    services.notice_publish(round=rnd, by=projects_staff)
    rnd.refresh_from_db()
    return rnd, a, b


def test_notice_period_counts_working_days(projects_staff, applicant, reviewers):
    from center.calendar import working_days_between

    rnd, a, b = _on_notice(projects_staff, applicant, reviewers)
    assert working_days_between(rnd.notice_starts, rnd.notice_ends) == 7


def test_public_notice_page_and_objection(client, projects_staff, applicant, reviewers):
    rnd, a, b = _on_notice(projects_staff, applicant, reviewers)
    page = client.get(reverse("ventures:notice", args=[rnd.pk])).content.decode()
    assert "公示项目甲" in page and a.organization.name in page
    r = client.post(
        reverse("ventures:objection_file", args=[a.pk]),
        {"name": "李四", "contact": "13900000000", "reason": "项目重复申报"},
    )
    assert r.status_code == 302
    assert Objection.objects.filter(application=a, status="open").count() == 1
    # bad input: nothing written
    client.post(reverse("ventures:objection_file", args=[a.pk]), {"name": "", "contact": "", "reason": ""})
    assert Objection.objects.count() == 1


def test_objections_rate_limited(client, projects_staff, applicant, reviewers):
    rnd, a, b = _on_notice(projects_staff, applicant, reviewers)
    for i in range(8):
        client.post(
            reverse("ventures:objection_file", args=[a.pk]), {"name": f"n{i}", "contact": "c", "reason": "r"}
        )
    assert Objection.objects.count() == 5


def test_close_notices_job_confirms_only_unobjected_and_is_idempotent(projects_staff, applicant, reviewers):
    rnd, a, b = _on_notice(projects_staff, applicant, reviewers)
    services.objection_file(application=b, name="王五", contact="x", reason="r")
    after = (rnd.notice_ends + timedelta(days=1)).isoformat()
    assert tasks.close_notices(today=rnd.notice_ends.isoformat()) == 0
    assert tasks.close_notices(today=after) == 1
    assert tasks.close_notices(today=after) == 0
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == S.AWARDED and a.installments.count() == 3 and a.agreement
    assert b.status == S.ON_NOTICE
    services.objection_resolve(
        objection=b.objections.get(), by=projects_staff, uphold=False, resolution="unfounded"
    )
    assert tasks.close_notices(today=after) == 1
    b.refresh_from_db()
    assert b.status == S.AWARDED


def test_objection_outside_notice_refused(projects_staff, applicant, reviewers):
    user, org = applicant
    rnd = make_round(projects_staff, reviewers_per_application=2)
    a = make_reviewed(rnd, org, user, projects_staff)
    with pytest.raises(DomainError):
        services.objection_file(application=a, name="x", contact="y", reason="z")
    assert not Objection.objects.exists()


def test_staff_pages_refused_to_applicant_and_reviewer(client, projects_staff, applicant, reviewers):
    rnd, a, b = _on_notice(projects_staff, applicant, reviewers)
    user, _org = applicant
    for who in (user, reviewers[0]):
        client.force_login(who)
        for name, args in [
            ("manage", []),
            ("dashboard", [rnd.pk]),
            ("screening", [a.pk]),
            ("export_applications", [rnd.pk]),
            ("export_awards", [rnd.pk]),
        ]:
            assert client.get(reverse(f"ventures:{name}", args=args)).status_code == 403  # no role: 403
        assert client.post(reverse("ventures:notice_publish", args=[rnd.pk])).status_code == 403
        assert client.post(reverse("ventures:award", args=[a.pk]), {"amount": "1"}).status_code == 403
    a.refresh_from_db()
    assert a.status == S.ON_NOTICE


def test_public_list_links_running_notice(client, projects_staff, applicant, reviewers):
    rnd, a, b = _on_notice(projects_staff, applicant, reviewers)
    page = client.get(reverse("ventures:round_list")).content.decode()
    assert reverse("ventures:notice", args=[rnd.pk]) in page


def test_notice_and_public_round_list_constant_queries(client, projects_staff, applicant, reviewers):
    from tests.queries import assert_constant_queries

    user, org = applicant
    rnd = make_round(projects_staff, reviewers_per_application=2, budget=Decimal("1000000"))
    first = make_reviewed(rnd, org, user, projects_staff)
    services.award_approve(application=first, amount=first.requested_amount, by=projects_staff)
    services.notice_publish(round=rnd, by=projects_staff)

    def grow_notice():
        for _ in range(3):
            app = make_reviewed(rnd, org, user, projects_staff)
            services.award_approve(application=app, amount=app.requested_amount, by=projects_staff)
            app.refresh_from_db()
            services.application_transition(app, to=S.ON_NOTICE, by=projects_staff)

    assert_constant_queries(lambda: client.get(reverse("ventures:notice", args=[rnd.pk])), grow_notice)

    def grow_rounds():
        for _ in range(3):
            make_round(projects_staff)

    assert_constant_queries(lambda: client.get(reverse("ventures:round_list")), grow_rounds)
