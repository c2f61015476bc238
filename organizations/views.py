"""Pages: the public directory and abnormal list, the organizations' own pages, staff pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from center.errors import DomainError
from center.exports import xlsx_response
from center.files import serve_file
from center.forms import day_off_warnings
from center.pages import domain_error_message
from center.registry import organization_sections
from center.translated import pick_name
from center.workflow import allowed_next
from organizations import imports, selectors, services
from organizations.filters import OrganizationDirectoryFilter
from organizations.forms import (
    AnnualReportForm,
    CampaignForm,
    GradingScoreForm,
    GradingThresholdForm,
    ImportUploadForm,
    InviteForm,
    JoinForm,
    OrganizationForm,
    ReportReviewForm,
)
from organizations.models import (
    AnnualReport,
    GradingEvaluation,
    GradingThreshold,
    ImportBatch,
    InspectionCampaign,
    JoinRequest,
    Membership,
    Organization,
)
from organizations.pagination import CachedCountPaginator

PAGE_SIZE = 20


def _staff_only(request):
    if not request.user.is_authenticated or not request.user.is_center_staff:
        raise PermissionDenied


def _private(request, pk: int) -> Organization:
    """The organization, for its members and staff only; anyone else gets 403."""
    if not selectors.user_may_see_private(request.user, pk):
        raise PermissionDenied
    try:
        return selectors.organization_private(pk)
    except Organization.DoesNotExist:
        raise Http404 from None


# ------------------------------------------------------------------ public ----


def directory(request):
    """The public directory. The results (count, rows, page links) and the filter bar's lists
    are the same for every visitor: rendered once per data version (organizations and the
    network's streets), language and query, and shared by every process (center.caching)."""
    from center.caching import CENTER
    from organizations.caching import DATA

    parts = (get_language(), CENTER.data_version())

    def results():
        flt = OrganizationDirectoryFilter(request.GET or None, queryset=selectors.directory_queryset())
        # a filter with a bad value is left out (and named above the list); the others still apply
        qs = flt.qs
        errors = (
            [(flt.form.fields[name].label, msgs) for name, msgs in flt.errors.items()] if flt.is_bound else []
        )
        page = CachedCountPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        ctx = {"page_obj": page, "errors": errors, "request": request}
        return render_to_string("organizations/_directory_results.html", ctx)

    def filter_lists():
        flt = OrganizationDirectoryFilter(queryset=selectors.directory_queryset())
        streets = list(flt.filters["street"].queryset.values_list("pk", "name"))
        areas = [
            (code, pick_name(name, name_en))
            for code, name, name_en in flt.filters["service_area"].queryset.values_list(
                "code", "name", "name_en"
            )
        ]
        return streets, areas

    streets, areas = DATA.cached("directory-filters", filter_lists, *parts)
    html = DATA.cached("directory-results", results, *parts, request.GET.urlencode())
    # The filter bar is rendered from plain lists: Django's template-based select widgets
    # cost a third of the page's time.
    return render(
        request,
        "organizations/directory.html",
        {
            "results": mark_safe(html),  # noqa: S308 - our own rendered template
            "current": request.GET,
            "types": Organization.Type.choices,
            "grades": Organization.Grade.choices,
            "streets": streets,
            "areas": areas,
        },
    )


EXPORT_HEADER = [
    "name",
    "short name",
    "type",
    "credit code / filing number",
    "street",
    "registration date",
    "legal representative",
    "grade",
    "grade valid until",
    "service areas",
]


def directory_export(request):
    flt = OrganizationDirectoryFilter(request.GET or None, queryset=selectors.directory_queryset())
    qs = flt.qs
    types = dict(Organization.Type.choices)

    def rows():
        for chunk_start in range(0, 10**9, 2000):
            chunk = list(qs[chunk_start : chunk_start + 2000])
            if not chunk:
                return
            for o in chunk:
                yield [
                    o.name,
                    o.short_name,
                    str(types.get(o.org_type, "")),
                    o.identifier,
                    o.street.name if o.street else "",
                    o.registration_date,
                    o.legal_representative,
                    o.grade,
                    o.grade_valid_until,
                    "、".join(a.name for a in o.service_areas.all()),
                ]

    header = [
        _("Name"),
        _("Short name"),
        _("Type"),
        _("Credit code / filing number"),
        _("Street / town"),
        _("Registration date"),
        _("Legal representative"),
        _("Grade"),
        _("Grade valid until"),
        _("Service areas"),
    ]
    return xlsx_response(_("social-organization-directory") + ".xlsx", header, rows(), sheet=_("Directory"))


def detail(request, pk: int):
    try:
        organization = selectors.directory_detail(pk)
    except Organization.DoesNotExist:
        raise Http404 from None
    sections = [
        {"template": s.template, "data": data}
        for s in organization_sections()
        if (data := s.context(organization, request.user)) is not None
    ]
    return render(
        request,
        "organizations/detail.html",
        {
            "org": organization,
            "may_manage": selectors.user_may_see_private(request.user, pk),
            "sections": sections,
        },
    )


def abnormal(request):
    page = Paginator(selectors.abnormal_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "organizations/abnormal_list.html", {"page_obj": page})


# ------------------------------------------------------------------ organization accounts ----


@login_required
def mine(request):
    memberships = selectors.memberships_of_user(request.user)
    my_requests = JoinRequest.objects.filter(user=request.user).select_related("organization")[:20]
    return render(
        request,
        "organizations/mine.html",
        {
            "memberships": memberships,
            "join_form": JoinForm(),
            "my_requests": my_requests,
            "may_register": request.user.is_organization_account or request.user.is_center_staff,
        },
    )


@login_required
def create(request):
    if not (request.user.is_organization_account or request.user.is_center_staff):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: form.cleaned_data[k] for k in services.PROFILE_FIELDS}
            org = services.organization_create(
                user=request.user,
                data=data,
                service_areas=form.cleaned_data["service_areas"],
                certificate=form.cleaned_data.get("certificate"),
            )
        except (DomainError, ValidationError) as exc:
            domain_error_message(request, exc)
        else:
            messages.success(
                request, _("Registered. The center will check your certificate and verify the organization.")
            )
            return redirect("organizations:manage", org.pk)
    return render(request, "organizations/form.html", {"form": form, "title": _("Register an organization")})


@login_required
@require_POST
def join(request):
    form = JoinForm(request.POST)
    if form.is_valid():
        try:
            services.join_request_create(
                user=request.user,
                credit_code=form.cleaned_data["credit_code"],
                message=form.cleaned_data["message"],
            )
            messages.success(request, _("Your request was sent to the organization's owners."))
        except DomainError as exc:
            domain_error_message(request, exc)
    else:
        messages.error(request, _("Enter the organization's credit code."))
    return redirect("organizations:mine")


def _staff_actions(org: Organization, user) -> list[tuple[str, str, str]]:
    """(action, button label, confirmation question or "") of the status changes open to staff,
    from the organization pipeline (`allowed_next`); each has its own reason field, and the
    destructive ones ask first. Verification and resubmission have their own buttons."""
    S = Organization.Status
    labels = {
        S.REFUSED: (
            "refuse",
            _("Refuse the registration"),
            _("Refuse the registration of %(org)s?") % {"org": org.name},
        ),
        S.ABNORMAL: (
            "abnormal",
            _("Put on the abnormal list"),
            _("Put %(org)s on the public abnormal list?") % {"org": org.name},
        ),
        S.DEREGISTERED: (
            "deregister",
            _("Deregister"),
            _("Deregister %(org)s? It leaves the public directory and this cannot be undone.")
            % {"org": org.name},
        ),
    }
    if org.status == S.ABNORMAL:
        labels[S.VERIFIED] = ("unlist", _("Remove from the abnormal list"), "")
    return [
        labels[to]
        for to in allowed_next(org, pipeline=services.ORGANIZATION_PIPELINE, user=user)
        if to in labels
    ]


@login_required
def manage(request, pk: int):
    org = _private(request, pk)
    user = request.user
    return render(
        request,
        "organizations/manage.html",
        {
            "org": org,
            "is_owner": selectors.user_is_member(user, pk, owner_only=True),
            "is_staff": user.is_center_staff,
            "history": selectors.status_history(pk)[:50],
            "reports": selectors.reports_of_organization(pk),
            "evaluations": GradingEvaluation.objects.filter(organization_id=pk),
            "eligibility": services.grading_eligibility(org),
            "staff_actions": _staff_actions(org, user) if user.is_center_staff else [],
            "changes": selectors.profile_changes(pk) if user.is_center_staff else [],
        },
    )


@login_required
def edit(request, pk: int):
    org = _private(request, pk)
    if not selectors.user_may_manage(request.user, pk):
        raise PermissionDenied
    lock = not services.identity_editable(org, request.user)
    form = OrganizationForm(request.POST or None, request.FILES or None, instance=org, lock_identity=lock)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: form.cleaned_data[k] for k in services.PROFILE_FIELDS}
            services.organization_update(
                organization=org,
                user=request.user,
                data=data,
                service_areas=form.cleaned_data["service_areas"],
                certificate=form.cleaned_data.get("certificate"),
            )
        except (DomainError, ValidationError) as exc:
            domain_error_message(request, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("organizations:manage", pk)
    return render(
        request, "organizations/form.html", {"form": form, "org": org, "title": _("Edit the profile")}
    )


@login_required
@require_POST
def resubmit(request, pk: int):
    org = _private(request, pk)
    try:
        services.organization_resubmit(organization=org, by=request.user)
        messages.success(request, _("Sent to the center again."))
    except DomainError as exc:
        domain_error_message(request, exc)
    return redirect("organizations:manage", pk)


@login_required
def members(request, pk: int):
    org = _private(request, pk)
    is_owner = selectors.user_may_manage(request.user, pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.membership_invite(
                    organization=org,
                    by=request.user,
                    identifier=form.cleaned_data["identifier"],
                    role=form.cleaned_data["role"],
                )
                messages.success(request, _("Member added."))
                return redirect("organizations:members", pk)
            except DomainError as exc:
                domain_error_message(request, exc)
    return render(
        request,
        "organizations/members.html",
        {
            "org": org,
            "members": selectors.member_list(pk),
            "is_owner": is_owner,
            "form": form,
            "join_requests": selectors.join_requests_pending(pk) if is_owner else [],
            "roles": Membership.Role.choices,
        },
    )


@login_required
@require_POST
def member_action(request, pk: int, membership_id: int):
    org = _private(request, pk)
    membership = get_object_or_404(
        Membership.objects.select_related("organization"), pk=membership_id, organization=org
    )
    try:
        if request.POST.get("action") == "remove":
            services.membership_remove(membership=membership, by=request.user)
        else:
            services.membership_set_role(
                membership=membership, by=request.user, role=request.POST.get("role", "")
            )
        messages.success(request, _("Saved."))
    except DomainError as exc:
        domain_error_message(request, exc)
    return redirect("organizations:members", pk)


@login_required
@require_POST
def join_request_decide(request, pk: int, request_id: int):
    org = _private(request, pk)
    req = get_object_or_404(
        JoinRequest.objects.select_related("organization", "user"), pk=request_id, organization=org
    )
    try:
        services.join_request_decide(
            join_request=req, by=request.user, approve=request.POST.get("approve") == "1"
        )
        messages.success(request, _("Saved."))
    except DomainError as exc:
        domain_error_message(request, exc)
    return redirect("organizations:members", pk)


@login_required
def certificate_file(request, pk: int):
    """The registration certificate scan: the organization's members and staff only."""
    org = _private(request, pk)
    return serve_file(org.certificate, download_name=f"certificate-{org.pk}")


REPORT_FILES = ("financial_statements", "audit_report", "rectification_report")


@login_required
def report_file(request, pk: int, field: str):
    """A file attached to an annual report: whoever may see the report (members, staff)."""
    if field not in REPORT_FILES:
        raise Http404
    rep = get_object_or_404(AnnualReport.objects.select_related("campaign"), pk=pk)
    if not selectors.user_may_see_private(request.user, rep.organization_id):
        raise PermissionDenied
    return serve_file(getattr(rep, field), download_name=f"{field}-{rep.campaign.year}-{rep.organization_id}")


@login_required
def report(request, pk: int):
    rep = get_object_or_404(AnnualReport.objects.select_related("campaign", "organization"), pk=pk)
    if not selectors.user_may_see_private(request.user, rep.organization_id):
        raise PermissionDenied
    is_owner = selectors.user_is_member(request.user, rep.organization_id, owner_only=True)
    editable = is_owner and rep.status in (AnnualReport.Status.DRAFT, AnnualReport.Status.RETURNED)
    previous = services.previous_result(rep)
    form = (
        AnnualReportForm(request.POST or None, request.FILES or None, instance=rep, previous_result=previous)
        if editable
        else None
    )
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.annual_report_update(
                    report=rep,
                    by=request.user,
                    data=form.cleaned_data,
                    files={k: request.FILES.get(k) for k in services.REPORT_FILES},
                )
                rep.refresh_from_db()
                if "submit" in request.POST:
                    services.annual_report_submit(report=rep, by=request.user)
                    messages.success(request, _("Report submitted."))
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("organizations:report", pk)
            except (DomainError, ValidationError) as exc:
                domain_error_message(request, exc)
    return render(
        request,
        "organizations/report.html",
        {
            "report": rep,
            "form": form,
            "is_staff": request.user.is_center_staff,
            "review_form": ReportReviewForm() if request.user.is_center_staff else None,
            "missing": services.annual_report_missing(rep) if editable else [],
            "previous_result": previous,
            "history": rep.status_changes.select_related("by"),
        },
    )


@login_required
@require_POST
def grading_apply(request, pk: int):
    org = _private(request, pk)
    try:
        services.grading_apply(organization=org, by=request.user)
        messages.success(request, _("Application for grading sent."))
    except DomainError as exc:
        domain_error_message(request, exc)
    return redirect("organizations:manage", pk)


@login_required
@require_POST
def grading_withdraw(request, pk: int, evaluation_id: int):
    org = _private(request, pk)
    evaluation = get_object_or_404(
        GradingEvaluation.objects.select_related("organization"), pk=evaluation_id, organization=org
    )
    try:
        services.grading_withdraw(evaluation=evaluation, by=request.user)
        messages.success(request, _("Application withdrawn."))
    except DomainError as exc:
        domain_error_message(request, exc)
    return redirect("organizations:manage", pk)


# ------------------------------------------------------------------ staff ----


@login_required
def verify_queue(request):
    _staff_only(request)
    page = Paginator(selectors.pending_verification(), PAGE_SIZE).get_page(request.GET.get("page"))
    joins = JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).select_related(
        "user", "organization"
    )[:50]
    return render(request, "organizations/verify_queue.html", {"page_obj": page, "join_requests": joins})


STAFF_ACTIONS = {
    "verify": lambda org, user, reason: services.organization_verify(organization=org, by=user),
    "refuse": lambda org, user, reason: services.organization_refuse(
        organization=org, by=user, reason=reason
    ),
    "abnormal": lambda org, user, reason: services.organization_mark_abnormal(
        organization=org, by=user, reason=reason
    ),
    "unlist": lambda org, user, reason: services.organization_remove_from_abnormal_list(
        organization=org, by=user, reason=reason
    ),
    "deregister": lambda org, user, reason: services.organization_deregister(
        organization=org, by=user, reason=reason
    ),
}


@login_required
@require_POST
def status_action(request, pk: int):
    _staff_only(request)
    org = get_object_or_404(Organization, pk=pk)
    action = STAFF_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        raise Http404
    try:
        action(org, request.user, request.POST.get("reason", ""))
        messages.success(request, _("Status changed."))
    except DomainError as exc:
        domain_error_message(request, exc)
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(nxt)
    return redirect("organizations:manage", pk)


@login_required
def campaigns(request):
    _staff_only(request)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(by=request.user, **form.cleaned_data)
            messages.success(
                request, _("Campaign opened; %(n)d organizations enrolled.") % {"n": campaign.reports.count()}
            )
            for warning in day_off_warnings(
                {
                    "deadline": campaign.deadline,
                    "supervising_unit_deadline": campaign.supervising_unit_deadline,
                },
                {
                    "deadline": form.fields["deadline"].label,
                    "supervising_unit_deadline": form.fields["supervising_unit_deadline"].label,
                },
            ):
                messages.warning(request, warning)
            return redirect("organizations:campaign", campaign.pk)
        except DomainError as exc:
            domain_error_message(request, exc)
    return render(
        request, "organizations/campaigns.html", {"campaigns": selectors.campaign_list(), "form": form}
    )


@login_required
def campaign(request, pk: int):
    _staff_only(request)
    camp = get_object_or_404(InspectionCampaign, pk=pk)
    progress = selectors.campaign_progress(camp)
    status = request.GET.get("status", AnnualReport.Status.SUBMITTED)
    reports = (
        AnnualReport.objects.filter(campaign=camp, status=status)
        .select_related("organization", "organization__street")
        .order_by("organization__name")
    )
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organizations/campaign.html",
        {
            "campaign": camp,
            "progress": progress,
            "page_obj": page,
            "status": status,
            "statuses": AnnualReport.Status.choices,
        },
    )


PROGRESS_KEYS = [
    "enrolled",
    "draft",
    "submitted",
    "returned",
    "accepted",
    "qualified",
    "basically",
    "unqualified",
]


def _progress_header():
    return [
        _("Enrolled"),
        _("Not filed"),
        pgettext("annual report", "Submitted"),
        pgettext("annual report", "Returned"),
        _("Accepted"),
        _("Qualified"),
        _("Basically qualified"),
        _("Unqualified"),
    ]


@login_required
def campaign_export(request, pk: int):
    _staff_only(request)
    camp = get_object_or_404(InspectionCampaign, pk=pk)
    progress = selectors.campaign_progress(camp)
    rows = [[_("By street / town")]]
    rows += [[r["label"], *[r[k] for k in PROGRESS_KEYS]] for r in progress["by_street"]]
    rows += [[], [_("By type")]]
    rows += [[r["label"], *[r[k] for k in PROGRESS_KEYS]] for r in progress["by_type"]]
    rows += [[], [_("Total"), *[progress["total"][k] for k in PROGRESS_KEYS]]]
    return xlsx_response(
        _("annual-inspection-%(year)s") % {"year": camp.year} + ".xlsx",
        ["", *_progress_header()],
        rows,
        sheet=str(camp.year),
    )


@login_required
@require_POST
def report_review(request, pk: int):
    _staff_only(request)
    rep = get_object_or_404(AnnualReport.objects.select_related("organization", "campaign"), pk=pk)
    form = ReportReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "accept":
                services.annual_report_accept(
                    report=rep, by=request.user, result=data["result"], comment=data["comment"]
                )
            else:
                services.annual_report_return(report=rep, by=request.user, comment=data["comment"])
            messages.success(request, _("Saved."))
        except DomainError as exc:
            domain_error_message(request, exc)
    return redirect("organizations:report", pk)


@login_required
def grading(request):
    _staff_only(request)
    thresholds = selectors.thresholds_by_year()
    form = GradingThresholdForm(
        request.POST or None, initial_scores=thresholds[0]["scores"] if thresholds else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.grading_thresholds_set(
                year=form.cleaned_data["year"], by=request.user, min_scores=form.min_scores()
            )
            messages.success(
                request, _("Thresholds for %(year)s saved.") % {"year": form.cleaned_data["year"]}
            )
            return redirect("organizations:grading")
        except DomainError as exc:
            domain_error_message(request, exc)
    return render(
        request,
        "organizations/grading.html",
        {
            "to_score": selectors.evaluations_to_score(),
            "recent": selectors.evaluation_list().exclude(status=GradingEvaluation.Status.APPLIED)[:50],
            "thresholds": thresholds,
            "grades": ["5A", "4A", "3A", "2A", "1A"],
            "threshold_form": form,
        },
    )


@login_required
def grading_score(request, pk: int):
    _staff_only(request)
    evaluation = get_object_or_404(GradingEvaluation.objects.select_related("organization"), pk=pk)
    form = GradingScoreForm(request.POST or None, evaluation=evaluation)
    if request.method == "POST" and form.is_valid():
        try:
            services.grading_score(evaluation=evaluation, by=request.user, scores=form.cleaned_data)
            messages.success(request, _("Scores saved."))
            return redirect("organizations:grading")
        except DomainError as exc:
            domain_error_message(request, exc)
    return render(
        request,
        "organizations/form.html",
        {
            "form": form,
            "org": evaluation.organization,
            "evaluation": evaluation,
            "thresholds_set": GradingThreshold.objects.filter(year=evaluation.year).exists(),
            "title": _("Grading evaluation %(year)s: %(org)s")
            % {"year": evaluation.year, "org": evaluation.organization.name},
        },
    )


@login_required
def import_upload(request):
    _staff_only(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.import_preview(upload=form.cleaned_data["file"], by=request.user)
            return redirect("organizations:import_batch", batch.pk)
        except (DomainError, ValidationError) as exc:
            domain_error_message(request, exc)
    return render(
        request,
        "organizations/import_upload.html",
        {
            "form": form,
            "batches": ImportBatch.objects.only(
                "id", "file_name", "created_at", "status", "total_rows", "imported"
            )[:10],
            "columns": imports.COLUMN_HELP,
        },
    )


@login_required
def import_batch(request, pk: int):
    _staff_only(request)
    batch = get_object_or_404(ImportBatch, pk=pk)
    if request.method == "POST":
        try:
            imports.import_confirm(batch=batch, by=request.user)
        except DomainError as exc:
            domain_error_message(request, exc)
        return redirect("organizations:import_batch", pk)
    return render(
        request,
        "organizations/import_batch.html",
        {
            "batch": batch,
            "good_sample": batch.good_rows[:20],
            "bad_rows": batch.bad_rows[:500],
        },
    )


@login_required
def import_progress(request, pk: int):
    _staff_only(request)
    batch = get_object_or_404(
        ImportBatch.objects.only("processed", "total_rows", "status", "good_rows"), pk=pk
    )
    return JsonResponse(
        {
            "done": imports.import_progress(batch),
            "total": len(batch.good_rows),
            "finished": batch.status in (ImportBatch.Status.IMPORTED, ImportBatch.Status.FAILED),
            "status": batch.status,
        }
    )
