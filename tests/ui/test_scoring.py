"""What a reviewer sees: each criterion's scale and weight, a weighted-total row filled live by
static/js/scoring.js, and a confirmation on the final submit; a score outside the scale is
refused at its criterion."""

import re

import pytest
from django.urls import reverse

from tests.ventures.factories import make_submitted
from ventures import services

pytestmark = pytest.mark.django_db


def _review(rnd, applicant, staff):
    user, org = applicant
    app = make_submitted(rnd, org, user)
    services.screening_decide(application=app, by=staff, eligible=True, reason="ok")
    services.reviewers_assign(application=app, by=staff)
    return app.reviews.first()


@pytest.fixture
def review(rnd, applicant, projects_staff):
    return _review(rnd, applicant, projects_staff)


def test_scoring_page_shows_scale_weights_total_and_confirmation(client, review, rnd):
    client.force_login(review.reviewer)
    html = client.get(reverse("ventures:review_detail", args=[review.pk])).content.decode()
    n = rnd.criteria.count()
    assert html.count('<span class="scale">0–100 分</span>') == n
    assert len(re.findall(r'data-weight="\d+"', html)) == n
    assert 'max="100"' in html and 'min="0"' in html
    assert "加权总分" in html and "data-score-total" in html
    assert "以加权总分 {total} 提交评审？提交后不能修改。" in html
    assert "js/scoring.js" in html


def test_score_above_the_scale_is_refused_at_its_criterion(client, review, rnd):
    client.force_login(review.reviewer)
    crit = list(rnd.criteria.all())
    data = {f"score_{c.pk}": 80 for c in crit} | {f"score_{crit[0].pk}": 120, "submit": "1"}
    r = client.post(reverse("ventures:review_detail", args=[review.pk]), data)
    assert r.status_code == 200
    html = r.content.decode()
    row = re.search(rf'<tr class="has-error">.*?id="id_score_{crit[0].pk}".*?</tr>', html, re.S)
    assert row and "100" in row.group(0)
    review.refresh_from_db()
    assert review.status == "assigned"
