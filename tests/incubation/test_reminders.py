"""Every reminder and escalation is sent once: each periodic job runs twice on the same day
(and on the days between) and exactly one notice arrives. Dates are pinned: the jobs get
`today`/`now` explicitly."""

from datetime import timedelta

import pytest
from django.urls import reverse

from center.calendar import add_working_days
from center.dates import add_months
from center.models import Notification
from incubation import services, tasks
from incubation.models import Agreement, Booking, FollowUp, NoShow
from tests.incubation.factories import TODAY, at, make_agreement, make_booking

pytestmark = pytest.mark.django_db


def _notices(user, url: str) -> int:
    return Notification.objects.filter(user=user, url=url).count()


def _expiry_notices(user, url: str) -> int:
    return Notification.objects.filter(user=user, url=url, title__contains="将于").count()


def _twice(task, day) -> None:
    for _ in range(2):
        task(today=day.isoformat())


# --- agreement expiry ------------------------------------------------------------------------


def test_expiry_reminders_60_and_30_days_before_the_end_once_each(spaces, incubatee, ops, staff):
    user, inc = incubatee
    end = TODAY + timedelta(days=60)
    agreement = make_agreement(inc, spaces.office1, starts_on=end - timedelta(days=364), ends_on=end)
    url = reverse("incubation:agreement_detail", args=[agreement.pk])
    _twice(tasks.agreement_expiry, TODAY + timedelta(days=-1))  # 61 days before: nothing yet
    assert _notices(user, url) == 0
    _twice(tasks.agreement_expiry, TODAY)
    assert _notices(user, url) == _notices(ops, url) == _notices(staff, url) == 1
    for day in range(1, 30):  # the days between: nothing more
        tasks.agreement_expiry(today=(TODAY + timedelta(days=day)).isoformat())
    assert _notices(user, url) == 1
    _twice(tasks.agreement_expiry, end - timedelta(days=30))
    assert _notices(user, url) == _notices(ops, url) == 2
    titles = list(Notification.objects.filter(user=user, url=url).values_list("title", flat=True))
    assert all(agreement.number in t and "2026" in t for t in titles)
    _twice(tasks.agreement_expiry, end + timedelta(days=1))  # the term ended: expired, told once
    assert Agreement.objects.get(pk=agreement.pk).status == "expired"
    assert agreement.status_changes.filter(to_status="expired").count() == 1
    assert _notices(user, url) == 3 and _expiry_notices(user, url) == 2
    assert "已到期" in Notification.objects.filter(user=user, url=url).latest("pk").title


def test_expiry_reminder_missed_day_is_sent_on_the_next_run_and_again_after_renewal(spaces, incubatee, ops):
    user, inc = incubatee
    end = TODAY + timedelta(days=45)  # the job did not run 60 days before
    agreement = make_agreement(inc, spaces.office1, starts_on=end - timedelta(days=364), ends_on=end)
    url = reverse("incubation:agreement_detail", args=[agreement.pk])
    _twice(tasks.agreement_expiry, TODAY)
    assert _expiry_notices(user, url) == 1
    services.agreement_request_renewal(agreement=agreement, user=user)
    services.agreement_decide_renewal(agreement=agreement, by=ops, grant=True)
    new_end = Agreement.objects.get(pk=agreement.pk).ends_on
    assert new_end == add_months(end, 12)
    _twice(tasks.agreement_expiry, new_end - timedelta(days=60))
    assert _expiry_notices(user, url) == 2


def test_expiry_reminder_of_a_sub_base_reaches_its_street_handler(
    sub_base, incubatee, handler_nanmen, handler_yuehu
):
    user, inc = incubatee
    agreement = make_agreement(
        inc, sub_base.office, starts_on=TODAY - timedelta(days=300), ends_on=TODAY + timedelta(days=30)
    )
    url = reverse("incubation:agreement_detail", args=[agreement.pk])
    _twice(tasks.agreement_expiry, TODAY)
    assert _notices(handler_nanmen, url) == 1 and _notices(user, url) == 1
    assert _notices(handler_yuehu, url) == 0


# --- quarterly reports -------------------------------------------------------------------------


def test_report_reminders_10_and_3_working_days_before_and_overdue_once_each(spaces, incubatee):
    user, inc = incubatee
    agreement = make_agreement(inc, spaces.office1)
    services.quarterly_reports_schedule(agreement=agreement)
    report = agreement.reports.get(year=2026, quarter=2)
    assert (
        report.due_on
        == services.report_due_on(2026, 2)
        == add_working_days(TODAY.replace(month=6, day=30), 10)
    )
    url = reverse("incubation:report_detail", args=[report.pk])
    _twice(tasks.report_reminders, add_working_days(report.due_on, -11))
    assert _notices(user, url) == 0
    _twice(tasks.report_reminders, add_working_days(report.due_on, -10))
    assert _notices(user, url) == 1
    _twice(tasks.report_reminders, add_working_days(report.due_on, -5))
    assert _notices(user, url) == 1
    _twice(tasks.report_reminders, add_working_days(report.due_on, -3))
    _twice(tasks.report_reminders, report.due_on)
    assert _notices(user, url) == 2
    _twice(tasks.report_reminders, report.due_on + timedelta(days=1))
    _twice(tasks.report_reminders, report.due_on + timedelta(days=20))
    assert _notices(user, url) == 3
    assert Notification.objects.filter(user=user, url=url, title__contains="逾期").count() == 1


def test_a_filed_report_and_an_ended_agreement_get_no_reminders(spaces, incubatee, other_incubatee):
    user, inc = incubatee
    agreement = make_agreement(inc, spaces.office1)
    services.quarterly_reports_schedule(agreement=agreement)
    report = agreement.reports.get(year=2026, quarter=2)
    services.quarterly_report_submit(
        report=report, user=user, activities="探访", people_served=30, volunteers=5, income=0, today=TODAY
    )
    ended = make_agreement(other_incubatee[1], spaces.office2, status="exited")
    services.quarterly_reports_schedule(agreement=ended)
    _twice(tasks.report_reminders, report.due_on + timedelta(days=1))
    assert not Notification.objects.filter(user__in=[user, other_incubatee[0]]).exists()


# --- handover ----------------------------------------------------------------------------------


def _graduated(agreement, ops, today=TODAY):
    services.graduation_evaluate(
        agreement=agreement,
        by=ops,
        outcome="graduate",
        registered=True,
        governance=True,
        running_project=True,
        funding_secured=False,
        today=today,
    )
    return agreement.handover


def test_handover_reminders_then_escalation_after_15_working_days(spaces, incubatee, ops, staff, other_staff):
    handover = _graduated(make_agreement(incubatee[1], spaces.office1), ops)
    assert handover.due_on == add_working_days(TODAY, 15)
    url = reverse("incubation:handover_detail", args=[handover.pk])
    _twice(tasks.handover_reminders, add_working_days(TODAY, 9))
    assert _notices(ops, url) == 0
    _twice(tasks.handover_reminders, add_working_days(TODAY, 10))  # 5 working days left
    assert _notices(ops, url) == 1 and _notices(staff, url) == 0
    _twice(tasks.handover_reminders, add_working_days(TODAY, 14))  # 1 working day left
    assert _notices(ops, url) == 2
    _twice(tasks.handover_reminders, handover.due_on)
    assert _notices(ops, url) == 2
    _twice(tasks.handover_reminders, add_working_days(TODAY, 16))  # overdue: escalated once
    _twice(tasks.handover_reminders, add_working_days(TODAY, 20))
    assert _notices(ops, url) == 3 and _notices(staff, url) == 1
    assert Notification.objects.get(user=staff, url=url).title.startswith("退场交接已逾期")
    assert _notices(other_staff, url) == 0


def test_sub_base_handover_reminds_its_handler_and_escalates_to_the_department(
    sub_base, incubatee, ops, handler_nanmen, handler_yuehu
):
    handover = _graduated(make_agreement(incubatee[1], sub_base.office), handler_nanmen)
    url = reverse("incubation:handover_detail", args=[handover.pk])
    _twice(tasks.handover_reminders, add_working_days(TODAY, 10))
    assert _notices(handler_nanmen, url) == 1 and _notices(ops, url) == 0
    _twice(tasks.handover_reminders, add_working_days(TODAY, 16))
    assert _notices(handler_nanmen, url) == 2 and _notices(ops, url) == 1
    assert _notices(handler_yuehu, url) == 0


def test_a_done_handover_is_not_reminded(spaces, incubatee, ops):
    handover = _graduated(make_agreement(incubatee[1], spaces.office1), ops)
    services.handover_update(
        handover=handover, by=ops, keys_returned=True, desks_cleared=True, deposit_refunded=True
    )
    _twice(tasks.handover_reminders, add_working_days(TODAY, 16))
    assert not Notification.objects.filter(
        url=reverse("incubation:handover_detail", args=[handover.pk])
    ).exists()


# --- alumni follow-ups ---------------------------------------------------------------------------


def test_follow_ups_at_6_and_12_months_asked_once_each(spaces, incubatee, ops):
    user, inc = incubatee
    agreement = make_agreement(inc, spaces.office1)
    _graduated(agreement, ops)
    six, twelve = FollowUp.objects.filter(agreement=agreement).order_by("months")
    assert (six.months, six.due_on, twelve.months, twelve.due_on) == (
        6,
        add_months(TODAY, 6),
        12,
        add_months(TODAY, 12),
    )
    _twice(tasks.follow_ups, add_months(TODAY, 6) - timedelta(days=1))
    assert not Notification.objects.filter(user=user, title__contains="个月").exists()
    _twice(tasks.follow_ups, add_months(TODAY, 6))
    _twice(tasks.follow_ups, add_months(TODAY, 7))
    six_url = reverse("incubation:follow_up_answer", args=[six.pk])
    twelve_url = reverse("incubation:follow_up_answer", args=[twelve.pk])
    assert _notices(user, six_url) == 1 and _notices(user, twelve_url) == 0
    services.follow_up_answer(
        follow_up=six, user=user, still_active=True, staff_count=4, projects_running=2, how_are_you="很好"
    )
    _twice(tasks.follow_ups, add_months(TODAY, 12))
    assert _notices(user, six_url) == 1 and _notices(user, twelve_url) == 1


# --- no-shows and answer deadlines ----------------------------------------------------------------


def test_no_show_release_runs_twice_counts_once_and_tells_the_booker(spaces, incubatee):
    user, _inc = incubatee
    tomorrow = TODAY + timedelta(days=1)
    booking = make_booking(spaces.room, user, at(tomorrow, 10))
    url = reverse("incubation:booking_detail", args=[booking.pk])
    assert tasks.release_no_shows(now=at(tomorrow, 10, 14).isoformat()) == 0
    assert tasks.release_no_shows(now=at(tomorrow, 10, 16).isoformat()) == 1
    assert tasks.release_no_shows(now=at(tomorrow, 10, 20).isoformat()) == 0
    assert Booking.objects.get(pk=booking.pk).status == "no_show"
    assert NoShow.objects.filter(user=user).count() == 1
    assert _notices(user, url) == 1
    assert "未签到" in Notification.objects.get(user=user, url=url).body


def test_application_answer_reminder_and_escalation_once(call, incubatee, ops, staff):
    user, inc = incubatee
    app = services.application_create(
        call=call,
        user=user,
        organization_id=inc.organization_id,
        service_area="助老",
        team="t",
        plan="p",
        space_need="virtual",
    )
    app = services.application_transition(app, to="submitted", by=user)
    url = reverse("incubation:application_detail", args=[app.pk])
    _twice(tasks.application_deadlines, add_working_days(app.answer_due, -2))
    assert _notices(ops, url) == 0
    _twice(tasks.application_deadlines, add_working_days(app.answer_due, -1))
    _twice(tasks.application_deadlines, app.answer_due)
    assert _notices(ops, url) == 1 and _notices(staff, url) == 0
    _twice(tasks.application_deadlines, app.answer_due + timedelta(days=1))
    _twice(tasks.application_deadlines, app.answer_due + timedelta(days=9))
    assert _notices(ops, url) == 2 and _notices(staff, url) == 1
    assert _notices(user, url) == 0
