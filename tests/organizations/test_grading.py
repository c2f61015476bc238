"""Grading evaluation: eligibility, scores, thresholds, five-year validity, expiry reminders."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from center.errors import DomainError, PermissionDeniedError, TransitionError
from center.models import Reminder
from organizations import services
from organizations.models import AnnualReport, GradingEvaluation, GradingThreshold
from tests.organizations.factories import make_campaign, make_org

SCORES = {"basic_conditions": 90, "internal_governance": 340, "performance": 330, "social_evaluation": 140}  # 900


@pytest.fixture
def thresholds():
    year = timezone.localdate().year
    for grade, score in [("5A", 900), ("4A", 800), ("3A", 700), ("2A", 600), ("1A", 500)]:
        GradingThreshold.objects.create(year=year, grade=grade, min_score=score)
    return year


@pytest.mark.django_db
def test_eligibility_rules(owner_a, staff):
    young = make_org(owner=owner_a, registration_date=timezone.localdate() - timedelta(days=400))
    with pytest.raises(DomainError) as info:
        services.grading_apply(organization=young, by=owner_a)
    assert "two full years" in str(info.value.message)
    listed = make_org(owner=owner_a, status="abnormal")
    assert services.grading_eligibility(listed)
    failed = make_org(owner=owner_a)
    AnnualReport.objects.create(campaign=make_campaign(2025), organization=failed, status="accepted",
                                result="unqualified")
    assert any("Unqualified" in p for p in services.grading_eligibility(failed))


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
    today = timezone.localdate()
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
    resp = client.post(reverse("organizations:grading_score", args=[evaluation.pk]), {k: str(v) for k, v in SCORES.items()})
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
