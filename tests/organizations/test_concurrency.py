"""The nightly jobs on two workers at once (PostgreSQL: real row locks and unique constraints
across connections)."""

from datetime import date, timedelta

import pytest
from django.db import connection

from center.calendar import add_working_days
from center.models import Notification, Reminder
from organizations import services
from organizations.models import AnnualReport, Organization, OrganizationStatusChange
from tests.concurrency import run_concurrently
from tests.organizations.factories import make_campaign, make_org


def _on_two_workers(fn):
    outcomes = run_concurrently(fn, fn)
    assert [o.error for o in outcomes] == [None, None]
    return [o.value for o in outcomes]


@pytest.fixture
def campaign_with_late_orgs(network, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so two workers never overlap")
    campaign = make_campaign(2025, opens_on=date(2026, 1, 5), deadline=date(2026, 5, 29))
    orgs = []
    for i in range(10):
        org = make_org(owner=make_user(f"late_owner_{i}", role="organization"), street=network.nanmen)
        AnnualReport.objects.create(campaign=campaign, organization=org)
        orgs.append(org)
    return campaign, orgs


@pytest.mark.django_db(transaction=True)
def test_reminders_on_two_workers_are_sent_once(campaign_with_late_orgs):
    campaign, orgs = campaign_with_late_orgs
    day = add_working_days(campaign.deadline, -7)
    results = _on_two_workers(lambda: services.annual_reminders_send(today=day))
    assert sum(results) == 10
    assert Reminder.objects.filter(key__startswith=f"annual:{campaign.pk}:").count() == 10
    for org in orgs:
        assert Notification.objects.filter(user__memberships__organization=org).count() == 1


@pytest.mark.django_db(transaction=True)
def test_abnormal_list_on_two_workers_lists_each_once(campaign_with_late_orgs):
    campaign, orgs = campaign_with_late_orgs
    _on_two_workers(lambda: services.abnormal_list_draw_up(today=campaign.deadline + timedelta(days=1)))
    assert Organization.objects.filter(status="abnormal").count() == 10
    assert OrganizationStatusChange.objects.filter(to_status="abnormal").count() == 10
    for org in orgs:
        assert Notification.objects.filter(user__memberships__organization=org).count() == 1
