"""Every other list page and list API issues the same number of queries as its rows grow."""

from datetime import timedelta

import pytest
from django.urls import reverse

from organizations import services
from organizations.models import AnnualReport, GradingEvaluation, JoinRequest, Membership, Organization
from tests.factories import WEDNESDAY
from tests.organizations.factories import make_campaign, make_org
from tests.queries import assert_constant_queries

_n = iter(range(10**6))


def _user(make_user):
    return make_user(f"u{next(_n)}", role="organization")


@pytest.mark.django_db
def test_abnormal_list_page(client, network, staff):
    def grow():
        for i in range(25):
            org = make_org(street=network.yuehu)
            services.organization_mark_abnormal(organization=org, by=staff, reason=f"长期未开展活动{i}")

    grow()
    assert_constant_queries(lambda: client.get(reverse("organizations:abnormal_list")), grow)


@pytest.mark.django_db
def test_verify_queue(client, network, staff, make_user):
    def grow():
        for _ in range(25):
            org = make_org(status=Organization.Status.PENDING, street=network.nanmen)
            JoinRequest.objects.create(organization=org, user=_user(make_user))

    client.force_login(staff)
    grow()
    assert_constant_queries(lambda: client.get(reverse("organizations:verify_queue")), grow)


@pytest.mark.django_db
def test_members_page_and_api(client, org_a, owner_a, make_user):
    def grow():
        for _ in range(10):
            Membership.objects.create(organization=org_a, user=_user(make_user))
            JoinRequest.objects.create(organization=org_a, user=_user(make_user))

    client.force_login(owner_a)
    assert_constant_queries(lambda: client.get(reverse("organizations:members", args=[org_a.pk])), grow)
    assert_constant_queries(lambda: client.get(reverse("api-organization-members", args=[org_a.pk])), grow)


@pytest.mark.django_db
def test_my_organizations_and_manage_page(client, network, owner_a, org_a):
    years = iter(range(2000, 2100))

    def grow():
        for _ in range(5):
            make_org(owner=owner_a, street=network.nanmen)
            AnnualReport.objects.create(campaign=make_campaign(next(years)), organization=org_a)

    client.force_login(owner_a)
    assert_constant_queries(lambda: client.get(reverse("organizations:mine")), grow)
    assert_constant_queries(lambda: client.get(reverse("organizations:manage", args=[org_a.pk])), grow)
    assert_constant_queries(lambda: client.get(reverse("api-organization-reports", args=[org_a.pk])), grow)


@pytest.mark.django_db
def test_campaign_list_and_grading_pages(client, network, staff, owner_a):
    years = iter(range(2000, 2100))

    def grow():
        for _ in range(5):
            org = make_org(
                owner=owner_a, street=network.yuehu, registration_date=WEDNESDAY.date() - timedelta(days=1000)
            )
            make_campaign(next(years))
            GradingEvaluation.objects.create(organization=org, year=2026)
            GradingEvaluation.objects.create(
                organization=org, year=2025, status="graded", grade="3A", total=750
            )

    client.force_login(staff)
    assert_constant_queries(lambda: client.get(reverse("organizations:campaigns")), grow)
    assert_constant_queries(lambda: client.get(reverse("organizations:grading")), grow)


@pytest.fixture(autouse=True)
def _pinned_now(pinned_wednesday):
    """These tests read "now": an ordinary working Wednesday (tests/factories.WEDNESDAY)."""
