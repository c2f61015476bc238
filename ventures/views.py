"""Ventures pages: public calls and awards, the applicant's portal, screening, review,
ranking and awards, public notice, after-award management, dashboard and exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from center.errors import DomainError
from center.exports import xlsx_response
from center.files import serve_file
from center.forms import day_off_warnings
from center.pages import domain_error_message
from center.workflow import allowed_next
from organizations import selectors as org_selectors
from ventures import forms, selectors, services
from ventures.models import (
    Application,
    Category,
    Criterion,
    Installment,
    Objection,
    ProgressReport,
    Review,
    ReviewScore,
    Round,
)
from ventures.permissions import is_projects_staff, may_view_application

S = Application.Status
MANAGE_QUEUE = 50  # items per work queue on the management page
RANKING_ONE_PAGE = 2000  # a round never has this many reviewed applications


def _staff_only(request):
    """Pages of the projects department: anyone else lacks the role, 403 (the portal's policy:
    no role -> 403; an object outside one's reach -> 404)."""
    if not is_projects_staff(request.user):
        raise PermissionDenied


def _run(request, fn, ok_message: str = ""):
    """Call a service; show its domain error as a message. Returns (result, ok)."""
    try:
        result = fn()
    except (DomainError, ValidationError) as exc:
        domain_error_message(request, exc)
        return None, False
    if ok_message:
        messages.success(request, ok_message)
    return result, True


def _application_for(request, pk: int) -> Application:
    """An application the user may see as applicant or staff; anyone else gets 404."""
    app = get_object_or_404(
        Application.objects.select_related(
            "round", "round__fund", "organization", "street", "community", "fund"
        ),
        pk=pk,
    )
    if not may_view_application(request.user, app):
        raise Http404
    return app


# --- public ----------------------------------------------------------------------------


def round_list(request):
    return render(
        request,
        "ventures/round_list.html",
        {
            "rounds": selectors.open_rounds(),
            "notices": selectors.rounds_on_notice(),
        },
    )


def round_detail(request, pk: int):
    rnd = get_object_or_404(Round.objects.select_related("fund"), pk=pk)
    return render(
        request,
        "ventures/round_detail.html",
        {
            "round": rnd,
            "criteria": rnd.criteria.all(),
            "rules": rnd.installment_rules.all(),
            "is_open": rnd.is_open(),
            "categories": rnd.category_choices(),
        },
    )


def _rows(request, name: str, template: str, context, *parts) -> str:
    """A list's rows and page links, rendered once per data version (ventures, and the
    organizations' and streets' names), language, query and `parts`, and shared by every
    process (center.caching)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    from center.caching import CENTER
    from organizations.caching import DATA as ORGANIZATIONS
    from ventures.caching import DATA

    html = DATA.cached(
        name,
        lambda: render_to_string(template, {**context(), "request": request}),
        get_language(),
        request.GET.urlencode(),
        ORGANIZATIONS.data_version(),
        CENTER.data_version(),
        *parts,
    )
    return mark_safe(html)  # noqa: S308 - our own rendered template


def awarded_list(request):
    def context():
        qs = selectors.awarded_projects()
        if request.GET.get("category") in Category.values:
            qs = qs.filter(category=request.GET["category"])
        return {"page_obj": Paginator(qs, 50).get_page(request.GET.get("page"))}

    rows = _rows(request, "awarded-rows", "ventures/_awarded_rows.html", context)
    return render(request, "ventures/awarded_list.html", {"rows": rows, "categories": Category.choices})


def notice(request, pk: int):
    rnd = get_object_or_404(Round, pk=pk)
    applications = list(selectors.notice_applications(rnd.pk))
    # Once the notice period is over, the page shows what the round funded.
    results = [] if applications else list(selectors.awarded_projects().filter(round_id=rnd.pk))
    return render(
        request,
        "ventures/notice.html",
        {
            "round": rnd,
            "applications": applications,
            "results": results,
            "results_total": sum((a.award_amount or 0 for a in results), 0),
        },
    )


@ratelimit(key="ip", rate="5/h", method="POST", block=False)
@require_POST
def objection_file(request, pk: int):
    app = get_object_or_404(Application.objects.select_related("round"), pk=pk, status=S.ON_NOTICE)
    if getattr(request, "limited", False):
        messages.error(request, _("Too many objections from your address; please try again later."))
        return redirect("ventures:notice", app.round_id)
    form = forms.ObjectionForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.objection_file(application=app, **form.cleaned_data),
            _("Your objection was received; staff will answer it."),
        )
    else:
        messages.error(request, _("Fill in your name, a contact and the reason."))
    return redirect("ventures:notice", app.round_id)


# --- applicant -----------------------------------------------------------------------


@login_required
def my_applications(request):
    org_ids = org_selectors.organization_ids_for_user(request.user)
    page = Paginator(selectors.applications_for_organizations(org_ids), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "ventures/my_applications.html",
        {
            "page_obj": page,
            "open_rounds": selectors.open_rounds() if org_ids else [],
        },
    )


@login_required
def application_new(request, round_pk: int):
    rnd = get_object_or_404(Round, pk=round_pk)
    orgs = org_selectors.organizations_for_user(request.user)
    if not orgs.exists():
        messages.error(request, _("Only members of an organization can apply."))
        return redirect("ventures:round_detail", rnd.pk)
    if not rnd.is_open():
        messages.error(request, _("This call is not open for applications."))
        return redirect("ventures:round_detail", rnd.pk)
    form = forms.ApplicationForm(request.POST or None, round=rnd, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        app, ok = _run(
            request,
            lambda: services.application_create(
                round=rnd,
                organization=form.cleaned_data["organization"],
                user=request.user,
                data=form.service_data(),
                budget_lines=form.cleaned_data["budget_text"],
                milestones=form.cleaned_data["milestones_text"],
            ),
            _("Draft saved."),
        )
        if ok:
            return redirect("ventures:application_detail", app.pk)
    return render(request, "ventures/application_form.html", {"form": form, "round": rnd})


@login_required
def application_edit(request, pk: int):
    app = _application_for(request, pk)
    if not org_selectors.user_is_member(request.user, app.organization_id):
        raise Http404
    if app.status not in (S.DRAFT, S.INFO_REQUESTED):
        messages.error(request, _("Only a draft can be edited."))
        return redirect("ventures:application_detail", app.pk)
    orgs = org_selectors.organizations_by_ids([app.organization_id])
    form = forms.ApplicationForm(request.POST or None, instance=app, round=app.round, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        _result, ok = _run(
            request,
            lambda: services.application_update(
                application=app,
                user=request.user,
                data=form.service_data(),
                budget_lines=form.cleaned_data["budget_text"],
                milestones=form.cleaned_data["milestones_text"],
            ),
            _("Draft saved."),
        )
        if ok:
            return redirect("ventures:application_detail", app.pk)
    return render(
        request, "ventures/application_form.html", {"form": form, "round": app.round, "application": app}
    )


@login_required
def application_detail(request, pk: int):
    app = _application_for(request, pk)
    is_member = org_selectors.user_is_member(request.user, app.organization_id)
    staff = is_projects_staff(request.user)
    scored = selectors.application_with_score(app.pk) if staff else None
    reports = list(app.reports.select_related("evaluation").order_by("due_date"))
    ctx = {
        "application": app,
        "is_member": is_member,
        "staff": staff,
        "scored": scored,
        "budget_lines": app.budget_lines.all(),
        "milestones": app.milestones.all(),
        "attachments": app.attachments.filter(report__isnull=True),
        "history": app.status_changes.select_related("by"),
        # the buttons of the workflow come from the pipeline, never from status substrings
        "next_statuses": allowed_next(app, pipeline=services.PIPELINE, user=request.user) if staff else [],
        "agreement": getattr(app, "agreement", None) if hasattr(app, "agreement") else None,
        "installments": app.installments.all(),
        "reports": reports,
        "paid": selectors.application_paid(app.pk),
        "problems": services.application_problems(app) if app.status in (S.DRAFT, S.INFO_REQUESTED) else [],
        "attachment_form": forms.AttachmentForm(),
        "answer_form": forms.InfoAnswerForm(),
        "award_form": forms.AwardForm(initial={"amount": app.award_amount or app.requested_amount}),
        "reason_form": forms.ReasonForm(),
        "checks": selectors.eligibility_checks(app) if staff else [],
        "reviews": app.reviews.select_related("reviewer") if staff else [],
        "conflicts": app.conflicts.select_related("reviewer", "replacement") if staff else [],
        "editable": is_member and app.status in (S.DRAFT, S.INFO_REQUESTED),
        "call_open": app.round.is_open(),
    }
    return render(request, "ventures/application_detail.html", ctx)


@login_required
@require_POST
def application_submit(request, pk: int):
    app = _application_for(request, pk)
    if app.status == S.INFO_REQUESTED:
        form = forms.InfoAnswerForm(request.POST)
        if form.is_valid():
            _run(
                request,
                lambda: services.application_answer_info(
                    application=app, user=request.user, answer=form.cleaned_data["answer"]
                ),
                _("Your answer was sent; the application is back in screening."),
            )
        else:
            messages.error(request, _("Write your answer."))
    else:
        _run(
            request,
            lambda: services.application_submit(application=app, user=request.user),
            _("Application submitted."),
        )
    return redirect("ventures:application_detail", app.pk)


@login_required
@require_POST
def attachment_upload(request, pk: int):
    app = _application_for(request, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        _run(
            request,
            lambda: services.attachment_add(
                application=app, user=request.user, upload=form.cleaned_data["file"]
            ),
            _("Attachment added."),
        )
    else:
        messages.error(request, _("Choose a file."))
    return redirect("ventures:application_detail", app.pk)


@login_required
@require_POST
def agreement_accept(request, pk: int):
    app = _application_for(request, pk)
    _run(
        request,
        lambda: services.agreement_accept(application=app, user=request.user),
        _("Agreement accepted."),
    )
    return redirect("ventures:application_detail", app.pk)


@login_required
def report_edit(request, pk: int):
    report = get_object_or_404(
        ProgressReport.objects.select_related("application", "application__round"), pk=pk
    )
    app = report.application
    if not may_view_application(request.user, app):
        raise Http404
    is_member = org_selectors.user_is_member(request.user, app.organization_id)
    form = forms.ReportForm(request.POST or None, request.FILES or None, budget_lines=app.budget_lines.all())
    if request.method == "POST" and is_member and form.is_valid():
        receipts = [form.cleaned_data["receipt"]] if form.cleaned_data.get("receipt") else []
        _result, ok = _run(
            request,
            lambda: services.report_submit(
                report=report,
                user=request.user,
                activities=form.cleaned_data["activities"],
                actual_direct=form.cleaned_data["actual_direct"],
                actual_indirect=form.cleaned_data["actual_indirect"],
                spending=form.spending(),
                receipts=receipts,
            ),
            _("Report submitted."),
        )
        if ok:
            return redirect("ventures:application_detail", app.pk)
    eval_form = forms.EvaluationForm(request.POST or None) if is_projects_staff(request.user) else None
    final_too_early = report.kind == ProgressReport.Kind.FINAL and app.status != S.MIDTERM_EVALUATED
    return render(
        request,
        "ventures/report.html",
        {
            "report": report,
            "application": app,
            "form": form,
            "is_member": is_member,
            "final_too_early": final_too_early,
            "spending": selectors.spending_with_variance(report),
            "receipts": report.receipts.all(),
            "evaluation": getattr(report, "evaluation", None) if hasattr(report, "evaluation") else None,
            "eval_form": eval_form,
        },
    )


# --- staff -----------------------------------------------------------------------------


@login_required
def manage(request):
    _staff_only(request)
    queues = {
        "screening": selectors.applications_for_screening(),
        "objections": Objection.objects.filter(status=Objection.Status.OPEN)
        .select_related("application")
        .order_by("created_at", "pk"),
        "reports": selectors.reports_to_evaluate()
        .select_related("application")
        .order_by("submitted_at", "pk"),
        "overdue": selectors.reviews_overdue()
        .select_related("application", "reviewer")
        .order_by("application__round__review_deadline", "pk"),
    }
    ctx = {
        "rounds": selectors.rounds_for_staff(),
        "funds": selectors.fund_list(),
        "queue_limit": MANAGE_QUEUE,
    }
    for name, qs in queues.items():
        ctx[name] = list(qs[:MANAGE_QUEUE])
        # the full count only when the panel is cut off
        ctx[f"{name}_total"] = qs.count() if len(ctx[name]) == MANAGE_QUEUE else len(ctx[name])
    return render(request, "ventures/manage.html", ctx)


@login_required
def round_edit(request, pk: int | None = None):
    """Create or configure a round (projects staff)."""
    _staff_only(request)
    rnd = get_object_or_404(Round, pk=pk) if pk else None
    form = forms.RoundForm(request.POST or None, instance=rnd)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if rnd:

            def fn():
                return services.round_update(
                    round=rnd,
                    by=request.user,
                    data=data,
                    rubric=form.cleaned_data["rubric_text"],
                    schedule=form.cleaned_data["schedule_text"],
                )
        else:

            def fn():
                return services.round_create(
                    by=request.user,
                    rubric=form.cleaned_data["rubric_text"],
                    schedule=form.cleaned_data["schedule_text"],
                    **data,
                )

        result, ok = _run(request, fn, _("Round saved."))
        if ok:
            for warning in day_off_warnings(
                form.cleaned_data,
                {
                    "screening_deadline": form.fields["screening_deadline"].label,
                    "review_deadline": form.fields["review_deadline"].label,
                },
            ):
                messages.warning(request, warning)
            return redirect("ventures:dashboard", result.pk)
    return render(request, "ventures/round_form.html", {"form": form, "round": rnd})


@login_required
def fund_new(request):
    _staff_only(request)
    form = forms.FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _result, ok = _run(
            request, lambda: services.fund_create(by=request.user, **form.cleaned_data), _("Fund saved.")
        )
        if ok:
            return redirect("ventures:manage")
    return render(request, "ventures/fund_form.html", {"form": form})


@login_required
def round_dashboard(request, pk: int):
    _staff_only(request)
    rnd = get_object_or_404(Round.objects.select_related("fund"), pk=pk)
    data = selectors.round_dashboard(rnd.pk)
    labels = dict(Category.choices)
    top = max([r["money"] for r in data["by_category"]] + [1])
    for row in data["by_category"]:
        row["label"] = labels.get(row["category"], row["category"])
        row["pct"] = float(row["money"]) * 100 / float(top)
    t = data["totals"]
    t["budget_pct"] = float(t["money_awarded"]) * 100 / float(rnd.budget) if rnd.budget else 0
    t["paid_pct"] = float(t["money_paid"]) * 100 / float(t["money_awarded"]) if t["money_awarded"] else 0
    return render(
        request,
        "ventures/dashboard.html",
        {"round": rnd, **data, "committed": selectors.round_committed(rnd.pk)},
    )


@login_required
def round_applications(request, pk: int):
    """Staff list of a round's applications, filtered by status and category."""
    _staff_only(request)
    from ventures.filters import VentureRoundApplicationFilter

    rnd = get_object_or_404(Round, pk=pk)
    qs = selectors.with_scores(
        Application.objects.filter(round=rnd).exclude(status=S.DRAFT).select_related("organization", "street")
    ).order_by("pk")
    f = VentureRoundApplicationFilter(request.GET, queryset=qs)
    page = Paginator(f.qs, 50).get_page(request.GET.get("page"))
    return render(request, "ventures/round_applications.html", {"round": rnd, "filter": f, "page_obj": page})


@login_required
def screening(request, pk: int):
    _staff_only(request)
    app = get_object_or_404(Application.objects.select_related("round", "organization"), pk=pk)
    form = forms.ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        if d == "info":

            def fn():
                return services.screening_request_info(application=app, by=request.user, request_text=reason)
        else:

            def fn():
                return services.screening_decide(
                    application=app, by=request.user, eligible=d == "eligible", reason=reason
                )

        _result, ok = _run(request, fn, _("Screening decision recorded; the applicant was notified."))
        if ok:
            return redirect("ventures:manage")
    return render(
        request,
        "ventures/screening.html",
        {
            "application": app,
            "checks": selectors.eligibility_checks(app),
            "form": form,
        },
    )


@login_required
@require_POST
def assign_reviewers(request, pk: int):
    _staff_only(request)
    app = get_object_or_404(Application, pk=pk)
    _run(
        request, lambda: services.reviewers_assign(application=app, by=request.user), _("Reviewers assigned.")
    )
    return redirect("ventures:application_detail", app.pk)


@login_required
@require_POST
def assign_round(request, pk: int):
    """Send every eligible application of the round to review."""
    _staff_only(request)
    n = 0
    for app in Application.objects.filter(round_id=pk, status=S.ELIGIBLE):
        _result, ok = _run(request, lambda a=app: services.reviewers_assign(application=a, by=request.user))
        n += ok
    messages.success(request, _("%(n)d applications sent to review.") % {"n": n})
    return redirect("ventures:ranking", pk)


@login_required
@require_POST
def review_reopen(request, pk: int):
    _staff_only(request)
    review = get_object_or_404(Review, pk=pk)
    _run(request, lambda: services.review_reopen(review=review, by=request.user), _("Review reopened."))
    return redirect("ventures:application_detail", review.application_id)


@login_required
def ranking(request, pk: int):
    _staff_only(request)
    rnd = get_object_or_404(Round.objects.select_related("fund"), pk=pk)
    category = request.GET.get("category") if request.GET.get("category") in Category.values else None
    suggestions = None
    if request.GET.get("suggest"):
        suggestions = services.award_suggestions(rnd)
    figures = selectors.ranking_summary(rnd)
    return render(
        request,
        "ventures/ranking.html",
        {
            "round": rnd,
            "category": category,
            "categories": rnd.category_choices(),
            "committed": figures["committed"],
            "suggestions": suggestions,
            "eligible_waiting": figures["eligible_waiting"],
            "ranking_rows": _ranking_rows(request, rnd, category),
        },
    )


def _ranking_rows(request, rnd: Round, category: str | None) -> str:
    """The ranking table, rendered once per data version (ventures and organizations: a new
    review, award or organization name shows at once), language and query, and shared by every
    process; each row's award form gets this request's CSRF token when served. A round's
    ranking is one page: the budget cut-off line must be visible with every row."""
    from django.template.loader import render_to_string
    from django.utils.translation import get_language

    from center.caching import CSRF_PLACEHOLDER, with_csrf
    from organizations.caching import DATA as ORGANIZATIONS
    from ventures.caching import DATA

    def build():
        page = selectors.ranking_page(
            round_id=rnd.pk, category=category, page=request.GET.get("page"), per_page=RANKING_ONE_PAGE
        )
        ctx = {"round": rnd, "page_obj": page, "csrf_token": CSRF_PLACEHOLDER, "request": request}
        return render_to_string("ventures/_ranking_rows.html", ctx)

    html = DATA.cached(
        "ranking-rows", build, rnd.pk, get_language(), request.GET.urlencode(), ORGANIZATIONS.data_version()
    )
    return with_csrf(html, request)


@login_required
@require_POST
def suggest_apply(request, pk: int):
    _staff_only(request)
    rnd = get_object_or_404(Round, pk=pk)
    n, _ok = _run(request, lambda: services.award_suggest_apply(round=rnd, by=request.user))
    if _ok:
        messages.success(request, _("%(n)d awards recommended.") % {"n": n})
    return redirect("ventures:ranking", rnd.pk)


@login_required
@require_POST
def award(request, pk: int):
    _staff_only(request)
    app = get_object_or_404(Application, pk=pk)
    action = request.POST.get("action", "approve")
    if action == "withdraw":
        _run(
            request,
            lambda: services.award_withdraw(application=app, by=request.user),
            _("Recommendation withdrawn."),
        )
    elif action == "not_recommend":
        _run(
            request,
            lambda: services.application_not_recommend(application=app, by=request.user),
            _("Not recommended."),
        )
    else:
        form = forms.AwardForm(request.POST)
        if form.is_valid():
            _run(
                request,
                lambda: services.award_approve(
                    application=app, amount=form.cleaned_data["amount"], by=request.user
                ),
                _("Award recommended."),
            )
        else:
            messages.error(request, _("Enter an amount in yuan."))
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("ventures:ranking", app.round_id)


@login_required
@require_POST
def notice_publish(request, pk: int):
    _staff_only(request)
    rnd = get_object_or_404(Round, pk=pk)
    _run(
        request,
        lambda: services.notice_publish(round=rnd, by=request.user),
        _("The awards are on public notice."),
    )
    return redirect("ventures:ranking", rnd.pk)


@login_required
@require_POST
def objection_resolve(request, pk: int):
    _staff_only(request)
    obj = get_object_or_404(Objection, pk=pk)
    form = forms.ObjectionResolveForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.objection_resolve(objection=obj, by=request.user, **form.cleaned_data),
            _("Objection resolved."),
        )
    else:
        messages.error(request, _("Write the resolution."))
    return redirect("ventures:manage")


@login_required
@require_POST
def installment_pay(request, pk: int):
    _staff_only(request)
    inst = get_object_or_404(Installment, pk=pk)
    _run(request, lambda: services.installment_pay(installment=inst, by=request.user), _("Payment recorded."))
    return redirect("ventures:application_detail", inst.application_id)


@login_required
@require_POST
def report_evaluate(request, pk: int):
    _staff_only(request)
    report = get_object_or_404(ProgressReport, pk=pk)
    form = forms.EvaluationForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.report_evaluate(report=report, by=request.user, **form.cleaned_data),
            _("Evaluation recorded."),
        )
    else:
        messages.error(request, _("Enter a score and a result."))
    return redirect("ventures:application_detail", report.application_id)


@login_required
@require_POST
def terminate(request, pk: int):
    _staff_only(request)
    app = get_object_or_404(Application, pk=pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.application_terminate(
                application=app, by=request.user, reason=form.cleaned_data["reason"]
            ),
            _("Project terminated; unpaid money returns to the fund."),
        )
    else:
        messages.error(request, _("Give a reason for the termination."))
    return redirect("ventures:application_detail", app.pk)


# --- exports ---------------------------------------------------------------------------


@login_required
def export_applications(request, pk: int):
    _staff_only(request)
    rnd = get_object_or_404(Round, pk=pk)
    qs = selectors.with_scores(Application.objects.filter(round=rnd).exclude(status=S.DRAFT)).select_related(
        "organization", "street"
    )
    header = [
        _("ID"),
        _("Organization"),
        _("Title"),
        _("Category"),
        _("Street"),
        _("Requested"),
        _("Status"),
        _("Score"),
        _("Reviews"),
        _("Expected direct"),
        _("Expected indirect"),
    ]
    rows = (
        (
            a.pk,
            a.organization.name,
            a.title,
            a.get_category_display(),
            a.street.name if a.street else "",
            a.requested_amount,
            a.get_status_display(),
            a.score,
            a.n_reviews,
            a.expected_direct,
            a.expected_indirect,
        )
        for a in qs.iterator(chunk_size=1000)
    )
    return xlsx_response(f"applications-{rnd.pk}.xlsx", header, rows)


def _review_rows(qs, *, blind: bool):
    for r in qs.iterator(chunk_size=1000):
        org = "" if blind else r.application.organization.name
        yield (
            r.application_id,
            r.application.title,
            org,
            str(r.reviewer),
            r.get_status_display(),
            r.total,
            r.submitted_at,
            r.comment,
        )


@login_required
def export_reviews(request, pk: int):
    """Reviews of a round. With blind review the organization column stays empty."""
    _staff_only(request)
    rnd = get_object_or_404(Round, pk=pk)
    header = [
        _("Application"),
        _("Title"),
        _("Organization"),
        _("Reviewer"),
        _("Status"),
        _("Weighted total"),
        _("Submitted"),
        _("Comment"),
    ]
    return xlsx_response(
        f"reviews-{rnd.pk}.xlsx",
        header,
        _review_rows(selectors.reviews_for_round(rnd.pk), blind=rnd.blind_review),
    )


@login_required
def export_awards(request, pk: int):
    _staff_only(request)
    rnd = get_object_or_404(Round, pk=pk)
    qs = selectors.awarded_projects().filter(round=rnd)
    header = [
        _("ID"),
        _("Organization"),
        _("Credit code"),
        _("Title"),
        _("Category"),
        _("Award"),
        _("Paid"),
        _("Award date"),
        _("Status"),
    ]
    rows = (
        (
            a.pk,
            a.organization.name,
            a.organization.credit_code,
            a.title,
            a.get_category_display(),
            a.award_amount,
            a.paid,
            a.awarded_at,
            a.get_status_display(),
        )
        for a in qs.iterator(chunk_size=1000)
    )
    return xlsx_response(f"awards-{rnd.pk}.xlsx", header, rows)


# --- reviewers -------------------------------------------------------------------------


@login_required
def my_reviews(request):
    today = timezone.localdate()

    def context():
        page = Paginator(selectors.reviews_for_reviewer(request.user), 50).get_page(request.GET.get("page"))
        return {"page_obj": page, "today": today}

    rows = _rows(
        request, "my-reviews-rows", "ventures/_my_reviews_rows.html", context, request.user.pk, today
    )
    return render(request, "ventures/my_reviews.html", {"rows": rows})


@login_required
def my_reviews_export(request):
    """The reviewer's own assignments, never with the organization (blind-safe)."""
    header = [_("Application"), _("Title"), _("Category"), _("Status"), _("Weighted total")]
    rows = (
        (
            r.application_id,
            r.application.title,
            r.application.get_category_display(),
            r.get_status_display(),
            r.total,
        )
        for r in selectors.reviews_for_reviewer(request.user)
    )
    return xlsx_response("my-reviews.xlsx", header, rows)


def _own_review(request, pk: int) -> Review:
    """404 unless the review is assigned to this user (unassigned reviewers learn nothing)."""
    review = get_object_or_404(
        Review.objects.select_related(
            "application", "application__round", "application__street"
        ).prefetch_related(Prefetch("scores", queryset=ReviewScore.objects.select_related("criterion"))),
        pk=pk,
        reviewer=request.user,
    )
    return review


@login_required
def review_detail(request, pk: int):
    review = _own_review(request, pk)
    if review.status == Review.Status.CONFLICT:
        messages.error(request, _("You declared a conflict of interest on this application."))
        return redirect("ventures:my_reviews")
    app = review.application
    criteria = Criterion.objects.filter(round_id=app.round_id)
    form = forms.ReviewForm(request.POST or None, criteria=criteria, review=review)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        _result, ok = _run(
            request,
            lambda: services.review_save(
                review=review,
                reviewer=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                submit=submit,
            ),
            _("Review submitted.") if submit else _("Scores saved."),
        )
        if ok:
            return redirect(
                "ventures:my_reviews" if submit else "ventures:review_detail",
                *([] if submit else [review.pk]),
            )
    return render(
        request,
        "ventures/review_detail.html",
        {
            "review": review,
            "application": app,
            "form": form,
            "blind": app.round.blind_review,
            "organization": None
            if app.round.blind_review
            else org_selectors.organization_get(app.organization_id),
            "budget_lines": app.budget_lines.all(),
            "milestones": app.milestones.all(),
            "attachments": app.attachments.filter(report__isnull=True),
            "conflict_form": forms.ReasonForm(),
            "locked": review.status == Review.Status.SUBMITTED,
        },
    )


@login_required
@require_POST
def review_conflict(request, pk: int):
    review = _own_review(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.review_declare_conflict(
                review=review, reviewer=request.user, reason=form.cleaned_data["reason"]
            ),
            _("Conflict of interest recorded; another reviewer takes over."),
        )
    else:
        messages.error(request, _("Describe the conflict of interest."))
    return redirect("ventures:my_reviews")


@login_required
def review_attachment(request, pk: int, attachment_pk: int):
    """Reviewers download attachments of applications assigned to them only."""
    import os

    review = _own_review(request, pk)
    if review.status == Review.Status.CONFLICT:
        raise Http404
    att = get_object_or_404(review.application.attachments, pk=attachment_pk)
    name = att.name
    if review.application.round.blind_review:  # a file name may carry the applicant's name
        name = f"attachment-{att.pk}{os.path.splitext(att.name)[1]}"
    return serve_file(att.file, download_name=name)


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    app = _application_for(request, pk)
    att = get_object_or_404(app.attachments, pk=attachment_pk)
    return serve_file(att.file, download_name=att.name)
