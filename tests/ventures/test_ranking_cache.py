"""The ranking: a category filter keeps the round's figures (overall rank, cumulative), and the
figures cached per ranking version follow every submitted or reopened review."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.queries import count_queries
from tests.ventures.factories import make_reviewed
from ventures import selectors, services
from ventures.models import Review

pytestmark = pytest.mark.django_db


def _three(rnd, applicant, staff):
    user, org = applicant
    a = make_reviewed(rnd, org, user, staff, scores=(90, 90, 90), category="elderly", amount=Decimal("40000"))
    b = make_reviewed(rnd, org, user, staff, scores=(70, 70, 70), category="poor", amount=Decimal("30000"))
    c = make_reviewed(rnd, org, user, staff, scores=(80, 80, 80), category="elderly", amount=Decimal("20000"))
    return a, b, c


def test_category_filter_keeps_the_overall_rank_and_the_round_cumulative(rnd, applicant, projects_staff):
    a, b, c = _three(rnd, applicant, projects_staff)

    poor = list(selectors.ranking(round_id=rnd.pk, category="poor"))
    assert [r.pk for r in poor] == [b.pk]
    assert poor[0].rank == 3  # third in the round, not first of a one-row list
    assert poor[0].category_rank == 1
    assert poor[0].cumulative == Decimal("90000")  # 40,000 + 20,000 before it in the round

    elderly = list(selectors.ranking(round_id=rnd.pk, category="elderly"))
    assert [(r.pk, r.rank, r.category_rank, r.cumulative) for r in elderly] == [
        (a.pk, 1, 1, Decimal("40000")),
        (c.pk, 2, 2, Decimal("60000")),
    ]


def test_ranking_page_and_api_with_a_category_show_the_round_figures(client, rnd, applicant, projects_staff):
    a, b, c = _three(rnd, applicant, projects_staff)
    client.force_login(projects_staff)

    page = client.get(reverse("ventures:ranking", args=[rnd.pk]), {"category": "poor"})
    rows = list(page.context["page_obj"])
    assert [(r.pk, r.rank, r.category_rank, r.cumulative) for r in rows] == [(b.pk, 3, 1, Decimal("90000"))]

    api = client.get(f"/api/v1/ventures/rounds/{rnd.pk}/ranking/", {"category": "poor"}).json()
    items = api["results"] if isinstance(api, dict) else api
    assert [(i["rank"], i["category_rank"]) for i in items] == [(3, 1)]


def test_cached_ranking_follows_a_reopened_and_resubmitted_review(client, rnd, applicant, projects_staff):
    a, b, c = _three(rnd, applicant, projects_staff)
    client.force_login(projects_staff)
    url = reverse("ventures:ranking", args=[rnd.pk])

    def order():
        return [r.pk for r in client.get(url).context["page_obj"]]

    assert order() == [a.pk, c.pk, b.pk]
    # Served from the cache now: no window query.
    _n, sql = count_queries(lambda: client.get(url))
    assert not any("RANK()" in q.upper() for q in sql)

    review = Review.objects.filter(application=b).order_by("pk").first()
    services.review_reopen(review=review, by=projects_staff)
    crits = list(rnd.criteria.all())
    services.review_save(
        review=review, reviewer=review.reviewer, scores={k.pk: (100, "") for k in crits}, submit=True
    )
    # b: (100 + 70 + 70) / 3 = 80 ties c at 80; ties keep the lower pk first
    assert order() == [a.pk, c.pk, b.pk] if c.pk < b.pk else [a.pk, b.pk, c.pk]
    rows = {r.pk: r for r in client.get(url).context["page_obj"]}
    assert rows[b.pk].score == Decimal("80.0000")
    assert rows[b.pk].rank == 2 and rows[c.pk].rank == 2


def test_the_ranking_rows_come_from_the_cache_with_each_visitors_own_csrf_token(
    rnd, applicant, projects_staff, make_user
):
    """The rendered rows are shared; the award forms in them carry the token of whoever
    loads the page, and a recommendation posted from a cached page is accepted."""
    import re

    from django.test import Client

    a, b, c = _three(rnd, applicant, projects_staff)
    url = reverse("ventures:ranking", args=[rnd.pk])
    first = Client(enforce_csrf_checks=True)
    first.force_login(projects_staff)
    assert first.get(url).status_code == 200  # fills the cache

    other_staff = make_user("projects_two", role="staff", department="projects", is_staff=True)
    second = Client(enforce_csrf_checks=True)
    second.force_login(other_staff)
    n, sql = count_queries(lambda: second.get(url))
    page = second.get(url).content.decode()
    assert not any("ventures_application" in q for q in sql)  # nothing of the ranking read again
    assert "@@csrf-token@@" not in page
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert tokens and all(len(t) == 64 for t in tokens)
    assert f'action="{reverse("ventures:award", args=[a.pk])}"' in page

    posted = second.post(
        reverse("ventures:award", args=[a.pk]), {"amount": "40000", "csrfmiddlewaretoken": tokens.pop()}
    )
    assert posted.status_code == 302
    a.refresh_from_db()
    assert a.status == "recommended"
    # The award is on the next page at once (the write changed the data version).
    from ventures.models import Application

    label = str(Application.Status.RECOMMENDED.label)
    assert f'<span class="status">{label}</span>' not in page
    assert f'<span class="status">{label}</span>' in second.get(url).content.decode()
