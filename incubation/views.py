"""Incubation pages: the public base, the applicant's and incubatee's portal, the managers'
work pages (operations staff for every base, street handlers for their sub-base), rooms
and bookings, iCalendar feeds and Excel exports.

Refused pages: no role for the page -> 403; an object outside the user's reach -> 404."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from center.dates import add_months
from center.errors import DomainError
from center.exports import XLSX_MIME, xlsx_bytes, xlsx_response
from center.files import serve_file
from center.pages import add_domain_error, domain_error_message
from incubation import feeds, forms, selectors, services
from incubation.caching import DATA
from incubation.models import (
    Agreement,
    Application,
    Base,
    Booking,
    EntryCall,
    FollowUp,
    Handover,
    Incubatee,
    IndicatorSheet,
    QuarterlyReport,
    Space,
    SpacePhoto,
)
from incubation.permissions import is_base_manager, is_operations_staff, may_manage_base, speaks_for
from organizations import selectors as org_selectors

PAGE_SIZE = 25


def _manager_only(request) -> None:
    if not is_base_manager(request.user):
        raise PermissionDenied


def _ops_only(request) -> None:
    if not is_operations_staff(request.user):
        raise PermissionDenied


def _run(request, fn, ok: str = ""):
    try:
        result = fn()
    except (DomainError, ValidationError) as exc:
        domain_error_message(request, exc)
        return None, False
    if ok:
        messages.success(request, ok)
    return result, True


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


# ------------------------------------------------------------------------- public ----
def home(request):
    now = timezone.now()
    bases = list(selectors.base_list())
    return render(
        request,
        "incubation/home.html",
        {
            "bases": bases,
            "calls": selectors.open_calls(now=now)[:20],
            "occupancy": selectors.occupancy(today=timezone.localdate()),
            "incubatees_now": selectors.incubatees_now(),
            "graduated": selectors.graduated_total(),
            "now": now,
        },
    )


def call_detail(request, pk: int):
    call = get_object_or_404(EntryCall.objects.select_related("base"), pk=pk, is_published=True)
    return render(request, "incubation/call_detail.html", {"call": call, "is_open": call.is_open()})


def incubatee_list(request):
    rows = selectors.public_incubatees()
    return render(request, "incubation/incubatee_list.html", {"page_obj": _page(request, rows)})


# ---------------------------------------------------------------- applicant portal ----
@login_required
def mine(request):
    user = request.user
    return render(
        request,
        "incubation/mine.html",
        {
            "applications": selectors.applications_of_user(user)[:50],
            "agreements": selectors.agreements_of_user(user)[:50],
            "reports": selectors.reports_due_for(user, today=timezone.localdate(), within_days=120)[:50]
            if not is_operations_staff(user)
            else [],
            "follow_ups": selectors.follow_ups_of_user(user)[:20],
            "bookings": selectors.bookings_of_user(user, upcoming_from=timezone.now())[:50],
            "incubatees": selectors.my_incubatees(user),
        },
    )


@login_required
def application_create(request, pk: int):
    call = get_object_or_404(EntryCall.objects.select_related("base"), pk=pk, is_published=True)
    if not call.is_open():
        messages.error(request, _("This call for entry is not open."))
        return redirect("incubation:call_detail", pk=call.pk)
    orgs = [m.organization for m in org_selectors.memberships_of_user(request.user)]
    form = forms.ApplicationForm(request.POST or None, request.FILES or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            app = services.application_create(
                call=call,
                user=request.user,
                organization_id=d["organization"],
                group_name=d["group_name"],
                members=d["members"],
                service_area=d["service_area"],
                team=d["team"],
                plan=d["plan"],
                space_need=d["space_need"],
                desks_needed=d["desks_needed"] or 0,
                attachment=d["attachment"],
            )
        except (DomainError, ValidationError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Draft saved. Submit it when it is complete."))
            return redirect("incubation:application_detail", pk=app.pk)
    return render(request, "incubation/application_form.html", {"form": form, "call": call})


def _application_for(request, pk: int) -> Application:
    try:
        return selectors.application_visible(request.user, pk)
    except Application.DoesNotExist:
        raise Http404 from None


@login_required
def application_detail(request, pk: int):
    app = _application_for(request, pk)
    manager = may_manage_base(request.user, app.call.base)
    indicators = list(app.call.sheet.indicators.all()) if app.call.sheet_id else []
    ctx = {
        "app": app,
        "manager": manager,
        "applicant": speaks_for(request.user, app.incubatee),
        "next": services.application_allowed_next(app, request.user),
        "history": app.status_changes.select_related("by"),
        "indicators": indicators,
        "scores": app.panel_scores.select_related("scorer", "indicator") if manager else [],
        "agreement": Agreement.objects.filter(application=app).first(),
    }
    if manager and app.status in (Application.Status.ASSESSED, Application.Status.WAITLISTED):
        ctx["admit_form"] = forms.AdmitForm(
            initial={"starts_on": timezone.localdate()},
            spaces=_free_spaces(app.call.base),
        )
    return render(request, "incubation/application_detail.html", ctx)


@login_required
def application_attachment(request, pk: int):
    """The file attached to an entry application: its applicant and the base's managers."""
    app = _application_for(request, pk)
    return serve_file(app.attachment, download_name=f"incubation-application-{app.pk}")


def _free_spaces(base):
    return (
        Space.objects.filter(base=base, kind__in=Space.WORKSPACE_KINDS)
        .exclude(status=Space.Status.MAINTENANCE)
        .order_by("floor", "code")
    )


@login_required
def application_edit(request, pk: int):
    app = _application_for(request, pk)
    if not speaks_for(request.user, app.incubatee):
        raise Http404
    initial = {f: getattr(app, f) for f in ("service_area", "team", "plan", "space_need", "desks_needed")}
    form = forms.ApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    form.fields.pop("organization")
    form.fields.pop("group_name")
    form.fields.pop("members")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.application_update(
                application=app,
                user=request.user,
                service_area=d["service_area"],
                team=d["team"],
                plan=d["plan"],
                space_need=d["space_need"],
                desks_needed=d["desks_needed"] or 0,
                attachment=d["attachment"] or None,
            )
        except (DomainError, ValidationError) as exc:
            add_domain_error(form, exc)
        else:
            return redirect("incubation:application_detail", pk=app.pk)
    return render(request, "incubation/application_form.html", {"form": form, "call": app.call, "app": app})


@login_required
@require_POST
def application_move(request, pk: int):
    app = _application_for(request, pk)
    to = request.POST.get("to", "")
    _run(
        request,
        lambda: services.application_transition(
            app, to=to, by=request.user, reason=request.POST.get("reason", "")
        ),
        _("Saved."),
    )
    return redirect("incubation:application_detail", pk=app.pk)


@login_required
@require_POST
def application_score(request, pk: int):
    app = _application_for(request, pk)
    if not may_manage_base(request.user, app.call.base):
        raise PermissionDenied
    scores = {}
    for key, value in request.POST.items():
        if key.startswith("ind_"):
            try:
                scores[int(key[4:])] = int(value)
            except ValueError:
                scores[int(key[4:])] = -1
    _run(
        request,
        lambda: services.panel_scores_save(application=app, scorer=request.user, scores=scores),
        _("Scores saved."),
    )
    return redirect("incubation:application_detail", pk=app.pk)


@login_required
@require_POST
def application_admit(request, pk: int):
    app = _application_for(request, pk)
    if not may_manage_base(request.user, app.call.base):
        raise PermissionDenied
    form = forms.AdmitForm(request.POST, spaces=_free_spaces(app.call.base))
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("incubation:application_detail", pk=app.pk)
    d = form.cleaned_data
    waivers = []
    if d.get("rent_percent") is not None and d.get("rent_months"):
        waivers.append(
            {
                "item": "rent",
                "percent": d["rent_percent"],
                "monthly_value": d["space"].monthly_rent if d["space"] else 0,
                "starts_on": d["starts_on"],
                "ends_on": add_months(d["starts_on"], min(d["rent_months"], d["months"])) - timedelta(days=1),
            }
        )
    agreement, ok = _run(
        request,
        lambda: services.application_admit(
            application=app,
            by=request.user,
            reason=d["reason"],
            space=d["space"],
            starts_on=d["starts_on"],
            months=d["months"],
            deposit=d["deposit"],
            conditions=d["conditions"],
            waivers=waivers,
        ),
        _("Admitted; the agreement is created."),
    )
    if ok:
        return redirect("incubation:agreement_detail", pk=agreement.pk)
    return redirect("incubation:application_detail", pk=app.pk)


@login_required
@require_POST
def application_accept_offer(request, pk: int):
    app = _application_for(request, pk)
    agreement, ok = _run(
        request,
        lambda: services.waitlist_accept(application=app, user=request.user, today=timezone.localdate()),
        _("Welcome! Your agreement is created."),
    )
    if ok:
        return redirect("incubation:agreement_detail", pk=agreement.pk)
    return redirect("incubation:application_detail", pk=app.pk)


# ---------------------------------------------------------------------- agreements ----
def _agreement_for(request, pk: int) -> Agreement:
    try:
        return selectors.agreement_visible(request.user, pk)
    except Agreement.DoesNotExist:
        raise Http404 from None


def _agreement_manager(user, agreement) -> bool:
    return may_manage_base(user, agreement.space.base) if agreement.space_id else is_operations_staff(user)


@login_required
def agreement_detail(request, pk: int):
    agreement = _agreement_for(request, pk)
    manager = _agreement_manager(request.user, agreement)
    waivers = list(agreement.waivers.all())
    for w in waivers:
        w.by_year = sorted(services.waiver_value_by_year(w).items())
    return render(
        request,
        "incubation/agreement_detail.html",
        {
            "agreement": agreement,
            "manager": manager,
            "owner": speaks_for(request.user, agreement.incubatee),
            "waivers": waivers,
            "reports": selectors.reports_of_agreement(agreement.pk),
            "evaluations": agreement.evaluations.select_related("decided_by"),
            "history": agreement.status_changes.select_related("by"),
            "handover": Handover.objects.filter(agreement=agreement).first(),
            "services": selectors.service_log(incubatee_id=agreement.incubatee_id)[:20] if manager else [],
            "next": services.agreement_allowed_next(agreement, request.user),
            "waiver_form": forms.WaiverForm() if manager else None,
            "graduation_form": forms.GraduationForm() if manager and agreement.status == "active" else None,
            "feed_url": request.build_absolute_uri(
                reverse("incubation:incubatee_feed", args=[agreement.incubatee.ical_token])
            ),
        },
    )


@login_required
@require_POST
def waiver_add(request, pk: int):
    agreement = _agreement_for(request, pk)
    form = forms.WaiverForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _run(
            request,
            lambda: services.waiver_add(agreement=agreement, by=request.user, **d),
            _("Waiver added."),
        )
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect("incubation:agreement_detail", pk=agreement.pk)


@login_required
@require_POST
def agreement_renewal(request, pk: int):
    agreement = _agreement_for(request, pk)
    decision = request.POST.get("decision")
    if decision in ("grant", "decline"):
        _run(
            request,
            lambda: services.agreement_decide_renewal(
                agreement=agreement, by=request.user, grant=decision == "grant"
            ),
            _("Saved."),
        )
    else:
        _run(
            request,
            lambda: services.agreement_request_renewal(
                agreement=agreement, user=request.user, note=request.POST.get("note", "")
            ),
            _("Your renewal request is sent to the center."),
        )
    return redirect("incubation:agreement_detail", pk=agreement.pk)


@login_required
@require_POST
def agreement_move(request, pk: int):
    agreement = _agreement_for(request, pk)
    _run(
        request,
        lambda: services.agreement_transition(
            agreement, to=request.POST.get("to", ""), by=request.user, reason=request.POST.get("reason", "")
        ),
        _("Saved."),
    )
    return redirect("incubation:agreement_detail", pk=agreement.pk)


@login_required
@require_POST
def graduation_evaluate(request, pk: int):
    agreement = _agreement_for(request, pk)
    form = forms.GraduationForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _run(
            request,
            lambda: services.graduation_evaluate(
                agreement=agreement,
                by=request.user,
                outcome=d["outcome"],
                registered=d["registered"],
                governance=d["governance"],
                running_project=d["running_project"],
                funding_secured=d["funding_secured"],
                panel=d["panel"],
                notes=d["notes"],
                extend_months=d["extend_months"] or 0,
            ),
            _("Evaluation recorded."),
        )
    return redirect("incubation:agreement_detail", pk=agreement.pk)


@login_required
def handover_detail(request, pk: int):
    _manager_only(request)
    handover = get_object_or_404(
        Handover.objects.select_related("agreement__incubatee", "agreement__space__base").filter(
            pk__in=_handover_scope(request.user)
        ),
        pk=pk,
    )
    form = forms.HandoverForm(
        request.POST or None,
        initial={
            f: getattr(handover, f) for f in ("keys_returned", "desks_cleared", "deposit_refunded", "notes")
        },
    )
    if request.method == "POST" and form.is_valid():
        _result, ok = _run(
            request,
            lambda: services.handover_update(handover=handover, by=request.user, **form.cleaned_data),
            _("Saved."),
        )
        if ok:
            return redirect("incubation:handover_detail", pk=handover.pk)
    return render(request, "incubation/handover_detail.html", {"handover": handover, "form": form})


def _handover_scope(user):
    from incubation.permissions import managed_base_filter

    if is_operations_staff(user):
        return Handover.objects.values("pk")
    return Handover.objects.filter(managed_base_filter(user, "agreement__space__")).values("pk")


# ------------------------------------------------------------------------- reports ----
@login_required
def report_detail(request, pk: int):
    try:
        report = selectors.report_visible(request.user, pk)
    except QuarterlyReport.DoesNotExist:
        raise Http404 from None
    agreement = report.agreement
    owner = speaks_for(request.user, agreement.incubatee)
    manager = _agreement_manager(request.user, agreement)
    sheet = (
        IndicatorSheet.objects.filter(kind=IndicatorSheet.Kind.QUARTERLY)
        .prefetch_related("indicators")
        .first()
    )
    fillable = report.status in (QuarterlyReport.Status.DUE, QuarterlyReport.Status.RETURNED)
    initial = (
        {f: getattr(report, f) for f in ("activities", "people_served", "volunteers", "income", "problems")}
        if report.status == QuarterlyReport.Status.RETURNED
        else None
    )
    form = forms.ReportForm(request.POST or None, initial=initial) if owner and fillable else None
    if request.method == "POST":
        if request.POST.get("action") == "return":
            if not manager:
                raise PermissionDenied
            _run(
                request,
                lambda: services.quarterly_report_return(
                    report=report, by=request.user, reason=request.POST.get("reason", "")
                ),
                _("The report is returned to the incubatee."),
            )
            return redirect("incubation:report_detail", pk=report.pk)
        if request.POST.get("action") == "assess":
            if not manager:
                raise PermissionDenied
            scores = {}
            for key, value in request.POST.items():
                if key.startswith("ind_"):
                    try:
                        scores[int(key[4:])] = int(value)
                    except ValueError:
                        scores[int(key[4:])] = -1
            _run(
                request,
                lambda: services.quarterly_report_assess(
                    report=report, by=request.user, scores=scores, sheet=sheet
                ),
                _("Assessment saved."),
            )
            return redirect("incubation:report_detail", pk=report.pk)
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.quarterly_report_submit(report=report, user=request.user, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Report filed."))
                return redirect("incubation:report_detail", pk=report.pk)
    return render(
        request,
        "incubation/report_detail.html",
        {
            "report": report,
            "form": form,
            "manager": manager,
            "sheet": sheet,
            "scores": report.scores.select_related("indicator"),
        },
    )


@login_required
def follow_up_answer(request, pk: int):
    follow_up = get_object_or_404(FollowUp.objects.select_related("agreement__incubatee"), pk=pk)
    if not speaks_for(request.user, follow_up.agreement.incubatee):
        raise Http404
    form = forms.FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _result, ok = _run(
            request,
            lambda: services.follow_up_answer(follow_up=follow_up, user=request.user, **form.cleaned_data),
            _("Thank you!"),
        )
        if ok:
            return redirect("incubation:mine")
    return render(request, "incubation/follow_up.html", {"follow_up": follow_up, "form": form})


# ------------------------------------------------------------------ managers' pages ----
@login_required
def manage(request):
    _manager_only(request)
    user, today = request.user, timezone.localdate()
    counts = selectors.application_counts_by_status(user)
    return render(
        request,
        "incubation/manage.html",
        {
            "counts": [(s, label, counts.get(s, 0)) for s, label in Application.Status.choices],
            "ending": selectors.agreements_for(user, ending_within=60, today=today)[:20],
            "reports_due": selectors.reports_due_for(user, today=today, within_days=15)[:20],
            "reports_to_assess": selectors.reports_to_assess(user)[:20],
            "handovers": selectors.handovers_open(user)[:20],
            "pending_bookings": selectors.bookings_pending(user)[:20],
            "bases": selectors.bases_managed_by(user),
            "occupancy": selectors.occupancy(today=today),
            "is_ops": is_operations_staff(user),
            "today": today,
        },
    )


@login_required
def application_list(request):
    _manager_only(request)
    status = request.GET.get("status", "")
    if status not in Application.Status.values:
        status = ""
    q = request.GET.get("q", "").strip()
    rows = selectors.applications_for_manager(request.user, status=status, q=q)
    return render(
        request,
        "incubation/application_list.html",
        {"page_obj": _page(request, rows), "status": status, "q": q, "statuses": Application.Status.choices},
    )


@login_required
def agreement_list(request):
    _manager_only(request)
    status = request.GET.get("status", "")
    if status not in Agreement.Status.values:
        status = ""
    q = request.GET.get("q", "").strip()
    ending = request.GET.get("ending")
    rows = selectors.agreements_for(
        request.user, status=status, q=q, ending_within=int(ending) if ending in ("30", "60") else None
    )
    return render(
        request,
        "incubation/agreement_list.html",
        {
            "page_obj": _page(request, rows),
            "status": status,
            "q": q,
            "ending": ending,
            "statuses": Agreement.Status.choices,
        },
    )


@login_required
def report_list(request):
    _manager_only(request)
    today = timezone.localdate()
    return render(
        request,
        "incubation/report_list.html",
        {
            "page_obj": _page(request, selectors.reports_due_for(request.user, today=today, within_days=30)),
            "to_assess": selectors.reports_to_assess(request.user)[:50],
            "today": today,
        },
    )


@login_required
def handover_list(request):
    _manager_only(request)
    return render(
        request,
        "incubation/handover_list.html",
        {"page_obj": _page(request, selectors.handovers_open(request.user)), "today": timezone.localdate()},
    )


@login_required
def service_log_list(request):
    _ops_only(request)
    form = forms.ServiceLogForm(request.POST or None, initial={"date": timezone.localdate()})
    form.fields["incubatee"].queryset = Incubatee.objects.order_by("name")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.service_log_add(
                incubatee=d["incubatee"],
                by=request.user,
                kind=d["kind"],
                day=d["date"],
                hours=d["hours"],
                summary=d["summary"],
                expert=d["expert"],
                outcome=d["outcome"],
            )
        except (DomainError, ValidationError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Service recorded."))
            return redirect("incubation:service_log")
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "incubation/service_log.html",
        {"form": form, "q": q, "page_obj": _page(request, selectors.service_log(q=q))},
    )


@login_required
def floor_plan(request):
    _manager_only(request)
    bases = list(selectors.bases_managed_by(request.user))
    if not bases:
        raise PermissionDenied
    base = next((b for b in bases if str(b.pk) == request.GET.get("base")), bases[0])
    today = timezone.localdate()
    plans, overall = selectors.floor_plans(base=base, today=today)
    return render(
        request,
        "incubation/floor_plan.html",
        {"base": base, "bases": bases, "plans": plans, "overall": overall, "today": today},
    )


def export_agreements(request):
    _ops_only(request)
    rows = (
        (
            a.number,
            a.incubatee.name,
            a.space.code if a.space else _("virtual"),
            a.starts_on,
            a.ends_on,
            a.get_status_display(),
            a.deposit,
            a.renewals,
        )
        for a in selectors.agreements_for(request.user).iterator(chunk_size=1000)
    )
    header = [
        _("Number"),
        _("Incubatee"),
        _("Space"),
        _("Starts on"),
        _("Ends on"),
        _("Status"),
        _("Deposit"),
        _("Renewals"),
    ]
    return xlsx_response(_("incubation-agreements") + ".xlsx", header, rows, sheet=_("Agreements"))


def export_waivers(request):
    """The waivers granted: one row per waiver line and calendar year with the money value
    waived that year; a second sheet totals the value per year and item."""
    _ops_only(request)
    totals: dict[tuple[int, str], Decimal] = {}

    def rows():
        for w in selectors.waivers_all().iterator(chunk_size=1000):
            for year, value in sorted(services.waiver_value_by_year(w).items()):
                key = (year, w.get_item_display())
                totals[key] = totals.get(key, Decimal(0)) + value
                yield (
                    w.agreement.number,
                    w.agreement.incubatee.name,
                    w.get_item_display(),
                    w.percent,
                    w.monthly_value,
                    w.starts_on,
                    w.ends_on,
                    year,
                    value,
                )

    def by_year():  # read after the first sheet is written, when `totals` is complete
        for (year, item), value in sorted(totals.items()):
            yield (year, item, value)

    header = [
        _("Agreement"),
        _("Incubatee"),
        _("Item"),
        _("Reduction (%)"),
        _("Monthly cost"),
        _("From"),
        _("Until"),
        _("Year"),
        _("Value waived"),
    ]
    content = xlsx_bytes(
        [
            (_("Waivers"), header, rows()),
            (_("Value waived by year"), [_("Year"), _("Item"), _("Value waived")], by_year()),
        ]
    )
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(_('incubation-waivers') + '.xlsx')}"
    )
    return response


def export_service_log(request):
    _ops_only(request)
    rows = (
        (
            s.date,
            s.incubatee.name,
            s.get_kind_display(),
            s.hours,
            str(s.given_by or s.expert),
            s.summary,
            s.outcome,
        )
        for s in selectors.service_log().iterator(chunk_size=1000)
    )
    header = [
        _("Date"),
        _("Incubatee"),
        _("Kind"),
        _("Hours"),
        _("Given by"),
        _("What was done"),
        _("What came of it"),
    ]
    return xlsx_response(_("incubation-service-log") + ".xlsx", header, rows, sheet=_("Service log"))


@login_required
def blocked_period_add(request):
    _manager_only(request)
    bases = list(selectors.bases_managed_by(request.user))
    if not bases:
        raise PermissionDenied
    rooms = Space.objects.filter(base__in=bases, kind__in=Space.FACILITY_KINDS)
    form = forms.BlockedPeriodForm(request.POST or None, rooms=rooms)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        base = d["space"].base if d["space"] else bases[0]
        try:
            services.blocked_period_add(
                base=base,
                by=request.user,
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                reason=d["reason"],
                space=d["space"],
            )
        except (DomainError, ValidationError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Blocked period saved."))
            return redirect("incubation:room_list")
    return render(request, "incubation/blocked_form.html", {"form": form})


# --------------------------------------------------------------- rooms and bookings ----
def room_list(request):
    day = _day(request.GET.get("day"), timezone.localdate())
    rooms = selectors.availability(day=day)
    return render(
        request,
        "incubation/room_list.html",
        {"rooms": rooms, "day": day, "prev": day - timedelta(days=1), "next": day + timedelta(days=1)},
    )


def _monday(request) -> date:
    day = _day(request.GET.get("week"), timezone.localdate())
    return day - timedelta(days=day.weekday())


def space_photo(request, pk: int, photo_pk: int):
    """A space's photo: public, like the space's page."""
    photo = get_object_or_404(SpacePhoto, pk=photo_pk, space_id=pk)
    return serve_file(photo.file, download_name=f"space-{pk}-{photo.pk}", inline=True)


def space_detail(request, pk: int):
    space = get_object_or_404(Space.objects.select_related("base"), pk=pk)
    monday = _monday(request)
    ctx = {
        "space": space,
        "photos": list(space.photos.all()),
        "monday": monday,
        "prev": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
    }
    manager = request.user.is_authenticated and may_manage_base(request.user, space.base)
    ctx["manager"] = manager
    if space.is_facility:
        ctx["grid"] = selectors.week_grid(monday=monday, spaces=[space], viewer=request.user)
        ctx["may_book"] = services.may_book(request.user, space)
        ctx["booking_form"] = forms.BookingForm()
        if manager:  # the room's feed carries every booker's title: for its managers only
            ctx["feed_url"] = request.build_absolute_uri(
                reverse("incubation:room_feed", args=[space.ical_token])
            )
    if manager and not space.is_facility:
        ctx["agreements"] = space.agreements.select_related("incubatee").order_by("-starts_on")[:20]
    return render(request, "incubation/space_detail.html", ctx)


def floor_week(request, base: int, floor: int):
    base_obj = get_object_or_404(Base, pk=base)
    monday = _monday(request)
    rooms = selectors.facilities(base=base_obj).filter(floor=floor)

    def grid_html():
        grid = selectors.week_grid(monday=monday, spaces=rooms, viewer=request.user)
        return render_to_string("incubation/_week_grid.html", {"grid": grid})

    # The grid is the same for everyone who may read the same titles (see
    # selectors._title_shown_to): the public, the operations staff, or one person.
    user = request.user
    if not user.is_authenticated:
        audience = "public"
    elif is_operations_staff(user):
        audience = "staff"
    else:
        audience = f"user-{user.pk}"
    html = DATA.cached(
        "floor-week", grid_html, base_obj.pk, floor, monday.isoformat(), audience, get_language()
    )
    return render(
        request,
        "incubation/floor_week.html",
        {
            "base": base_obj,
            "floor": floor,
            "grid_html": mark_safe(html),  # noqa: S308 - our own rendered template
            "monday": monday,
            "prev": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
        },
    )


@login_required
def booking_create(request, pk: int):
    space = get_object_or_404(Space.objects.select_related("base"), pk=pk)
    if not services.may_book(request.user, space):
        raise PermissionDenied
    form = forms.BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            booking = services.booking_create(
                space=space,
                user=request.user,
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                title=d["title"],
            )
        except (DomainError, ValidationError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Booked.")
                if booking.status == Booking.Status.CONFIRMED
                else _("Requested: the room's managers will confirm it."),
            )
            return redirect("incubation:booking_detail", pk=booking.pk)
    return render(request, "incubation/booking_form.html", {"space": space, "form": form})


@login_required
def series_create(request, pk: int):
    space = get_object_or_404(Space.objects.select_related("base"), pk=pk)
    if not services.may_book(request.user, space):
        raise PermissionDenied
    form = forms.SeriesForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        first_start, first_end = form.first_occurrence()
        args = dict(
            space=space,
            first_start=first_start,
            first_end=first_end,
            weekdays=d["weekdays"],
            interval=d["interval"],
            until=d["until"],
        )
        try:
            if request.POST.get("confirm"):
                series, booked, skipped = services.series_create(user=request.user, title=d["title"], **args)
                messages.success(
                    request,
                    _("%(n)d dates booked, %(m)d skipped.") % {"n": len(booked), "m": len(skipped)},
                )
                return redirect("incubation:space_detail", pk=space.pk)
            preview = services.series_preview(**args)
        except (DomainError, ValidationError) as exc:
            add_domain_error(form, exc)
    return render(request, "incubation/series_form.html", {"space": space, "form": form, "preview": preview})


def _booking_for(request, pk: int) -> Booking:
    try:
        return selectors.booking_visible(request.user, pk)
    except Booking.DoesNotExist:
        raise Http404 from None


@login_required
def booking_detail(request, pk: int):
    booking = _booking_for(request, pk)
    manager = may_manage_base(request.user, booking.space.base)
    return render(
        request,
        "incubation/booking_detail.html",
        {
            "booking": booking,
            "manager": manager,
            "owner": booking.booked_by_id == request.user.pk,
            "history": booking.status_changes.select_related("by"),
        },
    )


@login_required
@require_POST
def booking_move(request, pk: int):
    booking = _booking_for(request, pk)
    _run(
        request,
        lambda: services.booking_transition(
            booking, to=request.POST.get("to", ""), by=request.user, reason=request.POST.get("reason", "")
        ),
        _("Saved."),
    )
    return redirect("incubation:booking_detail", pk=booking.pk)


@login_required
@require_POST
def booking_check_in(request, pk: int):
    booking = _booking_for(request, pk)
    _run(request, lambda: services.booking_check_in(booking=booking, user=request.user), _("Checked in."))
    return redirect("incubation:booking_detail", pk=booking.pk)


# ----------------------------------------------------------------------- feeds ----
def _ics(request, name: str, bookings) -> HttpResponse:
    def url_for(booking) -> str:
        return request.build_absolute_uri(reverse("incubation:booking_detail", args=[booking.pk]))

    response = HttpResponse(
        feeds.calendar_bytes(name=name, bookings=bookings, host=request.get_host(), url_for=url_for),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


def room_feed(request, token: str):
    space = get_object_or_404(Space, ical_token=token)
    since = timezone.now() - timedelta(days=30)
    return _ics(request, str(space), selectors.feed_bookings_for_space(space, since=since))


def incubatee_feed(request, token: str):
    incubatee = get_object_or_404(Incubatee, ical_token=token)
    since = timezone.now() - timedelta(days=30)
    return _ics(request, incubatee.name, selectors.feed_bookings_for_incubatee(incubatee, since=since))
