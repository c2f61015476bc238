"""Benchmark data for `make bench`: seed(scale) creates 5,000 × scale applications with five
submitted reviews each, in one round, with its own organizations and reviewers (bulk_create)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum
from django.utils import timezone
from stdnum.cn import uscc

from center.models import User
from organizations.models import Organization
from ventures.models import Application, Criterion, Fund, Review, ReviewScore, Round
from ventures.selectors import ExactNumber
from ventures.services import application_scores_refresh_round

BENCH_TITLE = "bench: ventures round"
N_PER_SCALE = 5000
REVIEWS_EACH = 5
N_REVIEWERS = 50
CATEGORIES = ["elderly", "disabled", "orphans", "poor"]


def bench_round() -> Round:
    return Round.objects.get(title=BENCH_TITLE)


def _user(username: str, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password("bench12345")
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed(scale: float = 1) -> None:
    if Round.objects.filter(title=BENCH_TITLE).exists():
        return
    n = max(1, int(N_PER_SCALE * scale))
    _user("bench_ventures_staff", role=User.Role.STAFF, department=User.Department.PROJECTS, is_staff=True)
    reviewers = [_user(f"bench_reviewer_{i}", role=User.Role.REVIEWER) for i in range(1, N_REVIEWERS + 1)]
    fund, _ = Fund.objects.get_or_create(
        source=Fund.Source.WELFARE_LOTTERY,
        year=2099,
        defaults={"name": "bench fund", "budget": Decimal("100000000")},
    )
    now = timezone.now()
    rnd = Round.objects.create(
        fund=fund,
        year=2099,
        title=BENCH_TITLE,
        categories=CATEGORIES,
        budget=Decimal("50000000"),
        call_opens=now - timedelta(days=60),
        call_closes=now - timedelta(days=30),
        review_deadline=date.today() + timedelta(days=5),
    )
    criteria = Criterion.objects.bulk_create(
        [Criterion(round=rnd, name=f"c{i}", weight=20, order=i) for i in range(5)]
    )
    n_orgs = max(1, n // 10)
    orgs = []
    for i in range(n_orgs):
        base = f"52330203MJB{i:06d}"
        orgs.append(
            Organization(
                name=f"bench 服务中心 {i}",
                org_type=Organization.Type.PRIVATE_NON_ENTERPRISE,
                credit_code=base + uscc.calc_check_digit(base),
                status=Organization.Status.VERIFIED,
            )
        )
    Organization.objects.bulk_create(orgs, batch_size=2000)
    org_ids = list(
        Organization.objects.filter(name__startswith="bench 服务中心").values_list("pk", flat=True)
    )
    Application.objects.bulk_create(
        [
            Application(
                round=rnd,
                organization_id=org_ids[i % len(org_ids)],
                category=CATEGORIES[i % 4],
                title=f"bench project {i}",
                requested_amount=Decimal(10000 + (i % 40) * 1000),
                expected_direct=100,
                expected_indirect=400,
                status=Application.Status.REVIEWED,
                submitted_at=now,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    app_ids = list(Application.objects.filter(round=rnd).values_list("pk", flat=True))
    Review.objects.bulk_create(
        [
            Review(
                application_id=a,
                reviewer=reviewers[(j * REVIEWS_EACH + k) % N_REVIEWERS],
                status="submitted",
                submitted_at=now,
            )
            for j, a in enumerate(app_ids)
            for k in range(REVIEWS_EACH)
        ],
        batch_size=5000,
    )
    review_ids = Review.objects.filter(application__round=rnd).values_list("pk", flat=True)
    ReviewScore.objects.bulk_create(
        [
            ReviewScore(review_id=r, criterion=c, score=Decimal(50 + (r * 7 + c.order * 13) % 50))
            for r in review_ids.iterator(chunk_size=5000)
            for c in criteria
        ],
        batch_size=5000,
    )
    weighted = (
        ReviewScore.objects.filter(review=OuterRef("pk"))
        .order_by()
        .values("review")
        .annotate(t=Sum(F("score") * F("criterion__weight")))
        .values("t")[:1]
    )
    Review.objects.filter(application__round=rnd).update(
        total=ExpressionWrapper(
            ExactNumber(Subquery(weighted), output_field=DecimalField(max_digits=12, decimal_places=4)) / 100,
            output_field=DecimalField(max_digits=6, decimal_places=2),
        )
    )
    application_scores_refresh_round(rnd.pk)  # the ranking reads the stored aggregate
