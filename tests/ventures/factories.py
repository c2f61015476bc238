"""Ventures test data: organizations with members, a round with rubric, applications at any stage."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from center.calendar import add_working_days
from organizations.models import Membership
from tests.factories import UserFactory, make_org  # noqa: F401  (make_org: the shared one)
from ventures import services
from ventures.models import Application, Fund, Review

_seq = itertools.count(1)


def make_org_user(username: str, org=None):
    user = UserFactory.make(username, role="organization")
    org = org or make_org(owner=user)
    if not org.memberships.filter(user=user).exists():
        Membership.objects.create(organization=org, user=user, role="owner")
    return user, org


def make_fund(year=2026, budget=Decimal("1000000"), source="welfare_lottery"):
    fund, _ = Fund.objects.get_or_create(
        source=source, year=year, defaults={"name": "福彩公益金", "budget": budget}
    )
    return fund


def make_round(staff, *, budget=Decimal("200000"), opens=None, closes=None, fund=None, **fields):
    now = timezone.now()  # the caller's pinned "now" (pinned_wednesday, time_machine)
    return services.round_create(
        fund=fund or make_fund(),
        year=now.year,
        title=fields.pop("title", f"公益创投 {next(_seq)}"),
        budget=budget,
        call_opens=opens or now - timedelta(days=10),
        call_closes=closes or now + timedelta(days=10),
        by=staff,
        # a working day three weeks on, whatever today is (a calendar-day offset may land on a Saturday)
        review_deadline=fields.pop("review_deadline", add_working_days(timezone.localdate(), 15)),
        **fields,
    )


def make_draft(rnd, org, user, *, amount=Decimal("40000"), title=None, category="elderly", **data):
    return services.application_create(
        round=rnd,
        organization=org,
        user=user,
        data={
            "category": category,
            "title": title or f"项目{next(_seq)}",
            "summary": "s",
            "duration_months": 12,
            "requested_amount": amount,
            "expected_direct": 100,
            "expected_indirect": 400,
            **data,
        },
        budget_lines=[("activities", amount - Decimal("10000")), ("staff", Decimal("10000"))],
        milestones=[(3, "start"), (12, "end")],
    )


def make_submitted(rnd, org, user, **kw):
    app = make_draft(rnd, org, user, **kw)
    return services.application_submit(application=app, user=user)


def make_reviewers(n: int, prefix="rev"):
    return [UserFactory.make(f"{prefix}{next(_seq)}", role="reviewer") for _ in range(n)]


def score_all(app, scores: list[int | float]):
    """Submit every open review of `app`, the i-th review scoring scores[i] on every criterion."""
    crits = list(app.round.criteria.all())
    reviews = list(
        Review.objects.filter(application=app, status="assigned").select_related("reviewer").order_by("pk")
    )
    for review, value in zip(reviews, scores, strict=False):
        services.review_save(
            review=review,
            reviewer=review.reviewer,
            scores={c.pk: (value, "") for c in crits},
            comment="ok",
            submit=True,
        )
    return Application.objects.get(pk=app.pk)


def make_reviewed(rnd, org, user, staff, scores=(80, 80, 80), **kw):
    app = make_submitted(rnd, org, user, **kw)
    services.screening_decide(application=app, by=staff, eligible=True, reason="ok")
    services.reviewers_assign(application=app, by=staff)
    return score_all(app, list(scores))


def make_awarded(rnd, org, user, staff, amount=None, **kw):
    app = make_reviewed(rnd, org, user, staff, **kw)
    services.award_approve(application=app, amount=amount or app.requested_amount, by=staff)
    today = timezone.localdate()
    services.notice_publish(round=rnd, by=staff, today=today)
    rnd.refresh_from_db()
    services.notice_close(round=rnd, today=rnd.notice_ends + timedelta(days=1))
    return Application.objects.get(pk=app.pk)
