"""Every write of ventures. Status changes go through `application_transition` (one pipeline,
one history row per change). Money rules enforced here:

- budget lines sum to the requested amount, which is at most the round's cap;
- an award is at most the amount requested, and a round never awards more than its budget
  (nor a fund more than its balance): `award_approve` locks the round row (and the fund row)
  with select_for_update, so concurrent approvals queue up and each sees the others' awards;
- installments paid never exceed the award (the application row is locked while paying).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from center.calendar import add_working_days
from center.dates import add_months
from center.errors import DomainError, PermissionDeniedError
from center.money import format_yuan
from center.services import notification_send
from center.validators import validate_upload
from center.workflow import transition
from organizations import selectors as org_selectors
from ventures import selectors
from ventures.models import (
    Agreement,
    Application,
    ApplicationStatusChange,
    Attachment,
    BudgetLine,
    ConflictDeclaration,
    Criterion,
    Evaluation,
    Fund,
    Installment,
    InstallmentRule,
    InstallmentStatusChange,
    Milestone,
    Objection,
    ObjectionStatusChange,
    ProgressReport,
    ProgressReportStatusChange,
    Review,
    ReviewScore,
    ReviewStatusChange,
    Round,
    SpendingLine,
    Trigger,
)
from ventures.permissions import is_projects_staff

S = Application.Status

# The application workflow as data: status -> statuses allowed next.
PIPELINE: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.ELIGIBLE, S.INELIGIBLE, S.INFO_REQUESTED}),
    S.INFO_REQUESTED: frozenset({S.SUBMITTED}),
    S.ELIGIBLE: frozenset({S.IN_REVIEW}),
    S.INELIGIBLE: frozenset(),
    S.IN_REVIEW: frozenset({S.REVIEWED}),
    S.REVIEWED: frozenset({S.RECOMMENDED, S.NOT_RECOMMENDED, S.IN_REVIEW}),
    S.RECOMMENDED: frozenset({S.ON_NOTICE, S.REVIEWED}),
    S.NOT_RECOMMENDED: frozenset({S.REVIEWED}),
    S.ON_NOTICE: frozenset({S.AWARDED, S.REJECTED}),
    S.AWARDED: frozenset({S.AGREEMENT_SIGNED, S.TERMINATED}),
    S.REJECTED: frozenset(),
    S.AGREEMENT_SIGNED: frozenset({S.IN_PROGRESS, S.TERMINATED}),
    S.IN_PROGRESS: frozenset({S.MIDTERM_EVALUATED, S.TERMINATED}),
    S.MIDTERM_EVALUATED: frozenset({S.COMPLETED, S.TERMINATED}),
    S.COMPLETED: frozenset(),
    S.TERMINATED: frozenset(),
}

# The smaller workflows, each with its history table.
REVIEW_PIPELINE: dict[str, frozenset[str]] = {
    Review.Status.ASSIGNED: frozenset({Review.Status.SUBMITTED, Review.Status.CONFLICT}),
    Review.Status.SUBMITTED: frozenset({Review.Status.ASSIGNED}),  # staff reopen it
    Review.Status.CONFLICT: frozenset(),
}
OBJECTION_PIPELINE: dict[str, frozenset[str]] = {
    Objection.Status.OPEN: frozenset({Objection.Status.UPHELD, Objection.Status.DISMISSED}),
    Objection.Status.UPHELD: frozenset(),
    Objection.Status.DISMISSED: frozenset(),
}
INSTALLMENT_PIPELINE: dict[str, frozenset[str]] = {
    Installment.Status.PLANNED: frozenset({Installment.Status.PAID, Installment.Status.STOPPED}),
    Installment.Status.PAID: frozenset(),
    Installment.Status.STOPPED: frozenset(),
}
REPORT_PIPELINE: dict[str, frozenset[str]] = {
    ProgressReport.Status.DUE: frozenset({ProgressReport.Status.SUBMITTED}),
    ProgressReport.Status.SUBMITTED: frozenset({ProgressReport.Status.EVALUATED}),
    ProgressReport.Status.EVALUATED: frozenset(),
}

DEFAULT_RUBRIC = [
    (gettext_noop("Need and target group"), 25),
    (gettext_noop("Project design and feasibility"), 25),
    (gettext_noop("Organization capacity and team"), 20),
    (gettext_noop("Budget soundness"), 15),
    (gettext_noop("Sustainability and impact"), 15),
]
DEFAULT_SCHEDULE = [(50, Trigger.SIGNING), (30, Trigger.MIDTERM_PASSED), (20, Trigger.FINAL_PASSED)]
CENT = Decimal("0.01")


def _yuan(value) -> str:
    """Money in messages (after "yuan" in the sentence): 40,000.00."""
    return format_yuan(value or 0, symbol=False)


def _require_staff(user) -> None:
    """Refuse unless `user` is projects staff. The acting person is required: a service
    called without one (None) is refused too, never waved through."""
    if user is None or not is_projects_staff(user):
        raise PermissionDeniedError(_("Only staff of the Project Management Department may do this."))


def _notify_applicant(application: Application, title: str, body: str = "") -> None:
    url = reverse("ventures:application_detail", args=[application.pk])
    for user in org_selectors.organization_owners(application.organization_id):
        notification_send(user=user, title=title, body=body, url=url)


def application_transition(
    application: Application,
    *,
    to: str,
    by,
    reason: str = "",
    extra: dict | None = None,
    notify: bool = True,
) -> Application:
    """The one way an application changes status. Raises TransitionError when the pipeline
    does not allow `to` from the current status."""

    def _notify(obj, old, new):
        if notify:
            _notify_applicant(
                obj,
                _("Your venture application “%(title)s” is now: %(status)s")
                % {"title": obj.title, "status": S(new).label},
                reason,
            )

    result = transition(
        application,
        to=to,
        pipeline=PIPELINE,
        by=by,
        reason=reason,
        history_model=ApplicationStatusChange,
        history=_notify,
        extra_updates=extra,
    ).obj
    selectors.ranking_changed()  # who is ranked, and their status on the ranking page
    return result


# --- configuration -------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    fund: Fund,
    year: int,
    title: str,
    budget: Decimal,
    call_opens,
    call_closes,
    by,
    rubric: list[tuple[str, int]] | None = None,
    schedule: list[tuple[int, str]] | None = None,
    **fields,
) -> Round:
    """Create a round with its rubric (default five criteria) and installment schedule
    (default 50/30/20). Fails when the rubric's weights or the schedule's percents do not sum
    to 100, or the call closes before it opens."""
    _require_staff(by)
    rnd = Round(
        fund=fund,
        year=year,
        title=title,
        budget=budget,
        call_opens=call_opens,
        call_closes=call_closes,
        **fields,
    )
    if not rnd.categories:
        rnd.categories = ["elderly", "disabled", "orphans", "poor"]
    rnd.full_clean()
    if call_closes <= call_opens:
        raise DomainError(_("The call must close after it opens."), code="call_dates")
    rnd.save()
    round_rubric_set(round=rnd, criteria=rubric or [(_(n), w) for n, w in DEFAULT_RUBRIC])
    round_schedule_set(round=rnd, rules=schedule or DEFAULT_SCHEDULE)
    return rnd


@transaction.atomic
def round_update(
    *,
    round: Round,
    by,
    data: dict,
    rubric: list[tuple[str, int]] | None = None,
    schedule: list[tuple[int, str]] | None = None,
) -> Round:
    """Change a round's configuration. Fails like round_create, when the rubric changes after
    reviews were scored, and when the budget would fall below what is already committed (the
    round row is locked, as award_approve does). Returns the saved round."""
    _require_staff(by)
    round = Round.objects.select_for_update().get(pk=round.pk)  # no award approved meanwhile
    for k, v in data.items():
        setattr(round, k, v)
    round.full_clean()
    if round.call_closes <= round.call_opens:
        raise DomainError(_("The call must close after it opens."), code="call_dates")
    committed = selectors.round_committed(round.pk)
    if round.budget < committed:
        raise DomainError(
            _("The budget cannot be lower than the %(c)s yuan already committed to awards.")
            % {"c": _yuan(committed)},
            code="budget_below_committed",
        )
    round.save()
    if rubric is not None:
        current = [(c.name, c.weight) for c in round.criteria.all()]
        if [(n, int(w)) for n, w in rubric] != current:
            round_rubric_set(round=round, criteria=rubric)
    if schedule is not None:
        round_schedule_set(round=round, rules=schedule)
    return round


@transaction.atomic
def fund_create(*, by, name: str, source: str, year: int, budget: Decimal) -> Fund:
    """Fails when the source already has a fund for that year."""
    _require_staff(by)
    if Fund.objects.filter(source=source, year=year).exists():
        raise DomainError(_("This source already has a fund for %(y)d.") % {"y": year}, code="fund_exists")
    fund = Fund(name=name, source=source, year=year, budget=budget)
    fund.full_clean()
    fund.save()
    return fund


@transaction.atomic
def round_rubric_set(*, round: Round, criteria: list[tuple[str, int]]) -> list[Criterion]:
    """Replace the rubric. Fails when weights do not sum to 100 or reviews already scored it."""
    total = sum(int(w) for _n, w in criteria)
    if total != 100:
        raise DomainError(
            _("Criterion weights must sum to 100 (they sum to %(n)d).") % {"n": total}, code="weights"
        )
    if ReviewScore.objects.filter(criterion__round=round).exists():
        raise DomainError(_("The rubric cannot change once reviews have been scored."), code="rubric_locked")
    Criterion.objects.filter(round=round).delete()
    return Criterion.objects.bulk_create(
        [Criterion(round=round, name=n, weight=int(w), order=i) for i, (n, w) in enumerate(criteria)]
    )


@transaction.atomic
def round_schedule_set(*, round: Round, rules: list[tuple[int, str]]) -> list[InstallmentRule]:
    total = sum(int(p) for p, _t in rules)
    if total != 100:
        raise DomainError(
            _("Installment percents must sum to 100 (they sum to %(n)d).") % {"n": total}, code="schedule"
        )
    InstallmentRule.objects.filter(round=round).delete()
    return InstallmentRule.objects.bulk_create(
        [InstallmentRule(round=round, percent=int(p), trigger=t, order=i) for i, (p, t) in enumerate(rules)]
    )


# --- applicant side ------------------------------------------------------------------------

APPLICATION_FIELDS = (
    "category",
    "title",
    "summary",
    "need",
    "target_group",
    "activity_plan",
    "street",
    "community",
    "duration_months",
    "start_date",
    "requested_amount",
    "co_funding",
    "expected_direct",
    "expected_indirect",
    "team",
)


def _check_member(user, organization_id: int) -> None:
    if not org_selectors.user_is_member(user, organization_id):
        raise PermissionDeniedError(_("You are not a member of this organization."))


MAX_AMOUNT = Decimal("9999999999.99")  # what a MONEY column (12 digits, 2 decimals) holds


def _amount(value, label, *, allow_zero: bool = True) -> Decimal:
    """A money amount from any door (form, API, admin, import): a finite number of yuan with
    at most two decimals, not negative (nor zero unless allowed), within what the column
    holds. Raises ValidationError naming the field."""
    from django.core.exceptions import ValidationError

    try:
        amount = Decimal(str(value))
    except Exception:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(CENT) or amount > MAX_AMOUNT:
        raise ValidationError(_("%(field)s: enter an amount in yuan.") % {"field": label}, code="amount")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(
            _("%(field)s must be more than zero.") % {"field": label}
            if not allow_zero
            else _("%(field)s cannot be negative.") % {"field": label},
            code="amount_negative",
        )
    return amount


def _check_application_money(data: dict) -> None:
    for name in ("requested_amount", "co_funding"):
        if name in data and data[name] is not None:
            data[name] = _amount(data[name], Application._meta.get_field(name).verbose_name)


def _save_lines(application, budget_lines, milestones):
    if budget_lines is not None:
        # bulk_create skips the model validators: check every amount here
        lines = [
            (item, _amount(amount, BudgetLine._meta.get_field("amount").verbose_name, allow_zero=False))
            for item, amount in budget_lines
        ]
        BudgetLine.objects.filter(application=application).delete()
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(application=application, item=item, amount=amount, order=i)
                for i, (item, amount) in enumerate(lines)
            ]
        )
    if milestones is not None:
        Milestone.objects.filter(application=application).delete()
        Milestone.objects.bulk_create(
            [
                Milestone(application=application, month=int(month), description=desc)
                for month, desc in milestones
            ]
        )


@transaction.atomic
def application_create(
    *, round: Round, organization, user, data: dict, budget_lines=None, milestones=None, now=None
) -> Application:
    """Start a draft. Fails when the user is not a member of the organization or the call is
    not open."""
    _check_member(user, organization.pk)
    if not round.is_open(now):
        raise DomainError(_("This call is not open for applications."), code="call_closed")
    data = dict(data)
    _check_application_money(data)
    app = Application(
        round=round,
        organization=organization,
        created_by=user,
        **{k: v for k, v in data.items() if k in APPLICATION_FIELDS},
    )
    app.full_clean(exclude=["round", "organization"])
    app.save()
    _save_lines(app, budget_lines, milestones)
    return app


@transaction.atomic
def application_update(
    *, application: Application, user, data: dict, budget_lines=None, milestones=None
) -> Application:
    """Edit a draft (or an application returned for more information)."""
    _check_member(user, application.organization_id)
    if application.status not in (S.DRAFT, S.INFO_REQUESTED):
        raise DomainError(_("Only a draft can be edited."), code="not_editable")
    data = dict(data)
    _check_application_money(data)
    for k, v in data.items():
        if k in APPLICATION_FIELDS:
            setattr(application, k, v)
    application.full_clean(exclude=["round", "organization"])
    application.save()
    _save_lines(application, budget_lines, milestones)
    return application


@transaction.atomic
def attachment_add(
    *, application: Application, user, upload, report: ProgressReport | None = None
) -> Attachment:
    """Store an attachment. Fails (ValidationError) when the file is over 10 MB or its content
    is not PDF, Word, Excel or an image, whatever its name says; fails (DomainError) for an
    application attachment once the application was submitted (reviewers must all see the
    same file set), except while more information is requested."""
    _check_member(user, application.organization_id)
    if report is None and application.status not in (S.DRAFT, S.INFO_REQUESTED):
        raise DomainError(
            _(
                "Attachments can only be added while the application is a draft or more "
                "information was requested."
            ),
            code="not_editable",
        )
    mime = validate_upload(upload)
    return Attachment.objects.create(
        application=application,
        report=report,
        file=upload,
        name=upload.name[:200],
        mime=mime,
        size=upload.size,
        uploaded_by=user,
    )


def application_problems(application: Application) -> list[str]:
    """What stops this application from being submitted (empty list: ready)."""
    rnd = application.round
    problems = []
    lines_total = application.budget_lines.aggregate(s=Coalesce(Sum("amount"), Decimal("0")))["s"]
    if not application.title.strip():
        problems.append(_("The project needs a title."))
    if application.requested_amount <= 0:
        problems.append(_("Enter the amount requested."))
    if application.requested_amount > rnd.cap:
        problems.append(
            _("The amount requested (%(a)s) is over the round's cap of %(cap)s yuan.")
            % {"a": _yuan(application.requested_amount), "cap": _yuan(rnd.cap)}
        )
    if lines_total != application.requested_amount:
        problems.append(
            _("The budget lines add up to %(s)s yuan but the request is %(a)s yuan; they must be equal.")
            % {"s": _yuan(lines_total), "a": _yuan(application.requested_amount)}
        )
    if not rnd.min_months <= application.duration_months <= rnd.max_months:
        problems.append(
            _("The project must last between %(a)d and %(b)d months.")
            % {"a": rnd.min_months, "b": rnd.max_months}
        )
    if rnd.categories and application.category not in rnd.categories:
        problems.append(_("This round does not fund the chosen category."))
    return problems


@transaction.atomic
def application_submit(*, application: Application, user, now=None) -> Application:
    """Submit a draft. Fails when the call has closed (server time), when the budget does not
    add up, or when the user is not a member of the applicant organization."""
    _check_member(user, application.organization_id)
    now = now or timezone.now()
    rnd = application.round
    if application.status == S.DRAFT and now >= rnd.call_closes:
        raise DomainError(
            _("The call closed at %(t)s; submissions are no longer accepted.")
            % {"t": timezone.localtime(rnd.call_closes).strftime("%Y-%m-%d %H:%M")},
            code="call_closed",
        )
    problems = application_problems(application)
    if problems:
        raise DomainError(" ".join(problems), code="incomplete", details={"problems": problems})
    return application_transition(
        application, to=S.SUBMITTED, by=user, extra={"submitted_at": now}, notify=False
    )


@transaction.atomic
def application_answer_info(*, application: Application, user, answer: str) -> Application:
    """Answer screening's request for more information; the application goes back to screening."""
    _check_member(user, application.organization_id)
    if not answer.strip():
        raise DomainError(_("Write your answer."), code="empty_answer")
    if application.status != S.INFO_REQUESTED:
        raise DomainError(_("No information was requested."), code="no_request")
    problems = application_problems(application)
    if problems:
        raise DomainError(" ".join(problems), code="incomplete", details={"problems": problems})
    return application_transition(
        application, to=S.SUBMITTED, by=user, reason=answer, extra={"info_answer": answer}, notify=False
    )


# --- screening -----------------------------------------------------------------------------


@transaction.atomic
def screening_decide(*, application: Application, by, eligible: bool, reason: str) -> Application:
    """Staff confirm (or overrule) the automatic checks, with a reason. The applicant is notified."""
    _require_staff(by)
    if not reason.strip():
        raise DomainError(_("Give a reason for the screening decision."), code="reason_required")
    return application_transition(
        application,
        to=S.ELIGIBLE if eligible else S.INELIGIBLE,
        by=by,
        reason=reason,
        extra={"screening_reason": reason},
    )


@transaction.atomic
def screening_request_info(*, application: Application, by, request_text: str) -> Application:
    _require_staff(by)
    if not request_text.strip():
        raise DomainError(_("Say what information is needed."), code="reason_required")
    return application_transition(
        application, to=S.INFO_REQUESTED, by=by, reason=request_text, extra={"info_request": request_text}
    )


# --- reviewers -----------------------------------------------------------------------------


def _reviewer_pool(application: Application, exclude_ids: set[int]):
    from center.models import User

    member_ids = User.objects.filter(memberships__organization_id=application.organization_id).values("pk")
    return (
        User.objects.filter(role=User.Role.REVIEWER, is_active=True)
        .exclude(pk__in=member_ids)
        .exclude(pk__in=exclude_ids)
        .annotate(load=Count("venture_reviews", filter=Q(venture_reviews__status=Review.Status.ASSIGNED)))
        .order_by("load", "pk")
    )


def _assign(application: Application, n: int) -> list[Review]:
    taken = set(Review.objects.filter(application=application).values_list("reviewer_id", flat=True))
    taken |= set(
        ConflictDeclaration.objects.filter(application=application).values_list("reviewer_id", flat=True)
    )
    reviewers = list(_reviewer_pool(application, taken)[:n])
    created = Review.objects.bulk_create([Review(application=application, reviewer=r) for r in reviewers])
    for r in reviewers:
        notification_send(
            user=r,
            title=_("A venture application was assigned to you for review"),
            url=reverse("ventures:my_reviews"),
            email=False,
        )
    return created


@transaction.atomic
def reviewers_assign(*, application: Application, by) -> list[Review]:
    """Assign the round's number of reviewers in balanced rotation (fewest open assignments
    first), never members of the applicant organization, and start the review. Fails when
    the application is not eligible or no reviewer is available."""
    _require_staff(by)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != S.ELIGIBLE:
        raise DomainError(_("Only eligible applications go to review."), code="not_eligible")
    reviews = _assign(locked, locked.round.reviewers_per_application)
    if not reviews:
        raise DomainError(_("No reviewer is available for this application."), code="no_reviewers")
    application_transition(locked, to=S.IN_REVIEW, by=by, notify=True)
    application.status = S.IN_REVIEW
    return reviews


def _get_own_review(review: Review, reviewer) -> Review:
    locked = (
        Review.objects.select_for_update()
        .select_related("application", "application__round")
        .get(pk=review.pk)
    )
    if locked.reviewer_id != reviewer.pk:
        raise PermissionDeniedError(_("This review is not assigned to you."))
    if locked.status == Review.Status.CONFLICT:
        raise PermissionDeniedError(_("You declared a conflict of interest on this application."))
    return locked


@transaction.atomic
def review_declare_conflict(*, review: Review, reviewer, reason: str) -> Review | None:
    """The reviewer withdraws; a replacement is assigned automatically. Returns the new review
    (None when nobody else is available). Fails once the review has been submitted."""
    locked = _get_own_review(review, reviewer)
    if locked.status == Review.Status.SUBMITTED:
        raise DomainError(
            _("A submitted review cannot be withdrawn; ask staff to reopen it."), code="submitted"
        )
    if not reason.strip():
        raise DomainError(_("Describe the conflict of interest."), code="reason_required")
    transition(
        locked,
        to=Review.Status.CONFLICT,
        pipeline=REVIEW_PIPELINE,
        by=reviewer,
        reason=reason,
        history_model=ReviewStatusChange,
    )
    ReviewScore.objects.filter(review=locked).delete()
    replacement = _assign(locked.application, 1)
    ConflictDeclaration.objects.create(
        application=locked.application,
        reviewer=reviewer,
        reason=reason,
        replacement=replacement[0].reviewer if replacement else None,
    )
    _maybe_reviewed(locked.application, by=reviewer)
    return replacement[0] if replacement else None


SCORE_PLACES = Decimal("0.0001")


def _spread(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def application_score_refresh(application_id: int) -> None:
    """Store the application's review aggregate (count, mean / trimmed mean, spread), computed
    by the database from its submitted reviews. Call it inside the transaction that changed a
    review, with the application row locked, so concurrent submissions cannot store a stale
    figure."""
    row = (
        selectors.computed_scores(Application.objects.filter(pk=application_id))
        .values("n_reviews", "score", "spread")
        .first()
    )
    score = (
        Decimal(str(row["score"])).quantize(SCORE_PLACES, ROUND_HALF_UP) if row["score"] is not None else None
    )
    Application.objects.filter(pk=application_id).update(
        review_count=row["n_reviews"],
        review_score=score,
        review_spread=_spread(row["spread"]),
    )
    selectors.ranking_changed()  # a review was submitted or reopened: the cached ranks are stale


def application_scores_refresh_round(round_id: int) -> int:
    """Recompute the stored review aggregates of a whole round (demo and bench seeding, which
    bulk-create reviews). Returns how many applications were updated."""
    batch = []
    for row in (
        selectors.computed_scores(Application.objects.filter(round_id=round_id))
        .values("pk", "n_reviews", "score", "spread")
        .iterator(chunk_size=2000)
    ):
        score = (
            Decimal(str(row["score"])).quantize(SCORE_PLACES, ROUND_HALF_UP)
            if row["score"] is not None
            else None
        )
        batch.append(
            Application(
                pk=row["pk"],
                review_count=row["n_reviews"],
                review_score=score,
                review_spread=_spread(row["spread"]),
            )
        )
    Application.objects.bulk_update(batch, ["review_count", "review_score", "review_spread"], batch_size=1000)
    selectors.ranking_changed()
    return len(batch)


def _maybe_reviewed(application: Application, *, by) -> None:
    """Refresh the stored score and, once no review is open, mark the application reviewed.
    The application row is locked first: of two reviewers submitting the last two reviews at
    once, the second waits and then sees the first one's review."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    application_score_refresh(app.pk)
    if app.status != S.IN_REVIEW:
        return
    counts = app.reviews.aggregate(
        open=Count("pk", filter=Q(status=Review.Status.ASSIGNED)),
        done=Count("pk", filter=Q(status=Review.Status.SUBMITTED)),
    )
    if counts["open"] == 0 and counts["done"] > 0:
        application_transition(app, to=S.REVIEWED, by=by, notify=False)


@transaction.atomic
def review_save(
    *, review: Review, reviewer, scores: dict[int, tuple], comment: str = "", submit: bool = False
) -> Review:
    """Save scores (criterion id -> (score 0–100, comment)); with submit=True every criterion
    must be scored and the weighted total is computed by the database. Fails when the review
    is not the reviewer's, was already submitted, or a score is out of range."""
    locked = _get_own_review(review, reviewer)
    if locked.status == Review.Status.SUBMITTED:
        raise DomainError(_("This review was submitted; only staff can reopen it."), code="submitted")
    if locked.application.status != S.IN_REVIEW:
        raise DomainError(_("This application is not in review."), code="not_in_review")
    criteria = {c.pk: c for c in Criterion.objects.filter(round=locked.application.round)}
    rows = []
    for cid, (score, note) in scores.items():
        if int(cid) not in criteria:
            raise DomainError(_("Unknown criterion."), code="criterion")
        if score in (None, ""):
            continue
        try:
            value = Decimal(str(score))
        except Exception as exc:
            raise DomainError(_("Scores are numbers from 0 to 100."), code="score_range") from exc
        if not Decimal("0") <= value <= Decimal("100"):
            raise DomainError(_("Scores are numbers from 0 to 100."), code="score_range")
        rows.append(ReviewScore(review=locked, criterion_id=int(cid), score=value, comment=note or ""))
    ReviewScore.objects.filter(review=locked).delete()
    ReviewScore.objects.bulk_create(rows)
    locked.comment = comment
    locked.save(update_fields=["comment"])
    if submit:
        if len(rows) != len(criteria):
            raise DomainError(_("Score every criterion before submitting."), code="incomplete")
        total = ReviewScore.objects.filter(review=locked).aggregate(
            t=Sum(F("score") * F("criterion__weight"))
        )["t"]
        locked = transition(
            locked,
            to=Review.Status.SUBMITTED,
            pipeline=REVIEW_PIPELINE,
            by=reviewer,
            history_model=ReviewStatusChange,
            extra_updates={
                "total": (Decimal(str(total)) / 100).quantize(CENT, ROUND_HALF_UP),
                "submitted_at": timezone.now(),
            },
        ).obj
        _maybe_reviewed(locked.application, by=reviewer)
    return locked


@transaction.atomic
def review_reopen(*, review: Review, by) -> Review:
    """Staff reopen a submitted review; the application goes back into review."""
    _require_staff(by)
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.status != Review.Status.SUBMITTED:
        raise DomainError(_("Only a submitted review can be reopened."), code="not_submitted")
    app = Application.objects.select_for_update().get(pk=locked.application_id)
    if app.status not in (S.IN_REVIEW, S.REVIEWED):
        raise DomainError(_("Decisions were already taken on this application."), code="decided")
    locked = transition(
        locked,
        to=Review.Status.ASSIGNED,
        pipeline=REVIEW_PIPELINE,
        by=by,
        reason=_("review reopened"),
        history_model=ReviewStatusChange,
        extra_updates={"total": None, "submitted_at": None},
    ).obj
    application_score_refresh(app.pk)
    if app.status == S.REVIEWED:
        application_transition(app, to=S.IN_REVIEW, by=by, reason=_("review reopened"), notify=False)
    return locked


# --- awards --------------------------------------------------------------------------------


def _money(value) -> Decimal:
    try:
        return Decimal(str(value)).quantize(CENT)
    except Exception as exc:
        raise DomainError(_("Enter an amount in yuan."), code="amount") from exc


@transaction.atomic
def award_approve(*, application: Application, amount, by, fund: Fund | None = None) -> Application:
    """Recommend an award (or change a recommended amount). The round row is locked for the
    whole transaction: two approvals of the same round run one after the other, and the
    second sees the first. Fails when the amount exceeds the request or the cap, when the
    round's budget or the fund's balance would be exceeded, or when the application has not
    been reviewed."""
    _require_staff(by)
    amount = _money(amount)
    rnd = Round.objects.select_for_update().get(pk=application.round_id)
    app = Application.objects.select_for_update().get(pk=application.pk)
    fund = fund or (Fund.objects.get(pk=app.fund_id) if app.fund_id else rnd.fund)
    Fund.objects.select_for_update().filter(pk=fund.pk).first()
    if app.status not in (S.REVIEWED, S.RECOMMENDED, S.NOT_RECOMMENDED):
        raise DomainError(
            _("Only reviewed applications can be recommended for an award."), code="not_reviewed"
        )
    if amount <= 0:
        raise DomainError(_("The award must be more than zero."), code="amount")
    if amount > app.requested_amount:
        raise DomainError(
            _("The award cannot exceed the amount requested (%(a)s yuan).")
            % {"a": _yuan(app.requested_amount)},
            code="over_request",
        )
    if amount > rnd.cap:
        raise DomainError(
            _("The award cannot exceed the round's cap (%(a)s yuan).") % {"a": _yuan(rnd.cap)},
            code="over_cap",
        )
    current = app.award_amount if app.status == S.RECOMMENDED and app.award_amount else Decimal("0")
    committed = selectors.round_committed(rnd.pk) - current
    if committed + amount > rnd.budget:
        raise DomainError(
            _("This award would exceed the round's budget: %(c)s of %(b)s yuan already awarded, %(r)s left.")
            % {"c": _yuan(committed), "b": _yuan(rnd.budget), "r": _yuan(rnd.budget - committed)},
            code="over_budget",
            details={"committed": str(committed), "budget": str(rnd.budget)},
        )
    fund_current = current if app.fund_id == fund.pk else Decimal("0")
    fund_committed = selectors.fund_committed(fund.pk) - fund_current
    if fund_committed + amount > fund.budget:
        raise DomainError(
            _("The fund “%(f)s” has only %(r)s yuan left.")
            % {"f": fund, "r": _yuan(fund.budget - fund_committed)},
            code="over_fund",
        )
    if app.status == S.RECOMMENDED:
        # Not a status change: the amount's change is in the application's audit history.
        app.award_amount, app.fund = amount, fund
        app._change_reason = _("award amount changed to %(a)s") % {"a": _yuan(amount)}
        app.save(update_fields=["award_amount", "fund", "updated_at"])
        return app
    if app.status == S.NOT_RECOMMENDED:
        application_transition(app, to=S.REVIEWED, by=by, notify=False)
    return application_transition(
        app, to=S.RECOMMENDED, by=by, extra={"award_amount": amount, "fund": fund}, notify=False
    )


@transaction.atomic
def award_withdraw(*, application: Application, by, reason: str = "") -> Application:
    """Take back a recommendation before the public notice; the money is free again."""
    _require_staff(by)
    return application_transition(
        application, to=S.REVIEWED, by=by, reason=reason, extra={"award_amount": None}, notify=False
    )


@transaction.atomic
def application_not_recommend(*, application: Application, by, reason: str = "") -> Application:
    _require_staff(by)
    return application_transition(application, to=S.NOT_RECOMMENDED, by=by, reason=reason, notify=False)


def award_suggestions(round: Round) -> list[tuple[Application, Decimal]]:
    """Fill by rank until the budget is used: each application in score order gets its full
    request (capped) while it fits in what remains; the first one that does not fit stops
    the fill, so the ranking is never jumped."""
    remaining = round.budget - selectors.round_committed(round.pk)
    out = []
    for app in (
        selectors.ranking(round_id=round.pk)
        .filter(status=S.REVIEWED, n_reviews__gt=0)
        .iterator(chunk_size=500)
    ):
        amount = min(app.requested_amount, round.cap)
        if amount > remaining:
            break
        out.append((app, amount))
        remaining -= amount
    return out


def award_suggest_apply(*, round: Round, by) -> int:
    """Approve every suggested award (each in its own locked transaction). Returns how many."""
    _require_staff(by)
    n = 0
    for app, amount in award_suggestions(round):
        award_approve(application=app, amount=amount, by=by)
        n += 1
    return n


@transaction.atomic
def notice_publish(*, round: Round, by, today: date | None = None) -> int:
    """Put every recommended application of the round on public notice for the round's number
    of working days. Returns how many. Fails when none is recommended."""
    _require_staff(by)
    today = today or timezone.localdate()
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    apps = list(Application.objects.filter(round=rnd, status=S.RECOMMENDED))
    if not apps:
        raise DomainError(_("No application is recommended yet."), code="nothing_to_publish")
    rnd.notice_starts = today
    rnd.notice_ends = add_working_days(today, rnd.notice_working_days)
    rnd.save(update_fields=["notice_starts", "notice_ends"])
    for app in apps:
        application_transition(
            app, to=S.ON_NOTICE, by=by, reason=_("public notice until %(d)s") % {"d": rnd.notice_ends}
        )
    round.notice_starts, round.notice_ends = rnd.notice_starts, rnd.notice_ends
    return len(apps)


@transaction.atomic
def objection_file(
    *, application: Application, name: str, contact: str, reason: str, today=None
) -> Objection:
    """Anyone may object while the award is on public notice. Fails outside the notice period."""
    today = today or timezone.localdate()
    application = Application.objects.select_related("round").get(pk=application.pk)
    rnd = application.round
    if application.status != S.ON_NOTICE or not rnd.notice_ends or today > rnd.notice_ends:
        raise DomainError(_("Objections can only be filed during the public notice."), code="not_on_notice")
    obj = Objection(
        application=application, name=name.strip(), contact=contact.strip(), reason=reason.strip()
    )
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def objection_resolve(*, objection: Objection, by, uphold: bool, resolution: str) -> Objection:
    """Staff decide an objection. Upholding it rejects the award (the money is free again)."""
    _require_staff(by)
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if locked.status != Objection.Status.OPEN:
        raise DomainError(_("This objection was already resolved."), code="resolved")
    if not resolution.strip():
        raise DomainError(_("Write the resolution."), code="reason_required")
    locked = transition(
        locked,
        to=Objection.Status.UPHELD if uphold else Objection.Status.DISMISSED,
        pipeline=OBJECTION_PIPELINE,
        by=by,
        reason=resolution,
        history_model=ObjectionStatusChange,
        extra_updates={"resolution": resolution, "resolved_by": by, "resolved_at": timezone.now()},
    ).obj
    if uphold:
        application_transition(locked.application, to=S.REJECTED, by=by, reason=resolution)
    return locked


def _award_confirm(app: Application, today: date) -> Application:
    app = application_transition(
        app,
        to=S.AWARDED,
        by=None,  # the nightly job
        extra={"awarded_at": today},
        reason=_("public notice ended without an open objection"),
    )
    rules = list(InstallmentRule.objects.filter(round_id=app.round_id).order_by("order"))
    amounts = [(app.award_amount * r.percent / 100).quantize(CENT, ROUND_HALF_UP) for r in rules]
    if amounts:
        amounts[-1] = app.award_amount - sum(amounts[:-1])  # the last one takes the rounding
    Installment.objects.bulk_create(
        [
            Installment(application=app, order=i, trigger=r.trigger, planned_amount=a)
            for i, (r, a) in enumerate(zip(rules, amounts, strict=True))
        ]
    )
    terms = _(
        "Grant of %(amount)s yuan from %(fund)s for the project “%(title)s” (%(months)d months). Paid in installments: "
        "%(schedule)s. The organization reports at mid-term and at the end, spends per the approved budget, and "
        "returns money not used."
    ) % {
        "amount": _yuan(app.award_amount),
        "fund": app.fund or app.round.fund,
        "title": app.title,
        "months": app.duration_months,
        "schedule": "; ".join(f"{r.percent}% {r.get_trigger_display()}" for r in rules),
    }
    Agreement.objects.get_or_create(application=app, defaults={"terms": terms})
    start = app.start_date or today
    ProgressReport.objects.bulk_create(
        [
            ProgressReport(
                application=app,
                kind=ProgressReport.Kind.MIDTERM,
                due_date=add_months(start, max(1, app.duration_months // 2)),
            ),
            ProgressReport(
                application=app,
                kind=ProgressReport.Kind.FINAL,
                due_date=add_months(start, app.duration_months),
            ),
        ]
    )
    return app


def notice_close(*, round: Round, today: date | None = None) -> int:
    """When the notice period has ended, confirm each award that has no open objection.
    Safe to run twice: only applications still on notice are touched. Returns how many."""
    today = today or timezone.localdate()
    if not round.notice_ends or today <= round.notice_ends:
        return 0
    n = 0
    ids = list(
        Application.objects.filter(round=round, status=S.ON_NOTICE)
        .exclude(objections__status=Objection.Status.OPEN)
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            app = Application.objects.select_for_update().get(pk=pk)
            if app.status != S.ON_NOTICE or app.objections.filter(status=Objection.Status.OPEN).exists():
                continue
            _award_confirm(app, today)
            n += 1
    return n


# --- after the award -----------------------------------------------------------------------


@transaction.atomic
def agreement_accept(*, application: Application, user) -> Agreement:
    """The organization accepts the agreement in the portal. Fails for non-members."""
    _check_member(user, application.organization_id)
    agreement = Agreement.objects.select_for_update().get(application=application)
    if agreement.accepted_at:
        return agreement
    agreement.accepted_at, agreement.accepted_by = timezone.now(), user
    agreement.save(update_fields=["accepted_at", "accepted_by"])
    application_transition(application, to=S.AGREEMENT_SIGNED, by=user, notify=False)
    return agreement


def _trigger_met(app: Application, trigger: str) -> bool:
    if trigger == Trigger.SIGNING:
        return app.status in (S.AGREEMENT_SIGNED, S.IN_PROGRESS, S.MIDTERM_EVALUATED, S.COMPLETED)
    kind = ProgressReport.Kind.MIDTERM if trigger == Trigger.MIDTERM_PASSED else ProgressReport.Kind.FINAL
    return Evaluation.objects.filter(
        report__application=app,
        report__kind=kind,
        result__in=[Evaluation.Result.PASS, Evaluation.Result.RECTIFY],
    ).exists()


@transaction.atomic
def installment_pay(*, installment: Installment, by, paid_date: date | None = None) -> Installment:
    """Record a payment. Fails when its trigger has not happened, when payments were stopped,
    or when the total paid would exceed the award (the application row is locked)."""
    _require_staff(by)
    app = Application.objects.select_for_update().get(pk=installment.application_id)
    inst = Installment.objects.select_for_update().get(pk=installment.pk)
    if inst.status == Installment.Status.PAID:
        raise DomainError(_("This installment was already paid."), code="paid")
    if inst.status == Installment.Status.STOPPED:
        raise DomainError(_("Payments on this project were stopped."), code="stopped")
    if app.status == S.TERMINATED:
        raise DomainError(_("The project was terminated."), code="terminated")
    if not _trigger_met(app, inst.trigger):
        raise DomainError(_("Not due yet: %(t)s.") % {"t": inst.get_trigger_display()}, code="not_due")
    paid = selectors.application_paid(app.pk)
    if paid + inst.planned_amount > (app.award_amount or 0):
        raise DomainError(
            _("Paying this would exceed the award of %(a)s yuan.") % {"a": _yuan(app.award_amount)},
            code="over_award",
        )
    inst = transition(
        inst,
        to=Installment.Status.PAID,
        pipeline=INSTALLMENT_PIPELINE,
        by=by,
        history_model=InstallmentStatusChange,
        extra_updates={"paid_date": paid_date or timezone.localdate()},
    ).obj
    if app.status == S.AGREEMENT_SIGNED:
        application_transition(app, to=S.IN_PROGRESS, by=by, reason=_("first installment paid"))
    return inst


@transaction.atomic
def report_submit(
    *,
    report: ProgressReport,
    user,
    activities: str,
    actual_direct: int,
    actual_indirect: int,
    spending: dict[int, Decimal],
    receipts=(),
) -> ProgressReport:
    """File a mid-term or final report with spending per budget line and receipts. Fails for
    non-members, for a report already submitted, for a final report before the mid-term
    evaluation, or a receipt of the wrong type."""
    app = Application.objects.get(pk=report.application_id)  # the caller's copy may be stale
    _check_member(user, app.organization_id)
    locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != ProgressReport.Status.DUE:
        raise DomainError(_("This report was already submitted."), code="submitted")
    if app.status not in (S.IN_PROGRESS, S.MIDTERM_EVALUATED, S.AGREEMENT_SIGNED):
        raise DomainError(_("Reports are filed while the project runs."), code="not_running")
    if locked.kind == ProgressReport.Kind.FINAL and app.status != S.MIDTERM_EVALUATED:
        raise DomainError(_("The final report is filed after the mid-term evaluation."), code="midterm_first")
    if not activities.strip():
        raise DomainError(_("Describe the activities done."), code="activities")
    lines = set(app.budget_lines.values_list("pk", flat=True))
    if set(int(k) for k in spending) - lines:
        raise DomainError(_("Unknown budget line."), code="budget_line")
    for upload in receipts:
        attachment_add(application=app, user=user, upload=upload, report=locked)
    SpendingLine.objects.filter(report=locked).delete()
    SpendingLine.objects.bulk_create(
        [
            SpendingLine(report=locked, budget_line_id=int(k), spent=_money(v))
            for k, v in spending.items()
            if v not in (None, "")
        ]
    )
    return transition(
        locked,
        to=ProgressReport.Status.SUBMITTED,
        pipeline=REPORT_PIPELINE,
        by=user,
        history_model=ProgressReportStatusChange,
        extra_updates={
            "activities": activities,
            "actual_direct": actual_direct,
            "actual_indirect": actual_indirect,
            "submitted_at": timezone.now(),
        },
    ).obj


def _stop_unpaid(app: Application, *, by, reason: str) -> int:
    """Stop every installment not yet paid, each with its history row (who, when, why)."""
    stopped = 0
    for inst in Installment.objects.filter(application=app, status=Installment.Status.PLANNED).order_by(
        "order"
    ):
        stopped += transition(
            inst,
            to=Installment.Status.STOPPED,
            pipeline=INSTALLMENT_PIPELINE,
            by=by,
            reason=reason,
            history_model=InstallmentStatusChange,
        ).changed
    return stopped


@transaction.atomic
def report_evaluate(*, report: ProgressReport, by, score, result: str, comment: str = "") -> Evaluation:
    """Evaluate a submitted report: pass / rectify / fail. A failed evaluation stops every
    payment not yet made (that money goes back to the fund). Moves the project on to
    mid-term evaluated or completed."""
    _require_staff(by)
    locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != ProgressReport.Status.SUBMITTED:
        raise DomainError(_("Only a submitted report can be evaluated."), code="not_submitted")
    if result not in Evaluation.Result.values:
        raise DomainError(_("Choose pass, rectify or fail."), code="result")
    ev = Evaluation(report=locked, score=_money(score), result=result, comment=comment, evaluated_by=by)
    ev.full_clean()
    ev.save()
    locked = transition(
        locked,
        to=ProgressReport.Status.EVALUATED,
        pipeline=REPORT_PIPELINE,
        by=by,
        reason=f"{ev.get_result_display()}: {comment}",
        history_model=ProgressReportStatusChange,
    ).obj
    app = locked.application
    if result == Evaluation.Result.FAIL:
        _stop_unpaid(app, by=by, reason=_("evaluation failed: %(c)s") % {"c": comment})
    to = S.MIDTERM_EVALUATED if locked.kind == ProgressReport.Kind.MIDTERM else S.COMPLETED
    application_transition(app, to=to, by=by, reason=f"{ev.get_result_display()}: {comment}")
    return ev


@transaction.atomic
def application_terminate(*, application: Application, by, reason: str) -> Application:
    """End a funded project early; unpaid installments are stopped and their money returns
    to the fund (its balance grows by that much)."""
    _require_staff(by)
    if not reason.strip():
        raise DomainError(_("Give a reason for the termination."), code="reason_required")
    app = application_transition(application, to=S.TERMINATED, by=by, reason=reason)
    _stop_unpaid(app, by=by, reason=reason)
    return app
