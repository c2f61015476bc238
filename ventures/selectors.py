"""Reads for ventures pages and APIs. Scores, rankings and money are aggregated by the
database (Subquery / annotations / window functions), never by Python loops over rows.

Scoring rules:
- a review's weighted total is Σ score × weight / 100 (scores 0–100 per criterion), frozen on
  the Review row by the database when the reviewer submits;
- an application's score is the mean of its submitted totals, or, with five or more reviews,
  the trimmed mean: (Σ − max − min) / (n − 2); computed by the database (computed_scores) and
  stored on the application in the transaction that submits or reopens a review, so rankings
  read columns;
- reviews disagree strongly when max − min > 20 points.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, FirstValue, Rank, RowNumber
from django.utils import timezone

from ventures.models import (
    Application,
    Fund,
    Installment,
    ProgressReport,
    Review,
    Round,
)

S = Application.Status
MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)
SCORE_FIELD = DecimalField(max_digits=8, decimal_places=4)
DISAGREEMENT_SPREAD = Decimal("20")
TRIM_FROM = 5

# Applications whose award amount counts against the round's budget and the fund.
COMMITTED_STATUSES = (
    S.RECOMMENDED,
    S.ON_NOTICE,
    S.AWARDED,
    S.AGREEMENT_SIGNED,
    S.IN_PROGRESS,
    S.MIDTERM_EVALUATED,
    S.COMPLETED,
    S.TERMINATED,
)
AWARDED_STATUSES = (
    S.AWARDED,
    S.AGREEMENT_SIGNED,
    S.IN_PROGRESS,
    S.MIDTERM_EVALUATED,
    S.COMPLETED,
    S.TERMINATED,
)
REVIEWED_STATUSES = (
    S.REVIEWED,
    S.RECOMMENDED,
    S.NOT_RECOMMENDED,
    S.ON_NOTICE,
    S.AWARDED,
    S.REJECTED,
    *AWARDED_STATUSES[1:],
)
SCREENED_STATUSES = (S.ELIGIBLE, S.INELIGIBLE, S.IN_REVIEW, *REVIEWED_STATUSES)


def _zero():
    return Value(Decimal("0"), output_field=MONEY_FIELD)


def _grouped_sum(model, outer_field: str, field: str, **filters):
    """Σ field over `model` rows whose `outer_field` equals the outer row's pk."""
    qs = model.objects.filter(**{outer_field: OuterRef("pk")}, **filters).order_by().values(outer_field)
    return Coalesce(Subquery(qs.annotate(s=Sum(field)).values("s")[:1], output_field=MONEY_FIELD), _zero())


# --- money -------------------------------------------------------------------------------


# Committed money has ONE definition: an application's award minus its stopped installments
# (money that will never be paid goes back to the fund, so a terminated project counts what
# was paid). `money_committed` sums it over the committed statuses (the budget checks) or,
# with statuses=AWARDED_STATUSES, over the awards past their public notice (the dashboard and
# the home figure). Anything that shows or checks committed money goes through these.


def money_committed(app_filter: Q | None = None, *, statuses=COMMITTED_STATUSES) -> Decimal:
    """Σ award − Σ stopped installments over the applications in `statuses` matching app_filter."""
    apps = Application.objects.filter(app_filter or Q(), status__in=statuses)
    awarded = apps.aggregate(s=Coalesce(Sum("award_amount"), _zero()))["s"]
    stopped = Installment.objects.filter(
        status=Installment.Status.STOPPED, application__in=apps.values("pk")
    ).aggregate(s=Coalesce(Sum("planned_amount"), _zero()))["s"]
    return awarded - stopped


def money_committed_by(field: str, app_filter: Q | None = None, *, statuses=COMMITTED_STATUSES) -> dict:
    """`money_committed` grouped by an application field (e.g. "category"): {value: amount}."""
    apps = Application.objects.filter(app_filter or Q(), status__in=statuses)
    out = {
        row[field]: row["s"]
        for row in apps.values(field).annotate(s=Coalesce(Sum("award_amount"), _zero())).order_by()
    }
    stopped = (
        Installment.objects.filter(status=Installment.Status.STOPPED, application__in=apps.values("pk"))
        .values(f"application__{field}")
        .annotate(s=Sum("planned_amount"))
        .order_by()
    )
    for row in stopped:
        key = row[f"application__{field}"]
        out[key] = out.get(key, Decimal("0")) - row["s"]
    return out


def _committed(app_filter: Q) -> Decimal:
    return money_committed(app_filter)


def round_committed(round_id: int) -> Decimal:
    return _committed(Q(round_id=round_id))


def ranking_summary(rnd: Round) -> dict:
    """The ranking page's figures: money committed in the round and the eligible applications
    still waiting for reviewers, once per data version."""
    from ventures.caching import DATA

    def compute():
        return {
            "committed": round_committed(rnd.pk),
            "eligible_waiting": Application.objects.filter(round=rnd, status=S.ELIGIBLE).count(),
        }

    return DATA.cached("ranking-summary", compute, rnd.pk)


def fund_committed(fund_id: int) -> Decimal:
    return _committed(Q(fund_id=fund_id))


def fund_balance(fund: Fund) -> Decimal:
    """Budget − awarded (money returned by stopped installments counts as not awarded)."""
    return fund.budget - fund_committed(fund.pk)


def fund_list():
    """Funds with awarded and balance computed by the database in one query."""
    awarded = _grouped_sum(Application, "fund", "award_amount", status__in=COMMITTED_STATUSES)
    stopped = _grouped_sum(
        Installment,
        "application__fund",
        "planned_amount",
        status=Installment.Status.STOPPED,
        application__status__in=COMMITTED_STATUSES,
    )
    return Fund.objects.annotate(
        awarded=ExpressionWrapper(awarded - stopped, output_field=MONEY_FIELD),
    ).annotate(balance=ExpressionWrapper(F("budget") - F("awarded"), output_field=MONEY_FIELD))


def application_paid(application_id: int) -> Decimal:
    return Installment.objects.filter(
        application_id=application_id, status=Installment.Status.PAID
    ).aggregate(s=Coalesce(Sum("planned_amount"), _zero()))["s"]


# --- scores ------------------------------------------------------------------------------


class ExactNumber(Func):
    """The expression itself, but REAL on SQLite: its NUMERIC affinity stores 216.0 as the
    integer 216, and integer division would truncate a mean (PostgreSQL keeps numerics)."""

    template = "%(expressions)s"
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="CAST(%(expressions)s AS REAL)", **extra_context)


def _review_stat(agg):
    qs = (
        Review.objects.filter(application=OuterRef("pk"), status=Review.Status.SUBMITTED)
        .order_by()
        .values("application")
        .annotate(v=agg)
        .values("v")[:1]
    )
    return qs


def computed_scores(qs):
    """Aggregate the submitted reviews of each application (the source of truth): annotate
    n_reviews, score (mean / trimmed mean), spread and disagreement. Used when a review is
    submitted or reopened to refresh the stored columns; pages read `with_scores`."""
    n = Coalesce(Subquery(_review_stat(Count("pk")), output_field=IntegerField()), Value(0))
    total = Subquery(_review_stat(Sum("total")), output_field=SCORE_FIELD)
    high = Subquery(_review_stat(Max("total")), output_field=SCORE_FIELD)
    low = Subquery(_review_stat(Min("total")), output_field=SCORE_FIELD)
    qs = qs.annotate(n_reviews=n, score_sum=total, score_max=high, score_min=low)
    return qs.annotate(
        score=Case(
            When(
                n_reviews__gte=TRIM_FROM,
                then=ExpressionWrapper(
                    ExactNumber(F("score_sum") - F("score_max") - F("score_min"), output_field=SCORE_FIELD)
                    / (F("n_reviews") - 2),
                    output_field=SCORE_FIELD,
                ),
            ),
            When(
                n_reviews__gte=1,
                then=ExpressionWrapper(
                    ExactNumber(F("score_sum"), output_field=SCORE_FIELD) / F("n_reviews"),
                    output_field=SCORE_FIELD,
                ),
            ),
            default=None,
            output_field=SCORE_FIELD,
        ),
        spread=ExpressionWrapper(F("score_max") - F("score_min"), output_field=SCORE_FIELD),
        disagreement=Case(
            When(score_max__gt=F("score_min") + DISAGREEMENT_SPREAD, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def with_scores(qs):
    """Annotate applications with n_reviews, score, spread and disagreement read from the
    columns stored at each review submission / reopening (see computed_scores for the rules)."""
    return qs.annotate(
        n_reviews=F("review_count"),
        score=F("review_score"),
        spread=F("review_spread"),
        disagreement=Case(
            When(review_spread__gt=DISAGREEMENT_SPREAD, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def ranking(*, round_id: int, category: str | None = None):
    """The reviewed applications of a round, best first, with overall and per-category rank
    and the cumulative requested amount (compare against the round's budget).

    With `category`, only that category's rows are returned, but every figure is still the
    round's: the overall rank, the category rank and the cumulative amounts are computed over
    the whole round first (the category is filtered after the window functions)."""
    qs = Application.objects.filter(round_id=round_id, status__in=REVIEWED_STATUSES)
    qs = with_scores(qs).select_related("organization", "round")
    order = [F("score").desc(nulls_last=True), F("pk").asc()]

    qs = _ranking_windows(qs, order)
    if category:
        # A filter on a window annotation is applied to the windowed rows (Django wraps the
        # query), unlike a filter on a column, which would run before the windows.
        qs = qs.annotate(row_category=Window(FirstValue("category"), partition_by=[F("category")])).filter(
            row_category=category
        )
    return qs.order_by(*order)


def _ranking_windows(qs, order):
    from django.db.models.expressions import RowRange

    return qs.annotate(
        rank=Window(Rank(), order_by=[F("score").desc(nulls_last=True)]),
        category_rank=Window(
            Rank(), partition_by=[F("category")], order_by=[F("score").desc(nulls_last=True)]
        ),
        position=Window(RowNumber(), order_by=order),
        cumulative=Window(Sum("requested_amount"), order_by=order, frame=RowRange(start=None, end=0)),
    )


# The ranking's figures (ranks, cumulative amounts) change only when a review is submitted or
# reopened or an application changes status: they are computed once per version and kept in
# the shared cache; the services call ranking_changed() in those transactions.
RANKING_VERSION_KEY = "ventures:ranking-version"
RANKING_CACHE_SECONDS = 3600


def _ranking_version() -> str:
    from django.core.cache import cache

    version = cache.get(RANKING_VERSION_KEY)
    if version is None:
        cache.add(RANKING_VERSION_KEY, secrets.token_hex(6), None)
        version = cache.get(RANKING_VERSION_KEY) or "0"
    return version


def ranking_changed() -> None:
    """Every cached ranking is stale: now (for readers in this transaction) and again after
    the commit (a reader elsewhere may have cached the state before it)."""
    from django.core.cache import cache
    from django.db import transaction

    def bump():
        cache.set(RANKING_VERSION_KEY, secrets.token_hex(6), None)

    bump()
    transaction.on_commit(bump)


def ranking_figures(*, round_id: int) -> list[tuple]:
    """(pk, category, rank, category_rank, cumulative) of the round's ranking, best first,
    computed by the database once per ranking version and shared by every process."""
    from django.core.cache import cache

    key = f"ventures:ranking:{_ranking_version()}:{round_id}"
    rows = cache.get(key)
    if rows is None:
        rows = list(
            ranking(round_id=round_id).values_list("pk", "category", "rank", "category_rank", "cumulative")
        )
        cache.set(key, rows, RANKING_CACHE_SECONDS)
    return rows


def ranking_page(*, round_id: int, category: str | None, page: str | None, per_page: int = 50):
    """One page of the ranking (optionally of one category, with the round's figures): the
    figures from ranking_figures, the page's applications read live (status, award)."""
    from django.core.paginator import Paginator

    figures = ranking_figures(round_id=round_id)
    if category:
        figures = [row for row in figures if row[1] == category]
    page_obj = Paginator(figures, per_page).get_page(page)
    by_pk = (
        with_scores(Application.objects.filter(pk__in=[row[0] for row in page_obj]))
        .select_related("organization", "round")
        .in_bulk()
    )
    apps = []
    for pk, _category, rank, category_rank, cumulative in page_obj:
        app = by_pk.get(pk)
        if app is None:  # gone since the figures were cached
            continue
        app.rank, app.category_rank, app.cumulative = rank, category_rank, cumulative
        apps.append(app)
    page_obj.object_list = apps
    return page_obj


def application_with_score(application_id: int):
    return with_scores(Application.objects.filter(pk=application_id)).first()


# --- lists -------------------------------------------------------------------------------


def open_rounds(now=None):
    now = now or timezone.now()
    return (
        Round.objects.filter(call_opens__lte=now, call_closes__gt=now)
        .select_related("fund")
        .order_by("call_closes")
    )


def rounds_on_notice(today=None):
    """Rounds whose public notice (公示) is running or has applications still on notice."""
    today = today or timezone.localdate()
    return (
        Round.objects.filter(
            Q(notice_ends__gte=today) | Q(applications__status=S.ON_NOTICE), notice_starts__isnull=False
        )
        .distinct()
        .order_by("-notice_starts")
    )


def rounds_for_staff():
    return (
        Round.objects.select_related("fund")
        .annotate(
            n_applications=Count("applications", filter=~Q(applications__status=S.DRAFT)),
        )
        .order_by("-year", "-call_opens")
    )


def applications_for_organizations(org_ids):
    return (
        Application.objects.filter(organization_id__in=org_ids)
        .select_related("round", "organization")
        .order_by("-created_at", "-pk")
    )


def applications_for_screening(*, round_id: int | None = None):
    qs = Application.objects.filter(status__in=[S.SUBMITTED, S.INFO_REQUESTED]).select_related(
        "round", "organization", "street"
    )
    if round_id:
        qs = qs.filter(round_id=round_id)
    return qs.order_by("submitted_at", "pk")


def reviews_for_reviewer(user):
    """A reviewer's assignments; the organization is never joined (blind review)."""
    return (
        Review.objects.filter(reviewer=user)
        .exclude(status=Review.Status.CONFLICT)
        .select_related("application", "application__round")
        .only(
            "id",
            "status",
            "total",
            "assigned_at",
            "submitted_at",
            "application__id",
            "application__title",
            "application__category",
            "application__requested_amount",
            "application__round__id",
            "application__round__title",
            "application__round__review_deadline",
            "application__round__blind_review",
            "application__organization_id",
        )
        .order_by("status", "application__round__review_deadline", "pk")
    )


def reviews_for_round(round_id: int):
    return (
        Review.objects.filter(application__round_id=round_id)
        .select_related("application", "application__organization", "application__round", "reviewer")
        .order_by("application_id", "pk")
    )


def eligibility_checks(application: Application) -> list[dict]:
    """The automatic screening rules with their outcome, shown to staff before they decide."""
    from django.utils.translation import gettext as _

    from organizations import selectors as org_selectors

    org = application.organization
    rnd = application.round
    checks = []
    if rnd.require_verified:
        ok = org_selectors.organization_may_apply(org)
        checks.append(
            {
                "code": "verified",
                "label": _("Verified organization, or community organization on record"),
                "passed": ok,
                "detail": org.get_status_display(),
            }
        )
    if rnd.exclude_abnormal:
        ok = not org_selectors.organization_is_on_abnormal_list(org)
        checks.append(
            {
                "code": "not_abnormal",
                "label": _("Not on the abnormal-activity list"),
                "passed": ok,
                "detail": "" if ok else _("On the abnormal list"),
            }
        )
    if rnd.no_double_funding:
        dup = (
            Application.objects.filter(
                organization_id=org.pk, title__iexact=application.title.strip(), status__in=COMMITTED_STATUSES
            )
            .exclude(pk=application.pk)
            .select_related("round")
            .first()
        )
        checks.append(
            {
                "code": "no_double_funding",
                "label": _("The same project has not been funded before"),
                "passed": dup is None,
                "detail": dup.round.title if dup else "",
            }
        )
    cats = rnd.categories or []
    checks.append(
        {
            "code": "category",
            "label": _("Category within the round's service areas"),
            "passed": not cats or application.category in cats,
            "detail": application.get_category_display(),
        }
    )
    checks.append(
        {
            "code": "cap",
            "label": _("Requested amount within the cap"),
            "passed": application.requested_amount <= rnd.cap,
            "detail": f"{application.requested_amount:,.2f} / {rnd.cap:,.2f}",
        }
    )
    return checks


def round_dashboard(round_id: int) -> dict:
    """The round's figures in a handful of aggregate queries."""
    apps = Application.objects.filter(round_id=round_id).exclude(status=S.DRAFT)
    awarded_q = Q(status__in=AWARDED_STATUSES)
    totals = apps.aggregate(
        applications=Count("pk"),
        screened=Count("pk", filter=Q(status__in=SCREENED_STATUSES)),
        reviewed=Count("pk", filter=Q(status__in=REVIEWED_STATUSES)),
        awarded=Count("pk", filter=awarded_q),
        expected_direct=Coalesce(Sum("expected_direct", filter=awarded_q), 0),
        expected_indirect=Coalesce(Sum("expected_indirect", filter=awarded_q), 0),
    )
    totals["money_awarded"] = money_committed(Q(round_id=round_id), statuses=AWARDED_STATUSES)
    totals["money_paid"] = Installment.objects.filter(
        application__round_id=round_id, status=Installment.Status.PAID
    ).aggregate(s=Coalesce(Sum("planned_amount"), _zero()))["s"]
    totals["money_stopped"] = Installment.objects.filter(
        application__round_id=round_id,
        status=Installment.Status.STOPPED,
        application__status__in=AWARDED_STATUSES,
    ).aggregate(s=Coalesce(Sum("planned_amount"), _zero()))["s"]
    # Actual beneficiaries: each project's latest filed report carries its cumulative figures,
    # so take the final report where one is filed, else the mid-term one.
    filed = ProgressReport.objects.filter(application__round_id=round_id).exclude(
        status=ProgressReport.Status.DUE
    )
    final_filed = ProgressReport.objects.filter(
        application=OuterRef("application"), kind=ProgressReport.Kind.FINAL
    ).exclude(status=ProgressReport.Status.DUE)
    latest = filed.filter(Q(kind=ProgressReport.Kind.FINAL) | ~Exists(final_filed))
    actual = latest.aggregate(d=Coalesce(Sum("actual_direct"), 0), i=Coalesce(Sum("actual_indirect"), 0))
    totals["actual_direct"], totals["actual_indirect"] = actual["d"], actual["i"]
    by_category = list(
        apps.values("category")
        .annotate(
            applications=Count("pk"),
            awarded=Count("pk", filter=awarded_q),
            direct=Coalesce(Sum("expected_direct", filter=awarded_q), 0),
        )
        .order_by("category")
    )
    money = money_committed_by("category", Q(round_id=round_id), statuses=AWARDED_STATUSES)
    for row in by_category:
        row["money"] = money.get(row["category"], Decimal("0"))
    return {"totals": totals, "by_category": by_category}


def awarded_projects():
    """Public list of awarded projects (organization shown: awards are public)."""
    paid = _grouped_sum(Installment, "application", "planned_amount", status=Installment.Status.PAID)
    return (
        Application.objects.filter(status__in=AWARDED_STATUSES)
        .select_related("round", "organization", "street")
        .annotate(paid=paid)
        .order_by("-round__year", "round_id", "category", "pk")
    )


def notice_applications(round_id: int):
    return with_scores(
        Application.objects.filter(round_id=round_id, status=S.ON_NOTICE).select_related("organization")
    ).order_by(F("score").desc(nulls_last=True), "pk")


def reviews_overdue(today=None):
    today = today or timezone.localdate()
    return Review.objects.filter(
        status=Review.Status.ASSIGNED,
        application__status=S.IN_REVIEW,
        application__round__review_deadline__lt=today,
    )


def reports_to_evaluate():
    return ProgressReport.objects.filter(status=ProgressReport.Status.SUBMITTED)


def spending_with_variance(report: ProgressReport):
    """Spending per budget line against plan; variance over 10% of the plan is flagged."""
    rows = report.spending.select_related("budget_line").annotate(
        planned=F("budget_line__amount"),
        variance=ExpressionWrapper(F("spent") - F("budget_line__amount"), output_field=MONEY_FIELD),
    )
    out = []
    for r in rows:
        pct = (r.variance / r.planned * 100) if r.planned else None
        r.variance_pct = pct
        r.flagged = pct is None and r.spent > 0 or (pct is not None and abs(pct) > 10)
        out.append(r)
    return out
