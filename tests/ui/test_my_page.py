"""After login, organization, reviewer and resident accounts land on their own page with what
needs doing and counts; staff and handlers keep the workbench."""

import pytest
from django.urls import reverse

from hotline.models import Ticket
from tests.hotline.factories import reach

pytestmark = pytest.mark.django_db


def _land(client, user):
    client.force_login(user)
    return client.get(reverse("center:dashboard"))


def test_resident_lands_on_my_page_with_requests_awaiting_rating(client, people, resident):
    t = reach(people, Ticket.Status.ANSWERED)
    Ticket.objects.filter(pk=t.pk).update(resident=resident)
    r = _land(client, resident)
    assert r.status_code == 302 and r.url == reverse("center:my_page")
    html = client.get(r.url).content.decode()
    assert "待我评价的诉求" in html
    assert '<a href="/hotline/mine/">待我评价的诉求</a> <span class="count">1</span>' in html


def test_reviewer_lands_on_my_page_with_reviews_assigned(client, reviewers):
    r = _land(client, reviewers[0])
    assert r.url == reverse("center:my_page")
    html = client.get(r.url).content.decode()
    assert "分配给我的评审" in html and 'data-section="ventures_reviews"' in html
    assert 'data-section="hotline"' not in html


def test_organization_lands_on_my_page_with_reports_and_applications(client, applicant):
    user, _org = applicant
    r = _land(client, user)
    assert r.url == reverse("center:my_page")
    html = client.get(r.url).content.decode()
    assert 'data-section="organizations"' in html and "待填报的年度报告" in html
    assert 'data-section="ventures"' in html and "待提交的进度报告" in html


def test_staff_keep_the_workbench(client, staff):
    assert _land(client, staff).url == reverse("center:workbench")


def test_my_page_in_english(client, resident):
    client.cookies["django_language"] = "en"
    client.force_login(resident)
    html = client.get(reverse("center:my_page")).content.decode()
    assert "Requests awaiting my rating" in html and "My page" in html
