"""After the award: agreement, installments, reports with variance, evaluation; reminders;
dashboard, exports, open data."""

import json
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from center.models import Notification, Reminder
from tests.queries import assert_constant_queries, cold
from tests.ventures.factories import make_awarded, make_reviewed, make_submitted
from ventures import opendata, selectors, services, tasks
from ventures.models import Application, Installment, Review

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_agreement_installments_and_report_pages(client, rnd, applicant, other_applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff, amount=Decimal("40000"))
    # another organization cannot accept it
    client.force_login(other_applicant[0])
    assert client.post(reverse("ventures:agreement_accept", args=[app.pk])).status_code == 404
    client.force_login(user)
    page = client.get(reverse("ventures:application_detail", args=[app.pk])).content.decode()
    assert "20,000.00" in page  # first installment, 50 %
    client.post(reverse("ventures:agreement_accept", args=[app.pk]))
    app.refresh_from_db()
    assert app.status == "agreement_signed" and app.agreement.accepted_by == user
    # the applicant cannot record payments
    first = app.installments.get(order=0)
    assert client.post(reverse("ventures:installment_pay", args=[first.pk])).status_code == 403
    client.force_login(projects_staff)
    client.post(reverse("ventures:installment_pay", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == Installment.Status.PAID
    mid = app.reports.get(kind="midterm")
    lines = list(app.budget_lines.all())  # 30000 + 10000 planned
    client.force_login(user)
    data = {
        "activities": "3 workshops",
        "actual_direct": 60,
        "actual_indirect": 200,
        f"spent_{lines[0].pk}": "15000",
        f"spent_{lines[1].pk}": "8000",
        "receipt": SimpleUploadedFile("receipt.pdf", PDF),
    }
    r = client.post(reverse("ventures:report", args=[mid.pk]), data)
    assert r.status_code == 302
    mid.refresh_from_db()
    assert mid.status == "submitted" and mid.receipts.count() == 1
    rows = {s.budget_line_id: s for s in selectors.spending_with_variance(mid)}
    assert rows[lines[0].pk].flagged is True  # 15000 vs 30000: -50 %
    assert rows[lines[1].pk].flagged is True  # 8000 vs 10000: -20 %
    client.force_login(projects_staff)
    page = client.get(reverse("ventures:report", args=[mid.pk])).content.decode()
    assert "-50.0%" in page
    client.post(
        reverse("ventures:report_evaluate", args=[mid.pk]),
        {"score": "88", "result": "pass", "comment": "good"},
    )
    app.refresh_from_db()
    assert app.status == "midterm_evaluated"


def test_variance_within_ten_percent_not_flagged(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff)
    services.agreement_accept(application=app, user=user)
    services.installment_pay(installment=app.installments.get(order=0), by=projects_staff)
    mid = app.reports.get(kind="midterm")
    services.report_submit(
        report=mid,
        user=user,
        activities="a",
        actual_direct=1,
        actual_indirect=1,
        spending={b.pk: b.amount * Decimal("1.1") for b in app.budget_lines.all()},
    )
    assert not any(r.flagged for r in selectors.spending_with_variance(mid))


def test_review_reminders_sent_once_and_overdue_escalated(rnd, applicant, projects_staff):
    from center.calendar import add_working_days, effective_deadline

    user, org = applicant
    app = make_submitted(rnd, org, user)
    services.screening_decide(application=app, by=projects_staff, eligible=True, reason="ok")
    services.reviewers_assign(application=app, by=projects_staff)
    deadline = effective_deadline(rnd.review_deadline)  # a Saturday deadline runs to Monday
    three_before = add_working_days(deadline, -3)
    assert tasks.review_reminders(today=three_before.isoformat()) == 3
    assert tasks.review_reminders(today=three_before.isoformat()) == 0
    assert tasks.review_reminders(today=add_working_days(deadline, -1).isoformat()) == 3
    reviewer = Review.objects.filter(application=app).first().reviewer
    assert Notification.objects.filter(user=reviewer, title__contains="3").count() == 1
    after = add_working_days(deadline, 1).isoformat()
    assert tasks.review_reminders(today=after) == 3
    assert tasks.review_reminders(today=after) == 0
    assert Notification.objects.filter(user=projects_staff, title__contains=str(app.pk)).count() == 3
    assert Reminder.objects.filter(key__startswith="ventures:review:").count() == 9


@pytest.mark.parametrize(
    "deadline, three_before, last_day, first_overdue",
    [
        # a Saturday: runs to Monday 21 Dec; 3 working days before is Wed 16 Dec
        (date(2026, 12, 19), date(2026, 12, 16), date(2026, 12, 21), date(2026, 12, 22)),
        # a statutory holiday (National Day): runs to Thu 8 Oct
        (date(2026, 10, 2), date(2026, 9, 28), date(2026, 10, 8), date(2026, 10, 9)),
        # a make-up working Saturday: that Saturday itself
        (date(2026, 10, 10), date(2026, 9, 30), date(2026, 10, 10), date(2026, 10, 11)),
        # New Year's Day 2027 (a year chinese-calendar does not know): runs to Mon 4 Jan
        (date(2027, 1, 1), date(2026, 12, 29), date(2027, 1, 4), date(2027, 1, 5)),
    ],
)
def test_review_deadline_on_a_day_off(
    rnd, applicant, projects_staff, deadline, three_before, last_day, first_overdue
):
    from center.calendar import add_working_days

    user, org = applicant
    app = make_submitted(rnd, org, user)
    services.screening_decide(application=app, by=projects_staff, eligible=True, reason="ok")
    services.reviewers_assign(application=app, by=projects_staff)
    type(rnd).objects.filter(pk=rnd.pk).update(review_deadline=deadline)
    four_before = add_working_days(three_before, -1)
    assert tasks.review_reminders(today=four_before.isoformat()) == 0
    assert tasks.review_reminders(today=three_before.isoformat()) == 3
    assert tasks.review_reminders(today=last_day.isoformat()) == 3  # the 1-day reminder, caught up
    assert tasks.review_reminders(today=last_day.isoformat()) == 0
    assert not Reminder.objects.filter(key__endswith=":overdue").exists()
    assert tasks.review_reminders(today=first_overdue.isoformat()) == 3


def test_missed_reminder_day_is_caught_up_once(rnd, applicant, projects_staff):
    from center.calendar import add_working_days, effective_deadline

    user, org = applicant
    app = make_submitted(rnd, org, user)
    services.screening_decide(application=app, by=projects_staff, eligible=True, reason="ok")
    services.reviewers_assign(application=app, by=projects_staff)
    deadline = effective_deadline(rnd.review_deadline)
    # The beat was down on the day three working days before: the next run sends it, once.
    two_before = add_working_days(deadline, -2)
    assert tasks.review_reminders(today=two_before.isoformat()) == 3
    assert tasks.review_reminders(today=two_before.isoformat()) == 0
    keys = set(Reminder.objects.values_list("key", flat=True))
    assert all(k.endswith(":due-3wd") for k in keys) and len(keys) == 3


def test_report_reminders_idempotent(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff)
    services.agreement_accept(application=app, user=user)
    report = app.reports.get(kind="midterm")
    from center.calendar import add_working_days, effective_deadline, working_days_left

    def days_with(left):  # the days on which `left` working days remain to the effective due date
        return [
            d
            for d in (report.due_date - timedelta(days=i) for i in range(1, 30))
            if working_days_left(d, report.due_date) == left
        ]

    for before in (10, 3):
        first, *others = days_with(before)
        assert tasks.report_reminders(today=first.isoformat()) == 1
        for day in [first, *others]:
            assert tasks.report_reminders(today=day.isoformat()) == 0
    assert tasks.report_reminders(today=days_with(5)[0].isoformat()) == 0
    late = add_working_days(effective_deadline(report.due_date), 1).isoformat()
    assert tasks.report_reminders(today=late) == 1
    assert tasks.report_reminders(today=late) == 0
    keys = set(
        Reminder.objects.filter(key__startswith=f"ventures:report:{report.pk}:").values_list("key", flat=True)
    )
    assert keys == {
        f"ventures:report:{report.pk}:due-10wd",
        f"ventures:report:{report.pk}:due-3wd",
        f"ventures:report:{report.pk}:overdue",
    }
    assert (
        Notification.objects.filter(user=user, url=reverse("ventures:report", args=[report.pk])).count() == 3
    )
    # a report already submitted is not chased
    services.installment_pay(installment=app.installments.get(order=0), by=projects_staff)
    services.report_submit(
        report=report, user=user, activities="a", actual_direct=1, actual_indirect=1, spending={}
    )
    assert tasks.report_reminders(today=(report.due_date + timedelta(days=10)).isoformat()) == 0


def test_dashboard_exports_and_awarded_list(client, rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff, amount=Decimal("40000"))
    make_reviewed(rnd, org, user, projects_staff, category="poor")
    client.force_login(projects_staff)
    page = client.get(reverse("ventures:dashboard", args=[rnd.pk]))
    t = page.context["totals"]
    assert (t["applications"], t["reviewed"], t["awarded"], t["money_awarded"]) == (2, 2, 1, Decimal("40000"))
    assert t["expected_direct"] == 100 and 'class="bar-chart"' in page.content.decode()
    for name in ("export_applications", "export_awards"):
        x = client.get(reverse(f"ventures:{name}", args=[rnd.pk]))
        cells = [
            c for row in load_workbook(BytesIO(x.content)).active.iter_rows(values_only=True) for c in row
        ]
        assert app.title in cells
    client.logout()
    assert app.title in client.get(reverse("ventures:awarded_list")).content.decode()

    def grow():
        for _ in range(3):
            make_awarded(rnd, org, user, projects_staff, amount=Decimal("10000"))

    assert_constant_queries(cold(lambda: client.get(reverse("ventures:awarded_list"))), grow)


def test_360giving_package_validates(client, rnd, applicant, projects_staff, network):
    user, org = applicant
    a = make_awarded(rnd, org, user, projects_staff, amount=Decimal("40000"), street=network.nanmen)
    services.agreement_accept(application=a, user=user)
    services.installment_pay(installment=a.installments.get(order=0), by=projects_staff)
    make_awarded(rnd, org, user, projects_staff, amount=Decimal("20000"))
    r = client.get("/api/v1/ventures/360giving.json")
    assert r.status_code == 200
    package = json.loads(r.content)
    errors = list(opendata.package_validator().iter_errors(package))
    assert errors == [], [e.message for e in errors]
    grant = next(g for g in package["grants"] if g["id"] == f"360G-haishu-{a.pk}")
    assert (
        grant["currency"] == "CNY" and grant["amountAwarded"] == 40000 and grant["amountDisbursed"] == 20000
    )
    assert grant["recipientOrganization"][0]["id"] == f"CN-USCC-{org.credit_code}"
    assert grant["fundingOrganization"][0]["id"] == "CN-USCC-52330203MJ5H20101H"
    assert grant["beneficiaryLocation"][0]["name"] == "南门街道"
    assert grant["plannedDates"][0]["duration"] == 12
    assert grant["classifications"][0]["title"] == "扶老"
    html = client.get("/api/v1/ventures/360giving.json", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("application/json")
    # a broken package is caught by the same validator
    package["grants"][0]["amountAwarded"] = "40,000"
    del package["grants"][0]["fundingOrganization"]
    assert len(list(opendata.package_validator().iter_errors(package))) >= 1


def test_360giving_funder_code_is_a_valid_uscc():
    from stdnum.cn import uscc

    assert uscc.is_valid(opendata.FUNDER_CREDIT_CODE)


def test_applicant_notified_of_screening(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_submitted(rnd, org, user)
    services.screening_decide(application=app, by=projects_staff, eligible=False, reason="not registered")
    assert Notification.objects.filter(user=user, url__endswith=f"/ventures/applications/{app.pk}/").exists()
    assert Application.objects.get(pk=app.pk).status == "ineligible"


def test_screening_page_shows_checks(client, rnd, applicant, projects_staff):
    user, org = applicant
    org.status = "abnormal"
    org.save()
    app = make_submitted(rnd, org, user)
    client.force_login(projects_staff)
    r = client.get(reverse("ventures:screening", args=[app.pk]))
    checks = {c["code"]: c["passed"] for c in r.context["checks"]}
    assert (
        checks["verified"] is False
        and checks["not_abnormal"] is False
        and checks["no_double_funding"] is True
    )
    r = client.post(
        reverse("ventures:screening", args=[app.pk]), {"decision": "ineligible", "reason": "abnormal list"}
    )
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "ineligible"


def test_double_funding_detected(rnd, applicant, projects_staff):
    user, org = applicant
    make_awarded(rnd, org, user, projects_staff, title="同一项目")
    again = make_submitted(rnd, org, user, title="同一项目")
    checks = {c["code"]: c["passed"] for c in selectors.eligibility_checks(again)}
    assert checks["no_double_funding"] is False


def test_dashboard_actual_beneficiaries_use_latest_report(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff)
    services.agreement_accept(application=app, user=user)
    services.installment_pay(installment=app.installments.get(order=0), by=projects_staff)
    mid = app.reports.get(kind="midterm")
    services.report_submit(
        report=mid, user=user, activities="a", actual_direct=40, actual_indirect=100, spending={}
    )
    t = selectors.round_dashboard(rnd.pk)["totals"]
    assert (t["actual_direct"], t["actual_indirect"]) == (40, 100)
    services.report_evaluate(report=mid, by=projects_staff, score=80, result="pass")
    final = app.reports.get(kind="final")
    services.report_submit(
        report=final, user=user, activities="b", actual_direct=90, actual_indirect=300, spending={}
    )
    t = selectors.round_dashboard(rnd.pk)["totals"]
    assert (t["actual_direct"], t["actual_indirect"]) == (90, 300)
    assert t["money_paid"] == app.installments.get(order=0).planned_amount


def test_final_report_refused_before_the_midterm_evaluation(client, rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff)
    services.agreement_accept(application=app, user=user)
    final = app.reports.get(kind="final")
    client.force_login(user)
    url = reverse("ventures:report", args=[final.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "The final report is filed after the mid-term evaluation." in page and 'name="activities"' not in page
    )
    spent = {f"spent_{line.pk}": "100" for line in app.budget_lines.all()}
    r = client.post(
        url,
        {"activities": "all done", "actual_direct": 10, "actual_indirect": 20, **spent},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "The final report is filed after the mid-term evaluation." in r.content.decode()
    final.refresh_from_db()
    assert final.status == "due"


def test_360giving_package_is_shared_and_follows_a_new_award(client, rnd, applicant, projects_staff):
    from tests.queries import count_queries

    user, org = applicant
    make_awarded(rnd, org, user, projects_staff, amount=Decimal("40000"))
    url = "/api/v1/ventures/360giving.json"
    assert len(client.get(url).json()["grants"]) == 1
    _n, sql = count_queries(lambda: client.get(url))
    assert not any("ventures_application" in q for q in sql)  # served from the cache
    make_awarded(rnd, org, user, projects_staff, amount=Decimal("20000"))
    assert len(client.get(url).json()["grants"]) == 2
