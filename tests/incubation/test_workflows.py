"""Workflows with every allowed and a refused transition: the quarterly report (file, return,
file again, assess; two failing quarters), the graduation evaluation (graduate / extend /
exit) starting a handover with its checklist, the handover's completion; and bad input
refused with a clear error and nothing written (an agreement over an occupied space, a
waiver percentage outside 0–100, a quarterly report after the agreement ended)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from center.calendar import add_working_days
from center.dates import add_months
from center.errors import DomainError, PermissionDeniedError, TransitionError
from center.models import Notification
from incubation import services
from incubation.models import (
    Agreement,
    Application,
    FollowUp,
    GraduationEvaluation,
    Handover,
    Incubatee,
    QuarterlyReport,
    QuarterlyScore,
    Space,
    Waiver,
)
from tests.incubation.factories import TODAY, make_agreement, make_sheet

pytestmark = pytest.mark.django_db

REPORT = {"activities": "走访独居老人 12 次", "people_served": 40, "volunteers": 6, "income": "3000"}


@pytest.fixture
def sheet(db):
    return make_sheet("quarterly")  # mission 40 %, team 60 %, pass mark 60


@pytest.fixture
def agreement(spaces, incubatee):
    agreement = make_agreement(incubatee[1], spaces.office1)
    services.quarterly_reports_schedule(agreement=agreement)
    return agreement


def _report(agreement, year=2026, quarter=2):
    return agreement.reports.get(year=year, quarter=quarter)


def _scores(sheet, mission, team):
    a, b = sheet.indicators.order_by("order")
    return {f"ind_{a.pk}": mission, f"ind_{b.pk}": team}


# --- quarterly report ----------------------------------------------------------------------------


def test_quarterly_report_filed_returned_filed_again_and_assessed_on_the_pages(
    client, agreement, incubatee, ops, sheet
):
    user, inc = incubatee
    report = _report(agreement)
    url = reverse("incubation:report_detail", args=[report.pk])
    client.force_login(user)
    assert client.post(url, REPORT).status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.people_served == 40 and report.submitted_by == user

    client.force_login(ops)
    client.post(url, {"action": "return", "reason": " "})  # a return needs a reason
    assert QuarterlyReport.objects.get(pk=report.pk).status == "submitted"
    client.post(url, {"action": "return", "reason": "请补充志愿者服务时长"})
    report.refresh_from_db()
    assert report.status == "returned" and report.return_reason == "请补充志愿者服务时长"
    assert Notification.objects.filter(user=user, body="请补充志愿者服务时长", url=url).count() == 1

    client.force_login(user)
    page = client.get(url).content.decode()
    assert "请补充志愿者服务时长" in page and "走访独居老人 12 次" in page  # the form keeps the figures
    assert report in services_reports_due(user)
    client.post(url, {**REPORT, "volunteers": 8})
    report.refresh_from_db()
    assert report.status == "submitted" and report.volunteers == 8

    client.force_login(ops)
    client.post(url, {"action": "assess", **_scores(sheet, 80, 50)})
    report.refresh_from_db()
    assert report.status == "assessed" and report.score == Decimal("62.00") and report.passed is True
    assert report.assessed_by == ops and QuarterlyScore.objects.filter(report=report).count() == 2
    statuses = list(report.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == [
        "submitted",
        "returned",
        "submitted",
        "assessed",
    ]  # scheduled in bulk: no row for "due"


def services_reports_due(user):
    from incubation import selectors

    return list(selectors.reports_due_for(user, today=TODAY, within_days=120))


def test_quarterly_report_refused_transitions_write_nothing(client, agreement, incubatee, ops, sheet):
    user, _inc = incubatee
    report = _report(agreement)
    scores = {i.pk: 70 for i in sheet.indicators.all()}
    with pytest.raises(DomainError) as exc:  # a due report is not assessed
        services.quarterly_report_assess(report=report, by=ops, scores=scores, sheet=sheet)
    assert exc.value.code == "not_filed"
    with pytest.raises(TransitionError):  # nor returned
        services.quarterly_report_return(report=report, by=ops, reason="x")
    services.quarterly_report_submit(report=report, user=user, **REPORT)
    with pytest.raises(PermissionDeniedError):  # the incubatee does not assess or return
        services.quarterly_report_assess(report=report, by=user, scores=scores, sheet=sheet)
    with pytest.raises(PermissionDeniedError):
        services.quarterly_report_return(report=report, by=user, reason="x")
    client.force_login(user)
    url = reverse("incubation:report_detail", args=[report.pk])
    assert client.post(url, {"action": "return", "reason": "x"}).status_code == 403
    assert client.post(url, {"action": "assess", **_scores(sheet, 100, 100)}).status_code == 403
    with pytest.raises(DomainError):  # a score out of range
        services.quarterly_report_assess(
            report=report, by=ops, scores={**scores, sheet.indicators.first().pk: 101}, sheet=sheet
        )
    with pytest.raises(DomainError) as exc:  # filed twice
        services.quarterly_report_submit(report=report, user=user, **REPORT)
    assert exc.value.code == "filed"
    assert QuarterlyReport.objects.get(pk=report.pk).status == "submitted"
    assert not QuarterlyScore.objects.exists()
    services.quarterly_report_assess(report=report, by=ops, scores=scores, sheet=sheet)
    with pytest.raises(TransitionError):  # an assessed report is final
        services.quarterly_report_return(report=report, by=ops, reason="x")
    assert QuarterlyScore.objects.filter(report=report).count() == 2


def test_two_failing_quarters_warn_and_allow_ending_early(agreement, incubatee, ops, sheet):
    user, _inc = incubatee
    with pytest.raises(DomainError):  # not before two failing quarters
        services.agreement_transition(agreement, to="ended_early", by=ops, reason="未达标")
    for quarter in (2, 3):
        report = _report(agreement, quarter=quarter)
        services.quarterly_report_submit(report=report, user=user, **REPORT)
        services.quarterly_report_assess(
            report=report, by=ops, scores={i.pk: 30 for i in sheet.indicators.all()}, sheet=sheet
        )
    agreement.refresh_from_db()
    assert agreement.failing_warning
    assert Notification.objects.filter(user=user, title__contains="连续两个季度").exists()
    assert "ended_early" in services.agreement_allowed_next(agreement, ops)
    assert "ended_early" not in services.agreement_allowed_next(agreement, user)
    ended = services.agreement_transition(agreement, to="ended_early", by=ops, reason="连续两季度不合格")
    assert ended.status == "ended_early" and Handover.objects.filter(agreement=agreement).exists()


def test_no_quarterly_report_after_the_agreement_ended(client, agreement, incubatee, ops):
    user, inc = incubatee
    report = _report(agreement)
    services.graduation_evaluate(
        agreement=agreement,
        by=ops,
        outcome="exit",
        registered=False,
        governance=False,
        running_project=False,
        funding_secured=False,
        today=TODAY,
    )
    with pytest.raises(DomainError) as exc:
        services.quarterly_report_submit(report=report, user=user, **REPORT)
    assert exc.value.code == "agreement_ended"
    client.force_login(user)
    page = client.post(reverse("incubation:report_detail", args=[report.pk]), REPORT).content.decode()
    assert "此后不能再提交季度报告" in page
    report.refresh_from_db()
    assert report.status == "due" and report.activities == "" and report.submitted_at is None


# --- graduation, handover ------------------------------------------------------------------------

GRADUATE = {
    "outcome": "graduate",
    "registered": "on",
    "governance": "on",
    "running_project": "on",
    "panel": "张、李、王",
}


def test_graduation_starts_a_handover_with_its_checklist_and_follow_ups(client, agreement, incubatee, ops):
    user, inc = incubatee
    client.force_login(ops)
    client.post(reverse("incubation:graduation_evaluate", args=[agreement.pk]), GRADUATE)
    agreement.refresh_from_db()
    assert agreement.status == "graduated" and agreement.ends_on == TODAY
    incubatee_row = Incubatee.objects.get(pk=inc.pk)
    assert incubatee_row.status == "graduated" and incubatee_row.graduated_on == TODAY
    evaluation = GraduationEvaluation.objects.get(agreement=agreement)
    assert (
        evaluation.outcome == "graduate" and evaluation.decided_by == ops and evaluation.panel == "张、李、王"
    )
    handover = Handover.objects.get(agreement=agreement)
    assert handover.status == "open" and handover.due_on == add_working_days(TODAY, 15)
    page = client.get(reverse("incubation:handover_detail", args=[handover.pk])).content.decode()
    for label in ("keys_returned", "desks_cleared", "deposit_refunded"):
        assert f'name="{label}"' in page
    assert sorted(FollowUp.objects.filter(agreement=agreement).values_list("months", "due_on")) == [
        (6, add_months(TODAY, 6)),
        (12, add_months(TODAY, 12)),
    ]
    assert agreement.status_changes.filter(to_status="graduated").count() == 1


def test_graduation_without_registration_is_refused_and_writes_nothing(client, agreement, ops):
    client.force_login(ops)
    r = client.post(
        reverse("incubation:graduation_evaluate", args=[agreement.pk]),
        {**GRADUATE, "registered": ""},
        follow=True,
    )
    assert "出壳须已登记为法人" in r.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).status == "active"
    assert not GraduationEvaluation.objects.exists() and not Handover.objects.exists()


def test_extension_prolongs_the_term_without_handover(agreement, ops):
    old_end = agreement.ends_on
    with pytest.raises(DomainError):  # an extension is 1 to 12 months
        services.graduation_evaluate(
            agreement=agreement,
            by=ops,
            outcome="extend",
            registered=False,
            governance=True,
            running_project=True,
            funding_secured=False,
            extend_months=0,
            today=TODAY,
        )
    assert not GraduationEvaluation.objects.exists()
    services.graduation_evaluate(
        agreement=agreement,
        by=ops,
        outcome="extend",
        registered=False,
        governance=True,
        running_project=True,
        funding_secured=False,
        extend_months=6,
        today=TODAY,
    )
    agreement.refresh_from_db()
    assert agreement.status == "active" and agreement.ends_on == add_months(old_end, 6)
    last = agreement.reports.order_by("-year", "-quarter").first()
    assert (last.year, last.quarter) >= (agreement.ends_on.year, (agreement.ends_on.month - 1) // 3 + 1)
    assert not Handover.objects.exists()


def test_exit_starts_a_handover_and_a_second_evaluation_is_refused(agreement, incubatee, ops):
    services.graduation_evaluate(
        agreement=agreement,
        by=ops,
        outcome="exit",
        registered=False,
        governance=False,
        running_project=False,
        funding_secured=False,
        notes="主动退出",
        today=TODAY,
    )
    assert Agreement.objects.get(pk=agreement.pk).status == "exited"
    assert Incubatee.objects.get(pk=incubatee[1].pk).status == "exited"
    assert Handover.objects.filter(agreement=agreement, status="open").count() == 1
    with pytest.raises(DomainError) as exc:
        services.graduation_evaluate(
            agreement=agreement,
            by=ops,
            outcome="graduate",
            registered=True,
            governance=True,
            running_project=True,
            funding_secured=True,
            today=TODAY,
        )
    assert exc.value.code == "ended"
    assert GraduationEvaluation.objects.count() == 1 and Handover.objects.count() == 1


def test_handover_done_when_every_item_is_ticked(client, agreement, ops):
    Agreement.objects.filter(pk=agreement.pk).update(deposit=Decimal("2000"))
    services.graduation_evaluate(
        agreement=agreement,
        by=ops,
        outcome="graduate",
        registered=True,
        governance=True,
        running_project=True,
        funding_secured=True,
        today=TODAY,
    )
    handover = Handover.objects.get(agreement=agreement)
    url = reverse("incubation:handover_detail", args=[handover.pk])
    client.force_login(ops)
    client.post(url, {"keys_returned": "on", "desks_cleared": "on", "notes": "押金待退"})
    handover.refresh_from_db()
    assert handover.status == "open" and handover.keys_returned and not handover.deposit_refunded
    client.post(url, {"keys_returned": "on", "desks_cleared": "on", "deposit_refunded": "on"})
    handover.refresh_from_db()
    assert handover.status == "done" and handover.done_at is not None
    assert Agreement.objects.get(pk=agreement.pk).deposit_refunded
    assert Space.objects.get(pk=agreement.space_id).status == "available"
    with pytest.raises(DomainError) as exc:
        services.handover_update(
            handover=handover, by=ops, keys_returned=False, desks_cleared=False, deposit_refunded=False
        )
    assert exc.value.code == "done"
    assert Handover.objects.get(pk=handover.pk).keys_returned


# --- bad input -------------------------------------------------------------------------------------


def test_agreement_over_an_occupied_space_is_refused_naming_the_conflict(
    spaces, agreement, other_incubatee, ops
):
    before = (Agreement.objects.count(), Waiver.objects.count(), QuarterlyReport.objects.count())
    with translation.override("en"), pytest.raises(DomainError) as exc:
        services.agreement_create(
            incubatee=other_incubatee[1],
            space=spaces.office1,
            starts_on=agreement.ends_on - timedelta(days=10),
            ends_on=agreement.ends_on + timedelta(days=300),
            by=ops,
            waivers=[
                {"item": "rent", "percent": 100, "monthly_value": 2000, "starts_on": TODAY, "ends_on": TODAY}
            ],
        )
    assert exc.value.code == "space_taken" and agreement.number in str(exc.value.message)
    assert (Agreement.objects.count(), Waiver.objects.count(), QuarterlyReport.objects.count()) == before
    # the day after it ends, the space is free
    services.agreement_create(
        incubatee=other_incubatee[1],
        space=spaces.office1,
        starts_on=agreement.ends_on + timedelta(days=1),
        ends_on=agreement.ends_on + timedelta(days=300),
        by=ops,
    )


def test_admission_page_over_an_occupied_space_shows_the_conflict(
    client, call, spaces, agreement, other_incubatee, ops
):
    user, inc = other_incubatee
    app = services.application_create(
        call=call,
        user=user,
        organization_id=inc.organization_id,
        service_area="s",
        team="t",
        plan="p",
        space_need="office",
    )
    services.application_transition(app, to="submitted", by=user)
    services.application_transition(app, to="screened", by=ops)
    services.panel_scores_save(
        application=app, scorer=ops, scores={i.pk: 80 for i in call.sheet.indicators.all()}
    )
    services.application_transition(app, to="assessed", by=ops)
    client.force_login(ops)
    r = client.post(
        reverse("incubation:application_admit", args=[app.pk]),
        {
            "space": spaces.office1.pk,
            "starts_on": TODAY,
            "months": 12,
            "deposit": 0,
            "reason": "符合条件",
            "rent_percent": 100,
            "rent_months": 12,
        },
        follow=True,
    )
    assert "该空间已被占用" in r.content.decode() and agreement.number in r.content.decode()
    assert Application.objects.get(pk=app.pk).status == "assessed"
    assert not Agreement.objects.filter(incubatee=inc).exists()


@pytest.mark.parametrize("percent", ["-1", "100.01", "150", "abc"])
def test_waiver_percentage_outside_0_to_100_is_refused(client, agreement, ops, percent):
    line = {
        "item": "rent",
        "monthly_value": "2000",
        "starts_on": TODAY,
        "ends_on": TODAY + timedelta(days=30),
    }
    with pytest.raises(DomainError) as exc:
        services.waiver_add(agreement=agreement, by=ops, percent=percent, **line)
    assert "0 到 100" in str(exc.value.message)
    client.force_login(ops)
    r = client.post(
        reverse("incubation:waiver_add", args=[agreement.pk]), {**line, "percent": percent}, follow=True
    )
    assert r.status_code == 200 and r.redirect_chain
    assert not Waiver.objects.exists()
    with pytest.raises(DomainError):
        services.agreement_create(
            incubatee=agreement.incubatee,
            space=None,
            starts_on=TODAY,
            ends_on=TODAY + timedelta(days=364),
            by=ops,
            waivers=[{**line, "percent": percent}],
        )
    assert Agreement.objects.count() == 1


def test_waiver_within_range_and_term_is_added_with_its_yearly_value(client, agreement, ops):
    client.force_login(ops)
    client.post(
        reverse("incubation:waiver_add", args=[agreement.pk]),
        {
            "item": "electricity",
            "percent": "50",
            "monthly_value": "300",
            "starts_on": "2026-12-01",
            "ends_on": "2027-01-31",
        },
    )
    waiver = Waiver.objects.get(agreement=agreement)
    assert services.waiver_value_by_year(waiver) == {2026: Decimal("150.00"), 2027: Decimal("150.00")}
    with pytest.raises(DomainError):  # outside the agreement's term
        services.waiver_add(
            agreement=agreement,
            by=ops,
            item="gas",
            percent=10,
            monthly_value=100,
            starts_on=agreement.starts_on - timedelta(days=1),
            ends_on=agreement.starts_on,
        )
    assert Waiver.objects.count() == 1
