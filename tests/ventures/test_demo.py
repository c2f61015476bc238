"""The demo reproduces the center's published venture figures from real rows."""

from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from center.demo import load_center_demo
from ventures import demo, opendata, selectors
from ventures.models import Application, Fund, Installment, ProgressReport, Review, Round

pytestmark = pytest.mark.django_db


def test_demo_reproduces_the_seed_and_is_idempotent(client):
    load_center_demo()
    demo.load_ventures_demo()
    demo.load_ventures_demo()  # idempotent
    rnd = Round.objects.get(title=demo.LAST_YEAR_TITLE)
    apps = Application.objects.filter(round=rnd)
    assert apps.count() == 90
    assert apps.filter(status__in=selectors.REVIEWED_STATUSES).count() == 90  # all screened and reviewed
    assert Review.objects.filter(application__round=rnd, status="submitted").count() == 450
    awarded = apps.filter(status__in=selectors.AWARDED_STATUSES)
    figures = awarded.aggregate(
        n=Count("pk"), money=Sum("award_amount"), d=Sum("expected_direct"), i=Sum("expected_indirect")
    )
    assert figures == {"n": 61, "money": Decimal("1445000"), "d": 15000, "i": 60000}
    assert set(awarded.values_list("category", flat=True)) == {"elderly", "disabled", "orphans", "poor"}
    assert awarded.filter(award_amount__gt=rnd.cap).count() == 0
    # the dashboard shows the same figures from the rows
    dash = selectors.round_dashboard(rnd.pk)["totals"]
    assert (dash["applications"], dash["reviewed"], dash["awarded"], dash["money_awarded"]) == (
        90,
        90,
        61,
        Decimal("1445000"),
    )
    assert (dash["expected_direct"], dash["expected_indirect"]) == (15000, 60000)
    # money adds up: never over the round's budget, each fund within its balance
    assert selectors.round_committed(rnd.pk) == Decimal("1445000") <= rnd.budget
    lottery = Fund.objects.get(source="welfare_lottery", year=2025)
    assert lottery.budget == Decimal("1000000")
    assert all(f.balance >= 0 for f in selectors.fund_list())
    for app in awarded:
        assert selectors.application_paid(app.pk) <= app.award_amount
    assert Installment.objects.filter(application__round=rnd, status="paid").exists()
    assert (
        ProgressReport.objects.filter(application__round=rnd, kind="midterm").exclude(status="due").count()
        == 61
    )
    # review totals were computed in the database and the ranking puts the awarded first
    top = list(selectors.ranking(round_id=rnd.pk)[:61])
    assert all(a.award_amount for a in top)
    # one round is open now
    assert selectors.open_rounds().filter(title=demo.OPEN_TITLE).exists()
    # the open-data feed of the demo validates
    package = client.get("/api/v1/ventures/360giving.json").json()
    assert len(package["grants"]) == 61
    assert list(opendata.package_validator().iter_errors(package)) == []
    # the home page figures come from the rows
    home = client.get("/").content.decode()
    assert "1,445,000" in home


def test_demo_review_totals_match_weighted_scores():
    load_center_demo()
    demo.load_ventures_demo()
    review = (
        Review.objects.filter(application__round__title=demo.LAST_YEAR_TITLE)
        .prefetch_related("scores__criterion")
        .first()
    )
    expected = sum(s.score * s.criterion.weight for s in review.scores.all()) / 100
    assert abs(review.total - expected) <= Decimal("0.01")


def test_demo_stored_scores_match_the_reviews():
    """The ranking reads the stored aggregate; on the demo it equals the one computed from the reviews."""
    from ventures import selectors
    from ventures.models import Application

    load_center_demo()
    demo.load_ventures_demo()
    apps = Application.objects.filter(round__title=demo.LAST_YEAR_TITLE)
    computed = {a.pk: (a.n_reviews, a.score, a.spread) for a in selectors.computed_scores(apps)}
    stored = {a.pk: (a.review_count, a.review_score, a.review_spread) for a in apps}
    assert len(stored) == 90 and all(n == 5 for n, _s, _p in stored.values())
    for pk, (n, score, spread) in computed.items():
        assert stored[pk][0] == n and abs(stored[pk][2] - Decimal(str(spread))) < Decimal("0.005")
        assert abs(stored[pk][1] - Decimal(str(score))) < Decimal("0.0001")
