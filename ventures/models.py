"""Venture philanthropy (公益创投): funds, rounds, applications, reviews, awards, public
notice, agreements, installments, progress reports and evaluations.

Money figures that can be derived are never stored twice: a fund's balance and a round's
committed amount are computed by the database from the applications' award amounts and
the installments stopped after a failed evaluation or a termination (see selectors).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from center.files import RandomName
from center.models import StatusHistory
from center.translated import EnglishNameMixin

MONEY = {"max_digits": 12, "decimal_places": 2}


class Category(models.TextChoices):
    ELDERLY = "elderly", _("Elderly care")
    DISABLED = "disabled", _("Disability support")
    ORPHANS = "orphans", _("Orphan relief")
    POOR = "poor", _("Poverty relief")
    SOCIAL_WORK = "social_work", _("Social-work services")
    COMMUNITY = "community", _("Community building")


class Fund(models.Model):
    class Source(models.TextChoices):
        WELFARE_LOTTERY = "welfare_lottery", _("Welfare-lottery public-welfare fund (福彩公益金)")
        SOCIAL_WORK = "social_work", _("Social-work special fund (社会工作专项经费)")

    name = models.CharField(_("name"), max_length=120)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    budget = models.DecimalField(_("yearly budget"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["-year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["source", "year"], name="ventures_fund_source_year"),
            models.CheckConstraint(name="ventures_fund_budget_gte_0", condition=models.Q(budget__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class Round(models.Model):
    """One call for proposals with everything staff configure for it."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("fund"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    categories = models.JSONField(_("service categories"), default=list)
    cap = models.DecimalField(_("cap per project"), **MONEY, default=Decimal("50000"))
    budget = models.DecimalField(_("total budget"), **MONEY)
    call_opens = models.DateTimeField(_("call opens"))
    call_closes = models.DateTimeField(_("call closes"))
    screening_deadline = models.DateField(_("screening deadline"), null=True, blank=True)
    review_deadline = models.DateField(_("review deadline"), null=True, blank=True)
    notice_working_days = models.PositiveSmallIntegerField(_("public notice (working days)"), default=7)
    notice_starts = models.DateField(_("public notice starts"), null=True, blank=True)
    notice_ends = models.DateField(_("public notice ends"), null=True, blank=True)
    min_months = models.PositiveSmallIntegerField(_("shortest project (months)"), default=6)
    max_months = models.PositiveSmallIntegerField(_("longest project (months)"), default=12)
    require_verified = models.BooleanField(_("verified or community organization required"), default=True)
    exclude_abnormal = models.BooleanField(_("organizations on the abnormal list excluded"), default=True)
    no_double_funding = models.BooleanField(_("no second funding of the same project"), default=True)
    reviewers_per_application = models.PositiveSmallIntegerField(_("reviewers per application"), default=5)
    blind_review = models.BooleanField(_("blind review"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-year", "-call_opens"]
        constraints = [
            models.CheckConstraint(name="ventures_round_budget_gte_0", condition=models.Q(budget__gte=0)),
            models.CheckConstraint(name="ventures_round_cap_gte_0", condition=models.Q(cap__gte=0)),
            models.CheckConstraint(
                name="ventures_round_call_order", condition=models.Q(call_closes__gt=models.F("call_opens"))
            ),
            models.CheckConstraint(
                name="ventures_round_months", condition=models.Q(max_months__gte=models.F("min_months"))
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.call_opens <= now < self.call_closes

    def category_choices(self):
        labels = dict(Category.choices)
        return [(c, labels.get(c, c)) for c in (self.categories or [c for c, _l in Category.choices])]


class Criterion(EnglishNameMixin, models.Model):
    """A scoring rubric line; a round's weights sum to 100 (checked by round_rubric_set)."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("round")
    )
    name = models.CharField(_("criterion"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        ordering = ["round", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.weight}%)"


class Trigger(models.TextChoices):
    SIGNING = "signing", _("On signing the agreement")
    MIDTERM_PASSED = "midterm_passed", _("After the mid-term evaluation passes")
    FINAL_PASSED = "final_passed", _("After the final evaluation passes")


class InstallmentRule(models.Model):
    """The round's payment schedule (default 50% / 30% / 20%); percents sum to 100."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="installment_rules", verbose_name=_("round")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    percent = models.PositiveSmallIntegerField(
        _("percent"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("installment rule")
        verbose_name_plural = _("installment schedule")
        ordering = ["round", "order"]

    def __str__(self) -> str:
        return f"{self.percent}% {self.get_trigger_display()}"


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        INFO_REQUESTED = "info_requested", _("More information requested")
        ELIGIBLE = "eligible", _("Screened: eligible")
        INELIGIBLE = "ineligible", _("Screened: ineligible")
        IN_REVIEW = "in_review", _("In review")
        REVIEWED = "reviewed", _("Reviewed")
        RECOMMENDED = "recommended", _("Recommended")
        NOT_RECOMMENDED = "not_recommended", _("Not recommended")
        ON_NOTICE = "on_notice", _("On public notice")
        AWARDED = "awarded", _("Awarded")
        REJECTED = "rejected", _("Rejected")
        AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
        IN_PROGRESS = "in_progress", _("In progress")
        MIDTERM_EVALUATED = "midterm_evaluated", _("Mid-term evaluated")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="applications", verbose_name=_("round")
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="venture_applications",
        verbose_name=_("organization"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, db_index=True)
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    need = models.TextField(_("need addressed"), blank=True)
    target_group = models.CharField(_("target group"), max_length=200, blank=True)
    activity_plan = models.TextField(_("activity plan"), blank=True)
    street = models.ForeignKey(
        "center.NetworkUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("street / town"),
    )
    community = models.ForeignKey(
        "center.NetworkUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    duration_months = models.PositiveSmallIntegerField(_("duration (months)"), default=12)
    start_date = models.DateField(_("planned start"), null=True, blank=True)
    requested_amount = models.DecimalField(_("requested amount"), **MONEY, default=Decimal("0"))
    co_funding = models.DecimalField(_("co-funding"), **MONEY, default=Decimal("0"))
    expected_direct = models.PositiveIntegerField(_("expected direct beneficiaries"), default=0)
    expected_indirect = models.PositiveIntegerField(_("expected indirect beneficiaries"), default=0)
    team = models.JSONField(
        _("team"), default=list, blank=True, help_text=_("name, role, qualification per member")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    info_request = models.TextField(_("information requested"), blank=True)
    info_answer = models.TextField(_("answer to the request"), blank=True)
    screening_reason = models.TextField(_("screening reason"), blank=True)
    fund = models.ForeignKey(
        Fund,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("paying fund"),
    )
    award_amount = models.DecimalField(_("award amount"), **MONEY, null=True, blank=True)
    awarded_at = models.DateField(_("award date"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    # The review aggregate, recomputed by services.application_score_refresh from the submitted
    # reviews in the transaction that submits or reopens a review (the application row locked),
    # so the ranking reads columns instead of aggregating every review of the round per request.
    review_count = models.PositiveSmallIntegerField(_("submitted reviews"), default=0, editable=False)
    review_score = models.DecimalField(
        _("review score"), max_digits=8, decimal_places=4, null=True, blank=True, editable=False
    )
    review_spread = models.DecimalField(
        _("review spread (highest − lowest)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(
        excluded_fields=["updated_at", "review_count", "review_score", "review_spread"]
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["round", "status"]), models.Index(fields=["organization", "title"])]
        constraints = [
            models.CheckConstraint(
                name="ventures_requested_gte_0", condition=models.Q(requested_amount__gte=0)
            ),
            models.CheckConstraint(name="ventures_co_funding_gte_0", condition=models.Q(co_funding__gte=0)),
            models.CheckConstraint(
                name="ventures_award_le_request",
                condition=models.Q(award_amount__isnull=True)
                | models.Q(award_amount__lte=models.F("requested_amount")),
            ),
            models.CheckConstraint(
                name="ventures_award_nonneg",
                condition=models.Q(award_amount__isnull=True) | models.Q(award_amount__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    item = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(name="ventures_budget_line_gt_0", condition=models.Q(amount__gt=0)),
        ]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["application", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.item}: {self.amount}"


class Milestone(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="milestones")
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1)])
    description = models.CharField(_("milestone"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["application", "month", "pk"]

    def __str__(self) -> str:
        return f"M{self.month}: {self.description}"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    report = models.ForeignKey(
        "ProgressReport",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="receipts",
        verbose_name=_("report"),
    )
    file = models.FileField(_("file"), upload_to=RandomName("ventures"))
    name = models.CharField(_("file name"), max_length=200)
    mime = models.CharField(_("type"), max_length=120)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class ApplicationStatusChange(StatusHistory):
    """One row per status change of an application (written by `center.workflow.transition`)."""

    subject_field = "application"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=32, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=Application.Status.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["application", "at", "pk"]


class Review(models.Model):
    """One reviewer's assignment to one application, and their scores once submitted."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Submitted")
        CONFLICT = "conflict", _("Withdrawn: conflict of interest")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="venture_reviews"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ASSIGNED, db_index=True
    )
    comment = models.TextField(_("overall comment"), blank=True)
    # Frozen at submission from the ReviewScore rows by the database (Σ score × weight / 100).
    total = models.DecimalField(_("weighted total"), max_digits=6, decimal_places=2, null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="ventures_one_review_per_reviewer"
            )
        ]
        indexes = [
            models.Index(fields=["reviewer", "status"]),
            models.Index(fields=["application", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application_id}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(
        _("score (0–100)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="ventures_one_score_per_criterion"),
            models.CheckConstraint(
                name="ventures_score_range", condition=models.Q(score__gte=0, score__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class ConflictDeclaration(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    replacement = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="ventures_one_conflict")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} / {self.application_id}"


class Objection(models.Model):
    """Filed by anyone during the public notice (公示)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("objection", "Open")
        UPHELD = "upheld", _("Upheld: award withdrawn")
        DISMISSED = "dismissed", _("Dismissed")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    name = models.CharField(_("your name"), max_length=60)
    contact = models.CharField(_("contact"), max_length=100)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}: {self.application_id}"


class Agreement(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="agreement")
    terms = models.TextField(_("terms"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return f"{_('Agreement')} {self.application_id}"


class Installment(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PAID = "paid", _("Paid")
        STOPPED = "stopped", _("Stopped")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="installments")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    planned_amount = models.DecimalField(
        _("planned amount"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    paid_date = models.DateField(_("paid on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["application", "order"]
        constraints = [
            models.CheckConstraint(
                name="ventures_installment_gte_0", condition=models.Q(planned_amount__gte=0)
            ),
            models.CheckConstraint(
                name="ventures_paid_has_date",
                condition=~models.Q(status="paid") | models.Q(paid_date__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} #{self.order}: {self.planned_amount}"


class ProgressReport(models.Model):
    class Kind(models.TextChoices):
        MIDTERM = "midterm", _("Mid-term report")
        FINAL = "final", _("Final report")

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        SUBMITTED = "submitted", _("Submitted")
        EVALUATED = "evaluated", _("Evaluated")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DUE, db_index=True
    )
    activities = models.TextField(_("activities done"), blank=True)
    actual_direct = models.PositiveIntegerField(_("actual direct beneficiaries"), default=0)
    actual_indirect = models.PositiveIntegerField(_("actual indirect beneficiaries"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["application", "due_date"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="ventures_one_report_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.application_id}"


class SpendingLine(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="spending")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="spending")
    spent = models.DecimalField(_("spent"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("spending line")
        verbose_name_plural = _("spending lines")
        constraints = [
            models.CheckConstraint(name="ventures_spent_gte_0", condition=models.Q(spent__gte=0)),
            models.UniqueConstraint(fields=["report", "budget_line"], name="ventures_one_spending_per_line"),
        ]

    def __str__(self) -> str:
        return f"{self.budget_line_id}: {self.spent}"


class Evaluation(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        RECTIFY = "rectify", _("Pass after rectification")
        FAIL = "fail", _("Fail")

    report = models.OneToOneField(ProgressReport, on_delete=models.CASCADE, related_name="evaluation")
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    result = models.CharField(pgettext_lazy("evaluation", "result"), max_length=10, choices=Result.choices)
    comment = models.TextField(_("comment"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.report}: {self.get_result_display()}"


# --- status history of the smaller workflows (written by center.workflow.transition) ------


class ReviewStatusChange(StatusHistory):
    subject_field = "review"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=32, choices=Review.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=Review.Status.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("review status change")
        verbose_name_plural = _("review status changes")


class ObjectionStatusChange(StatusHistory):
    subject_field = "objection"

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=32, choices=Objection.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=Objection.Status.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("objection status change")
        verbose_name_plural = _("objection status changes")


class InstallmentStatusChange(StatusHistory):
    subject_field = "installment"

    installment = models.ForeignKey(Installment, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=32, choices=Installment.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=Installment.Status.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("installment status change")
        verbose_name_plural = _("installment status changes")


class ProgressReportStatusChange(StatusHistory):
    subject_field = "report"

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        _("from"), max_length=32, choices=ProgressReport.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=32, choices=ProgressReport.Status.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("progress report status change")
        verbose_name_plural = _("progress report status changes")
