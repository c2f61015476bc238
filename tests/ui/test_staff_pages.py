"""Staff pages as staff see them: the ranking on one page with the budget cut-off line, a
finished round's notice showing its results, the dispatch desk marking the selected queue,
campaign progress as percentages."""

import re

import pytest
from django.urls import reverse

from tests.ventures.factories import make_awarded

pytestmark = pytest.mark.django_db


def test_finished_round_notice_shows_its_results(client, rnd, applicant, projects_staff):
    user, org = applicant
    app = make_awarded(rnd, org, user, projects_staff)
    html = client.get(reverse("ventures:notice", args=[rnd.pk])).content.decode()
    assert "公示期已结束，结果见下表。" in html
    assert "本轮资助结果" in html and app.title in html
    assert "共资助 1 个项目，合计 4 万元。" in html
    assert re.search(
        r'<tr class="total"><th scope="row" colspan="3">合计</th><td class="num money">¥[\d,]+\.00</td>', html
    )


def test_ranking_is_one_page_without_pagination(client, rnd, applicant, projects_staff):
    user, org = applicant
    make_awarded(rnd, org, user, projects_staff)
    client.force_login(projects_staff)
    r = client.get(reverse("ventures:ranking", args=[rnd.pk]))
    assert r.context["page_obj"].paginator.per_page >= 1000
    assert 'class="pagination"' not in r.content.decode()


@pytest.mark.parametrize(
    "url,selected", [("/hotline/desk/", "to_dispatch"), ("/hotline/desk/?queue=returned", "returned")]
)
def test_desk_marks_the_selected_queue(client, people, url, selected):
    client.force_login(people.dispatcher)
    html = client.get(url).content.decode()
    marked = re.findall(r'<a href="\?queue=(\w+)" aria-current="page">', html)
    assert marked == [selected]


def test_campaign_progress_shows_percentages(client, staff):
    from datetime import date

    from organizations.models import InspectionCampaign

    campaign = InspectionCampaign.objects.create(
        year=2025, opens_on=date(2026, 1, 1), deadline=date(2026, 5, 31)
    )
    client.force_login(staff)
    html = client.get(reverse("organizations:campaign", args=[campaign.pk])).content.decode()
    assert "已提交率" in html and "审核通过率" in html
