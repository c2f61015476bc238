"""Reviewer assignment, conflicts, blind review, scoring, aggregation and ranking."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from center.errors import DomainError, PermissionDeniedError
from organizations.models import Membership
from tests.queries import assert_constant_queries
from tests.ventures.factories import (
    make_draft,
    make_org_user,
    make_reviewed,
    make_reviewers,
    make_round,
    make_submitted,
    score_all,
)
from ventures import selectors, services
from ventures.models import Application, ConflictDeclaration, Review

pytestmark = pytest.mark.django_db
ORG_NAME = "海曙区隐名测试服务中心"


def _in_review(rnd, applicant, staff, **kw):
    user, org = applicant
    app = make_submitted(rnd, org, user, **kw)
    services.screening_decide(application=app, by=staff, eligible=True, reason="ok")
    services.reviewers_assign(application=app, by=staff)
    return Application.objects.get(pk=app.pk)


def test_balanced_rotation_and_never_a_member(rnd, applicant, projects_staff, reviewers):
    user, org = applicant
    # reviewers[0] belongs to the applicant organization
    Membership.objects.create(organization=org, user=reviewers[0], role="member")
    apps = [_in_review(rnd, applicant, projects_staff) for _ in range(4)]
    loads = {r.pk: Review.objects.filter(reviewer=r).count() for r in reviewers}
    assert loads[reviewers[0].pk] == 0
    assert all(a.reviews.count() == 3 for a in apps)
    others = [loads[r.pk] for r in reviewers[1:]]
    assert max(others) - min(others) <= 1 and sum(others) == 12


def test_conflict_replaces_reviewer(rnd, applicant, projects_staff):
    app = _in_review(rnd, applicant, projects_staff)
    review = app.reviews.first()
    replacement = services.review_declare_conflict(
        review=review, reviewer=review.reviewer, reason="my cousin runs it"
    )
    review.refresh_from_db()
    assert review.status == Review.Status.CONFLICT
    assert replacement is not None and replacement.reviewer_id != review.reviewer_id
    assert app.reviews.filter(status="assigned").count() == 3
    decl = ConflictDeclaration.objects.get(application=app)
    assert decl.replacement_id == replacement.reviewer_id


def test_conflict_shown_to_staff_not_to_applicant(client, rnd, applicant, projects_staff):
    app = _in_review(rnd, applicant, projects_staff)
    review = app.reviews.first()
    replacement = services.review_declare_conflict(
        review=review, reviewer=review.reviewer, reason="my cousin runs it"
    )
    client.force_login(projects_staff)
    page = client.get(
        reverse("ventures:application_detail", args=[app.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "my cousin runs it" in page and f"replaced by {replacement.reviewer}" in page
    client.force_login(applicant[0])
    page = client.get(reverse("ventures:application_detail", args=[app.pk])).content.decode()
    assert "my cousin runs it" not in page and str(review.reviewer) not in page


def test_reviewer_with_conflict_refused(client, rnd, applicant, projects_staff):
    app = _in_review(rnd, applicant, projects_staff)
    review = app.reviews.first()
    services.review_declare_conflict(review=review, reviewer=review.reviewer, reason="conflict")
    crit = {c.pk: (90, "") for c in rnd.criteria.all()}
    with pytest.raises(PermissionDeniedError):
        services.review_save(review=review, reviewer=review.reviewer, scores=crit, submit=True)
    client.force_login(review.reviewer)
    r = client.post(
        reverse("ventures:review_detail", args=[review.pk]),
        {f"score_{k}": 90 for k in crit} | {"submit": "1"},
    )
    assert r.status_code == 302
    assert client.get(f"/api/v1/ventures/reviews/{review.pk}/").status_code == 404
    r = client.post(
        f"/api/v1/ventures/reviews/{review.pk}/submit/",
        {"scores": [{"criterion": k, "score": "90"} for k in crit]},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert review.pk not in [row["id"] for row in client.get("/api/v1/ventures/reviews/").json()["results"]]
    review.refresh_from_db()
    assert review.status == "conflict" and not review.scores.exists()


def test_unassigned_reviewer_gets_404(client, rnd, applicant, projects_staff, make_user):
    app = _in_review(rnd, applicant, projects_staff)
    review = app.reviews.first()
    stranger = make_user("stranger_rev", role="reviewer")
    client.force_login(stranger)
    assert client.get(reverse("ventures:review_detail", args=[review.pk])).status_code == 404
    assert (
        client.post(reverse("ventures:review_conflict", args=[review.pk]), {"reason": "x"}).status_code == 404
    )
    assert client.get(reverse("ventures:application_detail", args=[app.pk])).status_code == 404
    assert client.get(f"/api/v1/ventures/reviews/{review.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/ventures/reviews/{review.pk}/submit/", {"scores": []}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/api/v1/ventures/reviews/").json()["count"] == 0


def test_blind_review_hides_organization_everywhere(client, projects_staff, reviewers):
    rnd = make_round(projects_staff, reviewers_per_application=2, blind_review=True)
    user, org = make_org_user("blind_org")
    org.name = ORG_NAME
    org.save()
    app = _in_review(rnd, (user, org), projects_staff, title="盲评项目")
    review = app.reviews.first()
    client.force_login(review.reviewer)
    pages = [
        client.get(reverse("ventures:my_reviews")).content.decode(),
        client.get(reverse("ventures:review_detail", args=[review.pk])).content.decode(),
    ]
    assert "盲评项目" in pages[0]
    api = [
        client.get("/api/v1/ventures/reviews/").content.decode(),
        client.get(f"/api/v1/ventures/reviews/{review.pk}/").content.decode(),
    ]
    assert client.get(f"/api/v1/ventures/reviews/{review.pk}/").json()["organization"] is None
    xlsx = client.get(reverse("ventures:my_reviews_export"))
    cells = [
        str(c) for row in load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in row
    ]
    assert "盲评项目" in cells
    for text in pages + api + cells:
        assert ORG_NAME not in text and org.credit_code not in text
    # the staff export of a blind round's reviews carries no organization either
    client.force_login(projects_staff)
    xlsx = client.get(reverse("ventures:export_reviews", args=[rnd.pk]))
    cells = [
        str(c) for row in load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in row
    ]
    assert "盲评项目" in cells and ORG_NAME not in cells


def test_open_review_shows_organization(client, projects_staff, reviewers):
    rnd = make_round(projects_staff, reviewers_per_application=2, blind_review=False)
    user, org = make_org_user("open_org")
    app = _in_review(rnd, (user, org), projects_staff)
    review = app.reviews.first()
    client.force_login(review.reviewer)
    assert org.name in client.get(reverse("ventures:review_detail", args=[review.pk])).content.decode()


def test_score_submit_and_only_staff_reopen(client, rnd, applicant, projects_staff):
    app = _in_review(rnd, applicant, projects_staff)
    review = app.reviews.first()
    crits = list(rnd.criteria.all())  # weights 25, 25, 20, 15, 15
    values = [80, 60, 100, 40, 20]
    client.force_login(review.reviewer)
    data = {f"score_{c.pk}": v for c, v in zip(crits, values, strict=True)} | {
        "comment": "fine",
        "submit": "1",
    }
    client.post(reverse("ventures:review_detail", args=[review.pk]), data)
    review.refresh_from_db()
    # 80*.25 + 60*.25 + 100*.2 + 40*.15 + 20*.15 = 20 + 15 + 20 + 6 + 3
    assert review.status == "submitted" and review.total == Decimal("64.00")
    with pytest.raises(DomainError):
        services.review_save(
            review=review, reviewer=review.reviewer, scores={crits[0].pk: (10, "")}, submit=True
        )
    with pytest.raises(PermissionDeniedError):
        services.review_reopen(review=review, by=review.reviewer)
    services.review_reopen(review=review, by=projects_staff)
    review.refresh_from_db()
    assert review.status == "assigned" and review.total is None


def test_score_out_of_range_refused(rnd, applicant, projects_staff):
    app = _in_review(rnd, applicant, projects_staff)
    review = app.reviews.first()
    crits = list(rnd.criteria.all())
    with pytest.raises(DomainError):
        services.review_save(
            review=review, reviewer=review.reviewer, scores={c.pk: (101, "") for c in crits}, submit=True
        )
    assert not review.scores.exists()


def test_mean_below_five_reviews(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_reviewed(rnd, org, user, projects_staff, scores=(70, 80, 96))
    scored = selectors.application_with_score(app.pk)
    assert scored.n_reviews == 3
    assert round(scored.score, 2) == Decimal("82.00")
    assert scored.disagreement is True  # 96 - 70 = 26 > 20


def test_trimmed_mean_with_five_reviews(projects_staff, applicant):
    make_reviewers(6, prefix="five")
    rnd = make_round(projects_staff, reviewers_per_application=5)
    user, org = applicant
    app = make_reviewed(rnd, org, user, projects_staff, scores=(50, 70, 72, 74, 100))
    scored = selectors.application_with_score(app.pk)
    # drop 100 and 50: (70 + 72 + 74) / 3 = 72
    assert scored.n_reviews == 5
    assert round(scored.score, 2) == Decimal("72.00")
    assert scored.spread == Decimal("50") and scored.disagreement is True
    app2 = make_reviewed(rnd, org, user, projects_staff, scores=(80, 81, 82, 83, 84))
    s2 = selectors.application_with_score(app2.pk)
    assert round(s2.score, 2) == Decimal("82.00") and s2.disagreement is False


def test_ranking_overall_and_per_category(rnd, applicant, projects_staff):
    user, org = applicant
    a = make_reviewed(
        rnd, org, user, projects_staff, scores=(90, 90, 90), category="elderly", amount=Decimal("40000")
    )
    b = make_reviewed(
        rnd, org, user, projects_staff, scores=(70, 70, 70), category="poor", amount=Decimal("30000")
    )
    c = make_reviewed(
        rnd, org, user, projects_staff, scores=(80, 80, 80), category="elderly", amount=Decimal("20000")
    )
    rows = list(selectors.ranking(round_id=rnd.pk))
    assert [r.pk for r in rows] == [a.pk, c.pk, b.pk]
    assert [r.rank for r in rows] == [1, 2, 3]
    assert {r.pk: r.category_rank for r in rows} == {a.pk: 1, c.pk: 2, b.pk: 1}
    assert [r.cumulative for r in rows] == [Decimal("40000"), Decimal("60000"), Decimal("90000")]
    assert [r.pk for r in selectors.ranking(round_id=rnd.pk, category="poor")] == [b.pk]


def test_ranking_page_and_review_lists_constant_queries(client, rnd, applicant, projects_staff):
    user, org = applicant
    make_reviewed(rnd, org, user, projects_staff)
    reviewer = Review.objects.first().reviewer

    def grow():
        for _ in range(3):
            make_reviewed(rnd, org, user, projects_staff)

    client.force_login(projects_staff)
    assert_constant_queries(lambda: client.get(reverse("ventures:ranking", args=[rnd.pk])), grow)
    assert_constant_queries(lambda: client.get(f"/api/v1/ventures/rounds/{rnd.pk}/ranking/"), grow)
    client.force_login(reviewer)
    assert_constant_queries(lambda: client.get(reverse("ventures:my_reviews")), grow)
    assert_constant_queries(lambda: client.get("/api/v1/ventures/reviews/"), grow)


def test_ranking_refused_to_non_staff(client, rnd, applicant):
    user, _org = applicant
    client.force_login(user)
    assert client.get(reverse("ventures:ranking", args=[rnd.pk])).status_code == 403
    assert client.get(f"/api/v1/ventures/rounds/{rnd.pk}/ranking/").status_code == 403
    assert client.get(reverse("ventures:export_reviews", args=[rnd.pk])).status_code == 403


def test_reviewed_when_all_reviews_in(rnd, applicant, projects_staff):
    app = _in_review(rnd, applicant, projects_staff)
    app = score_all(app, [60, 70])
    assert app.status == "in_review"
    app = score_all(app, [80])
    assert app.status == "reviewed"


def test_review_submitted_through_api(client, rnd, applicant, projects_staff):
    app = _in_review(rnd, applicant, projects_staff)
    review = app.reviews.first()
    client.force_login(review.reviewer)
    detail = client.get(f"/api/v1/ventures/reviews/{review.pk}/").json()
    assert sum(c["weight"] for c in detail["criteria"]) == 100
    bad = client.post(
        f"/api/v1/ventures/reviews/{review.pk}/submit/",
        {"scores": [{"criterion": c["id"], "score": "120"} for c in detail["criteria"]]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    r = client.post(
        f"/api/v1/ventures/reviews/{review.pk}/submit/",
        {"scores": [{"criterion": c["id"], "score": "75"} for c in detail["criteria"]], "comment": "ok"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["total"] == "75.00"
    again = client.post(
        f"/api/v1/ventures/reviews/{review.pk}/submit/",
        {"scores": [{"criterion": c["id"], "score": "10"} for c in detail["criteria"]]},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["error"]["code"] == "submitted"
    review.refresh_from_db()
    assert review.total == Decimal("75.00")


def test_mean_keeps_fractions(rnd, applicant, projects_staff):
    user, org = applicant
    app = make_reviewed(rnd, org, user, projects_staff, scores=(70, 80, 91))
    scored = selectors.application_with_score(app.pk)
    assert abs(scored.score - Decimal("80.3333")) < Decimal("0.001")
    assert scored.disagreement is True and scored.spread == Decimal("21")


def test_blind_attachment_download_hides_file_name(client, projects_staff, reviewers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rnd = make_round(projects_staff, reviewers_per_application=2, blind_review=True)
    user, org = make_org_user("blind_files")
    app = make_draft(rnd, org, user)
    att = services.attachment_add(
        application=app,
        user=user,
        upload=SimpleUploadedFile("海曙区隐名测试服务中心-章程.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    services.application_submit(application=app, user=user)
    services.screening_decide(application=app, by=projects_staff, eligible=True, reason="ok")
    services.reviewers_assign(application=app, by=projects_staff)
    review = app.reviews.first()
    client.force_login(review.reviewer)
    r = client.get(reverse("ventures:review_attachment", args=[review.pk, att.pk]))
    assert r.status_code == 200
    assert ORG_NAME not in r["Content-Disposition"] and f"attachment-{att.pk}.pdf" in r["Content-Disposition"]
    other = make_reviewers(1, prefix="nosy")[0]
    client.force_login(other)
    assert client.get(reverse("ventures:review_attachment", args=[review.pk, att.pk])).status_code == 404


def _stored(app_id):
    a = Application.objects.get(pk=app_id)
    return a.review_count, a.review_score, a.review_spread


def test_stored_score_follows_submit_reopen_and_conflict(rnd, applicant, projects_staff, reviewers):
    """The ranking reads the aggregate stored on the application; it is recomputed whenever a
    review is submitted or reopened, and always equals the one computed from the reviews."""
    user, org = applicant
    app = make_submitted(rnd, org, user)
    services.screening_decide(application=app, by=projects_staff, eligible=True, reason="ok")
    services.reviewers_assign(application=app, by=projects_staff)
    assert _stored(app.pk) == (0, None, None)
    crits = list(rnd.criteria.all())
    first, second, third = Review.objects.filter(application=app).order_by("pk")
    services.review_save(
        review=first, reviewer=first.reviewer, scores={c.pk: (90, "") for c in crits}, submit=True
    )
    assert _stored(app.pk) == (1, Decimal("90.0000"), Decimal("0.00"))
    # a conflict on an open review changes no score but keeps the figures right
    services.review_declare_conflict(review=third, reviewer=third.reviewer, reason="former employee")
    assert _stored(app.pk)[0] == 1
    services.review_save(
        review=second, reviewer=second.reviewer, scores={c.pk: (65, "") for c in crits}, submit=True
    )
    assert _stored(app.pk) == (2, Decimal("77.5000"), Decimal("25.00"))
    row = selectors.application_with_score(app.pk)
    assert row.score == Decimal("77.5000") and row.disagreement is True
    services.review_reopen(review=second, by=projects_staff)
    assert _stored(app.pk) == (1, Decimal("90.0000"), Decimal("0.00"))
    assert selectors.application_with_score(app.pk).disagreement is False
    computed = selectors.computed_scores(Application.objects.filter(pk=app.pk)).get()
    assert (computed.n_reviews, computed.score) == (1, 90)


def test_stored_score_round_refresh_matches_computed(projects_staff, applicant):
    make_reviewers(6, prefix="refresh")
    rnd = make_round(projects_staff, reviewers_per_application=5)
    user, org = applicant
    app = make_reviewed(rnd, org, user, projects_staff, scores=(50, 70, 72, 74, 100))
    Application.objects.filter(pk=app.pk).update(review_count=0, review_score=None, review_spread=None)
    assert services.application_scores_refresh_round(rnd.pk) == 1
    assert _stored(app.pk) == (5, Decimal("72.0000"), Decimal("50.00"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks (select_for_update) and concurrent connections",
)
def test_last_two_reviews_submitted_at_once_both_count():
    """Two reviewers submit the last two open reviews at the same moment: the application
    still becomes reviewed and its stored score counts both (the application row is locked)."""
    import threading
    import time

    from django.db import transaction

    from tests.concurrency import run_concurrently
    from tests.factories import UserFactory

    staff = UserFactory.make("race_staff", role="staff", department="projects")
    make_reviewers(2, prefix="race")
    user, org = make_org_user("race_org")
    rnd = make_round(staff, reviewers_per_application=2)
    app = make_submitted(rnd, org, user)
    services.screening_decide(application=app, by=staff, eligible=True, reason="ok")
    services.reviewers_assign(application=app, by=staff)
    crits = list(rnd.criteria.all())
    reviews = list(Review.objects.filter(application=app).select_related("reviewer"))
    errors = []
    first_saved, second_started = threading.Event(), threading.Event()

    def first():
        # submits, then keeps its transaction open while the second reviewer submits
        try:
            with transaction.atomic():
                services.review_save(
                    review=reviews[0],
                    reviewer=reviews[0].reviewer,
                    scores={c.pk: (80, "") for c in crits},
                    submit=True,
                )
                first_saved.set()
                second_started.wait(5)
                time.sleep(0.5)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def second():
        try:
            first_saved.wait(5)
            second_started.set()
            services.review_save(
                review=reviews[1],
                reviewer=reviews[1].reviewer,
                scores={c.pk: (60, "") for c in crits},
                submit=True,
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    run_concurrently(first, second)
    assert errors == []
    app.refresh_from_db()
    assert app.status == Application.Status.REVIEWED
    assert (app.review_count, app.review_score, app.review_spread) == (
        2,
        Decimal("70.0000"),
        Decimal("20.00"),
    )


def test_ranking_reads_the_stored_score_not_the_reviews(client, rnd, applicant, projects_staff):
    """The ranking page and API read the aggregate stored on each application: no query of
    theirs touches the review tables, whatever the size of the round."""
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    user, org = applicant
    a = make_reviewed(rnd, org, user, projects_staff, scores=(90, 80, 70))
    b = make_reviewed(rnd, org, user, projects_staff, scores=(60, 60, 60))
    client.force_login(projects_staff)
    for url in (reverse("ventures:ranking", args=[rnd.pk]), f"/api/v1/ventures/rounds/{rnd.pk}/ranking/"):
        with CaptureQueriesContext(conn) as ctx:
            r = client.get(url)
        assert r.status_code == 200
        assert not [q["sql"] for q in ctx.captured_queries if "ventures_review" in q["sql"]]
    rows = client.get(f"/api/v1/ventures/rounds/{rnd.pk}/ranking/").json()["results"]
    assert [(row["id"], row["score"], row["n_reviews"]) for row in rows] == [
        (a.pk, "80.00", 3),
        (b.pk, "60.00", 3),
    ]


def test_my_reviews_rows_are_kept_per_reviewer_and_follow_a_submission(client, projects_staff, reviewers):
    from tests.queries import count_queries

    rnd = make_round(projects_staff, reviewers_per_application=2)
    user, org = make_org_user("rows_org")
    app = _in_review(rnd, (user, org), projects_staff, title="缓存评审项目")
    review = app.reviews.order_by("pk").first()
    outsider = next(r for r in reviewers if not app.reviews.filter(reviewer=r).exists())
    url = reverse("ventures:my_reviews")

    client.force_login(review.reviewer)
    assert "缓存评审项目" in client.get(url).content.decode()
    _n, sql = count_queries(lambda: client.get(url))
    assert not any("ventures_review" in q for q in sql)  # the rows come from the cache
    client.force_login(outsider)  # the cached rows are the first reviewer's only
    assert "缓存评审项目" not in client.get(url).content.decode()

    client.force_login(review.reviewer)
    crits = list(rnd.criteria.all())
    services.review_save(
        review=review, reviewer=review.reviewer, scores={k.pk: (80, "") for k in crits}, submit=True
    )
    page = client.get(url).content.decode()
    assert f'<span class="status ok">{Review.Status.SUBMITTED.label}</span>' in page
