"""Annual inspection: campaigns, enrollment, reports, review, reminders, the abnormal list."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from center.calendar import add_working_days, working_days_between
from center.errors import DomainError, PermissionDeniedError, TransitionError
from center.models import Notification, Reminder
from organizations import services, tasks
from organizations.models import AnnualReport, InspectionCampaign, Organization, OrganizationStatusChange
from tests.factories import WEDNESDAY
from tests.organizations.factories import make_campaign, make_org

R = AnnualReport.Status
FULL = {
    "activities": "开展讲座12场",
    "event_count": 12,
    "beneficiaries": 300,
    "income": Decimal("50000"),
    "expenditure": Decimal("42000.50"),
    "net_assets": Decimal("8000"),
    "fulltime_staff": 2,
    "parttime_staff": 3,
    "volunteers": 40,
    "has_party_organization": True,
}


@pytest.mark.django_db
def test_campaign_enrolls_organizations_registered_six_months_before_year_end(staff, network):
    early = make_org(registration_date=date(2025, 6, 30))
    late = make_org(registration_date=date(2025, 7, 1))
    pending = make_org(registration_date=date(2020, 1, 1), status="pending")
    campaign = services.campaign_create(year=2025, opens_on=date(2026, 1, 5), by=staff)
    assert campaign.deadline == date(2026, 5, 31)
    enrolled = set(campaign.reports.values_list("organization_id", flat=True))
    assert early.pk in enrolled and late.pk not in enrolled and pending.pk not in enrolled
    assert services.campaign_enroll(campaign=campaign) == 0  # repeat adds nothing
    with pytest.raises(DomainError):
        services.campaign_create(year=2025, opens_on=date(2026, 1, 5), by=staff)


@pytest.mark.django_db
def test_only_staff_open_campaigns(owner_a):
    with pytest.raises(PermissionDeniedError):
        services.campaign_create(year=2025, opens_on=date(2026, 1, 5), by=owner_a)


@pytest.mark.django_db
def test_campaign_page_creates_with_default_deadline(client, staff):
    client.force_login(staff)
    resp = client.post(reverse("organizations:campaigns"), {"year": 2025, "opens_on": "2026-01-05"})
    assert resp.status_code == 302
    assert InspectionCampaign.objects.get(year=2025).deadline == date(2026, 5, 31)


def _report(org, year=2025):
    campaign = InspectionCampaign.objects.filter(year=year).first() or make_campaign(year)
    return AnnualReport.objects.create(campaign=campaign, organization=org)


@pytest.mark.django_db
def test_every_report_transition_and_refused_one(org_a, owner_a, staff, pdf):
    report = _report(org_a)
    with pytest.raises(DomainError) as info:
        services.annual_report_submit(report=report, by=owner_a)
    assert info.value.code == "incomplete"
    services.annual_report_update(report=report, by=owner_a, data=FULL, files={"financial_statements": pdf()})
    services.annual_report_submit(report=report, by=owner_a)
    report.refresh_from_db()
    assert report.status == R.SUBMITTED and report.submitted_at
    with pytest.raises(DomainError):
        services.annual_report_update(report=report, by=owner_a, data=FULL)
    with pytest.raises(DomainError):
        services.annual_report_return(report=report, by=staff, comment="")
    services.annual_report_return(report=report, by=staff, comment="收入支出不平")
    report.refresh_from_db()
    assert report.status == R.RETURNED and report.staff_comments == "收入支出不平"
    services.annual_report_submit(report=report, by=owner_a)
    with pytest.raises(DomainError):
        services.annual_report_accept(report=report, by=staff, result="")
    services.annual_report_accept(report=report, by=staff, result=AnnualReport.Result.QUALIFIED)
    report.refresh_from_db()
    assert (report.status, report.result) == (R.ACCEPTED, "qualified")
    with pytest.raises(TransitionError):
        services.annual_report_return(report=report, by=staff, comment="again")
    assert [c.to_status for c in report.status_changes.order_by("id")] == [
        R.SUBMITTED,
        R.RETURNED,
        R.SUBMITTED,
        R.ACCEPTED,
    ]


@pytest.mark.django_db
def test_draft_cannot_be_accepted(org_a, staff):
    report = _report(org_a)
    with pytest.raises(TransitionError):
        services.annual_report_accept(report=report, by=staff, result="qualified")


@pytest.mark.django_db
def test_foundation_needs_audit_report(network, owner_a, pdf):
    org = make_org(org_type="foundation", owner=owner_a)
    report = _report(org)
    services.annual_report_update(report=report, by=owner_a, data=FULL, files={"financial_statements": pdf()})
    with pytest.raises(DomainError) as info:
        services.annual_report_submit(report=report, by=owner_a)
    assert "audit" in str(info.value.message)
    services.annual_report_update(
        report=report, by=owner_a, data={}, files={"audit_report": pdf("audit.pdf")}
    )
    services.annual_report_submit(report=report, by=owner_a)


@pytest.mark.django_db
def test_rectification_required_after_basically_qualified(org_a, owner_a, pdf):
    last = _report(org_a, 2024)
    AnnualReport.objects.filter(pk=last.pk).update(
        status=R.ACCEPTED, result=AnnualReport.Result.BASICALLY_QUALIFIED
    )
    report = _report(org_a, 2025)
    services.annual_report_update(report=report, by=owner_a, data=FULL, files={"financial_statements": pdf()})
    with pytest.raises(DomainError) as info:
        services.annual_report_submit(report=report, by=owner_a)
    assert "rectification" in str(info.value.message)
    services.annual_report_update(
        report=report, by=owner_a, data={}, files={"rectification_report": pdf("r.pdf")}
    )
    services.annual_report_submit(report=report, by=owner_a)


@pytest.mark.django_db
def test_member_who_is_not_owner_cannot_edit_report(org_a, make_user):
    from organizations.models import Membership

    member = make_user("m", role="organization")
    Membership.objects.create(organization=org_a, user=member)
    with pytest.raises(PermissionDeniedError):
        services.annual_report_update(report=_report(org_a), by=member, data=FULL)


@pytest.mark.django_db
def test_report_pages_owner_submits_staff_accepts(client, org_a, owner_a, staff, pdf):
    report = _report(org_a)
    client.force_login(owner_a)
    data = {**{k: v for k, v in FULL.items()}, "financial_statements": pdf(), "submit": "1"}
    resp = client.post(reverse("organizations:report", args=[report.pk]), data)
    assert resp.status_code == 302
    report.refresh_from_db()
    assert report.status == R.SUBMITTED
    client.force_login(staff)
    assert client.get(reverse("organizations:report", args=[report.pk])).status_code == 200
    client.post(
        reverse("organizations:report_review", args=[report.pk]),
        {"action": "accept", "result": "basically_qualified", "comment": "账目需规范"},
    )
    report.refresh_from_db()
    assert (report.status, report.result) == (R.ACCEPTED, "basically_qualified")
    assert Notification.objects.filter(user=owner_a, title__contains="2025").exists()


# ------------------------------------------------------------ reminders ----


@pytest.fixture
def reminder_setup(network, owner_a, org_a, org_b):
    campaign = make_campaign(2025, opens_on=date(2026, 1, 5), deadline=date(2026, 5, 29))
    _report(org_a)  # not filed
    filed = _report(org_b)
    AnnualReport.objects.filter(pk=filed.pk).update(status=R.SUBMITTED)
    return campaign


@pytest.mark.django_db
def test_reminders_run_twice_send_once(reminder_setup, owner_a, owner_b, django_capture_on_commit_callbacks):
    from django.core import mail

    day = add_working_days(reminder_setup.deadline, -30)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.annual_reminders_send(today=day) == 1
        assert services.annual_reminders_send(today=day) == 0
    # by e-mail and in the portal, once
    assert [m.to for m in mail.outbox] == [[owner_a.email]]
    assert "2025" in mail.outbox[0].subject
    assert Reminder.objects.filter(key__startswith="annual:").count() == 1
    assert Notification.objects.filter(user=owner_a).count() == 1
    assert not Notification.objects.filter(user=owner_b).exists()  # filed: no reminder


@pytest.mark.django_db
def test_reminders_counted_in_working_days(reminder_setup, org_a):
    deadline = reminder_setup.deadline
    # 2026-05-29 is a Friday after the Labour Day holiday: 30 working days back is not 30 calendar days back
    d30 = add_working_days(deadline, -30)
    assert working_days_between(d30, deadline) == 30
    assert (deadline - d30).days > 30
    day_before = d30 - timedelta(days=1)
    while working_days_between(day_before, deadline) == 30:
        day_before -= timedelta(days=1)
    assert services.annual_reminders_send(today=day_before) == 0
    assert services.annual_reminders_send(today=d30) == 1
    assert services.annual_reminders_send(today=add_working_days(deadline, -7)) == 1
    assert services.annual_reminders_send(today=add_working_days(deadline, -6)) == 0
    assert services.annual_reminders_send(today=add_working_days(deadline, -1)) == 1
    keys = sorted(Reminder.objects.values_list("key", flat=True))
    assert keys == sorted(f"annual:{reminder_setup.pk}:{org_a.pk}:d{n}" for n in (1, 7, 30))


@pytest.mark.django_db
def test_beat_runs_the_three_jobs_as_tasks(network, owner_a, org_a, org_b, time_machine):
    """The beat entries name registered tasks; each task does its job for today's date."""
    # a Wednesday: "yesterday" is a working day, so yesterday's deadline has passed
    time_machine.move_to(WEDNESDAY, tick=False)
    from celery import current_app

    from organizations.schedule import BEAT_SCHEDULE

    assert {e["task"] for e in BEAT_SCHEDULE.values()} == {
        "organizations.tasks.annual_reminders",
        "organizations.tasks.abnormal_list",
        "organizations.tasks.grade_expiry_reminders",
        "organizations.tasks.import_batches_requeue",
    }
    assert all(e["task"] in current_app.tasks for e in BEAT_SCHEDULE.values())
    today = WEDNESDAY.date()
    # a campaign due in 7 working days: the daily job enrolls A and reminds its owner
    due = make_campaign(
        today.year - 1, opens_on=today - timedelta(days=30), deadline=add_working_days(today, 7)
    )
    assert tasks.annual_reminders.apply().get() == 2  # A and B were both enrolled, neither has filed
    assert due.reports.count() == 2
    assert tasks.annual_reminders.apply().get() == 0
    # a campaign whose deadline was yesterday: the nightly job lists whoever never filed
    closed = make_campaign(
        today.year - 2, opens_on=today - timedelta(days=200), deadline=today - timedelta(days=1)
    )
    AnnualReport.objects.create(campaign=closed, organization=org_a)
    assert tasks.abnormal_list.apply().get() == 1
    org_a.grade, org_a.grade_valid_until = "3A", today + timedelta(days=60)
    org_a.save()
    assert tasks.grade_expiry_reminders.apply().get() == 1
    assert tasks.grade_expiry_reminders.apply().get() == 0


@pytest.mark.django_db
def test_abnormal_list_job_the_day_after_the_deadline(reminder_setup, org_a, org_b, owner_a):
    deadline = reminder_setup.deadline
    assert services.abnormal_list_draw_up(today=deadline) == 0
    assert services.abnormal_list_draw_up(today=deadline + timedelta(days=1)) == 1
    org_a.refresh_from_db()
    org_b.refresh_from_db()
    assert org_a.status == Organization.Status.ABNORMAL
    assert "2025" in org_a.abnormal_reason
    assert org_b.status == Organization.Status.VERIFIED
    change = OrganizationStatusChange.objects.get(organization=org_a, to_status="abnormal")
    assert change.by is None and "2025" in change.reason
    assert services.abnormal_list_draw_up(today=deadline + timedelta(days=2)) == 0  # idempotent
    reminder_setup.refresh_from_db()
    assert reminder_setup.abnormal_list_done_at is not None


@pytest.mark.django_db
def test_abnormal_list_page_is_public(client, reminder_setup, org_a):
    services.abnormal_list_draw_up(today=reminder_setup.deadline + timedelta(days=1))
    resp = client.get(reverse("organizations:abnormal_list"))
    assert resp.status_code == 200
    assert org_a.name in resp.content.decode()


# ------------------------------------------------------------ progress ----


@pytest.mark.django_db
def test_progress_page_and_export(client, staff, reminder_setup, org_a, org_b):
    client.force_login(staff)
    resp = client.get(reverse("organizations:campaign", args=[reminder_setup.pk]))
    assert resp.status_code == 200
    progress = resp.context["progress"]
    assert progress["total"]["enrolled"] == 2 and progress["total"]["submitted"] == 1
    assert {r["label"] for r in progress["by_street"]} == {"南门街道", "月湖街道"}
    resp = client.get(reverse("organizations:campaign_export", args=[reminder_setup.pk]))
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(resp.content)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row]
    assert "南门街道" in values


@pytest.mark.django_db
def test_progress_query_count_constant(client, staff, reminder_setup, network):
    from tests.queries import assert_constant_queries

    client.force_login(staff)
    url = reverse("organizations:campaign", args=[reminder_setup.pk])

    def grow():
        for _ in range(5):
            org = make_org(street=network.yuehu, org_type="foundation")
            report = _report(org)
            AnnualReport.objects.filter(pk=report.pk).update(status=R.SUBMITTED)

    assert_constant_queries(lambda: client.get(url), grow)


@pytest.mark.django_db
def test_abnormal_list_skips_reports_returned_for_changes(reminder_setup, org_a):
    AnnualReport.objects.filter(organization=org_a).update(status=R.RETURNED)
    assert services.abnormal_list_draw_up(today=reminder_setup.deadline + timedelta(days=1)) == 0
    org_a.refresh_from_db()
    assert org_a.status == Organization.Status.VERIFIED


@pytest.mark.django_db
def test_staff_return_a_report_through_the_page_with_comments(client, org_a, owner_a, staff, pdf):
    report = _report(org_a)
    services.annual_report_update(report=report, by=owner_a, data=FULL, files={"financial_statements": pdf()})
    services.annual_report_submit(report=report, by=owner_a)
    client.force_login(staff)
    url = reverse("organizations:report_review", args=[report.pk])
    # returning without a comment is refused with a message, nothing changes
    resp = client.post(url, {"action": "return", "comment": ""}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Say what needs to change." in resp.content.decode()
    report.refresh_from_db()
    assert report.status == R.SUBMITTED
    # accepting without a result is refused as well
    resp = client.post(url, {"action": "accept", "result": ""}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose a result" in resp.content.decode()
    client.post(url, {"action": "return", "comment": "请补充活动照片"})
    report.refresh_from_db()
    assert (report.status, report.staff_comments) == (R.RETURNED, "请补充活动照片")
    # the owner sees the comments and may edit again
    client.force_login(owner_a)
    page = client.get(reverse("organizations:report", args=[report.pk])).content.decode()
    assert "请补充活动照片" in page and 'name="submit"' in page


@pytest.mark.django_db
def test_owner_cannot_review_own_report(client, org_a, owner_a, pdf):
    report = _report(org_a)
    services.annual_report_update(report=report, by=owner_a, data=FULL, files={"financial_statements": pdf()})
    services.annual_report_submit(report=report, by=owner_a)
    client.force_login(owner_a)
    resp = client.post(
        reverse("organizations:report_review", args=[report.pk]), {"action": "accept", "result": "qualified"}
    )
    assert resp.status_code == 403
    report.refresh_from_db()
    assert report.status == R.SUBMITTED


@pytest.mark.django_db
def test_abnormal_organization_files_late_and_staff_remove_it_with_a_record(
    client, reminder_setup, org_a, owner_a, staff, pdf
):
    services.abnormal_list_draw_up(today=reminder_setup.deadline + timedelta(days=1))
    org_a.refresh_from_db()
    assert org_a.status == Organization.Status.ABNORMAL
    client.force_login(staff)
    unlist = {"action": "unlist", "reason": "已补报"}
    resp = client.post(
        reverse("organizations:status_action", args=[org_a.pk]),
        unlist,
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "has not been filed yet" in resp.content.decode()
    org_a.refresh_from_db()
    assert org_a.status == Organization.Status.ABNORMAL
    report = AnnualReport.objects.get(organization=org_a)
    services.annual_report_update(report=report, by=owner_a, data=FULL, files={"financial_statements": pdf()})
    services.annual_report_submit(report=report, by=owner_a)
    client.post(reverse("organizations:status_action", args=[org_a.pk]), unlist)
    org_a.refresh_from_db()
    assert (org_a.status, org_a.abnormal_reason) == (Organization.Status.VERIFIED, "")
    change = OrganizationStatusChange.objects.filter(organization=org_a).first()
    assert (change.from_status, change.to_status, change.reason, change.by) == (
        "abnormal",
        "verified",
        "已补报",
        staff,
    )
    assert org_a.name not in client.get(reverse("organizations:abnormal_list")).content.decode()
    # the next nightly run does not put it back
    assert services.abnormal_list_draw_up(today=reminder_setup.deadline + timedelta(days=2)) == 0


@pytest.mark.django_db
def test_report_form_says_which_attachments_are_required(client, network, owner_a, org_a):
    foundation = make_org(org_type="foundation", owner=owner_a)
    client.force_login(owner_a)
    page = client.get(
        reverse("organizations:report", args=[_report(foundation).pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert "Required for foundations." in html and 'name="rectification_report"' not in html
    last = _report(org_a, 2024)
    AnnualReport.objects.filter(pk=last.pk).update(status=R.ACCEPTED, result=AnnualReport.Result.UNQUALIFIED)
    html = client.get(
        reverse("organizations:report", args=[_report(org_a).pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Optional for this type of organization." in html
    assert (
        'name="rectification_report"' in html
        and "Required: last year&#x27;s result was not Qualified." in html
    )


@pytest.mark.django_db
def test_report_page_refuses_negative_income_and_keeps_the_draft(client, org_a, owner_a, pdf):
    report = _report(org_a)
    client.force_login(owner_a)
    data = {**FULL, "income": "-5", "financial_statements": pdf(), "submit": "1"}
    resp = client.post(reverse("organizations:report", args=[report.pk]), data, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert "greater than or equal to 0" in str(resp.context["form"].errors["income"])
    report.refresh_from_db()
    assert (report.status, report.income, report.activities) == (R.DRAFT, None, "")
    # net assets may be negative
    data = {**FULL, "net_assets": "-1200.50", "financial_statements": pdf(), "submit": "1"}
    client.post(reverse("organizations:report", args=[report.pk]), data)
    report.refresh_from_db()
    assert (report.status, report.net_assets) == (R.SUBMITTED, Decimal("-1200.50"))


@pytest.mark.django_db
def test_deregistered_organization_gets_no_reminder(reminder_setup, org_a, owner_a, staff):
    services.organization_deregister(organization=org_a, by=staff, reason="自行注销")
    Notification.objects.all().delete()
    assert services.annual_reminders_send(today=add_working_days(reminder_setup.deadline, -7)) == 0
    assert not Notification.objects.filter(user=owner_a).exists()
    assert services.abnormal_list_draw_up(today=reminder_setup.deadline + timedelta(days=1)) == 0


@pytest.mark.django_db
def test_owner_sees_why_and_by_whom_the_organization_was_listed(client, reminder_setup, org_a, owner_a):
    services.abnormal_list_draw_up(today=reminder_setup.deadline + timedelta(days=1))
    client.force_login(owner_a)
    html = client.get(
        reverse("organizations:manage", args=[org_a.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Verified → <strong>Abnormal activity</strong>" in html
    assert "automatic" in html and "Did not file the annual report for 2025" in html
    zh = client.get(
        reverse("organizations:manage", args=[org_a.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "系统自动" in zh


@pytest.fixture(autouse=True)
def _pinned_now(pinned_wednesday):
    """These tests read "now": an ordinary working Wednesday (tests/factories.WEDNESDAY)."""


@pytest.mark.django_db
def test_draft_report_page_says_it_is_not_submitted_and_has_no_attachments(client, org_a, owner_a):
    report = _report(org_a)
    client.force_login(owner_a)
    client.post(reverse("organizations:report", args=[report.pk]), {**FULL, "save": "1"})
    page = client.get(reverse("organizations:report", args=[report.pk])).content.decode()
    assert "草稿，尚未提交" in page and "暂无变更" not in page
