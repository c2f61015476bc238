"""Grading evaluation: eligibility, scores, thresholds, five-year validity, expiry reminders."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from center.errors import DomainError, PermissionDeniedError, TransitionError
from center.models import Reminder
from organizations import services
from organizations.models import AnnualReport, GradingEvaluation, GradingThreshold, InspectionCampaign
from tests.factories import WEDNESDAY
from tests.organizations.factories import make_campaign, make_org

SCORES = {
    "basic_conditions": 90,
    "internal_governance": 340,
    "performance": 330,
    "social_evaluation": 140,
}  # 900


@pytest.fixture
def thresholds():
    year = WEDNESDAY.year
    for grade, score in [("5A", 900), ("4A", 800), ("3A", 700), ("2A", 600), ("1A", 500)]:
        GradingThreshold.objects.create(year=year, grade=grade, min_score=score)
    return year


@pytest.mark.django_db
def test_eligibility_rules(owner_a, staff):
    young = make_org(owner=owner_a, registration_date=WEDNESDAY.date() - timedelta(days=400))
    with pytest.raises(DomainError) as info:
        services.grading_apply(organization=young, by=owner_a)
    assert "two full years" in str(info.value.message)
    listed = make_org(owner=owner_a, status="abnormal")
    assert services.grading_eligibility(listed) == ["It is on the abnormal list."]
    with pytest.raises(DomainError) as info:
        services.grading_apply(organization=listed, by=owner_a)
    assert info.value.code == "not_eligible"
    failed = make_org(owner=owner_a)
    AnnualReport.objects.create(
        campaign=make_campaign(2025), organization=failed, status="accepted", result="unqualified"
    )
    assert services.grading_eligibility(failed) == ["Its last annual inspection was Unqualified."]
    # a basically-qualified result does not exclude
    ok = make_org(owner=owner_a)
    AnnualReport.objects.create(
        campaign=InspectionCampaign.objects.get(year=2025),
        organization=ok,
        status="accepted",
        result="basically_qualified",
    )
    assert services.grading_eligibility(ok) == []
    # exactly two full years: eligible from the second anniversary on
    today = WEDNESDAY.date()
    two = make_org(owner=owner_a, registration_date=today.replace(year=today.year - 2))
    assert services.grading_eligibility(two) == []
    almost = make_org(owner=owner_a, registration_date=today.replace(year=today.year - 2) + timedelta(days=1))
    assert services.grading_eligibility(almost) == ["It has not been registered for two full years."]
    assert not GradingEvaluation.objects.exists()


@pytest.mark.django_db
def test_ineligible_owner_sees_why_and_no_apply_button(client, owner_a):
    listed = make_org(owner=owner_a, status="abnormal")
    client.force_login(owner_a)
    page = client.get(
        reverse("organizations:manage", args=[listed.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "It is on the abnormal list." in page
    assert reverse("organizations:grading_apply", args=[listed.pk]) not in page
    resp = client.post(
        reverse("organizations:grading_apply", args=[listed.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Not eligible for grading" in resp.content.decode()
    assert not GradingEvaluation.objects.exists()


@pytest.mark.django_db
def test_apply_score_grade_valid_five_years(org_a, owner_a, staff, thresholds):
    evaluation = services.grading_apply(organization=org_a, by=owner_a)
    with pytest.raises(DomainError):
        services.grading_apply(organization=org_a, by=owner_a)
    with pytest.raises(PermissionDeniedError):
        services.grading_score(evaluation=evaluation, by=owner_a, scores=SCORES)
    with pytest.raises(DomainError):
        services.grading_score(evaluation=evaluation, by=staff, scores={**SCORES, "performance": 371})
    evaluation = services.grading_score(evaluation=evaluation, by=staff, scores=SCORES)
    assert evaluation.total == Decimal("900") and evaluation.grade == "5A"
    org_a.refresh_from_db()
    today = WEDNESDAY.date()
    assert org_a.grade == "5A"
    assert org_a.grade_valid_until == today.replace(year=today.year + 5)
    with pytest.raises(TransitionError):
        services.grading_score(evaluation=evaluation, by=staff, scores=SCORES)


@pytest.mark.django_db
def test_below_every_threshold_gives_no_grade(org_a, owner_a, staff, thresholds):
    evaluation = services.grading_apply(organization=org_a, by=owner_a)
    low = {"basic_conditions": 50, "internal_governance": 150, "performance": 150, "social_evaluation": 50}
    evaluation = services.grading_score(evaluation=evaluation, by=staff, scores=low)
    assert evaluation.status == GradingEvaluation.Status.NOT_GRADED and evaluation.grade == ""


@pytest.mark.django_db
def test_no_thresholds_configured(org_a, owner_a, staff):
    evaluation = services.grading_apply(organization=org_a, by=owner_a)
    with pytest.raises(DomainError) as info:
        services.grading_score(evaluation=evaluation, by=staff, scores=SCORES)
    assert info.value.code == "no_thresholds"


@pytest.mark.django_db
def test_grading_pages(client, org_a, owner_a, staff, thresholds):
    client.force_login(owner_a)
    client.post(reverse("organizations:grading_apply", args=[org_a.pk]))
    evaluation = GradingEvaluation.objects.get(organization=org_a)
    assert client.get(reverse("organizations:grading_score", args=[evaluation.pk])).status_code == 403
    client.force_login(staff)
    assert client.get(reverse("organizations:grading")).status_code == 200
    resp = client.post(
        reverse("organizations:grading_score", args=[evaluation.pk]), {k: str(v) for k, v in SCORES.items()}
    )
    assert resp.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.grade == "5A"


@pytest.mark.django_db
def test_expiry_reminder_90_days_before_once(org_a, owner_a):
    today = date(2026, 11, 25)
    org_a.grade, org_a.grade_valid_until = "3A", today + timedelta(days=120)
    org_a.save()
    assert services.grade_expiry_reminders_send(today=today) == 0
    later = today + timedelta(days=30)
    assert services.grade_expiry_reminders_send(today=later) == 1
    assert services.grade_expiry_reminders_send(today=later) == 0
    assert services.grade_expiry_reminders_send(today=later + timedelta(days=1)) == 0
    assert Reminder.objects.filter(key__startswith=f"grade:{org_a.pk}:").count() == 1
    assert owner_a.notifications.count() == 1


@pytest.mark.django_db
def test_staff_set_thresholds_per_year_on_the_grading_page(client, staff, owner_a):
    url = reverse("organizations:grading")
    data = {"year": 2027, "min_5A": "900", "min_4A": "800", "min_3A": "700", "min_2A": "600", "min_1A": "500"}
    client.force_login(owner_a)
    assert client.post(url, data).status_code == 403
    assert not GradingThreshold.objects.exists()
    client.force_login(staff)
    resp = client.post(url, data)
    assert resp.status_code == 302
    assert dict(GradingThreshold.objects.filter(year=2027).values_list("grade", "min_score")) == {
        "5A": Decimal("900"),
        "4A": Decimal("800"),
        "3A": Decimal("700"),
        "2A": Decimal("600"),
        "1A": Decimal("500"),
    }
    # another year keeps its own thresholds; saving a year again replaces them
    client.post(url, {**data, "year": 2028, "min_5A": "950"})
    client.post(url, {**data, "min_1A": "450"})
    assert GradingThreshold.objects.get(year=2027, grade="1A").min_score == Decimal("450")
    assert GradingThreshold.objects.get(year=2028, grade="5A").min_score == Decimal("950")
    assert GradingThreshold.objects.get(year=2027, grade="5A").min_score == Decimal("900")
    page = client.get(url).content.decode()
    assert "2028" in page and "950" in page


@pytest.mark.django_db
def test_thresholds_must_fall_with_the_grade_and_nothing_is_written(client, staff):
    client.force_login(staff)
    resp = client.post(
        reverse("organizations:grading"),
        {"year": 2027, "min_5A": "900", "min_4A": "800", "min_3A": "820", "min_2A": "600", "min_1A": "500"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "3A must need a lower score than 4A" in resp.content.decode()
    assert not GradingThreshold.objects.exists()
    with pytest.raises(PermissionDeniedError):
        services.grading_thresholds_set(year=2027, by=None, min_scores={})
    with pytest.raises(DomainError) as info:
        services.grading_thresholds_set(
            year=2027, by=staff, min_scores={"5A": 1200, "4A": 1, "3A": 1, "2A": 1, "1A": 0}
        )
    assert info.value.code == "threshold_range"


@pytest.mark.django_db
def test_grade_follows_the_thresholds_of_the_evaluation_year(org_a, owner_a, staff):
    services.grading_thresholds_set(
        year=2025, by=staff, min_scores={"5A": 950, "4A": 850, "3A": 750, "2A": 650, "1A": 550}
    )
    services.grading_thresholds_set(
        year=2026, by=staff, min_scores={"5A": 900, "4A": 800, "3A": 700, "2A": 600, "1A": 500}
    )
    evaluation = services.grading_apply(organization=org_a, by=owner_a, year=2025)
    evaluation = services.grading_score(evaluation=evaluation, by=staff, scores=SCORES)  # 900
    assert evaluation.grade == "4A"  # 2025 needs 950 for 5A


@pytest.mark.django_db
def test_owner_withdraws_then_applies_again(client, org_a, owner_a, staff, thresholds):
    evaluation = services.grading_apply(organization=org_a, by=owner_a)
    client.force_login(owner_a)
    page = client.get(reverse("organizations:manage", args=[org_a.pk])).content.decode()
    withdraw_url = reverse("organizations:grading_withdraw", args=[org_a.pk, evaluation.pk])
    assert withdraw_url in page and "data-confirm" in page
    client.post(withdraw_url)
    evaluation.refresh_from_db()
    assert evaluation.status == GradingEvaluation.Status.WITHDRAWN
    with pytest.raises(TransitionError):  # a withdrawn application cannot be scored
        services.grading_transition(evaluation=evaluation, to=GradingEvaluation.Status.GRADED, by=staff)
    again = services.grading_apply(organization=org_a, by=owner_a)
    assert again.pk == evaluation.pk and again.status == GradingEvaluation.Status.APPLIED
    graded = services.grading_score(evaluation=again, by=staff, scores=SCORES)
    with pytest.raises(TransitionError):  # scored: too late to withdraw
        services.grading_withdraw(evaluation=graded, by=owner_a)


@pytest.mark.django_db
def test_other_organization_cannot_withdraw(client, org_a, owner_a, owner_b, org_b, thresholds):
    evaluation = services.grading_apply(organization=org_a, by=owner_a)
    client.force_login(owner_b)
    assert (
        client.post(reverse("organizations:grading_withdraw", args=[org_a.pk, evaluation.pk])).status_code
        == 403
    )
    # B's own URL with A's evaluation: not found, nothing changed
    assert (
        client.post(reverse("organizations:grading_withdraw", args=[org_b.pk, evaluation.pk])).status_code
        == 404
    )
    evaluation.refresh_from_db()
    assert evaluation.status == GradingEvaluation.Status.APPLIED


@pytest.mark.django_db
def test_score_form_names_the_private_non_enterprise_indicator(client, network, owner_a, staff, thresholds):
    mf = make_org(org_type="private_non_enterprise", owner=owner_a)
    group = make_org(org_type="social_group", owner=owner_a)
    client.force_login(staff)
    for org, shown, hidden in [
        (mf, "business activities and integrity", "work performance"),
        (group, "work performance", "business activities and integrity"),
    ]:
        evaluation = services.grading_apply(organization=org, by=owner_a)
        page = client.get(
            reverse("organizations:grading_score", args=[evaluation.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        assert shown in page and hidden not in page
    zh = client.get(
        reverse("organizations:grading_score", args=[GradingEvaluation.objects.get(organization=mf).pk]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "业务活动和诚信建设" in zh


@pytest.mark.django_db
def test_no_expiry_reminder_for_a_deregistered_organization(owner_a):
    today = date(2026, 11, 25)
    gone = make_org(
        owner=owner_a, status="deregistered", grade="4A", grade_valid_until=today + timedelta(days=30)
    )
    assert services.grade_expiry_reminders_send(today=today) == 0
    assert not Reminder.objects.filter(key__startswith=f"grade:{gone.pk}:").exists()


@pytest.mark.django_db
def test_plain_member_cannot_withdraw(client, org_a, owner_a, make_user, thresholds):
    from organizations.models import Membership

    member = make_user("plain_m", role="organization")
    Membership.objects.create(organization=org_a, user=member, role="member")
    evaluation = services.grading_apply(organization=org_a, by=owner_a)
    client.force_login(member)
    page = client.get(reverse("organizations:manage", args=[org_a.pk])).content.decode()
    assert reverse("organizations:grading_withdraw", args=[org_a.pk, evaluation.pk]) not in page
    resp = client.post(
        reverse("organizations:grading_withdraw", args=[org_a.pk, evaluation.pk]),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Only an owner of this organization may do this." in resp.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == GradingEvaluation.Status.APPLIED


@pytest.mark.django_db
def test_score_page_warns_when_the_year_has_no_thresholds(client, org_a, owner_a, staff):
    evaluation = services.grading_apply(organization=org_a, by=owner_a)
    client.force_login(staff)
    url = reverse("organizations:grading_score", args=[evaluation.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No thresholds are configured for this year yet." in html
    resp = client.post(url, {k: str(v) for k, v in SCORES.items()}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "No grade thresholds are configured for" in resp.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == GradingEvaluation.Status.APPLIED
    services.grading_thresholds_set(
        year=evaluation.year, by=staff, min_scores={"5A": 900, "4A": 800, "3A": 700, "2A": 600, "1A": 500}
    )
    assert "No thresholds are configured" not in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.fixture(autouse=True)
def _pinned_now(pinned_wednesday):
    """These tests read "now": an ordinary working Wednesday (tests/factories.WEDNESDAY)."""
